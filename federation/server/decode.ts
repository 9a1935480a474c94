/**
 * Turning the bytes of a sync request into what the store needs: the JSON (see body.ts), the
 * envelope (a bad one refuses the whole request with an `ApiError`), then each contribution
 * validated on its own, so one bad item is `rejected` with its stable code while the others go
 * on. Pure and synchronous.
 */
import {
  Contribution,
  checkedParse,
  describeIssues,
  LIMITS,
  shapeProblem,
  SUPPORTED_PROTOCOLS,
  unstorableText,
  SyncEnvelope,
  type SyncResult,
} from '../protocol/index.ts';
import { ApiError } from './errors.ts';
import { parseJsonBody, type RawBody } from './body.ts';
import { canonicalOf, type Canonical } from '../store/rows.ts';
import { ItemVerifier } from '../trust/contributors.ts';

/** Longest raw id echoed back in a rejection; longer ones are answered with `id: null`. */
const MAX_ECHOED_ID = 64;

export interface Envelope {
  deviceId: string;
  items: unknown[];
}

export interface DecodedSync {
  deviceId: string;
  /** Number of items sent. */
  count: number;
  /** The valid items, normalised by the schema, in the order sent… */
  valid: Contribution[];
  /** …and the index each had in the request. */
  validIndex: number[];
  /** One result per invalid item. */
  rejected: SyncResult[];
  /**
   * `canonicalOf` each valid item (computed where it was decoded — a decoder thread — so that the
   * thread that writes to the database does not have to).
   */
  canonical: Canonical[];
}

/** One per thread: it remembers the trees it verified, so a batch costs one verification per tree. */
const verifier = new ItemVerifier();

export function parseEnvelope(body: unknown): Envelope {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'invalid_request', 'Request body must be a JSON object');
  }
  const protocol = (body as { protocol?: unknown }).protocol;
  if (!(SUPPORTED_PROTOCOLS as readonly unknown[]).includes(protocol)) {
    throw new ApiError(400, 'unsupported_protocol', 'This server does not speak that protocol version', {
      supported: [...SUPPORTED_PROTOCOLS],
    });
  }
  const parsed = checkedParse(SyncEnvelope, body);
  if (!parsed.success) {
    const { field, message } = describeIssues(parsed.error);
    throw new ApiError(400, 'invalid_request', `Invalid request: ${field || 'body'}: ${message}`, {
      field,
      message,
    });
  }
  const items = parsed.data.contributions;
  if (items.length > LIMITS.maxBatchItems) {
    throw new ApiError(413, 'batch_too_large', `At most ${LIMITS.maxBatchItems} contributions per batch`, {
      limit: LIMITS.maxBatchItems,
    });
  }
  return { deviceId: parsed.data.device.id, items };
}

const SYNC_ITEMS = ['contributions'] as const;

function rawId(item: unknown): string | null {
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length <= MAX_ECHOED_ID && !unstorableText(id) ? id : null;
}

/**
 * Each item validated on its own: its schema, then its author's signature over its normalised
 * content (a forged or altered item is `bad_signature`, the rest go on).
 */
export function validateItems({ deviceId, items }: Envelope): DecodedSync {
  const decoded: DecodedSync = { deviceId, count: items.length, valid: [], validIndex: [], rejected: [], canonical: [] };
  items.forEach((item, index) => {
    const shape = shapeProblem(item);
    if (shape !== null) {
      decoded.rejected.push({ index, id: rawId(item), status: 'rejected', ...shape });
      return;
    }
    const parsed = checkedParse(Contribution, item);
    if (parsed.success) {
      const canonical = canonicalOf(parsed.data);
      const problem = verifier.check(parsed.data, canonical.hash);
      if (problem !== undefined) {
        decoded.rejected.push({ index, id: parsed.data.id, status: 'rejected', ...problem });
        return;
      }
      decoded.valid.push(parsed.data);
      decoded.validIndex.push(index);
      decoded.canonical.push(canonical);
    } else {
      const { code, field, message } = describeIssues(parsed.error);
      decoded.rejected.push({ index, id: rawId(item), status: 'rejected', code, field, message });
    }
  });
  return decoded;
}

export function decodeSync(body: RawBody, limit: number): DecodedSync {
  return validateItems(parseEnvelope(parseJsonBody(body, limit, SYNC_ITEMS)));
}
