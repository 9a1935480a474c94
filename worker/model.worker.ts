/// <reference lib="webworker" />
/**
 * The model worker: one handler map for what this device can run a model on (`probe`), the
 * on-device model (`load`, `generate`, `interrupt`, `unload`, and the cached files: `cachedModels`, `removeModel`) and the checks before saving.
 */
import { detectLanguage, scanPersonalData } from './checks.ts';
import { cachedModels, generate, interrupt, load, removeModel, unload } from './model.ts';
import { probe } from './probe.ts';
import { serve, type Port } from './rpc.ts';

export const methods = { probe, load, generate, interrupt, unload, cachedModels, removeModel, detectLanguage, scanPersonalData };
export type ModelMethods = typeof methods;

serve(self as unknown as Port, methods);
