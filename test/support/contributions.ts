/**
 * Test support: valid contributions to start from, and a way to break exactly one field of one.
 * Ids are fresh UUIDv7s, as a device makes them.
 */
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { CONSENT_VERSION, DEFAULT_LICENCE, type ContributionInput, type IdiomData } from '../../federation/protocol/index.ts';

type IdiomInput = Extract<ContributionInput, { kind: 'idiom' }>;

export interface IdiomOverrides extends Partial<Omit<IdiomInput, 'data'>> {
  data?: Partial<IdiomData>;
}

export function idiom(overrides: IdiomOverrides = {}): IdiomInput {
  const { data, ...envelope } = overrides;
  return {
    id: uuidv7(),
    kind: 'idiom',
    campaign: 'general',
    language: 'sw',
    contributor: uuidv4(),
    deviceSeq: 1,
    createdAt: '2026-11-01T09:30:00.000Z',
    consent: { version: CONSENT_VERSION, licence: DEFAULT_LICENCE },
    ...envelope,
    data: {
      expression: 'Haraka haraka haina baraka',
      meaning: 'Hurrying has no blessing: things done in a rush go wrong.',
      example: 'Usikimbilie kazi hii; haraka haraka haina baraka.',
      ...data,
    },
  };
}

/** `n` valid idioms from one device: consecutive device sequence numbers, distinct expressions. */
export function idioms(n: number, overrides: IdiomOverrides = {}): IdiomInput[] {
  const contributor = overrides.contributor ?? uuidv4();
  return Array.from({ length: n }, (_, i) =>
    idiom({
      ...overrides,
      contributor,
      deviceSeq: i + 1,
      data: { expression: `Methali ${i + 1}`, ...overrides.data },
    }),
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
