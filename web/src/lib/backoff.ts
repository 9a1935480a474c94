/**
 * Retry delays: exponential from `baseMs`, capped at `capMs`, with jitter so that a room full
 * of tablets coming back online does not knock on the node all in the same second.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 5 * 60_000 };

/** Delay before retry number `attempt` (1 = first retry): half fixed, half random. */
export function backoffDelay(attempt: number, random: () => number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exp = policy.baseMs * 2 ** Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.capMs, exp);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * A server's Retry-After (seconds, or an HTTP date) as a delay in ms from `now`, capped at a day;
 * null when absent or unreadable. 429, 503 and 507 answers carry it; a retry comes no sooner.
 */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (!value) return null;
  const text = value.trim();
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : / GMT$/.test(text) ? Date.parse(text) - now : NaN;
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), 86_400_000) : null;
}
