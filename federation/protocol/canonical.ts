/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members dropped. Two parses of the
 * same content give the same string, which is what the server hashes to tell a safe retry
 * (`duplicate`) from a different item reusing an id (`conflict`).
 *
 * Any depth: a hub hashes records it refuses too (their hash is in the batch signature), and
 * JSON.parse takes nesting that a recursive writer cannot, so past `RECURSION_LIMIT` levels the
 * rest is written by an explicit stack instead of the call stack.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (depth >= RECURSION_LIMIT) return canonicalJsonIterative(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += `${i === 0 ? '' : ','}${write(value[i], depth + 1) ?? ''}`;
    return `${out}]`;
  }
  // Keys in code-unit order (the default sort), each written once; no entry arrays: this is
  // the ingest hot path, for every record a device or a node sends.
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const key of keys) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${memberKey(key)}${write(member, depth + 1)}`;
  }
  return `${out}}`;
}

const RECURSION_LIMIT = 200;

/** The same string as `canonicalJson`, written with an explicit stack (for very deep values). */
function canonicalJsonIterative(root: object): string {
  interface Frame {
    /** Array elements, or an object's defined members as [key, value] in key order. */
    entries: unknown[];
    isArray: boolean;
    next: number;
  }
  const frameOf = (value: object): Frame => {
    if (Array.isArray(value)) return { entries: value, isArray: true, next: 0 };
    const entries: unknown[] = [];
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) entries.push([key, member]);
    }
    return { entries, isArray: false, next: 0 };
  };
  const parts: string[] = [];
  const stack: Frame[] = [frameOf(root)];
  parts.push(Array.isArray(root) ? '[' : '{');
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next === frame.entries.length) {
      stack.pop();
      parts.push(frame.isArray ? ']' : '}');
      continue;
    }
    const entry = frame.entries[frame.next]!;
    if (frame.next > 0) parts.push(',');
    frame.next++;
    let member: unknown = entry;
    if (!frame.isArray) {
      const [key, value] = entry as [string, unknown];
      parts.push(memberKey(key));
      member = value;
    }
    if (member === null || typeof member !== 'object') {
      parts.push(JSON.stringify(member) ?? '');
    } else {
      stack.push(frameOf(member));
      parts.push(Array.isArray(member) ? '[' : '{');
    }
  }
  return parts.join('');
}

/** `"key":`, remembered for the few keys contributions use. */
export function memberKey(key: string): string {
  let written = MEMBER_KEYS.get(key);
  if (written === undefined) {
    written = `${JSON.stringify(key)}:`;
    if (MEMBER_KEYS.size < 4096) MEMBER_KEYS.set(key, written);
  }
  return written;
}
const MEMBER_KEYS = new Map<string, string>();

/**
 * The canonical JSON of a contribution as its content hash and its author's signature cover it:
 * every member but `signature` (a proof about the content, which a retry may carry anew).
 */
export function contributionCanonical(item: object): string {
  const { signature: _signature, ...content } = item as { signature?: unknown };
  return canonicalJson(content);
}
