/**
 * Validating what a read endpoint is given: the query string or JSON body against its protocol
 * schema. Anything else is refused before the store is touched — `invalid_query` for a bad query,
 * `invalid_request` for a bad body — naming the first bad field.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { canonicalLanguageTag, checkedParse, describeIssues } from '../protocol/index.ts';
import { ApiError } from './errors.ts';
import { parseJsonBody, type RawBody, readJsonRequestBody } from './body.ts';

/** Request bodies of the read endpoints are small (a status request is at most 500 ids). */
export const READ_BODY_LIMIT = 64 * 1024;

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const parsed = checkedParse(schema, c.req.query());
  if (!parsed.success) {
    const { field, message } = describeIssues(parsed.error);
    throw new ApiError(400, 'invalid_query', `Invalid query: ${field || 'query'}: ${message}`, { field, message });
  }
  return parsed.data;
}

export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  return parseJsonText(await readJsonRequestBody(c.req.raw, READ_BODY_LIMIT), schema);
}

/** A body already read (e.g. to check a signature over its bytes), parsed against its schema. */
export function parseJsonText<S extends z.ZodType>(raw: RawBody, schema: S): z.output<S> {
  const body = parseJsonBody(raw, READ_BODY_LIMIT);
  const parsed = checkedParse(schema, body);
  if (!parsed.success) {
    const { field, message } = describeIssues(parsed.error);
    throw new ApiError(400, 'invalid_request', `Invalid request: ${field || 'body'}: ${message}`, { field, message });
  }
  return parsed.data;
}

/** The canonical spelling of a language given in a query, or an `invalid_query` error. */
export function queryLanguage(tag: string): string {
  const canonical = canonicalLanguageTag(tag);
  if (canonical === null) {
    throw new ApiError(400, 'invalid_query', `Invalid query: language: "${tag}" is not a BCP 47 tag`, { field: 'language' });
  }
  return canonical;
}
