/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members dropped. Two parses of the
 * same content give the same string, which is what the server hashes to tell a safe retry
 * (`duplicate`) from a different item reusing an id (`conflict`).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  // Keys in code-unit order (the default sort), each written once; no entry arrays: this is
  // the ingest hot path, for every record a device or a node sends.
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const key of keys) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${memberKey(key)}${canonicalJson(member)}`;
  }
  return `${out}}`;
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
