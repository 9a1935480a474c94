import { describe, expect, it } from 'vitest';
import {
  agreesWithGold,
  ConsensusRule,
  consensus,
  DEFAULT_CONSENSUS,
  DEFAULT_MARGIN,
  DEFAULT_REVIEWER_POLICY,
  isEligible,
  ReviewerPolicy,
  type Tally,
} from './index.ts';

describe('consensus (default rule: 2 votes, more up than down; 2 down-votes reject; 2 flags hide)', () => {
  const table: Array<[Tally, ReturnType<typeof consensus>]> = [
    [{ up: 0, down: 0, flags: 0 }, 'pending'],
    [{ up: 1, down: 0, flags: 0 }, 'pending'],
    [{ up: 2, down: 0, flags: 0 }, 'accepted'],
    [{ up: 1, down: 1, flags: 0 }, 'pending'],
    [{ up: 2, down: 1, flags: 0 }, 'accepted'],
    [{ up: 2, down: 2, flags: 0 }, 'pending'],
    [{ up: 0, down: 1, flags: 0 }, 'pending'],
    [{ up: 0, down: 2, flags: 0 }, 'rejected'],
    [{ up: 1, down: 2, flags: 0 }, 'rejected'],
    [{ up: 3, down: 2, flags: 0 }, 'accepted'],
    [{ up: 2, down: 0, flags: 1 }, 'accepted'],
    [{ up: 0, down: 0, flags: 1 }, 'pending'],
    [{ up: 5, down: 0, flags: 2 }, 'hidden'],
    [{ up: 0, down: 3, flags: 3 }, 'hidden'],
  ];
  it.each(table)('%o is %s', (tally, status) => {
    expect(consensus(tally)).toBe(status);
    expect(consensus(tally, DEFAULT_CONSENSUS)).toBe(status);
  });
});

describe('a moderator', () => {
  it('hides an item whatever its votes', () => {
    expect(consensus({ up: 9, down: 0, flags: 0, moderator: 'hidden' })).toBe('hidden');
  });
  it('clears flags: the votes decide again', () => {
    expect(consensus({ up: 2, down: 0, flags: 4, moderator: 'cleared' })).toBe('accepted');
    expect(consensus({ up: 0, down: 0, flags: 4, moderator: 'cleared' })).toBe('pending');
    expect(consensus({ up: 0, down: 2, flags: 4, moderator: 'cleared' })).toBe('rejected');
  });
});

describe('custom rules', () => {
  it('needs the campaign’s number of votes and down-votes', () => {
    const strict = ConsensusRule.parse({ minVotes: 3, minDownVotes: 3, flagsToHide: 1 });
    expect(consensus({ up: 2, down: 0, flags: 0 }, strict)).toBe('pending');
    expect(consensus({ up: 3, down: 0, flags: 0 }, strict)).toBe('accepted');
    expect(consensus({ up: 0, down: 2, flags: 0 }, strict)).toBe('pending');
    expect(consensus({ up: 0, down: 3, flags: 0 }, strict)).toBe('rejected');
    expect(consensus({ up: 3, down: 0, flags: 1 }, strict)).toBe('hidden');
  });
  it('accepts on one vote when the campaign says so', () => {
    expect(consensus({ up: 1, down: 0, flags: 0 }, { minVotes: 1, minDownVotes: 1, flagsToHide: 2 })).toBe('accepted');
    expect(consensus({ up: 0, down: 1, flags: 0 }, { minVotes: 1, minDownVotes: 1, flagsToHide: 2 })).toBe('rejected');
  });
  it('fills in the defaults and refuses nonsense', () => {
    expect(ConsensusRule.parse({})).toEqual(DEFAULT_CONSENSUS);
    expect(ConsensusRule.safeParse({ minVotes: 0 }).success).toBe(false);
    expect(ConsensusRule.safeParse({ minVotes: 2, extra: 1 }).success).toBe(false);
  });
});

describe('with a reviewer policy’s margin (the default: a lead of 4 counted votes)', () => {
  const table: Array<[Tally, ReturnType<typeof consensus>]> = [
    [{ up: 2, down: 0, flags: 0 }, 'pending'],
    [{ up: 3, down: 0, flags: 0 }, 'pending'],
    [{ up: 4, down: 0, flags: 0 }, 'accepted'],
    [{ up: 4, down: 1, flags: 0 }, 'pending'],
    [{ up: 5, down: 1, flags: 0 }, 'accepted'],
    [{ up: 6, down: 1, flags: 1 }, 'accepted'],
    // A flag counts against: four ups do not outvote two flags.
    [{ up: 4, down: 0, flags: 2 }, 'pending'],
    [{ up: 0, down: 4, flags: 0 }, 'rejected'],
    [{ up: 1, down: 4, flags: 0 }, 'pending'],
    // Two flags alone no longer hide: the flaggers must lead too.
    [{ up: 0, down: 0, flags: 2 }, 'pending'],
    [{ up: 1, down: 0, flags: 3 }, 'pending'],
    [{ up: 0, down: 2, flags: 2 }, 'hidden'],
    [{ up: 0, down: 3, flags: 1 }, 'rejected'],
    [{ up: 1, down: 0, flags: 5 }, 'hidden'],
  ];
  it.each(table)('%o is %s', (tally, status) => {
    expect(consensus(tally, DEFAULT_CONSENSUS, DEFAULT_MARGIN)).toBe(status);
  });
  it('ignores flags a moderator cleared, and still hides on a moderator’s word', () => {
    expect(consensus({ up: 4, down: 0, flags: 3, moderator: 'cleared' }, DEFAULT_CONSENSUS, 4)).toBe('accepted');
    expect(consensus({ up: 9, down: 0, flags: 0, moderator: 'hidden' }, DEFAULT_CONSENSUS, 4)).toBe('hidden');
  });
  it('is the rule alone with a margin of 1', () => {
    for (const [tally] of table) expect(consensus(tally, DEFAULT_CONSENSUS, 1)).toBe(consensus(tally));
  });
});

describe('reviewer eligibility', () => {
  const policy = ReviewerPolicy.parse({});
  it('defaults to gold standing (5 votes, 80%), a margin of 4 and 300 new items a day', () => {
    expect(policy).toEqual(DEFAULT_REVIEWER_POLICY);
    expect(DEFAULT_REVIEWER_POLICY).toEqual({ gold: { min: 5, agreement: 0.8 }, margin: 4, servesPerDay: 300 });
  });
  it('is earned on gold: enough served gold votes agreeing often enough, and lost below that', () => {
    expect(isEligible({ credential: false, goldVotes: 4, goldAgreed: 4 }, policy)).toBe(false);
    expect(isEligible({ credential: false, goldVotes: 5, goldAgreed: 4 }, policy)).toBe(true);
    expect(isEligible({ credential: false, goldVotes: 5, goldAgreed: 3 }, policy)).toBe(false);
    expect(isEligible({ credential: false, goldVotes: 10, goldAgreed: 8 }, policy)).toBe(true);
    expect(isEligible({ credential: false, goldVotes: 11, goldAgreed: 8 }, policy)).toBe(false);
  });
  it('is given by a credential whatever the gold says; a policy without gold knows only credentials', () => {
    expect(isEligible({ credential: true, goldVotes: 10, goldAgreed: 0 }, policy)).toBe(true);
    const credentialsOnly = ReviewerPolicy.parse({ gold: null });
    expect(isEligible({ credential: false, goldVotes: 50, goldAgreed: 50 }, credentialsOnly)).toBe(false);
  });
  it('agrees with gold when up on a good item, or down or flag on a bad one', () => {
    expect([agreesWithGold('good', 'up'), agreesWithGold('good', 'down'), agreesWithGold('good', 'flag')]).toEqual([true, false, false]);
    expect([agreesWithGold('bad', 'up'), agreesWithGold('bad', 'down'), agreesWithGold('bad', 'flag')]).toEqual([false, true, true]);
  });
  it('is refused as a policy when out of range', () => {
    expect(ReviewerPolicy.safeParse({ margin: 0 }).success).toBe(false);
    expect(ReviewerPolicy.safeParse({ gold: { min: 5, agreement: 0.4 } }).success).toBe(false);
    expect(ReviewerPolicy.safeParse({ servesPerDay: 0 }).success).toBe(false);
    expect(ReviewerPolicy.safeParse({ open: true }).success).toBe(false);
  });
});
