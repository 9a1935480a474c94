/**
 * Consensus: an item's status is derived from the reviews it received, never set by a client.
 * The rule follows Common Voice (at least 2 votes, more up than down) and adds OpenAssistant-style
 * flags: one flag marks an item for attention, a second (or a moderator) hides it. The tally holds
 * only the votes that count under the campaign's reviewer policy (reviewers.ts), whose `margin`
 * asks the winning side to lead by more than one vote. Pure, so the node, the hub, the release and
 * the app all apply the same table.
 */
import { z } from 'zod';

export const ConsensusRule = z
  .object({
    /** Votes (up + down) needed before an item can be accepted. */
    minVotes: z.int().min(1).max(20).default(2),
    /** Down-votes needed (and they must outnumber up-votes) before an item is rejected. */
    minDownVotes: z.int().min(1).max(20).default(2),
    /** Flags after which an item is hidden without a moderator. */
    flagsToHide: z.int().min(1).max(20).default(2),
  })
  .strict()
  .meta({ id: 'ConsensusRule' });
export type ConsensusRule = z.output<typeof ConsensusRule>;
export const DEFAULT_CONSENSUS: ConsensusRule = { minVotes: 2, minDownVotes: 2, flagsToHide: 2 };

export const ITEM_STATUSES = ['pending', 'accepted', 'rejected', 'hidden', 'withdrawn', 'superseded'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export interface Tally {
  up: number;
  down: number;
  flags: number;
  /** A moderator hid the item (or, with false, cleared its flags). */
  moderator?: 'hidden' | 'cleared';
}

/**
 * The status a tally makes. With `margin` 1 the rule alone decides. With a larger margin a flag
 * also counts against the item (unless a moderator cleared its flags), and a decision needs the
 * winning side to lead by `margin`: accepted when up − against ≥ margin (and the rule's minimum
 * of votes is met), else rejected — or hidden, with at least `flagsToHide` flags — when
 * against − up ≥ margin; a moderator's hide always hides.
 */
export function consensus(t: Tally, rule: ConsensusRule = DEFAULT_CONSENSUS, margin = 1): 'pending' | 'accepted' | 'rejected' | 'hidden' {
  if (t.moderator === 'hidden') return 'hidden';
  if (margin > 1) {
    const flags = t.moderator === 'cleared' ? 0 : t.flags;
    const against = t.down + flags;
    if (against - t.up >= margin && against >= rule.minDownVotes) return flags >= rule.flagsToHide ? 'hidden' : 'rejected';
    if (t.up - against >= margin && t.up + t.down >= rule.minVotes) return 'accepted';
    return 'pending';
  }
  if (t.moderator !== 'cleared' && t.flags >= rule.flagsToHide) return 'hidden';
  if (t.down >= rule.minDownVotes && t.down > t.up) return 'rejected';
  if (t.up + t.down >= rule.minVotes && t.up > t.down) return 'accepted';
  return 'pending';
}
