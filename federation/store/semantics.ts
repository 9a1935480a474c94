/**
 * What an item may do, beyond its own shape: the checks that need what the store already holds
 * (the campaign, the item a review, edit or withdrawal names). Pure: a backend looks up the facts,
 * inside its ingest transaction, and applies these rules, so every backend answers alike.
 *
 * Rules (each failure is one stable item code; a rejected item is not stored, and sending it again
 * gets the same answer while the facts are the same):
 *
 * - Content items: the campaign must exist (`general` always does) — `unknown_campaign` —, be given
 *   under its licence — `licence_mismatch` — and
 *   enable the kind — `kind_not_enabled` (`general` enables every kind).
 * - Reviews: the campaign must exist; the target must be a content item held here —
 *   `unknown_target` — not written by the reviewer — `own_item` — and not withdrawn — `withdrawn`.
 *   A review of a superseded item is stored and counts on that revision only: votes attach to the
 *   revision they name, and an edit starts a fresh tally. Every review is stored; whether it counts
 *   toward the status is the campaign's reviewer policy's (standing.ts), never a reason to refuse it.
 * - Revisions (`revisionOf`): the target must be a content item held here — `unknown_target` —
 *   not withdrawn — `withdrawn` — and of the same kind — `invalid_value` (for the author and for
 *   anyone else alike: a revision is the same kind of knowledge, improved). By the target's author
 *   it is an edit and supersedes the chain; by anyone else it is an improvement: a new item of
 *   theirs, linked to the original, with a chain of its own.
 * - Withdrawals never depend on a campaign (a person can always withdraw). `scope: item` naming
 *   a content item held here must be by its author — `not_author`; withdrawing what is already
 *   withdrawn is accepted and changes nothing. It withdraws the item and every revision in its
 *   chain (all the author's), not others' improvements of it. Naming something held that is not a
 *   content item is `unknown_target`. Naming an id not held here is accepted and kept as a
 *   pending tombstone (with store-and-forward, a withdrawal may overtake its item): when that
 *   item arrives it is withdrawn as above if the withdrawer is its author, else the tombstone does
 *   nothing; either way it is then dropped. `scope: all` is always accepted and withdraws every
 *   content item of the contributor's with a `createdAt` no later than the withdrawal's — those
 *   stored now and those that arrive later (made before it, relayed after it) alike, so the
 *   outcome never depends on arrival order; what they make later is theirs again.
 * - Relayed records (from another node) that a node took before a withdrawal reached it — a review
 *   or an edit of an item withdrawn meanwhile — are kept rather than refused `withdrawn`, so every
 *   server holds the same records; the item stays withdrawn and an edit joins its withdrawn chain.
 *   Their reviews of others' items keep counting: a vote is not their content, and the export
 *   holds no reviews. Reviews and revisions naming nothing held stay `unknown_target`: unlike a
 *   withdrawal they are refused, and the device or node sends them again later.
 */
import {
  type Campaign,
  consensus,
  CONTENT_KINDS,
  type Contribution,
  type ConsensusRule,
  DEFAULT_CAMPAIGN,
  DEFAULT_CONSENSUS,
  DEFAULT_LICENCE,
  DEFAULT_REVIEWER_POLICY,
  type ItemErrorCode,
  type ReviewerPolicy,
  reviewerPolicyOf,
  type ItemStatus,
  type Tally,
} from '../protocol/index.ts';

export type RejectionCode = Extract<
  ItemErrorCode,
  'unknown_campaign' | 'kind_not_enabled' | 'licence_mismatch' | 'unknown_target' | 'own_item' | 'not_author' | 'withdrawn' | 'invalid_value'
>;

export interface Rejection {
  status: 'rejected';
  code: RejectionCode;
  /** The field it is about, dotted as in the sync results of schema failures. */
  field: string;
  message: string;
}

/** What the checks need of a campaign, and what judges its items (rule and reviewer policy). */
export interface CampaignFacts {
  kinds: readonly string[];
  consensus: ConsensusRule;
  /** Whose votes count and the lead a decision needs (protocol/reviewers.ts). */
  policy: ReviewerPolicy;
  /** Content items must be given under the campaign's licence, which the contributor accepted. */
  licence: string;
}

/** The campaign facts from a stored campaign's canonical JSON. */
export function campaignFacts(json: string): CampaignFacts {
  const campaign = JSON.parse(json) as Campaign;
  return { kinds: campaign.kinds, consensus: campaign.consensus, policy: reviewerPolicyOf(campaign), licence: campaign.licence };
}

export const GENERAL_FACTS: CampaignFacts = { kinds: CONTENT_KINDS, consensus: DEFAULT_CONSENSUS, policy: DEFAULT_REVIEWER_POLICY, licence: DEFAULT_LICENCE };

/** What the checks need of the item a review, revision or withdrawal names. */
export interface TargetFacts {
  kind: string;
  contributor: string;
  campaign: string;
  status: ItemStatus;
  /** First item of its revision chain. */
  root: string;
  /** For a gold item (store/gold.ts), its known answer: a vote on it counts toward standing. */
  gold?: string;
}

const CONTENT = new Set<string>(CONTENT_KINDS);

export function isContentKind(kind: string): boolean {
  return CONTENT.has(kind);
}

/** Whether `check` needs anything beyond the campaign (the fast path of ingest skips the rest). */
export function needsTarget(item: Contribution): string | undefined {
  switch (item.kind) {
    case 'review':
      return item.data.target;
    case 'withdrawal':
      return item.data.scope === 'item' ? item.data.target : undefined;
    default:
      return item.revisionOf;
  }
}

/** Whether the item's campaign must be looked up. */
export function needsCampaign(item: Contribution): boolean {
  return item.kind !== 'withdrawal' && item.campaign !== DEFAULT_CAMPAIGN;
}

const reject = (code: RejectionCode, field: string, message: string): Rejection => ({ status: 'rejected', code, field, message });

/** Where an item names its target. */
function targetField(item: Contribution): string {
  return item.kind === 'review' || item.kind === 'withdrawal' ? 'data.target' : 'revisionOf';
}

/**
 * The rejection for `item`, or undefined when it may be stored. `campaign` is undefined when the
 * campaign is not held (pass GENERAL_FACTS for `general`); `target` when the named item is not.
 */
export function check(
  item: Contribution,
  campaign: CampaignFacts | undefined,
  target: TargetFacts | undefined,
  relayed = false,
): Rejection | undefined {
  if (item.kind !== 'withdrawal') {
    if (campaign === undefined) return reject('unknown_campaign', 'campaign', `No campaign "${item.campaign}" on this node`);
    if (item.kind !== 'review' && !campaign.kinds.includes(item.kind)) {
      return reject('kind_not_enabled', 'kind', `Campaign "${item.campaign}" does not collect ${item.kind} items`);
    }
    if (item.kind !== 'review' && item.consent.licence !== campaign.licence) {
      return reject(
        'licence_mismatch',
        'consent.licence',
        `Campaign "${item.campaign}" collects contributions under ${campaign.licence}, not ${item.consent.licence}`,
      );
    }
  }
  const targetId = needsTarget(item);
  if (targetId === undefined) return undefined;
  const field = targetField(item);
  // A withdrawal may overtake its item (store-and-forward): it waits as a pending tombstone.
  if (item.kind === 'withdrawal' && target === undefined) return undefined;
  if (target === undefined || !isContentKind(target.kind)) {
    return reject('unknown_target', field, `No item ${targetId} on this node`);
  }
  switch (item.kind) {
    case 'review':
      if (target.contributor === item.contributor) return reject('own_item', field, 'Nobody reviews their own item');
      // A relayed review was made before its item's withdrawal reached the node that took it: it
      // is kept (the item stays withdrawn), so every server holds the same records.
      if (target.status === 'withdrawn' && !relayed) return reject('withdrawn', field, 'That item was withdrawn');
      return undefined;
    case 'withdrawal':
      if (target.contributor !== item.contributor) return reject('not_author', field, 'Only its author can withdraw an item');
      return undefined;
    default:
      // Likewise a relayed edit: it joins its withdrawn chain, withdrawn (see the ingest).
      if (target.status === 'withdrawn' && !relayed) return reject('withdrawn', field, 'That item was withdrawn');
      if (target.kind !== item.kind) {
        return reject('invalid_value', 'kind', `A revision of a ${target.kind} item must be a ${target.kind} item`);
      }
      return undefined;
  }
}

/** Whether a revision is its author's edit (it supersedes the chain) rather than an improvement. */
export function isEdit(item: Contribution, target: TargetFacts): boolean {
  return target.contributor === item.contributor;
}

/**
 * An item's status after its tally changed: withdrawal and supersession are final for that
 * revision; otherwise the campaign's consensus rule decides, with its reviewer policy's margin.
 */
export function deriveStatus(current: ItemStatus | undefined, tally: Tally, rule: ConsensusRule, margin = 1): ItemStatus {
  if (current === 'withdrawn' || current === 'superseded') return current;
  return consensus(tally, rule, margin);
}

/** The moderator column as the consensus tally reads it. */
export function moderatorOf(value: string | null): Tally['moderator'] {
  return value === 'hidden' || value === 'cleared' ? value : undefined;
}

/** A withdrawal still waiting for items not held when it arrived (see the rules above). */
export interface Tombstone {
  /** The withdrawal's id. */
  id: string;
  contributor: string;
  /** The item it names, or null for a withdrawal of everything. */
  target: string | null;
  /** The withdrawal's `createdAt`. */
  createdAt: string;
}

/** The tombstone a stored withdrawal leaves, if any: `target` is whether its item is held. */
export function tombstoneOf(item: Contribution, targetHeld: boolean): Tombstone | undefined {
  if (item.kind !== 'withdrawal') return undefined;
  if (item.data.scope === 'all') return { id: item.id, contributor: item.contributor, target: null, createdAt: item.createdAt };
  if (targetHeld) return undefined;
  return { id: item.id, contributor: item.contributor, target: item.data.target, createdAt: item.createdAt };
}

/** Whether a pending tombstone withdraws an item arriving now. */
export function tombstoneWithdraws(tombstone: Tombstone, item: Contribution): boolean {
  if (!isContentKind(item.kind) || tombstone.contributor !== item.contributor) return false;
  if (tombstone.target !== null) return tombstone.target === item.id;
  return Date.parse(item.createdAt) <= Date.parse(tombstone.createdAt);
}
