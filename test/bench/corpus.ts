/**
 * The synthetic idioms the ingest and federation benchmarks store: Swahili-like, about 450 bytes
 * of content each as JSON, all distinct, in the `general` campaign, made by one contributor's
 * device and signed as the app signs (trees of ITEMS_PER_TREE; with key and signature about 900
 * bytes a record).
 */
import { v7 as uuidv7 } from 'uuid';
import { CONSENT_VERSION, type ContributionInput, ITEMS_PER_TREE, REGISTERS } from '../../federation/protocol/index.ts';
import { type ContributorSigner, signInTrees } from '../../federation/trust/contributors.ts';

const WORDS = (
  'haraka haina baraka mvumilivu hula mbivu usipoziba ufa utajenga ukuta mgeni siku mbili ' +
  'chungu tatu mpe jembe kazi maji mchele pole'
).split(' ');

function words(n: number, seed: number): string {
  return Array.from({ length: n }, (_, i) => WORDS[(seed * 7 + i * 13) % WORDS.length]!).join(' ');
}

/** `count` idioms by `signer`; `first` numbers them across calls (texts and times differ). */
export function syntheticIdioms(count: number, signer: ContributorSigner, first = 0): ContributionInput[] {
  const items = Array.from({ length: count }, (_, i) => {
    const k = first + i;
    return {
      id: uuidv7(),
      kind: 'idiom' as const,
      campaign: 'general',
      language: 'sw',
      contributor: signer.contributor,
      key: signer.key,
      deviceSeq: i + 1,
      createdAt: new Date(Date.UTC(2026, 10, 1) + k * 1000).toISOString(),
      consent: { version: CONSENT_VERSION, licence: 'CC0-1.0' as const },
      data: {
        expression: `${words(4, k)} ${k}`,
        meaning: `${words(9, k + 1)}.`,
        example: `${words(9, k + 2)}.`,
        region: 'Pwani',
        register: REGISTERS[k % REGISTERS.length]!,
      },
    };
  });
  return signInTrees(signer, items, ITEMS_PER_TREE);
}
