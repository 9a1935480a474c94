/** Reading a staff request's JSON body against its protocol schema: 400 invalid_request naming the first bad field. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { checkedParse, describeIssues, LIMITS } from '../../protocol/index.ts';
import { ApiError } from '../../server/errors.ts';
import { parseJsonBody, readJsonRequestBody } from '../../server/body.ts';

/** Most staff bodies are small; seed and gold files may be megabytes. */
export const STAFF_BODY_LIMIT = 64 * 1024;
export const IMPORT_BODY_LIMIT = LIMITS.maxBodyBytes;

export async function staffBody<S extends z.ZodType>(c: Context, schema: S, limit = STAFF_BODY_LIMIT): Promise<z.output<S>> {
  const body = parseJsonBody(await readJsonRequestBody(c.req.raw, limit), limit);
  const parsed = checkedParse(schema, body);
  if (!parsed.success) {
    const { field, message } = describeIssues(parsed.error);
    throw new ApiError(400, 'invalid_request', `Invalid request: ${field || 'body'}: ${message}`, { field, message });
  }
  return parsed.data;
}
