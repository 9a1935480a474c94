/**
 * From the idiom form to a contribution, with the same schema the server applies: what the form
 * accepts, the server accepts.
 */
import { v7 as uuidv7 } from 'uuid';
import {
  Contribution,
  DEFAULT_CAMPAIGN,
  IdiomData,
  fieldProblems,
  type ItemErrorCode,
  type Register,
} from '../../../federation/protocol/index.ts';
import type { ConsentRecord, Identity } from './identity.ts';

export interface IdiomForm {
  expression: string;
  meaning: string;
  example: string;
  region: string;
  register: Register | '';
}

export const emptyIdiomForm = (): IdiomForm => ({ expression: '', meaning: '', example: '', region: '', register: '' });

export type FieldErrors = Partial<Record<keyof IdiomForm, ItemErrorCode>>;

export type Validated = { ok: true; data: IdiomData } | { ok: false; errors: FieldErrors };

export function validateIdiom(form: IdiomForm): Validated {
  const input = {
    expression: form.expression,
    meaning: form.meaning,
    example: form.example,
    ...(form.region.trim() ? { region: form.region } : {}),
    ...(form.register ? { register: form.register } : {}),
  };
  const parsed = IdiomData.safeParse(input);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldErrors = {};
  for (const [field, code] of fieldProblems(parsed.error)) errors[field as keyof IdiomForm] = code;
  return { ok: false, errors };
}

export interface ContributionContext {
  identity: Identity;
  consent: ConsentRecord;
  language: string;
  campaign?: string;
}

/** Builds and checks the full contribution; throws if the schema would refuse it. */
export function makeIdiom(data: IdiomData, ctx: ContributionContext, deviceSeq: number, now = Date.now()): Contribution {
  return Contribution.parse({
    id: uuidv7({ msecs: now }),
    kind: 'idiom',
    campaign: ctx.campaign ?? DEFAULT_CAMPAIGN,
    language: ctx.language,
    contributor: ctx.identity.contributorId,
    deviceSeq,
    createdAt: new Date(now).toISOString(),
    consent: { version: ctx.consent.version, licence: ctx.consent.licence },
    data,
  });
}
