/**
 * A contributor's own progress, from what the device knows (so it holds offline): items that
 * count, those review accepted, reviews given, the streak of days in a row with something saved,
 * and milestone badges (the first after five contributions, as BhashaDaan gives its first). Pure.
 */
import type { History } from './history.ts';

export const BADGES = [
  { id: 'first', kind: 'items', at: 1 },
  { id: 'five', kind: 'items', at: 5 },
  { id: 'twentyFive', kind: 'items', at: 25 },
  { id: 'hundred', kind: 'items', at: 100 },
  { id: 'firstAccepted', kind: 'accepted', at: 1 },
  { id: 'tenAccepted', kind: 'accepted', at: 10 },
  { id: 'tenReviews', kind: 'reviews', at: 10 },
  { id: 'streakThree', kind: 'streak', at: 3 },
  { id: 'streakSeven', kind: 'streak', at: 7 },
  { id: 'twoLanguages', kind: 'languages', at: 2 },
] as const;
export type BadgeId = (typeof BADGES)[number]['id'];
type Measure = (typeof BADGES)[number]['kind'];

export interface PersonalProgress {
  /** Content items that still count (not withdrawn, replaced or rejected). */
  items: number;
  accepted: number;
  reviews: number;
  /** Days in a row, ending today or yesterday, with something saved on this device. */
  streak: number;
  languages: number;
  earned: BadgeId[];
  /** The next badge of each measure not earned yet, with how many more it needs. */
  next: { id: BadgeId; more: number }[];
}

/** The local calendar day of a time, as YYYY-MM-DD. */
export function localDay(ms: number, offsetMinutes = new Date(ms).getTimezoneOffset()): string {
  return new Date(ms - offsetMinutes * 60_000).toISOString().slice(0, 10);
}

export function personalProgress(history: History, reviewTimes: readonly number[], now: number, offsetMinutes?: number): PersonalProgress {
  const counting = history.items.filter((i) => !i.withdrawn && !i.replacedBy && i.status !== 'rejected' && i.status !== 'replaced');
  const day = (ms: number) => localDay(ms, offsetMinutes ?? new Date(ms).getTimezoneOffset());
  const days = new Set([...history.items.map((i) => day(i.entry.savedAt)), ...reviewTimes.map(day)]);
  let streak = 0;
  // A streak still stands on a day nothing was saved yet: it is counted from yesterday.
  let cursor = now;
  if (!days.has(day(cursor))) cursor -= 86_400_000;
  while (days.has(day(cursor))) {
    streak++;
    cursor -= 86_400_000;
  }
  const measures: Record<Measure, number> = {
    items: counting.length,
    accepted: counting.filter((i) => i.status === 'accepted').length,
    reviews: reviewTimes.length,
    streak,
    languages: new Set(counting.map((i) => i.contribution.language)).size,
  };
  const earned = BADGES.filter((b) => measures[b.kind] >= b.at).map((b) => b.id);
  const next: PersonalProgress['next'] = [];
  for (const kind of ['items', 'accepted', 'reviews', 'streak', 'languages'] as const) {
    const badge = BADGES.find((b) => b.kind === kind && measures[kind] < b.at);
    if (badge !== undefined) next.push({ id: badge.id, more: badge.at - measures[kind] });
  }
  return { items: measures.items, accepted: measures.accepted, reviews: measures.reviews, streak, languages: measures.languages, earned, next };
}
