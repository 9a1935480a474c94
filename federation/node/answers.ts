/**
 * What a node makes of its hub's answers: the refusal as a `HubError` (code, status, details,
 * Retry-After), the words its status shows for a failed exchange, and the hub's address as given.
 */
import type { Link } from './link.ts';

export class HubError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: Record<string, unknown>,
    /** The hub's Retry-After, ms (429, 503, 507). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

/** The words `vernacular node status` and the app show for a failed exchange. */
export function describeFailure(err: unknown, hubUrl: string): { state: Link['state']; words: string } {
  if (err instanceof HubError) {
    switch (err.code) {
      case 'node_revoked':
        return { state: 'revoked', words: 'The hub’s steward revoked this node: it no longer sends or receives. Contributions stay safe here; ask the steward.' };
      case 'unknown_node':
        return { state: 'failing', words: 'The hub does not know this node’s key. Enrol again with a new token from the hub’s steward.' };
      case 'storage_full':
        return { state: 'failing', words: 'The hub’s storage is full. Nothing is lost: records wait here and are sent once the hub has space again.' };
      case 'rate_limited':
        return { state: 'failing', words: `The hub asked this node to slow down; sending again in ${Math.ceil((err.retryAfterMs ?? 1000) / 1000)} s.` };
      case 'unavailable':
        return { state: 'unreachable', words: 'The hub cannot take requests for a moment. Records wait here and are sent when it can.' };
      default:
        return { state: 'failing', words: `The hub refused the exchange: ${err.message} (${err.code}).` };
    }
  }
  const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
  return { state: 'unreachable', words: `The hub at ${hubUrl} cannot be reached (${cause}). Contributions wait here and are sent when it can be.` };
}

/** The Retry-After of an answer, in ms (seconds or an HTTP date; capped at a day), or undefined. */
export function retryAfterMs(response: Response, now = Date.now()): number | undefined {
  const value = response.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 86_400_000) : undefined;
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function normaliseHubUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`"${url}" is not a hub address; give one like https://hub.example.org`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`The hub address must be http:// or https://, not ${parsed.protocol}`);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}
