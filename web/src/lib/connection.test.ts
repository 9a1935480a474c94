import { describe, expect, it } from 'vitest';
import { isMetered } from './connection.ts';

describe('whether to ask before a model download', () => {
  it('asks on save-data, on a cellular connection and on a slow one', () => {
    expect(isMetered({ saveData: true, effectiveType: '4g' })).toBe(true);
    expect(isMetered({ type: 'cellular', effectiveType: '4g' })).toBe(true);
    for (const effectiveType of ['slow-2g', '2g', '3g']) expect(isMetered({ effectiveType })).toBe(true);
  });

  it('does not ask on a fast unmetered connection, nor when the browser does not say', () => {
    expect(isMetered({ saveData: false, type: 'wifi', effectiveType: '4g' })).toBe(false);
    expect(isMetered({})).toBe(false);
    expect(isMetered(undefined)).toBe(false);
  });
});
