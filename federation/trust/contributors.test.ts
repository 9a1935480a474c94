import { describe, expect, it } from 'vitest';
import { Contribution } from '../protocol/index.ts';
import { canonicalOf } from '../store/rows.ts';
import { generateContributorSigner, ItemVerifier, signInTrees, signItems } from './contributors.ts';
import { idiom, idioms, person, withField } from '../../test/support/contributions.ts';

const check = (verifier: ItemVerifier, raw: unknown) => {
  const item = Contribution.parse(raw);
  return verifier.check(item, canonicalOf(item).hash);
};

describe('ItemVerifier', () => {
  it('accepts items signed alone and in trees, with either algorithm', () => {
    for (const algorithm of ['Ed25519', 'ES256'] as const) {
      const signer = generateContributorSigner(algorithm);
      const items = Array.from({ length: 37 }, (_, i) => ({ ...idiom({ deviceSeq: i + 1 }), contributor: signer.contributor, key: signer.key }));
      const verifier = new ItemVerifier();
      for (const item of signInTrees(signer, items, 16)) expect(check(verifier, item)).toBeUndefined();
      expect(check(verifier, signItems(signer, [items[0]!])[0])).toBeUndefined();
    }
  });

  it('refuses an item whose content changed after signing, naming the signature', () => {
    const item = idiom();
    const altered = withField(item, 'data.meaning', 'Something the author never wrote.');
    expect(check(new ItemVerifier(), altered)).toMatchObject({ code: 'bad_signature', field: 'signature' });
  });

  it('refuses a stranger claiming someone else’s contributor id, with their own key or the victim’s', () => {
    const victim = person();
    const stranger = person();
    // The stranger signs with their key but names the victim.
    const claimed = signItems(stranger, [{ ...idiom({ contributor: stranger.contributor }), contributor: victim.contributor }])[0];
    expect(check(new ItemVerifier(), claimed)).toMatchObject({ code: 'bad_signature', field: 'contributor' });
    // The stranger names the victim and their key, but cannot sign with it.
    const borrowed = signItems(stranger, [{ ...idiom({ contributor: stranger.contributor }), contributor: victim.contributor, key: victim.key }])[0];
    expect(check(new ItemVerifier(), borrowed)).toMatchObject({ code: 'bad_signature', field: 'signature' });
  });

  it('refuses a signature moved to another item of the same tree, or to another index', () => {
    const batch = idioms(4);
    const moved = { ...batch[1]!, signature: batch[2]!.signature };
    expect(check(new ItemVerifier(), moved)).toMatchObject({ code: 'bad_signature' });
    const [index, ...rest] = batch[1]!.signature.split('.');
    const shifted = { ...batch[1]!, signature: [String(Number(index) ^ 1), ...rest].join('.') };
    expect(check(new ItemVerifier(), shifted)).toMatchObject({ code: 'bad_signature' });
  });

  it('keeps refusing altered or moved items once their tree is known, and takes its items in any order', () => {
    const signer = generateContributorSigner('ES256');
    const items = signItems(signer, Array.from({ length: 64 }, (_, i) => ({ ...idiom({ deviceSeq: i + 1 }), contributor: signer.contributor, key: signer.key })));
    const verifier = new ItemVerifier();
    const order = items.map((_, i) => (i * 37) % 64); // 37 is prime to 64: every index once
    for (const i of order) expect(check(verifier, items[i])).toBeUndefined();
    for (const item of items) expect(check(verifier, item)).toBeUndefined();
    // Every node of the tree is now known to this verifier; none vouches for other content.
    expect(check(verifier, withField(items[5]!, 'data.meaning', 'Words the author never signed.'))).toMatchObject({ code: 'bad_signature', field: 'signature' });
    expect(check(verifier, { ...items[5]!, signature: items[6]!.signature })).toMatchObject({ code: 'bad_signature', field: 'signature' });
    // Its own index, but a path it does not have: the item would not verify on its own later.
    const parts = items[5]!.signature.split('.');
    parts[4] = items[40]!.signature.split('.')[4]!;
    expect(check(verifier, { ...items[5]!, signature: parts.join('.') })).toMatchObject({ code: 'bad_signature', field: 'signature' });
    expect(check(verifier, items[5])).toBeUndefined();
  });

  it('does not trust a remembered root for another key', () => {
    const verifier = new ItemVerifier();
    const [item] = idioms(1);
    expect(check(verifier, item)).toBeUndefined();
    const other = person();
    const replayed = { ...item!, contributor: other.contributor, key: other.key };
    expect(check(verifier, replayed)).toMatchObject({ code: 'bad_signature' });
  });

  it('never lets a tree an attacker signed vouch for an item in it that names someone else', async () => {
    const victim = person();
    const attacker = person();
    const own = { ...idiom({ contributor: attacker.contributor }) };
    const claimed = { ...idiom({ contributor: attacker.contributor }), contributor: victim.contributor, key: victim.key };
    // One tree, both leaves, signed by the attacker's key.
    const [ownSigned, claimedSigned] = signItems(attacker, [own, claimed]);
    const verifier = new ItemVerifier();
    expect(check(verifier, ownSigned)).toBeUndefined();
    // The shared inner node is now known — under the attacker's name only.
    expect(check(verifier, claimedSigned)).toMatchObject({ code: 'bad_signature', field: 'signature' });
    expect(check(new ItemVerifier(), claimedSigned)).toMatchObject({ code: 'bad_signature' });
  });
});
