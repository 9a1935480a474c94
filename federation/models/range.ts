/**
 * One `Range: bytes=…` header against a file of `size` bytes (RFC 9110 §14). transformers.js asks
 * for `bytes=0-0` before a download; a resumed download asks for `bytes=N-`. One range is
 * served; a multi-range request gets the whole file (which the RFC allows), as does a unit other
 * than bytes. A bytes range that is malformed or starts past the end is unsatisfiable (416).
 */

export type RangeAnswer =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

const SPEC = /^(\d*)-(\d*)$/;

export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'full' };
  const match = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (match === null) return { kind: 'full' };
  const specs = match[1]!.split(',').map((s) => s.trim());
  if (specs.length > 1) return specs.every((s) => SPEC.test(s)) ? { kind: 'full' } : { kind: 'unsatisfiable' };
  const spec = SPEC.exec(specs[0]!);
  if (spec === null || (spec[1] === '' && spec[2] === '')) return { kind: 'unsatisfiable' };
  const [, first, last] = spec;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || (last !== '' && Number(last) < start)) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}
