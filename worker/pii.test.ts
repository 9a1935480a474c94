import { describe, expect, it } from 'vitest';
import { PERSONAL_DATA_TYPES, type PersonalDataType } from '../federation/protocol/index.ts';
import { PERSONAL_DATA_SAMPLES } from '../test/fixtures/checks/personal-data.ts';
import { ibanValid, luhnValid, redact, scanText } from './pii.ts';

/** Precision and recall per type over the labelled set: the figures docs/checks.md reports. */
function measure() {
  const figures = {} as Record<PersonalDataType, { tp: number; fp: number; fn: number; precision: number; recall: number }>;
  for (const type of PERSONAL_DATA_TYPES) figures[type] = { tp: 0, fp: 0, fn: 0, precision: 1, recall: 1 };
  const misses: string[] = [];
  for (const sample of PERSONAL_DATA_SAMPLES) {
    const got = scanText(sample.text).map((s) => `${s.type}\u0000${s.text}`);
    const want = sample.found.map(([type, text]) => `${type}\u0000${text}`);
    for (const g of got) {
      const type = g.split('\u0000')[0] as PersonalDataType;
      if (want.includes(g)) figures[type].tp++;
      else {
        figures[type].fp++;
        misses.push(`extra ${g.replace('\u0000', ' ')} in: ${sample.text}`);
      }
    }
    for (const w of want) {
      if (!got.includes(w)) {
        figures[w.split('\u0000')[0] as PersonalDataType].fn++;
        misses.push(`missed ${w.replace('\u0000', ' ')} in: ${sample.text}`);
      }
    }
  }
  for (const f of Object.values(figures)) {
    f.precision = f.tp + f.fp === 0 ? 1 : f.tp / (f.tp + f.fp);
    f.recall = f.tp + f.fn === 0 ? 1 : f.tp / (f.tp + f.fn);
  }
  return { figures, misses };
}

describe('personal-data scan', () => {
  const { figures, misses } = measure();
  if (process.env.PRINT_FIGURES) console.log(JSON.stringify(figures), misses);

  it('finds every type on the labelled set (regression floors below the measured figures)', () => {
    // [precision, recall] floors; docs/checks.md has the measured figures.
    const floors: Record<PersonalDataType, [number, number]> = {
      email: [0.95, 0.8],
      phone: [0.95, 0.9],
      card: [0.95, 0.95],
      iban: [0.95, 0.95],
      url: [0.95, 0.95],
      handle: [0.75, 0.75],
      national_id: [0.95, 0.95],
    };
    for (const type of PERSONAL_DATA_TYPES) {
      expect(figures[type].tp, type).toBeGreaterThan(0);
      expect(figures[type].precision, `${type} precision`).toBeGreaterThanOrEqual(floors[type][0]);
      expect(figures[type].recall, `${type} recall`).toBeGreaterThanOrEqual(floors[type][1]);
    }
  });

  it('finds nothing in dates, prices, versions, ISBNs, order numbers, times, coordinates or failed checksums', () => {
    const negatives = PERSONAL_DATA_SAMPLES.filter((s) => s.found.length === 0);
    expect(negatives.length).toBeGreaterThanOrEqual(30);
    const flagged = negatives.filter((s) => scanText(s.text).length > 0).map((s) => s.text);
    expect(flagged.length).toBeLessThanOrEqual(1);
  });

  it('checks card numbers with Luhn and IBANs with mod 97', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(ibanValid('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(ibanValid('GB82 WEST 1234 5698 7654 33')).toBe(false);
  });

  it('replaces each finding with its typed placeholder and leaves the rest of the text as it was', () => {
    const text = 'Email wanjiku@example.com or call +254 722 000 111, tag @wanjiku_k.';
    expect(redact(text, scanText(text))).toBe('Email [EMAIL] or call [PHONE], tag [HANDLE].');
    const spans = scanText(text);
    expect(redact(text, spans.filter((s) => s.type === 'phone'))).toBe('Email wanjiku@example.com or call [PHONE], tag @wanjiku_k.');
  });

  it('leaves a span alone when the text changed since the scan', () => {
    const spans = scanText('mail a@b.co now');
    expect(redact('mail x@y.co now', spans)).toBe('mail x@y.co now');
  });

  it('calls an address an e-mail, not also a handle, and a profile URL one URL', () => {
    expect(scanText('kofi@mail.com').map((s) => s.type)).toEqual(['email']);
    expect(scanText('https://x.com/@kofi').map((s) => s.type)).toEqual(['url']);
  });

  it('uses the national id formats it is configured with, and only those', () => {
    const config = { nationalIds: [{ name: 'KE national id (test)', pattern: 'KE-\\d{8}' }] };
    expect(scanText('ID KE-12345678 here', config)).toEqual([{ type: 'national_id', start: 3, end: 14, text: 'KE-12345678' }]);
    expect(scanText('SSN 123-45-6789', config)).toEqual([]);
  });

  it('runs a configured format without digits (the digit pre-check is for the built-in ones only)', () => {
    const config = { nationalIds: [{ name: 'letters only (test)', pattern: 'XQ[A-Z]{6}' }] };
    expect(scanText('my code XQABCDEF ok', config).map((s) => s.text)).toEqual(['XQABCDEF']);
    // The same finders, text with and without the characters they need.
    expect(scanText('no digits, no at sign, no links here').length).toBe(0);
    expect(scanText('HTTPS://example.org/~amina').map((s) => s.type)).toEqual(['url']);
  });
});
