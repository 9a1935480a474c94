import { describe, expect, it } from 'vitest';
import { CONSENT_VERSION } from '../../../federation/protocol/index.ts';
import { emptyIdiomForm, makeIdiom, validateIdiom } from './idiom.ts';

const ctx = {
  identity: { contributorId: '0b6f4c36-0d43-4bb0-9d4c-8f0f5d1b2a11', deviceId: '5b0e0c43-3c1c-4c5e-9d36-4c7d3f1c8a20' },
  consent: { version: CONSENT_VERSION, licence: 'CC0-1.0' as const, ageConfirmed: true as const, acceptedAt: 0 },
  language: 'sw',
};

describe('idiom form', () => {
  it('names every missing required field', () => {
    const v = validateIdiom(emptyIdiomForm());
    expect(v).toEqual({ ok: false, errors: { expression: 'empty', meaning: 'empty', example: 'empty' } });
  });

  it('accepts a filled form, trims and normalises, and drops empty optional fields', () => {
    const v = validateIdiom({ ...emptyIdiomForm(), expression: '  Haraka haraka ', meaning: 'Cafe\u0301', example: 'e', region: '  ' });
    expect(v).toEqual({ ok: true, data: { expression: 'Haraka haraka', meaning: 'Café', example: 'e' } });
  });

  it('reports a too-long field with the server\'s code', () => {
    const v = validateIdiom({ ...emptyIdiomForm(), expression: 'x'.repeat(201), meaning: 'm', example: 'e' });
    expect(v).toEqual({ ok: false, errors: { expression: 'too_long' } });
  });

  it('makes a contribution the server schema accepts, with a UUIDv7 and the device sequence', () => {
    const v = validateIdiom({ ...emptyIdiomForm(), expression: 'a', meaning: 'b', example: 'c', register: 'informal' });
    if (!v.ok) throw new Error('expected valid');
    const c = makeIdiom(v.data, ctx, 7, Date.UTC(2026, 10, 28));
    expect(c).toMatchObject({ kind: 'idiom', deviceSeq: 7, language: 'sw', campaign: 'general', createdAt: '2026-11-28T00:00:00.000Z' });
    expect(c.id).toMatch(/^[0-9a-f-]{14}7/);
  });

  it('refuses to make a contribution in a malformed language', () => {
    const v = validateIdiom({ ...emptyIdiomForm(), expression: 'a', meaning: 'b', example: 'c' });
    if (!v.ok) throw new Error('expected valid');
    expect(() => makeIdiom(v.data, { ...ctx, language: 'not a tag' }, 1)).toThrow();
  });
});
