/**
 * The storage contract for what issue 3 adds: the semantic checks of ingest, the derived state
 * (reviews, revisions, withdrawals, moderation, status), campaigns, seeds and the review queue.
 * Run by each backend's test file against a fresh, empty store, like store.contract.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { Contribution, CONSENT_VERSION, type ContributionInput, CONTENT_KINDS, type Seed } from '../protocol/index.ts';
import type { CampaignInput, IngestStatus, Store } from './store.ts';
import type { StoreHarness } from './store.contract.ts';
import { compare, everyKind, idiom, idioms, instruction, review, rewrite, translation, withdrawal } from '../../test/support/contributions.ts';
import { person } from '../../test/support/contributions.ts';
import { credentialed, RULE_ONLY, rotation } from '../../test/support/reviewers.ts';

const rejected = (code: string) => expect.objectContaining({ status: 'rejected', code });

export function derivedContract(name: string, harness: () => StoreHarness): void {
  describe(`${name} store contract: kinds, reviews, revisions, withdrawals, campaigns`, () => {
    let h: StoreHarness;
    let store: Store;
    const device = uuidv4();
    const ingest = (...items: ContributionInput[]): Promise<IngestStatus[]> =>
      store.ingest(device, items.map((i) => Contribution.parse(i)));
    const status = async (id: string) => (await store.statuses([id]))[0]!;
    const campaign = (overrides: Partial<CampaignInput> = {}): CampaignInput => ({
      slug: 'library-drive',
      title: 'Library drive',
      description: '',
      languages: ['sw'],
      kinds: ['idiom', 'rewrite'],
      goals: [],
      licence: 'CC0-1.0',
      consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 },
      ...overrides,
    });

    beforeEach(async () => {
      h = harness();
      store = await h.open();
    });
    afterEach(async () => {
      await store.close();
      await h.cleanup();
    });

    describe('ingest of every kind', () => {
      it('stores one item of every content kind and gives each back as sent', async () => {
        const items = everyKind();
        expect(await ingest(...items)).toEqual(items.map(() => 'accepted'));
        const back = [];
        for await (const s of store.contributions()) back.push(s.contribution);
        expect(back).toEqual(items.map((i) => Contribution.parse(i)));
        expect(new Set(back.map((b) => b.kind))).toEqual(new Set(CONTENT_KINDS));
      });

      it('answers duplicate for a retried review and a retried revision', async () => {
        const item = idiom();
        const edit = idiom({ contributor: item.contributor, revisionOf: item.id });
        const vote = review(item.id);
        expect(await ingest(item, edit, vote)).toEqual(['accepted', 'accepted', 'accepted']);
        expect(await ingest(item, edit, vote)).toEqual(['duplicate', 'duplicate', 'duplicate']);
        expect((await status(edit.id)).votes).toEqual({ up: 0, down: 0, flags: 0 });
      });
    });

    describe('semantic rejections', () => {
      it('rejects unknown_campaign for a campaign the node does not hold, and stores nothing', async () => {
        const item = idiom({ campaign: 'nowhere' });
        expect(await ingest(item)).toEqual([rejected('unknown_campaign')]);
        expect(await ingest(item)).toEqual([rejected('unknown_campaign')]);
        expect((await store.counts()).total).toBe(0);
      });

      it('accepts the same item once its campaign exists', async () => {
        const item = idiom({ campaign: 'library-drive' });
        expect(await ingest(item)).toEqual([rejected('unknown_campaign')]);
        await store.saveCampaign(campaign());
        expect(await ingest(item)).toEqual(['accepted']);
      });

      it('rejects kind_not_enabled for a kind the campaign does not collect; general collects all', async () => {
        await store.saveCampaign(campaign({ kinds: ['idiom'] }));
        expect(await ingest(instruction({ campaign: 'library-drive' }), idiom({ campaign: 'library-drive' }))).toEqual([
          rejected('kind_not_enabled'),
          'accepted',
        ]);
        expect(await ingest(instruction())).toEqual(['accepted']);
      });

      it('rejects licence_mismatch for content not given under its campaign licence; reviews and withdrawals need none', async () => {
        await store.saveCampaign(campaign({ kinds: ['idiom'], licence: 'CC-BY-4.0' }));
        const ok = idiom({ campaign: 'library-drive', consent: { version: CONSENT_VERSION, licence: 'CC-BY-4.0' } });
        const wrong = idiom({ campaign: 'library-drive' });
        expect(await ingest(wrong, ok)).toEqual([rejected('licence_mismatch'), 'accepted']);
        expect(await ingest(review(ok.id, { campaign: 'library-drive' }))).toEqual(['accepted']);
      });

      it('rejects unknown_target for a review or revision naming nothing held; a withdrawal of it waits', async () => {
        const ghost = idiom().id;
        const mine = idiom();
        expect(
          await ingest(review(ghost), idiom({ revisionOf: ghost }), withdrawal(ghost, { contributor: mine.contributor })),
        ).toEqual([rejected('unknown_target'), rejected('unknown_target'), 'accepted']);
      });

      it('rejects unknown_target for a withdrawal naming a record that is not a content item', async () => {
        const item = idiom();
        const vote = review(item.id);
        await ingest(item, vote);
        expect(await ingest(withdrawal(vote.id, { contributor: vote.contributor }))).toEqual([rejected('unknown_target')]);
      });

      it('rejects unknown_target for a review of a review', async () => {
        const item = idiom();
        const vote = review(item.id);
        await ingest(item, vote);
        expect(await ingest(review(vote.id))).toEqual([rejected('unknown_target')]);
      });

      it('rejects own_item for a review of one’s own item', async () => {
        const item = idiom();
        await ingest(item);
        expect(await ingest(review(item.id, { contributor: item.contributor }))).toEqual([rejected('own_item')]);
        expect((await status(item.id)).votes).toEqual({ up: 0, down: 0, flags: 0 });
      });

      it('rejects not_author for a withdrawal of someone else’s item', async () => {
        const item = idiom();
        await ingest(item);
        expect(await ingest(withdrawal(item.id))).toEqual([rejected('not_author')]);
        expect((await status(item.id)).status).toBe('pending');
      });

      it('rejects withdrawn for a review or a revision of a withdrawn item', async () => {
        const item = idiom();
        await ingest(item, withdrawal(item.id, { contributor: item.contributor }));
        expect(await ingest(review(item.id), idiom({ revisionOf: item.id }), idiom({ contributor: item.contributor, revisionOf: item.id }))).toEqual([
          rejected('withdrawn'),
          rejected('withdrawn'),
          rejected('withdrawn'),
        ]);
      });

      it('rejects invalid_value for a revision of another kind', async () => {
        const item = idiom();
        await ingest(item);
        expect(await ingest(instruction({ contributor: item.contributor, revisionOf: item.id }), instruction({ revisionOf: item.id }))).toEqual([
          rejected('invalid_value'),
          rejected('invalid_value'),
        ]);
      });

      it('checks an item against what came earlier in the same batch', async () => {
        const item = idiom();
        expect(await ingest(item, review(item.id), review(item.id, { contributor: item.contributor }))).toEqual([
          'accepted',
          'accepted',
          rejected('own_item'),
        ]);
      });

      it('answers duplicate, not a rejection, for an item already stored', async () => {
        const item = idiom();
        const vote = review(item.id);
        await ingest(item, vote);
        await ingest(withdrawal(item.id, { contributor: item.contributor }));
        expect(await ingest(vote)).toEqual(['duplicate']);
      });
    });

    describe('derived status', () => {
      // The campaign's consensus rule alone decides (reviewer policy RULE_ONLY), among keys staff
      // vouched for; reviewers.contract.ts covers who counts and the margin.
      let next: () => string;
      beforeEach(async () => {
        await store.saveCampaign(campaign({ reviewers: RULE_ONLY }));
        next = rotation(await credentialed(store, 'library-drive', 8));
      });
      const item = () => idiom({ campaign: 'library-drive' });
      const vote = (target: string, action: 'up' | 'down', contributor = next()) =>
        review(target, { campaign: 'library-drive', contributor, data: { action } });
      const votes = (target: string, ...actions: Array<'up' | 'down'>) => actions.map((action) => vote(target, action));
      const flag = (target: string) => review(target, { campaign: 'library-drive', contributor: next(), data: { action: 'flag', reason: 'spam' } });

      it('is pending, then accepted after two up-votes', async () => {
        const a = item();
        await ingest(a, ...votes(a.id, 'up'));
        expect(await status(a.id)).toEqual({ id: a.id, status: 'pending', votes: { up: 1, down: 0, flags: 0 } });
        await ingest(...votes(a.id, 'up'));
        expect(await status(a.id)).toEqual({ id: a.id, status: 'accepted', votes: { up: 2, down: 0, flags: 0 } });
      });

      it('is rejected after two down-votes outnumber the up-votes, and pending on a tie', async () => {
        const a = item();
        const b = item();
        await ingest(a, b, ...votes(a.id, 'down', 'down', 'up'), ...votes(b.id, 'up', 'down'));
        expect((await status(a.id)).status).toBe('rejected');
        expect((await status(b.id)).status).toBe('pending');
      });

      it('counts only the latest review of each reviewer', async () => {
        const a = item();
        const reviewer = next();
        await ingest(a, vote(a.id, 'down', reviewer));
        await ingest(vote(a.id, 'up', reviewer), vote(a.id, 'up'));
        expect(await status(a.id)).toMatchObject({ status: 'accepted', votes: { up: 2, down: 0 } });
      });

      it('hides an item after a second flag; a moderator clears it or hides it alone', async () => {
        const a = item();
        const b = item();
        await ingest(a, b, flag(a.id));
        expect((await status(a.id)).status).toBe('pending');
        await ingest(flag(a.id));
        expect((await status(a.id)).status).toBe('hidden');
        expect(await store.moderate(a.id, 'clear')).toBe(true);
        expect((await status(a.id)).status).toBe('pending');
        expect(await store.moderate(b.id, 'hide')).toBe(true);
        expect((await status(b.id)).status).toBe('hidden');
        expect(await store.moderate(idiom().id, 'hide')).toBe(false);
      });

      it('follows the campaign’s own rule, and re-derives when the rule changes', async () => {
        await store.saveCampaign(campaign({ consensus: { minVotes: 3, minDownVotes: 2, flagsToHide: 2 }, reviewers: RULE_ONLY }));
        const a = item();
        await ingest(a, ...votes(a.id, 'up', 'up'));
        expect((await status(a.id)).status).toBe('pending');
        await store.saveCampaign(campaign({ consensus: { minVotes: 2, minDownVotes: 2, flagsToHide: 2 }, reviewers: RULE_ONLY }));
        expect((await status(a.id)).status).toBe('accepted');
      });

      it('answers unknown for ids not held and for records that are not items', async () => {
        const a = item();
        const v = vote(a.id, 'up');
        await ingest(a, v);
        const missing = idiom().id;
        expect(await store.statuses([missing, v.id])).toEqual([
          { id: missing, status: 'unknown' },
          { id: v.id, status: 'unknown' },
        ]);
      });
    });

    describe('revisions', () => {
      it('an edit by the author supersedes the item; the latest edit is the one that counts', async () => {
        const first = idiom();
        const second = idiom({ contributor: first.contributor, revisionOf: first.id, data: { meaning: 'Second wording.' } });
        const third = idiom({ contributor: first.contributor, revisionOf: second.id, data: { meaning: 'Third wording.' } });
        await ingest(first, second);
        expect((await status(first.id)).status).toBe('superseded');
        expect((await status(second.id)).status).toBe('pending');
        await ingest(third);
        expect((await store.statuses([first.id, second.id, third.id])).map((s) => s.status)).toEqual(['superseded', 'superseded', 'pending']);
        const stored = [];
        for await (const s of store.contributions()) stored.push(s);
        expect(stored.find((s) => s.contribution.id === third.id)?.contribution).toMatchObject({ revisionOf: second.id });
      });

      it('an improvement by someone else is a new item that leaves the original alone', async () => {
        const original = rewrite();
        const improvement = rewrite({ revisionOf: original.id });
        expect(await ingest(original, improvement)).toEqual(['accepted', 'accepted']);
        expect((await store.statuses([original.id, improvement.id])).map((s) => s.status)).toEqual(['pending', 'pending']);
      });

      it('votes attach to the revision they name: an edit starts a fresh tally', async () => {
        const [a, b] = await credentialed(store, 'general', 2);
        const first = idiom();
        await ingest(first, review(first.id, { contributor: a }));
        const edit = idiom({ contributor: first.contributor, revisionOf: first.id });
        await ingest(edit, review(first.id, { contributor: b }));
        expect(await status(first.id)).toMatchObject({ status: 'superseded', votes: { up: 2 } });
        expect(await status(edit.id)).toMatchObject({ status: 'pending', votes: { up: 0 } });
      });
    });

    describe('withdrawals', () => {
      it('withdraws the item and every revision in its chain, but not others’ improvements', async () => {
        const first = idiom();
        const edit = idiom({ contributor: first.contributor, revisionOf: first.id });
        const improvement = idiom({ revisionOf: edit.id });
        await ingest(first, edit, improvement);
        expect(await ingest(withdrawal(first.id, { contributor: first.contributor }))).toEqual(['accepted']);
        expect((await store.statuses([first.id, edit.id, improvement.id])).map((s) => s.status)).toEqual(['withdrawn', 'withdrawn', 'pending']);
        expect(await ingest(withdrawal(edit.id, { contributor: first.contributor }))).toEqual(['accepted']);
      });

      it('withdraws everything the contributor has stored, and nothing made later', async () => {
        const contributor = person().contributor;
        const mine = [idiom({ contributor }), translation({ contributor }), compare({ contributor })];
        const theirs = idiom();
        await ingest(...mine, theirs, review(mine[0]!.id, { data: { action: 'up' } }));
        await ingest(withdrawal('all', { contributor }));
        expect((await store.statuses(mine.map((m) => m.id))).map((s) => s.status)).toEqual(['withdrawn', 'withdrawn', 'withdrawn']);
        expect((await status(theirs.id)).status).toBe('pending');
        const later = idiom({ contributor, createdAt: '2026-11-02T09:30:00.000Z' });
        await ingest(later);
        expect((await status(later.id)).status).toBe('pending');
      });
    });

    describe('review queue', () => {
      it('offers others’ pending items of the campaign and language, closest to a decision first, never one’s own, without tallies', async () => {
        await store.saveCampaign(campaign({ reviewers: RULE_ONLY }));
        const [a, b, c] = await credentialed(store, 'library-drive', 3);
        const on = { campaign: 'library-drive' };
        const reviewer = person().contributor;
        const own = idiom({ ...on, contributor: reviewer });
        const voted = idiom(on);
        const fresh = idiom(on);
        const strangers = idiom(on);
        const otherLanguage = idiom({ ...on, language: 'yo' });
        const accepted = idiom(on);
        await ingest(own, voted, fresh, strangers, otherLanguage, accepted, review(voted.id, { ...on, contributor: a }));
        // Votes of keys nobody vouched for are kept but never count: not even toward the order.
        await ingest(...[1, 2, 3].map(() => review(strangers.id, on)), review(accepted.id, { ...on, contributor: b }), review(accepted.id, { ...on, contributor: c }));
        expect((await status(accepted.id)).status).toBe('accepted');
        const queue = await store.reviewQueue({ campaign: 'library-drive', language: 'sw', reviewer, limit: 10 });
        // The item with a counted vote first; strangers' votes do not move theirs ahead.
        expect(queue.map((q) => q.item.id)[0]).toBe(voted.id);
        expect(new Set(queue.slice(1).map((q) => q.item.id))).toEqual(new Set([fresh.id, strangers.id]));
        for (const q of queue) expect(q).toEqual({ item: expect.objectContaining({ id: q.item.id }) });
      });

      it('leaves out what the reviewer already reviewed, and withdrawn, superseded or hidden items', async () => {
        const reviewer = person().contributor;
        const reviewed = idiom();
        const withdrawnItem = idiom();
        const superseded = idiom();
        const hidden = idiom();
        const edit = idiom({ contributor: superseded.contributor, revisionOf: superseded.id });
        await ingest(reviewed, withdrawnItem, superseded, hidden, edit, review(reviewed.id, { contributor: reviewer }));
        await ingest(withdrawal(withdrawnItem.id, { contributor: withdrawnItem.contributor }));
        await store.moderate(hidden.id, 'hide');
        const queue = await store.reviewQueue({ campaign: 'general', language: 'sw', reviewer, limit: 10 });
        expect(queue.map((q) => q.item.id)).toEqual([edit.id]);
      });
    });

    describe('campaigns', () => {
      it('creates a campaign with a join code and version 1; saving again bumps the version and keeps the code', async () => {
        const created = await store.saveCampaign(campaign());
        expect(created.version).toBe(1);
        expect(created.joinCode).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
        const updated = await store.saveCampaign(campaign({ title: 'Library drive 2' }));
        expect(updated).toMatchObject({ version: 2, joinCode: created.joinCode, title: 'Library drive 2' });
        expect(await store.campaigns()).toEqual([updated]);
        expect(await store.campaign('library-drive')).toEqual(updated);
        expect(await store.campaignByJoinCode(created.joinCode.toLowerCase())).toEqual(updated);
        expect(await store.campaign('nowhere')).toBeUndefined();
      });

      it('creates a slug once when asked only to create, even when two creates race', async () => {
        const both = await Promise.allSettled([
          store.saveCampaign(campaign({ title: 'First' }), { create: true }),
          store.saveCampaign(campaign({ title: 'Second' }), { create: true }),
        ]);
        expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(both.find((r) => r.status === 'rejected')).toMatchObject({ reason: { name: 'CampaignExistsError' } });
        const held = await store.campaign('library-drive');
        expect(held?.version).toBe(1);
        expect(held?.title).toBe((both.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ title: string }>).value.title);
      });

      it('refuses to save the built-in general campaign', async () => {
        await expect(store.saveCampaign(campaign({ slug: 'general' }))).rejects.toThrow(/built in/);
      });

      it('tallies each campaign per kind: items still counting, and those accepted', async () => {
        await store.saveCampaign(campaign({ reviewers: RULE_ONLY }));
        const next = rotation(await credentialed(store, 'library-drive', 6));
        const up = (target: string) => review(target, { campaign: 'library-drive', contributor: next(), data: { action: 'up' } });
        const down = (target: string) => review(target, { campaign: 'library-drive', contributor: next(), data: { action: 'down' } });
        const [accepted, pending, edited, gone, refused] = idioms(5, { campaign: 'library-drive' });
        const edit = idiom({ campaign: 'library-drive', contributor: edited!.contributor, revisionOf: edited!.id });
        const elsewhere = idiom();
        const draft = rewrite({ campaign: 'library-drive' });
        await ingest(accepted!, pending!, edited!, gone!, refused!, edit, elsewhere, draft);
        await ingest(up(accepted!.id), up(accepted!.id), up(draft.id), up(draft.id), down(refused!.id), down(refused!.id));
        await ingest(withdrawal(gone!.id, { contributor: gone!.contributor, campaign: 'library-drive' }));
        expect(await store.campaignTallies()).toEqual([
          { campaign: 'general', kind: 'idiom', collected: 1, accepted: 0 },
          // accepted, pending and the edit (the original it replaced, the withdrawn and the rejected one do not count)
          { campaign: 'library-drive', kind: 'idiom', collected: 3, accepted: 1 },
          { campaign: 'library-drive', kind: 'rewrite', collected: 1, accepted: 1 },
        ]);
      });
    });

    describe('seeds', () => {
      const prompts = (n: number): Seed[] =>
        Array.from({ length: n }, (_, i) => ({ id: `p-${i + 1}`, type: 'prompt', prompt: `Swali la ${i + 1}?` }));

      it('imports seeds idempotently, replacing content under the same id', async () => {
        await store.saveCampaign(campaign());
        expect(await store.importSeeds('library-drive', prompts(3))).toEqual({ added: 3, updated: 0 });
        expect(await store.importSeeds('library-drive', prompts(4))).toEqual({ added: 1, updated: 3 });
        await expect(store.importSeeds('nowhere', prompts(1))).rejects.toThrow(/No campaign/);
      });

      it('gives two devices different seeds, and a device the same seed only when none is left', async () => {
        await store.saveCampaign(campaign());
        await store.importSeeds('library-drive', prompts(4));
        const draw = (device: string, limit = 2) =>
          store.drawSeeds({ campaign: 'library-drive', type: 'prompt', device, limit });
        const a = uuidv4();
        const first = (await draw(a)).map((s) => s.id);
        const second = (await draw(uuidv4())).map((s) => s.id);
        expect(new Set([...first, ...second]).size).toBe(4);
        const again = (await draw(a, 3)).map((s) => s.id);
        expect(again.slice(0, 2).every((id) => !first.includes(id))).toBe(true);
        expect(first).toContain(again[2]);
        expect(await store.drawSeeds({ campaign: 'library-drive', type: 'pair', device: a, limit: 2 })).toEqual([]);
      });

      it('draws seeds of the asked language and seeds with no language', async () => {
        await store.saveCampaign(campaign());
        await store.importSeeds('library-drive', [
          { id: 'sw', type: 'prompt', prompt: 'Swali?', language: 'sw' },
          { id: 'yo', type: 'prompt', prompt: 'Ìbéèrè?', language: 'yo' },
          { id: 'any', type: 'prompt', prompt: 'Question?' },
        ]);
        const seeds = await store.drawSeeds({ campaign: 'library-drive', type: 'prompt', language: 'sw', device: uuidv4(), limit: 10 });
        expect(seeds.map((s) => s.id).sort()).toEqual(['any', 'sw']);
      });
    });
  });
}
