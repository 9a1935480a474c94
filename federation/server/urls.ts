/**
 * The URL of every request, checked before any route reads it: its path segments and query
 * names and values, percent-decoded, must be well-formed UTF-8 with no NUL — what a route hands
 * the store (a slug, id or tag) or the file system (a model or static file name) must be text
 * they can hold (protocol/shape.ts). Refused with 400 `invalid_request` (path) or
 * `invalid_query`, before anything is read or stored.
 */
import type { MiddlewareHandler } from 'hono';
import { unstorableText } from '../protocol/index.ts';
import { ApiError } from './errors.ts';

function decodes(part: string, plusIsSpace: boolean): boolean {
  if (!part.includes('%')) return !unstorableText(part);
  try {
    return !unstorableText(decodeURIComponent(plusIsSpace ? part.replaceAll('+', ' ') : part));
  } catch {
    return false; // malformed percent-encoding, or bytes that are not UTF-8
  }
}

export const storableUrl: MiddlewareHandler = async (c, next) => {
  const url = c.req.url;
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const query = url.indexOf('?', start);
  const path = url.slice(start, query === -1 ? undefined : query);
  if (!path.split('/').every((segment) => decodes(segment, false))) {
    throw new ApiError(400, 'invalid_request', 'The request path holds a NUL character, a lone surrogate or malformed percent-encoding');
  }
  if (query !== -1) {
    const pairs = url.slice(query + 1).split('#')[0]!.split('&');
    if (!pairs.every((pair) => decodes(pair, true))) {
      throw new ApiError(400, 'invalid_query', 'The query holds a NUL character, a lone surrogate or malformed percent-encoding');
    }
  }
  await next();
};
