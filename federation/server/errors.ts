/**
 * The server's one error type and its central handlers. Route code throws `ApiError` with a code
 * from the protocol's closed set; `onError` turns it into the one error body shape. A store
 * failure that is the world's, not a bug (store/failures.ts), gets its own answer: a full disk
 * 507 `storage_full` and a database that cannot serve 503 `unavailable`, both with Retry-After
 * (nothing was stored; the sender keeps what it sent and tries again), and text the database
 * refuses 400 `invalid_text`. Anything else thrown is a bug: it is logged and answered with a
 * bare 500 `internal` that leaks nothing.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody, RequestErrorCode } from '../protocol/index.ts';
import { storeFailure } from '../store/failures.ts';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: RequestErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Seconds to wait before trying again, sent as Retry-After (429, 503, 507). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorResponse(c: Context, error: ApiError): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  if (error.retryAfter !== undefined) c.header('Retry-After', String(Math.max(1, Math.ceil(error.retryAfter))));
  return c.json(body, error.status);
}

export type Logger = (message: string, error?: unknown) => void;

/** How long a sender is told to wait when the disk is full, and when the database cannot serve. */
export const STORAGE_FULL_RETRY_S = 60;
export const UNAVAILABLE_RETRY_S = 10;
/** A full disk is logged at most this often (every refused request would flood the log). */
const FAILURE_LOG_EVERY_MS = 60_000;

export function errorHandler(log: Logger): ErrorHandler {
  const lastLogged = new Map<string, number>();
  const logFailure = (failure: string, message: string, err: unknown) => {
    const now = Date.now();
    if (now - (lastLogged.get(failure) ?? -Infinity) < FAILURE_LOG_EVERY_MS) return;
    lastLogged.set(failure, now);
    log(message, err);
  };
  return (err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err);
    switch (storeFailure(err)) {
      case 'storage_full':
        logFailure('storage_full', `Storage is full; refusing writes (${c.req.method} ${c.req.path}) until space is freed`, err);
        return errorResponse(c, new ApiError(507, 'storage_full', 'The server’s storage is full; nothing in this request was stored. Try again later.', { retryAfter: STORAGE_FULL_RETRY_S }, STORAGE_FULL_RETRY_S));
      case 'unavailable':
        logFailure('unavailable', `The database cannot serve now (${c.req.method} ${c.req.path})`, err);
        return errorResponse(c, new ApiError(503, 'unavailable', 'The server cannot take requests for a moment; nothing in this request was stored. Try again later.', { retryAfter: UNAVAILABLE_RETRY_S }, UNAVAILABLE_RETRY_S));
      case 'unstorable_text':
        return errorResponse(c, new ApiError(400, 'invalid_text', 'The request holds text that cannot be stored (a NUL character or a lone surrogate); nothing was stored'));
      default:
        log(`Unhandled error on ${c.req.method} ${c.req.path}`, err);
        return errorResponse(c, new ApiError(500, 'internal', 'Internal server error'));
    }
  };
}

/** Unknown API paths get the JSON error body; the static handler owns every other path. */
export const apiNotFound: NotFoundHandler = (c) =>
  errorResponse(c, new ApiError(404, 'not_found', `No such endpoint: ${c.req.path}`));

export function methodNotAllowed(allow: readonly string[]) {
  return (c: Context): Response => {
    c.header('Allow', allow.join(', '));
    return errorResponse(
      c,
      new ApiError(405, 'method_not_allowed', `${c.req.method} is not allowed here`, { allow }),
    );
  };
}
