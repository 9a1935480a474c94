/**
 * What every JSON value from outside must be before a schema or a store sees it: nested no
 * deeper than a bound (so nothing downstream — zod, canonical JSON, structured clone, a store —
 * recurses without limit), and with no string or key that a store cannot hold as it was sent: a
 * NUL character (PostgreSQL refuses it in text) or a lone surrogate (UTF-8 cannot encode it; a
 * driver would silently store U+FFFD, and the stored bytes would no longer match their hash).
 *
 * The walk is recursive but never deeper than `maxDepth`, so it cannot overflow the stack.
 */
import { LIMITS } from './limits.ts';

export interface ShapeProblem {
  code: 'nesting_too_deep' | 'invalid_text';
  /** Dotted path of the offending value (or key), '' for the value itself. */
  field: string;
  message: string;
}

/** True for a string no store can hold as sent (NUL, or not well-formed UTF-16). */
export function unstorableText(s: string): boolean {
  return s.includes('\u0000') || !s.isWellFormed();
}

/** The first problem of `value` (depth first, in key order), or null. */
export function shapeProblem(value: unknown, maxDepth: number = LIMITS.maxJsonDepth): ShapeProblem | null {
  const found = walk(value, 0, maxDepth);
  if (found === null) return null;
  const field = found.path.reverse().join('.').slice(0, 256);
  return found.code === 'nesting_too_deep'
    ? { code: found.code, field, message: `Nested more than ${maxDepth} levels deep` }
    : { code: found.code, field, message: 'Text must not contain NUL characters or lone surrogates' };
}

interface Found {
  code: ShapeProblem['code'];
  /** Innermost first (reversed once at the end). */
  path: (string | number)[];
}

function walk(value: unknown, depth: number, maxDepth: number): Found | null {
  if (typeof value === 'string') return unstorableText(value) ? { code: 'invalid_text', path: [] } : null;
  if (typeof value !== 'object' || value === null) return null;
  if (depth >= maxDepth) return { code: 'nesting_too_deep', path: [] };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = walk(value[i], depth + 1, maxDepth);
      if (found !== null) {
        found.path.push(i);
        return found;
      }
    }
    return null;
  }
  for (const key in value) {
    if (unstorableText(key)) return { code: 'invalid_text', path: [printable(key)] };
    const found = walk((value as Record<string, unknown>)[key], depth + 1, maxDepth);
    if (found !== null) {
      found.path.push(key.slice(0, 64));
      return found;
    }
  }
  return null;
}

/** An unstorable key as it is echoed back in a field path: made storable, NULs written as `\u0000`. */
function printable(key: string): string {
  return key.toWellFormed().replaceAll('\u0000', '\\u0000').slice(0, 64);
}
