/**
 * The SQLite ingest transaction: insert-or-ignore of each new item, the semantic checks
 * (semantics.ts) for what needs them, and the derived state (reviews, revision chains,
 * withdrawals, the per-item tally and status) — all in one synchronous better-sqlite3
 * transaction, so an item and its effects commit together or not at all.
 *
 * The hot path stays one prepared INSERT per row: a plain content item (no `revisionOf`) in the
 * `general` campaign needs no lookup and writes no derived row; another campaign costs one lookup
 * per batch (cached). While pending tombstones exist (withdrawals that overtook their items, and
 * withdrawals of everything), each stored item costs one more indexed lookup. Everything else first checks whether its id is already stored (a retry is
 * `duplicate`/`conflict`, never re-checked), then looks up what it names.
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  CONTENT_KINDS,
  type Contribution,
  DEFAULT_CAMPAIGN,
  isEligible,
  type ItemStatus,
  type StandingFacts,
} from '../protocol/index.ts';
import type { NewContributionRow } from './schema.ts';
import type { InsertOutcome } from './ingest.ts';
import { GOLD_COLUMNS, LOCAL_SCOPE, scopeOf, TALLY_COLUMNS, type Tallies } from './standing.ts';
import {
  type CampaignFacts,
  campaignFacts,
  check,
  deriveStatus,
  GENERAL_FACTS,
  isContentKind,
  isEdit,
  moderatorOf,
  needsCampaign,
  needsTarget,
  type Rejection,
  type TargetFacts,
  type Tombstone,
  tombstoneOf,
  tombstoneWithdraws,
} from './semantics.ts';

/** `served`: ids of relayed reviews whose origin node vouched that its queue served the item. */
export type BatchWriter = (rows: readonly NewContributionRow[], items: readonly Contribution[], served: ReadonlySet<string>) => InsertOutcome;

interface StateRow {
  status: string;
  moderator: string | null;
}

const CONTENT_LIST = CONTENT_KINDS.map((k) => `'${k}'`).join(', ');

export function sqliteBatchWriter(sqlite: BetterSqlite3.Database): BatchWriter {
  const insert = sqlite.prepare(
    'INSERT INTO contributions (id, kind, campaign, language, contributor, device_id, device_seq, ' +
      'created_at, received_at, licence, consent_version, data, content_hash, revision_of, checks, origin, origin_received_at, key, signature) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const lookupHash = sqlite.prepare('SELECT content_hash FROM contributions WHERE id = ?').pluck();
  const lookupCampaign = sqlite.prepare('SELECT data FROM campaigns WHERE slug = ?').pluck();
  // A gold item (store/gold.ts) is a target too, though never a stored contribution.
  const lookupTarget = sqlite.prepare(
    'SELECT c.kind, c.contributor, c.campaign, s.status, s.root, NULL AS expected FROM contributions c ' +
      'LEFT JOIN item_state s ON s.id = c.id WHERE c.id = ? ' +
      'UNION ALL SELECT g.kind, g.contributor, g.campaign, s.status, s.root, g.expected FROM gold_items g ' +
      'LEFT JOIN item_state s ON s.id = g.id WHERE g.id = ?',
  );
  const ensureState = sqlite.prepare(
    "INSERT INTO item_state (id, root, revision_of, status) VALUES (?, ?, ?, 'pending') ON CONFLICT (id) DO NOTHING",
  );
  const supersede = sqlite.prepare(
    "UPDATE item_state SET status = 'superseded' WHERE root = ? AND id <> ? AND status <> 'withdrawn'",
  );
  const upsertReview = sqlite.prepare(
    'INSERT INTO reviews (target, reviewer, review_id, action, reason, served, scope) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (target, reviewer) DO UPDATE SET review_id = excluded.review_id, ' +
      'action = excluded.action, reason = excluded.reason, served = excluded.served, scope = excluded.scope',
  );
  const servedLocal = sqlite
    .prepare(
      'SELECT CASE WHEN EXISTS (SELECT 1 FROM queue_serves WHERE reviewer = ? AND item = ?) ' +
        'OR EXISTS (SELECT 1 FROM gold_serves WHERE reviewer = ? AND gold = ?) THEN 1 ELSE 0 END',
    )
    .pluck();
  const tally = sqlite.prepare(
    `SELECT ${TALLY_COLUMNS} FROM reviews r ` +
      'LEFT JOIN reviewer_standing s ON s.campaign = ? AND s.reviewer = r.reviewer AND s.scope = r.scope WHERE r.target = ?',
  );
  const stateOf = sqlite.prepare('SELECT status, moderator FROM item_state WHERE id = ?');
  const setTally = sqlite.prepare(
    'UPDATE item_state SET up = ?, down = ?, flags = ?, all_up = ?, all_down = ?, all_flags = ?, status = ? WHERE id = ?',
  );
  const goldCounts = sqlite.prepare(
    `SELECT ${GOLD_COLUMNS} FROM reviews r JOIN gold_items g ON g.id = r.target ` +
      'WHERE r.reviewer = ? AND r.scope = ? AND r.served = 1 AND g.campaign = ?',
  );
  const standingOf = sqlite.prepare(
    'SELECT credential, gold_votes, gold_agreed, eligible FROM reviewer_standing WHERE campaign = ? AND reviewer = ? AND scope = ?',
  );
  const nextVersion = sqlite.prepare("SELECT COALESCE(MAX(version), 0) + 1 FROM reviewer_standing WHERE scope = ''").pluck();
  const upsertStanding = sqlite.prepare(
    'INSERT INTO reviewer_standing (campaign, reviewer, scope, credential, gold_votes, gold_agreed, eligible, version) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (campaign, reviewer, scope) DO UPDATE SET credential = excluded.credential, ' +
      'gold_votes = excluded.gold_votes, gold_agreed = excluded.gold_agreed, eligible = excluded.eligible, version = excluded.version',
  );
  const reviewerTargets = sqlite
    .prepare('SELECT r.target FROM reviews r JOIN contributions c ON c.id = r.target WHERE r.reviewer = ? AND r.scope = ? AND c.campaign = ?')
    .pluck();
  const withdrawChain = sqlite.prepare(
    "UPDATE item_state SET status = 'withdrawn', withdrawn_by = ? WHERE root = ? AND status <> 'withdrawn'",
  );
  // Everything of the contributor's made no later than the withdrawal (the same rule a pending
  // tombstone applies to later arrivals, so the outcome never depends on arrival order).
  const withdrawAll = sqlite.prepare(
    "INSERT INTO item_state (id, root, status, withdrawn_by) SELECT id, id, 'withdrawn', ? FROM contributions " +
      `WHERE contributor = ? AND kind IN (${CONTENT_LIST}) AND unixepoch(created_at, 'subsec') <= unixepoch(?, 'subsec') ` +
      "ON CONFLICT (id) DO UPDATE SET status = 'withdrawn', withdrawn_by = excluded.withdrawn_by " +
      "WHERE item_state.status <> 'withdrawn'",
  );
  const joinWithdrawn = sqlite.prepare(
    "UPDATE item_state SET status = 'withdrawn', withdrawn_by = (SELECT withdrawn_by FROM item_state WHERE id = ?) WHERE id = ?",
  );
  const anyTombstone = sqlite.prepare('SELECT EXISTS (SELECT 1 FROM tombstones)').pluck();
  const addTombstone = sqlite.prepare(
    'INSERT INTO tombstones (id, contributor, target, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const tombstonesFor = sqlite.prepare(
    'SELECT id, contributor, target, created_at AS createdAt FROM tombstones WHERE target = ? ' +
      'UNION ALL SELECT id, contributor, target, created_at FROM tombstones WHERE contributor = ? AND target IS NULL',
  );
  const dropTombstones = sqlite.prepare('DELETE FROM tombstones WHERE target = ?');
  const withdrawOne = sqlite.prepare(
    "INSERT INTO item_state (id, root, revision_of, status, withdrawn_by) VALUES (?, ?, ?, 'withdrawn', ?) " +
      "ON CONFLICT (id) DO UPDATE SET status = 'withdrawn', withdrawn_by = excluded.withdrawn_by " +
      "WHERE item_state.status <> 'withdrawn'",
  );

  const batch = sqlite.transaction((rows: readonly NewContributionRow[], items: readonly Contribution[], vouched: ReadonlySet<string>): InsertOutcome => {
    const inserted = new Set<string>();
    const storedHash = new Map<string, string>();
    const rejected = new Map<string, Rejection>();
    const campaigns = new Map<string, CampaignFacts | undefined>();
    // Pending tombstones are looked up per stored item only while there are any.
    let tombstones = anyTombstone.get() === 1;

    const campaignOf = (slug: string): CampaignFacts | undefined => {
      if (slug === DEFAULT_CAMPAIGN) return GENERAL_FACTS;
      if (!campaigns.has(slug)) {
        const json: unknown = lookupCampaign.get(slug);
        campaigns.set(slug, typeof json === 'string' ? campaignFacts(json) : undefined);
      }
      return campaigns.get(slug);
    };
    const targetOf = (id: string): TargetFacts | undefined => {
      const row = lookupTarget.get(id, id) as
        | { kind: string; contributor: string; campaign: string; status: string | null; root: string | null; expected: string | null }
        | undefined;
      if (row === undefined) return undefined;
      return {
        kind: row.kind,
        contributor: row.contributor,
        campaign: row.campaign,
        status: (row.status ?? 'pending') as ItemStatus,
        root: row.root ?? id,
        ...(row.expected !== null ? { gold: row.expected } : {}),
      };
    };
    /** True when the id is already stored (its hash noted): a retry, answered without checks. */
    const alreadyStored = (id: string): boolean => {
      const hash: unknown = lookupHash.get(id);
      if (typeof hash !== 'string') return false;
      storedHash.set(id, hash);
      return true;
    };
    const write = (r: NewContributionRow): boolean =>
      insert.run(
        r.id, r.kind, r.campaign, r.language, r.contributor, r.device_id, r.device_seq,
        r.created_at, r.received_at, r.licence, r.consent_version, r.data, r.content_hash, r.revision_of, r.checks,
        r.origin, r.origin_received_at, r.key, r.signature,
      ).changes === 1;

    const retally = (targetId: string, root: string, campaign: string): void => {
      ensureState.run(targetId, root, null);
      const t = tally.get(campaign, targetId) as Tallies;
      const state = stateOf.get(targetId) as StateRow;
      const judge = campaignOf(campaign) ?? GENERAL_FACTS;
      const status = deriveStatus(state.status as ItemStatus, { up: t.up, down: t.down, flags: t.flags, moderator: moderatorOf(state.moderator) }, judge.consensus, judge.policy.margin);
      setTally.run(t.up, t.down, t.flags, t.all_up, t.all_down, t.all_flags, status, targetId);
    };

    /** A local vote on gold: the key's standing counted again; its items too when eligibility changed. */
    const goldVote = (campaign: string, reviewer: string, scope: string): void => {
      const judge = campaignOf(campaign) ?? GENERAL_FACTS;
      const counts = goldCounts.get(reviewer, scope, campaign) as { votes: number; agreed: number };
      const held = standingOf.get(campaign, reviewer, scope) as { credential: number; gold_votes: number; gold_agreed: number; eligible: number } | undefined;
      const facts: StandingFacts = { credential: held?.credential === 1, goldVotes: Number(counts.votes), goldAgreed: Number(counts.agreed) };
      const eligible = isEligible(facts, judge.policy) ? 1 : 0;
      if (held !== undefined && held.gold_votes === facts.goldVotes && held.gold_agreed === facts.goldAgreed && held.eligible === eligible) return;
      const version = scope === LOCAL_SCOPE ? (nextVersion.get() as number) : 0;
      upsertStanding.run(campaign, reviewer, scope, facts.credential ? 1 : 0, facts.goldVotes, facts.goldAgreed, eligible, version);
      if ((held?.eligible === 1) === (eligible === 1)) return;
      for (const id of reviewerTargets.all(reviewer, scope, campaign) as string[]) retally(id, id, campaign);
    };

    const applyEffects = (item: Contribution, target: TargetFacts | undefined, origin: string | null): void => {
      switch (item.kind) {
        case 'review': {
          const scope = scopeOf(origin);
          const targetId = item.data.target;
          // Served: vouched by the node it came from, or (cast here) recorded by this queue.
          const served = vouched.has(item.id) || (scope === LOCAL_SCOPE && servedLocal.get(item.contributor, targetId, item.contributor, targetId) === 1);
          upsertReview.run(targetId, item.contributor, item.id, item.data.action, item.data.reason ?? null, served ? 1 : 0, scope);
          // Standing in another scope is the vouching node's word (standing.ts), not counted here.
          if (target!.gold !== undefined && scope === LOCAL_SCOPE) goldVote(target!.campaign, item.contributor, scope);
          retally(targetId, target!.root, target!.campaign);
          return;
        }
        case 'withdrawal': {
          const pending = tombstoneOf(item, target !== undefined);
          if (pending !== undefined) {
            addTombstone.run(pending.id, pending.contributor, pending.target, pending.createdAt);
            tombstones = true;
          }
          if (item.data.scope === 'all') {
            withdrawAll.run(item.id, item.contributor, item.createdAt);
          } else if (target !== undefined) {
            ensureState.run(item.data.target, target.root, null);
            withdrawChain.run(item.id, target.root);
          }
          return;
        }
        default:
          if (item.revisionOf === undefined || target === undefined) return;
          if (isEdit(item, target)) {
            ensureState.run(target.root, target.root, null);
            ensureState.run(item.id, target.root, item.revisionOf);
            supersede.run(target.root, item.id);
            // A relayed edit of a withdrawn chain is withdrawn with it.
            if (target.status === 'withdrawn') joinWithdrawn.run(target.root, item.id);
          } else {
            ensureState.run(item.id, item.id, item.revisionOf);
          }
      }
    };

    /** A newly stored item meets the tombstones waiting for it (semantics.ts). */
    const arrived = (item: Contribution, target: TargetFacts | undefined): void => {
      if (!isContentKind(item.kind)) {
        dropTombstones.run(item.id);
        return;
      }
      const found = tombstonesFor.all(item.id, item.contributor) as Tombstone[];
      if (found.length === 0) return;
      const root = target !== undefined && isEdit(item, target) ? target.root : item.id;
      const revisionOf = item.kind === 'review' || item.kind === 'withdrawal' ? null : (item.revisionOf ?? null);
      for (const t of found) {
        if (!tombstoneWithdraws(t, item)) continue;
        if (t.target === null) {
          withdrawOne.run(item.id, root, revisionOf, t.id);
        } else {
          ensureState.run(item.id, root, revisionOf);
          ensureState.run(root, root, null);
          withdrawChain.run(t.id, root);
        }
      }
      if (found.some((t) => t.target !== null)) dropTombstones.run(item.id);
    };

    rows.forEach((r, i) => {
      const item = items[i]!;
      const targetId = needsTarget(item);
      if (targetId === undefined && !needsCampaign(item)) {
        // The hot path: a plain content item in `general`, or a withdrawal of everything.
        if (item.kind !== 'withdrawal') {
          if (write(r)) {
            inserted.add(r.id);
            if (tombstones) arrived(item, undefined);
          } else alreadyStored(r.id);
          return;
        }
      }
      if (alreadyStored(r.id)) return;
      const target = targetId === undefined ? undefined : targetOf(targetId);
      const rejection = check(item, campaignOf(item.campaign), target, r.origin !== null);
      if (rejection !== undefined) {
        rejected.set(r.id, rejection);
        return;
      }
      if (!write(r)) throw new Error(`Contribution ${r.id} appeared while its batch was being stored`);
      inserted.add(r.id);
      applyEffects(item, target, r.origin);
      if (tombstones) arrived(item, target);
    });
    return { inserted, storedHash, rejected };
  });
  // BEGIN IMMEDIATE: the write lock is taken (waiting up to busy_timeout for another process's
  // writer) before the first read, so the batch never fails when it turns from reading to writing.
  return (rows, items, served) => batch.immediate(rows, items, served);
}
