/**
 * The rows of each dataset configuration. Every row has the same keys (absent optional values are
 * `null`), because dataset loaders infer one column schema for the whole file.
 */
import type { StoredContribution } from '../store/index.ts';
import type { IdiomData } from '../protocol/index.ts';
import { type ChatMessage, idiomConversation } from './prompts.ts';

export interface IdiomRecord {
  id: string;
  language: string;
  expression: string;
  meaning: string;
  example: string;
  region: string | null;
  register: string | null;
  licence: string;
  /** Pseudonymous contributor id made on the device. */
  contributor: string;
  campaign: string;
  created_at: string;
}

export interface SftRecord {
  messages: ChatMessage[];
  id: string;
  language: string;
}

type StoredIdiom = StoredContribution & { contribution: { kind: 'idiom'; data: IdiomData } };

export function isIdiom(stored: StoredContribution): stored is StoredIdiom {
  return stored.contribution.kind === 'idiom';
}

export function idiomRecord({ contribution: c }: StoredIdiom): IdiomRecord {
  return {
    id: c.id,
    language: c.language,
    expression: c.data.expression,
    meaning: c.data.meaning,
    example: c.data.example,
    region: c.data.region ?? null,
    register: c.data.register ?? null,
    licence: c.consent.licence,
    contributor: c.contributor,
    campaign: c.campaign,
    created_at: c.createdAt,
  };
}

export function sftRecord({ contribution: c }: StoredIdiom): SftRecord {
  return { messages: idiomConversation(c.data), id: c.id, language: c.language };
}
