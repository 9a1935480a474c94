import { describe, expect, it } from 'vitest';
import { ConsensusRule, consensus, DEFAULT_CONSENSUS, type Tally } from './index.ts';

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
