/**
 * A drive's numbers for its dashboard (staff/http/dashboard.ts), in portable SQL: content items
 * and distinct contributors per hour (by when this server received them), what still counts per
 * kind and language, the review backlog and the flagged items no moderator decided on. One
 * campaign's rows are scanned (there is no index by campaign); the dashboard polls every ~15 s.
 */
import { type Kysely, sql } from 'kysely';
import { CONTENT_KINDS, type ContentKind } from '../protocol/index.ts';
import type { Database } from './schema.ts';

export interface DriveNumbers {
  /** `YYYY-MM-DDTHH` → counts, for hours with something. */
  hours: Map<string, { contributions: number; contributors: number }>;
  window: { contributions: number; contributors: number };
  progress: { kind: ContentKind; language: string; collected: number; accepted: number }[];
  reviewBacklog: number;
  flagged: number;
}

export async function driveNumbers(db: Kysely<Database>, campaign: string, since: Date): Promise<DriveNumbers> {
  const sinceText = since.toISOString();
  const content = [...CONTENT_KINDS];
  const hourOf = sql<string>`substr(c.received_at, 1, 13)`;
  const perHour = await db
    .selectFrom('contributions as c')
    .select((eb) => [hourOf.as('hour'), eb.fn.countAll<number | string>().as('n'), eb.fn.count<number | string>('c.contributor').distinct().as('people')])
    .where('c.campaign', '=', campaign)
    .where('c.kind', 'in', content)
    .where('c.received_at', '>=', sinceText)
    .groupBy(hourOf)
    .execute();
  const window = await db
    .selectFrom('contributions as c')
    .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.count<number | string>('c.contributor').distinct().as('people')])
    .where('c.campaign', '=', campaign)
    .where('c.kind', 'in', content)
    .where('c.received_at', '>=', sinceText)
    .executeTakeFirstOrThrow();
  const progress = await db
    .selectFrom('contributions as c')
    .leftJoin('item_state as s', 's.id', 'c.id')
    .select((eb) => [
      'c.kind',
      'c.language',
      eb.fn.countAll<number | string>().as('collected'),
      eb.fn.sum<number | string | null>(eb.case().when('s.status', '=', 'accepted').then(1).else(0).end()).as('accepted'),
      eb.fn.sum<number | string | null>(eb.case().when('s.status', '=', 'accepted').then(0).else(1).end()).as('pending'),
    ])
    .where('c.campaign', '=', campaign)
    .where('c.kind', 'in', content)
    .where((eb) => eb.or([eb('s.status', 'is', null), eb('s.status', 'in', ['pending', 'accepted'])]))
    .groupBy(['c.kind', 'c.language'])
    .orderBy('c.kind')
    .orderBy('c.language')
    .execute();
  const flagged = await db
    .selectFrom('item_state as s')
    .innerJoin('contributions as c', 'c.id', 's.id')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('c.campaign', '=', campaign)
    .where('c.kind', 'in', content)
    .where('s.all_flags', '>', 0)
    .where('s.moderator', 'is', null)
    .where('s.status', 'not in', ['withdrawn', 'superseded'])
    .executeTakeFirstOrThrow();
  return {
    hours: new Map(perHour.map((r) => [r.hour, { contributions: Number(r.n), contributors: Number(r.people) }])),
    window: { contributions: Number(window.n), contributors: Number(window.people) },
    progress: progress.map((r) => ({ kind: r.kind as ContentKind, language: r.language, collected: Number(r.collected), accepted: Number(r.accepted ?? 0) })),
    reviewBacklog: progress.reduce((sum, r) => sum + Number(r.pending ?? 0), 0),
    flagged: Number(flagged.n),
  };
}
