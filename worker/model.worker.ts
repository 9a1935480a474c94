/// <reference lib="webworker" />
/**
 * The model worker. Today it answers `probe` (what this device can run a model on); loading,
 * generation, language identification and personal-data scanning join the same handler map.
 */
import { detectLanguage, scanPersonalData } from './checks.ts';
import { probe } from './probe.ts';
import { serve, type Port } from './rpc.ts';

export const methods = { probe, detectLanguage, scanPersonalData };
export type ModelMethods = typeof methods;

serve(self as unknown as Port, methods);
