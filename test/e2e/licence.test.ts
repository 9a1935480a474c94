/**
 * A campaign may collect under another licence than the one agreed at first run: the app asks
 * for that licence before the first contribution to it, the contribution carries it, and the
 * node refuses content whose licence is not its campaign's.
 */
import { describe, expect, it } from 'vitest';
import { useSession } from './browser.ts';
import { acceptConsent, chooseLanguage, saveIdiom, waitForWaiting } from './app.ts';
import { axe, createCampaign, joinCampaign, statuses } from './steps.ts';
import { idiom } from '../support/contributions.ts';
import { PROTOCOL_VERSION } from '../../federation/protocol/index.ts';

describe('a campaign with its own licence', () => {
  const s = useSession();

  it('asks for the campaign licence before the first contribution and sends under it', async () => {
    const code = await createCampaign(s.server, 'by-drive', ['idiom'], ['sw'], ['--licence', 'CC-BY-4.0']);
    await s.page.goto(s.server.url);
    await acceptConsent(s.page);
    await chooseLanguage(s.page, 'sw');
    await joinCampaign(s.page, code);
    const card = s.page.getByTestId('licence-consent');
    await card.waitFor();
    expect(await card.getAttribute('data-licence')).toBe('CC-BY-4.0');
    expect(await s.page.getByLabel('Expression').count()).toBe(0);
    expect(await axe(s.page)).toEqual([]);
    await s.page.getByRole('button', { name: /under CC-BY-4.0/ }).click();
    await saveIdiom(s.page, { expression: 'Mchelea mwana kulia hulia yeye', meaning: 'Who fears a child crying ends up crying.', example: 'Mfundishe sasa; mchelea mwana kulia hulia yeye.' });
    await waitForWaiting(s.page, 0);
    const sent = await s.page.evaluate(async () => {
      const req = indexedDB.open('vernacular');
      const db = await new Promise<IDBDatabase>((ok) => (req.onsuccess = () => ok(req.result)));
      const all = await new Promise<Array<{ id: string; contribution: { kind: string; consent: { licence: string } } }>>((ok) => {
        const r = db.transaction('outbox').objectStore('outbox').getAll();
        r.onsuccess = () => ok(r.result);
      });
      return all.filter((e) => e.contribution.kind === 'idiom').map((e) => ({ id: e.id, licence: e.contribution.consent.licence }));
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.licence).toBe('CC-BY-4.0');
    expect((await statuses(s.server, [sent[0]!.id]))[sent[0]!.id]!.status).toBe('pending');
    // Once accepted, the question is not asked again, even after a reload.
    await s.page.reload();
    await s.page.getByLabel('Expression').waitFor();
    expect(await s.page.getByTestId('licence-consent').count()).toBe(0);
  });

  it('is enforced by the node: content under another licence is rejected with licence_mismatch', async () => {
    const item = idiom({ campaign: 'by-drive', language: 'sw' });
    const res = await fetch(`${s.server.url}/api/v1/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: crypto.randomUUID() }, contributions: [item] }),
    });
    const body = (await res.json()) as { results: Array<{ status: string; code?: string; field?: string }> };
    expect(body.results).toEqual([expect.objectContaining({ status: 'rejected', code: 'licence_mismatch', field: 'consent.licence' })]);
  });
});
