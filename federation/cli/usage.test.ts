import { describe, expect, it } from 'vitest';
import { parseOptions, parsePort, UsageError } from './usage.ts';

describe('parsePort', () => {
  it('takes 0 to 65535 and the fallback when absent', () => {
    expect(parsePort(undefined, 8080)).toBe(8080);
    expect(parsePort('0', 8080)).toBe(0);
    expect(parsePort('65535', 8080)).toBe(65535);
  });
  it('refuses anything else as a usage error', () => {
    for (const bad of ['', '-1', '65536', '80.5', '0x50', 'http']) expect(() => parsePort(bad, 1)).toThrow(UsageError);
  });
});

describe('parseOptions', () => {
  const options = { out: { type: 'string' } } as const;
  it('parses known options', () => {
    expect(parseOptions(['--out', 'x'], options, 'dataset build').values).toEqual({ out: 'x' });
  });
  it('turns unknown options and stray arguments into usage errors naming the command', () => {
    for (const args of [['--in', 'x'], ['stray']]) {
      try {
        parseOptions(args, options, 'dataset build');
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        expect((err as UsageError).command).toBe('dataset build');
      }
    }
  });
});
