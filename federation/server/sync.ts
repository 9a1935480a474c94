/**
 * POST /api/v1/sync: read the body (limits first), decode and validate it (decoder.ts), store the
 * valid items together in one durable transaction, and answer one result per item in the order
 * sent — only after the commit, so `accepted` is a promise.
 */
import type { Context } from 'hono';
import { LIMITS, PROTOCOL_VERSION, type SyncResponse, type SyncResult } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import type { DecodedSync } from './decode.ts';
import type { SyncDecoder } from './decoder.ts';
import { readJsonRequestBody } from './body.ts';
import type { RateLimiter } from './ratelimit.ts';

export async function storeDecoded(store: Store, decoded: DecodedSync): Promise<SyncResult[]> {
  const results = new Array<SyncResult>(decoded.count);
  for (const rejection of decoded.rejected) results[rejection.index] = rejection;
  const statuses = await store.ingest(decoded.deviceId, decoded.valid, decoded.canonical);
  statuses.forEach((status, k) => {
    const index = decoded.validIndex[k]!;
    const id = decoded.valid[k]!.id;
    if (typeof status === 'object') {
      results[index] = { index, id, status: 'rejected', code: status.code, field: status.field, message: status.message };
    }
    else if (status === 'conflict') results[index] = { index, id, status, code: 'conflict', message: 'This id already holds different content' };
    else results[index] = { index, id, status };
  });
  return results;
}

export function syncHandler(store: Store, decoder: SyncDecoder, limiter?: RateLimiter) {
  return async (c: Context): Promise<Response> => {
    const body = await readJsonRequestBody(c.req.raw, LIMITS.maxBodyBytes);
    const decoded = await decoder.decode(body, LIMITS.maxBodyBytes);
    // Each key whose items verified pays for the request too: many addresses do not make one
    // contributor's flood cheaper. (A key is known only once its signatures verified.)
    for (const key of new Set(decoded.valid.map((item) => item.key))) limiter?.takeKey(key);
    const results = await storeDecoded(store, decoded);
    const answer: SyncResponse = { protocol: PROTOCOL_VERSION, results, serverTime: new Date().toISOString() };
    return c.json(answer);
  };
}
