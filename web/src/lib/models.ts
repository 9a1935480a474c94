/**
 * Before a model download: whether to ask first. Only on a metered, save-data or slow connection
 * (`connection.ts`), and only when the model revision is not already in this device's cache (a
 * revision with at least one ONNX graph cached loads without downloading its weights again).
 */
import type { ModelWorker } from '../../../worker/client.ts';
import { currentConnection, isMetered } from './connection.ts';

export async function askBeforeDownload(worker: ModelWorker, model: { id: string; revision: string }): Promise<boolean> {
  if (!isMetered(currentConnection())) return false;
  try {
    const { models } = await worker.call('cachedModels', {});
    return !models.some((m) => m.id === model.id && m.revision === model.revision && m.dtypes.length > 0);
  } catch {
    return true;
  }
}
