/**
 * Test support: reviewers whose votes count. Staff grant credentials in person (store/reviewers.ts);
 * tests do the same through the store, so the votes of these test people decide.
 */
import { v4 as uuidv4 } from 'uuid';
import type { ReviewerPolicy } from '../../federation/protocol/index.ts';
import { openStore, type Store } from '../../federation/store/index.ts';
import { person } from './contributions.ts';

/** `n` test people granted a reviewer credential in `campaign`; their contributor ids. */
export async function credentialed(store: Store, campaign: string, n: number, prefix: string = uuidv4()): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => person(`${prefix}-reviewer-${i}`).contributor);
  for (const reviewer of ids) await store.reviewers.grant({ campaign, reviewer, by: 'test' });
  return ids;
}

/** A policy under which the campaign's consensus rule alone decides among credentialed reviewers (as before policies). */
export const RULE_ONLY: ReviewerPolicy = { gold: null, margin: 1, servesPerDay: 300 };

/** Hands out the given reviewers one after another, so that each vote in a test is another key's. */
export function rotation(reviewers: readonly string[]): () => string {
  let next = 0;
  return () => {
    if (next >= reviewers.length) throw new Error(`only ${reviewers.length} reviewers were granted`);
    return reviewers[next++]!;
  };
}

/**
 * Grants reviewer credentials in `campaign` on a running server's store, as its staff would (the
 * store opened beside the process, as the CLI does): those keys' votes count, and they may write
 * the campaign's glossary.
 */
export async function grantOn(where: { dataDir: string; database?: string | undefined }, campaign: string, contributors: readonly string[]): Promise<void> {
  const store = await openStore({ dataDir: where.dataDir, ...(where.database !== undefined ? { database: where.database } : {}), mustExist: true });
  try {
    for (const reviewer of contributors) await store.reviewers.grant({ campaign, reviewer, by: 'test' });
  } finally {
    await store.close();
  }
}
