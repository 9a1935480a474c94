import { describe, expect, it } from 'vitest';
import { joinCodeOf, joinLink, qrPath } from './join.ts';

describe('join links', () => {
  it('write and read the same code, and nothing else', () => {
    const link = joinLink('https://n-abcdefghijklmnop.lib.test:8443', 'K7QXM2');
    expect(link).toBe('https://n-abcdefghijklmnop.lib.test:8443/#/join/K7QXM2');
    expect(joinCodeOf(new URL(link).hash)).toBe('K7QXM2');
    expect(joinCodeOf('#/join/')).toBeNull();
    expect(joinCodeOf('#/join/a/b')).toBeNull();
    expect(joinCodeOf('#/join/%E0%A4')).toBeNull();
    expect(joinCodeOf('#/join/' + 'x'.repeat(40))).toBeNull();
    expect(joinCodeOf('#/contribute')).toBeNull();
  });

  it('draws a QR code whose finder patterns sit in three corners', () => {
    const { size, d } = qrPath('https://n-abcdefghijklmnop.lib.test:8443/#/join/K7QXM2', 4);
    expect(size).toBeGreaterThanOrEqual(21 + 8);
    // The top-left module of each finder pattern (inside the 4-module quiet zone) is dark.
    for (const [x, y] of [[4, 4], [size - 11, 4], [4, size - 11]]) expect(d).toContain(`M${x} ${y}h1v1h-1z`);
    expect(d).not.toContain('M0 0h');
  });
});
