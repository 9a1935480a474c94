/**
 * The server's one error type and its central handlers. Route code throws `ApiError` with a code
 * from the protocol's closed set; `onError` turns it into the one error body shape. Anything else
 * thrown is a bug: it is logged and answered with a bare 500 `internal` that leaks nothing.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody, RequestErrorCode } from '../protocol/index.ts';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: RequestErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorResponse(c: Context, error: ApiError): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  return c.json(body, error.status);
}

export type Logger = (message: string, error?: unknown) => void;

export function errorHandler(log: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err);
    log(`Unhandled error on ${c.req.method} ${c.req.path}`, err);
    return errorResponse(c, new ApiError(500, 'internal', 'Internal server error'));
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
