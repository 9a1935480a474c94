/** The UI thread's handle on the model worker: a typed `call`, created once and shared. */
import { connect, type Port } from './rpc.ts';
import type { ModelMethods } from './model.worker.ts';

export type ModelWorker = ReturnType<typeof connect<ModelMethods>>;

export function startModelWorker(): ModelWorker {
  const worker = new Worker(new URL('./model.worker.ts', import.meta.url), { type: 'module', name: 'model' });
  return connect<ModelMethods>(worker as unknown as Port);
}
