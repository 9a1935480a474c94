import { describe, expect, it } from 'vitest';
import type { History, HistoryItem } from './history.ts';
import { localDay, personalProgress } from './progress.ts';

const DAY = 86_400_000;
const NOON = Date.parse('2026-12-08T12:00:00.000Z');

function item(savedAt: number, status: HistoryItem['status'] = 'sent', language = 'sw', more: Partial<HistoryItem> = {}): HistoryItem {
  return { entry: { savedAt } as HistoryItem['entry'], contribution: { language } as HistoryItem['contribution'], withdrawn: false, status, ...more };
}
const history = (items: HistoryItem[]): History => ({ items, reviewed: new Set(), withdrewAll: false, records: items.length });

describe('personal progress', () => {
  it('counts a streak of days in a row ending today, or yesterday when nothing was saved yet today', () => {
    const days = [0, 1, 2, 4].map((d) => item(NOON - d * DAY));
    expect(personalProgress(history(days), [], NOON, 0).streak).toBe(3);
    // Tomorrow morning, before anything is saved: the streak still stands.
    expect(personalProgress(history(days), [], NOON + DAY, 0).streak).toBe(3);
    // The day after tomorrow: broken.
    expect(personalProgress(history(days), [], NOON + 2 * DAY, 0).streak).toBe(0);
    // A review keeps a day in the streak too.
    expect(personalProgress(history(days), [NOON - 3 * DAY], NOON, 0).streak).toBe(5);
  });

  it('uses the local calendar day', () => {
    // 23:30 UTC on the 7th is already the 8th at UTC+3.
    expect(localDay(Date.parse('2026-12-07T23:30:00.000Z'), -180)).toBe('2026-12-08');
    expect(localDay(Date.parse('2026-12-07T23:30:00.000Z'), 0)).toBe('2026-12-07');
  });

  it('earns badges at milestones and says how many more the next ones need', () => {
    const five = Array.from({ length: 5 }, (_, i) => item(NOON - i * 60_000, i === 0 ? 'accepted' : 'pending', i < 4 ? 'sw' : 'luo'));
    const p = personalProgress(history(five), [NOON], NOON, 0);
    expect(p).toMatchObject({ items: 5, accepted: 1, reviews: 1, streak: 1, languages: 2 });
    expect(p.earned).toEqual(['first', 'five', 'firstAccepted', 'twoLanguages']);
    expect(p.next).toEqual([
      { id: 'twentyFive', more: 20 },
      { id: 'tenAccepted', more: 9 },
      { id: 'tenReviews', more: 9 },
      { id: 'streakThree', more: 2 },
    ]);
  });

  it('does not count what was withdrawn, replaced or rejected', () => {
    const items = [item(NOON), item(NOON, 'rejected'), item(NOON, 'withdrawn', 'sw', { withdrawn: true }), item(NOON, 'replaced', 'sw', { replacedBy: 'x' })];
    const p = personalProgress(history(items), [], NOON, 0);
    expect(p.items).toBe(1);
    expect(p.earned).toEqual(['first']);
    expect(personalProgress(history([]), [], NOON, 0)).toMatchObject({ items: 0, streak: 0, earned: [], next: expect.arrayContaining([{ id: 'first', more: 1 }]) });
  });
});
