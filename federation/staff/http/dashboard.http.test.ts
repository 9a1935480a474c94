/**
 * GET /api/v1/staff/campaigns/{slug}/dashboard: a window of hours ending now, with what just
 * arrived in the last one; only the staff who manage the campaign (a teacher: their classes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, type DriveDashboard } from '../../protocol/index.ts';
import { errorCode, signedIn, StaffClient, staffWorld, type StaffWorld } from '../../../test/support/staff.ts';
import { idiom, person } from '../../../test/support/contributions.ts';

describe('the drive dashboard endpoint', () => {
  let w: StaffWorld;
  beforeAll(async () => {
    w = await staffWorld();
    for (const slug of ['class-7b', 'class-8a']) {
      await w.store.saveCampaign({ slug, title: slug, description: '', languages: ['sw'], kinds: ['idiom'], goals: [{ kind: 'idiom', target: 40 }], licence: 'CC0-1.0', consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 } });
    }
    const who = person().contributor;
    await w.store.ingest(uuidv4(), [idiom({ campaign: 'class-7b', contributor: who }), idiom({ campaign: 'class-7b', contributor: who })].map((i) => Contribution.parse(i)));
  });
  afterAll(async () => {
    await w?.close();
  });

  it('gives a librarian the hours of the window, oldest first, and the goals', async () => {
    const librarian = await signedIn(w, 'Amina', 'librarian');
    const answer = await librarian.get<DriveDashboard>('/api/v1/staff/campaigns/class-7b/dashboard?hours=6');
    expect(answer.status).toBe(200);
    const d = answer.body;
    expect(d.hours).toHaveLength(6);
    expect(Date.parse(d.hours[5]!.hour)).toBeLessThanOrEqual(Date.now());
    expect(Date.now() - Date.parse(d.hours[5]!.hour)).toBeLessThan(3_600_000);
    expect(d.hours[5]).toMatchObject({ contributions: 2, contributors: 1 });
    expect(d.hours.slice(0, 5).every((h) => h.contributions === 0)).toBe(true);
    expect(d).toMatchObject({ campaign: 'class-7b', window: { contributions: 2, contributors: 1 }, goals: [{ kind: 'idiom', target: 40 }], reviewBacklog: 2, flagged: 0 });
    expect(d.progress).toEqual([{ kind: 'idiom', language: 'sw', collected: 2, accepted: 0 }]);
    expect((await librarian.get<DriveDashboard>('/api/v1/staff/campaigns/class-7b/dashboard')).body.hours).toHaveLength(24);
    expect(errorCode(await librarian.get('/api/v1/staff/campaigns/class-7b/dashboard?hours=0'))).toBe('invalid_query');
    expect(errorCode(await librarian.get('/api/v1/staff/campaigns/class-7b/dashboard?hours=169'))).toBe('invalid_query');
    expect(errorCode(await librarian.get('/api/v1/staff/campaigns/class-7b/dashboard?since=1'))).toBe('invalid_query');
    const missing = await librarian.get('/api/v1/staff/campaigns/no-such/dashboard');
    expect([missing.status, errorCode(missing)]).toEqual([404, 'not_found']);
  });

  it('lets a teacher see their class only, and nobody signed out', async () => {
    const teacher = await signedIn(w, 'Baraka', 'teacher', ['class-8a']);
    expect((await teacher.get('/api/v1/staff/campaigns/class-8a/dashboard')).status).toBe(200);
    const other = await teacher.get('/api/v1/staff/campaigns/class-7b/dashboard');
    expect([other.status, errorCode(other)]).toEqual([403, 'forbidden']);
    const anonymous = await new StaffClient(w).get('/api/v1/staff/campaigns/class-7b/dashboard');
    expect([anonymous.status, errorCode(anonymous)]).toEqual([401, 'staff_sign_in_required']);
  });
});
