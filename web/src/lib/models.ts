/**
 * Model helpers shared by Settings, the drafter and the compare screen. Before a model download:
 * whether to ask first. Only on a metered, save-data or slow connection
 * (`connection.ts`), and only when the model revision is not already in this device's cache (a
 * revision with at least one ONNX graph cached loads without downloading its weights again).
 */
import type { ModelWorker } from '../../../worker/client.ts';
import { currentConnection, isMetered } from './connection.ts';
import { WorkerError } from '../../../worker/rpc.ts';
import { t } from '../i18n/index.svelte.ts';

export async function askBeforeDownload(worker: ModelWorker, model: { id: string; revision: string }): Promise<boolean> {
  if (!isMetered(currentConnection())) return false;
  try {
    const { models } = await worker.call('cachedModels', {});
    return !models.some((m) => m.id === model.id && m.revision === model.revision && m.dtypes.length > 0);
  } catch {
    return true;
  }
}

/**
 * A worker error from loading or running a model, as a sentence for the contributor; `notFound`
 * replaces the sentence for a model the node no longer has.
 */
export function explainModelError(e: unknown, notFound?: string): string {
  const code = e instanceof WorkerError ? e.code : 'failed';
  if (code === 'model_not_found' && notFound !== undefined) return notFound;
  if (code === 'model_not_found' || code === 'model_broken' || code === 'load_failed') return t(`settings.models.error.${code}`);
  if (code === 'busy') return t('models.error.busy');
  return t('settings.models.error.other', { code });
}

/** Download progress in whole percent (0 while the total is unknown). */
export function downloadPercent(p: { loaded: number; total: number }): number {
  return p.total > 0 ? Math.round((100 * p.loaded) / p.total) : 0;
}
