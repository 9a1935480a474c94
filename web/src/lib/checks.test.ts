import { describe, expect, it } from 'vitest';
import { detectLanguage, scanPersonalData } from '../../../worker/checks.ts';
import { connect, serve, type Port } from '../../../worker/rpc.ts';
import type { ModelMethods } from '../../../worker/model.worker.ts';
import { checksRecord, languageText, needsReview, redactFindings, runChecks, scannedFields } from './checks.ts';
import { emptyForm, type FormState } from './forms.ts';

/** The worker's real check methods, answering over a real MessageChannel. */
function worker() {
  const { port1, port2 } = new MessageChannel();
  const stop = serve(port2 as unknown as Port, { detectLanguage, scanPersonalData });
  const client = connect<ModelMethods>(port1 as unknown as Port);
  return { client, close: () => (stop(), port1.close(), port2.close()) };
}

function idiom(values: Partial<Record<string, string>>): FormState {
  const form = emptyForm('idiom');
  return { ...form, values: { ...form.values, ...values } as FormState['values'] };
}

describe('form checks', () => {
  it('reads the language from the fields in the item’s language, not a translation’s pivot sentence', () => {
    const form: FormState = {
      kind: 'translation',
      values: { sourceLanguage: 'en', source: 'Good morning', translation: 'Habari za asubuhi' },
      context: {},
    };
    expect(languageText(form)).toBe('Habari za asubuhi');
    expect(scannedFields(form)).toEqual({ source: 'Good morning', translation: 'Habari za asubuhi' });
    expect(languageText(idiom({ expression: 'Haba na haba', meaning: 'Kidogo kidogo', region: 'Pwani' }))).toBe('Haba na haba\n\nKidogo kidogo');
  });

  it('finds the e-mail and phone in a Swahili idiom and asks nothing about its language', async () => {
    const w = worker();
    const report = await runChecks(
      w.client,
      idiom({ expression: 'Haba na haba hujaza kibaba', meaning: 'Kidogo kidogo hujaza chombo', example: 'Niandikie juma@example.com au piga 0712 345 678' }),
      'sw',
    );
    expect(report.language).toMatchObject({ detected: 'sw', matches: true });
    expect(report.findings.map((f) => [f.field, f.type, f.text])).toEqual([
      ['example', 'email', 'juma@example.com'],
      ['example', 'phone', '0712 345 678'],
    ]);
    expect(needsReview(report)).toBe(true);
    w.close();
  });

  it('gives up after the timeout when the worker does not answer', async () => {
    const silent = { call: () => new Promise<never>(() => {}) };
    await expect(runChecks(silent as never, idiom({ expression: 'x' }), 'sw', 20)).rejects.toThrow(/too long/);
  });

  it('replaces one finding, moves the others to the new text, and counts what it replaced', async () => {
    const w = worker();
    const form = idiom({ example: 'Mail juma@example.com or call +254 712 345 678 today' });
    const report = await runChecks(w.client, form, 'sw');
    const email = report.findings.find((f) => f.type === 'email')!;
    const once = redactFindings(form.values, report.findings, [email]);
    expect(once.values.example).toBe('Mail [EMAIL] or call +254 712 345 678 today');
    expect(once.redacted).toEqual({ email: 1 });
    const twice = redactFindings(once.values, once.findings, once.findings);
    expect(twice.values.example).toBe('Mail [EMAIL] or call [PHONE] today');
    expect(twice.findings).toEqual([]);
    w.close();
  });

  it('records kinds and counts only: what was kept, what was redacted, and a confirmed language', () => {
    const report = {
      language: { detected: 'en', score: 0.4, matches: false, detector: 'franc@6.2.0' },
      findings: [{ field: 'example', type: 'handle' as const, start: 0, end: 5, text: '@juma' }],
    };
    expect(checksRecord(report, { email: 2 }, true)).toEqual({
      language: { detected: 'en', score: 0.4, matches: false, confirmed: true, detector: 'franc@6.2.0' },
      personalData: { kept: [{ type: 'handle', count: 1 }], redacted: [{ type: 'email', count: 2 }] },
    });
    const matching = { ...report, language: { ...report.language, matches: true } };
    expect(checksRecord(matching, {}, true).language?.confirmed).toBe(false);
  });
});
