/**
 * Test support: valid contributions to start from, and a way to break exactly one field of one.
 * Ids are fresh UUIDv7s, as a device makes them. Every item is signed by a test person's key, as a
 * device signs: `contributor: X` in the overrides names the person (any string — tests use fresh
 * uuids — or a contributor id made here), whose derived id the item then carries.
 */
import { createHash } from 'node:crypto';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { CONSENT_VERSION, DEFAULT_LICENCE, type ContributionInput, type IdiomData, ITEMS_PER_TREE } from '../../federation/protocol/index.ts';
import { type ContributorSigner, contributorSignerFromSeed, signInTrees, signItems } from '../../federation/trust/contributors.ts';

const people = new Map<string, ContributorSigner>();

/**
 * The test person named `name`: a key made from the name, so the same name is the same person in
 * every process — ECDSA P-256 as the app makes, Ed25519 for every other name (both are spoken).
 * A person is found again by their contributor id too.
 */
export function person(name: string = uuidv4()): ContributorSigner {
  let signer = people.get(name);
  if (signer === undefined) {
    const seed = createHash('sha256').update(`vernacular-test-person\u0000${name}`).digest();
    signer = contributorSignerFromSeed(seed, (seed[0]! & 1) === 0 ? 'ES256' : 'Ed25519');
    people.set(name, signer);
    people.set(signer.contributor, signer);
  }
  return signer;
}

/** The contributor id of the test person `name`. */
export const contributorOf = (name: string): string => person(name).contributor;

/** Items signed again (as one tree) by their contributors, after a test changed them. */
export function resign<T extends { contributor?: unknown }>(...items: T[]): T[] {
  return items.map((item) => (typeof item.contributor === 'string' ? signItems(person(item.contributor), [item])[0]! : item));
}

/** Items signed as a device signs a batch: each person's in trees of ITEMS_PER_TREE. */
export function signedBatch<T extends { contributor?: unknown }>(items: readonly T[]): T[] {
  const by = new Map<string, T[]>();
  for (const item of items) by.set(String(item.contributor), [...(by.get(String(item.contributor)) ?? []), item]);
  const signed = new Map<T, T>();
  for (const [who, group] of by) signInTrees(person(who), group, ITEMS_PER_TREE).forEach((s, i) => signed.set(group[i]!, s));
  return items.map((item) => signed.get(item)!);
}

type IdiomInput = Extract<ContributionInput, { kind: 'idiom' }>;

export interface IdiomOverrides extends Partial<Omit<IdiomInput, 'data'>> {
  data?: Partial<IdiomData>;
}

export function idiom(overrides: IdiomOverrides = {}): IdiomInput {
  const { data, ...envelope } = overrides;
  return sign({
    id: uuidv7(),
    kind: 'idiom',
    campaign: 'general',
    language: 'sw',
    deviceSeq: 1,
    createdAt: '2026-11-01T09:30:00.000Z',
    consent: { version: CONSENT_VERSION, licence: DEFAULT_LICENCE },
    ...envelope,
    ...who(envelope.contributor),
    data: {
      expression: 'Haraka haraka haina baraka',
      meaning: 'Hurrying has no blessing: things done in a rush go wrong.',
      example: 'Usikimbilie kazi hii; haraka haraka haina baraka.',
      ...data,
    },
  } as IdiomInput, 'signature' in envelope);
}

/** The envelope members that say who made an item. */
function who(name: string | undefined): { contributor: string; key: string } {
  const signer = person(name);
  return { contributor: signer.contributor, key: signer.key };
}

/** The item signed by its contributor, unless the test gave a signature of its own. */
function sign<T extends { contributor: string }>(item: T, keep = false): T {
  return keep ? item : signItems(person(item.contributor), [item])[0]!;
}

/** `n` valid idioms from one device: consecutive device sequence numbers, distinct expressions. */
export function idioms(n: number, overrides: IdiomOverrides = {}): IdiomInput[] {
  const contributor = overrides.contributor ?? uuidv4();
  return signedBatch(
    Array.from({ length: n }, (_, i) =>
      idiom({
        ...overrides,
        contributor,
        deviceSeq: i + 1,
        data: { expression: `Methali ${i + 1}`, ...overrides.data },
      }),
    ),
  );
}

/** Marks a field to be removed by `withField`. */
export const ABSENT = Symbol('absent');

/** A deep copy of `value` with the dotted `path` set (or removed, with ABSENT). */
export function withField(value: object, path: string, field: unknown): Record<string, unknown> {
  const copy = structuredClone(value) as Record<string, unknown>;
  const keys = path.split('.');
  let target = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (field === ABSENT) delete target[last];
  else target[last] = field;
  return copy;
}

type Input<K extends ContributionInput['kind']> = Extract<ContributionInput, { kind: K }>;
type Overrides<K extends ContributionInput['kind']> = Partial<Omit<Input<K>, 'kind' | 'data'>> & {
  data?: Partial<Input<K>['data']>;
};

function envelopeFor(overrides: { contributor?: string }) {
  return {
    id: uuidv7(),
    campaign: 'general',
    language: 'sw',
    deviceSeq: 1,
    createdAt: '2026-11-01T09:30:00.000Z',
    consent: { version: CONSENT_VERSION, licence: DEFAULT_LICENCE },
    ...overrides,
    ...who(overrides.contributor),
  };
}

function build<K extends ContributionInput['kind']>(kind: K, data: Input<K>['data'], overrides: Overrides<K>): Input<K> {
  const { data: dataOverrides, ...envelope } = overrides;
  return sign({ ...envelopeFor(envelope), kind, data: { ...data, ...dataOverrides } } as Input<K>, 'signature' in envelope);
}

export const instruction = (o: Overrides<'instruction'> = {}) =>
  build('instruction', { prompt: 'Nifanyeje nikipata homa?', answer: 'Kunywa maji mengi na umwone daktari.', domain: 'health' }, o);

export const rewrite = (o: Overrides<'rewrite'> = {}) =>
  build(
    'rewrite',
    {
      prompt: 'Habari za asubuhi?',
      draft: 'Asubuhi habari nzuri ni.',
      draftSource: { type: 'seed', seed: 'd-1' },
      rewrite: 'Nzuri sana, asante. Na wewe je?',
      draftRating: 2,
    },
    o,
  );

export const compare = (o: Overrides<'compare'> = {}) =>
  build(
    'compare',
    {
      prompt: 'Salamu ya heshima kwa mzee?',
      a: { text: 'Shikamoo, mzee.', source: { type: 'seed', seed: 'p-1', label: 'A' } },
      b: { text: 'Mambo vipi?', source: { type: 'model', model: 'tiny', revision: '1' } },
      choice: 'a',
      reasons: ['more_polite', 'local_norms'],
    },
    o,
  );

export const translation = (o: Overrides<'translation'> = {}) =>
  build('translation', { sourceLanguage: 'en', source: 'Good morning.', translation: 'Habari za asubuhi.' }, o);

export const norm = (o: Overrides<'norm'> = {}) =>
  build(
    'norm',
    {
      situation: 'Greeting an elder in the village.',
      expectation: 'Younger people greet first, with "shikamoo".',
      goodExample: 'Shikamoo, bibi.',
      poorExample: 'Mambo, bibi!',
    },
    o,
  );

export const rule = (o: Overrides<'rule'> = {}) =>
  build(
    'rule',
    {
      rule: 'Medical advice must tell people to see a clinician for serious symptoms.',
      ruleType: 'policy',
      citation: 'Health Ministry guideline 4.2',
      jurisdiction: 'Tanzania',
      compliantExample: 'Kwa homa kali, nenda kituo cha afya.',
      violatingExample: 'Homa itapona yenyewe, usiende hospitali.',
    },
    o,
  );

export const evalItem = (o: Overrides<'eval'> = {}) =>
  build(
    'eval',
    { question: 'Methali "haraka haraka haina baraka" ina maana gani?', referenceAnswer: 'Kufanya mambo kwa haraka huleta makosa.', gradingNotes: 'Must mention rushing causing mistakes.' },
    o,
  );

/** A review of `target` by a fresh reviewer (an up-vote unless told otherwise). */
export const review = (target: string, o: Overrides<'review'> = {}) =>
  build('review', { target, action: 'up' } as Input<'review'>['data'], o);

export const withdrawal = (target: string | 'all', o: Omit<Overrides<'withdrawal'>, 'data'> = {}) =>
  build('withdrawal', (target === 'all' ? { scope: 'all' } : { scope: 'item', target }) as Input<'withdrawal'>['data'], o);

/** One valid item of every content kind. */
export const everyKind = (o: { contributor?: string; campaign?: string; language?: string } = {}) => [
  idiom(o),
  instruction(o),
  rewrite(o),
  compare(o),
  translation(o),
  norm(o),
  rule(o),
  evalItem(o),
];
