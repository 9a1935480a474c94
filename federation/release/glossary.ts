/**
 * The `glossary` config of a release: every campaign's shared glossary (federation/glossary/),
 * read from the store the release is built from (a snapshot copies `glossary_updates`), one
 * record per term — `campaign`, `term`, `rendering`, `language`, `notes` — in `glossary/train.jsonl`
 * and its Parquet shards, written by the pipeline like every other config (pipeline.ts hands each
 * record to the same writers).
 *
 * Terms go through the release's hygiene where it applies to them: the text fields are normalised
 * as stage 2 does (NFC, control and bidi-override characters removed, whitespace tidied), the
 * language tag is put in canonical form (an invalid one becomes empty), and personal data in the
 * text fields is redacted to typed placeholders or the term left out, as `personalData.action`
 * says, with the detectors of stage 6. A term whose text is empty once cleaned is left out.
 * Glossaries have no origin, author or review, so stages 3–5 and 7–9 do not apply.
 *
 * Order: campaigns by slug (code-unit order, whatever the database's collation), terms in
 * `listTerms` order (term, language, id) — the same store and config give the same bytes.
 */
import type { Store } from '../store/index.ts';
import { canonicalLanguageTag } from '../protocol/language.ts';
import type { GlossaryTerm } from '../protocol/glossary.ts';
import { listTerms } from '../protocol/glossary.doc.ts';
import { redact, scanText, type PersonalDataConfig } from '../../worker/pii.ts';
import { openGlossaryStore } from '../glossary/store.ts';
import type { ReleaseConfig } from './config.ts';
import { normaliseText } from './normalise.ts';
import { personalDataScan } from './stages.ts';

export const GLOSSARY_CONFIG = 'glossary';
export const GLOSSARY_SPLIT = 'train';

export const GLOSSARY_DESCRIPTION =
  'The campaigns\' shared glossaries, co-edited by their contributors: one record per term with ' +
  '`campaign`, `term`, `rendering` (the preferred rendering), `language` (BCP 47, or empty) and ' +
  '`notes`, by campaign and then term. A reference for consistent wording, not training pairs: ' +
  'it has only a `train` split, and its terms carry no contributor, review or licence of their own.';

/** One term of one campaign's glossary, as the config's rows hold it (the Parquet columns' order). */
export interface GlossaryRecord {
  campaign: string;
  term: string;
  rendering: string;
  language: string;
  notes: string;
}

/** What happened to the terms on their way into the release (report.json's `glossary`). */
export interface GlossaryReport {
  /** Campaigns with a glossary in the store. */
  campaigns: number;
  /** Terms read (the valid live terms of every glossary). */
  read: number;
  /** Terms written to the `glossary` config. */
  kept: number;
  /** Terms left out, by rule: `empty` (no term text once cleaned), `personal_data` (action drop). */
  excluded: Record<string, number>;
  /** Terms kept but changed, by what changed them: `normalised` (text or language tag), `personal_data` (redacted). */
  changed: Record<string, number>;
  /** Personal data found in the terms, by type. */
  personalData: Record<string, number>;
}

const TEXT_FIELDS = ['term', 'rendering', 'notes'] as const;

const add = (r: Record<string, number>, key: string, n = 1) => {
  r[key] = (r[key] ?? 0) + n;
};

const sorted = (r: Record<string, number>) => Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]!]));

/** One term through the hygiene: its record, or the rule that left it out. */
function cleanTerm(campaign: string, t: GlossaryTerm, config: ReleaseConfig, scanConfig: PersonalDataConfig, report: GlossaryReport): GlossaryRecord | undefined {
  const text = { term: normaliseText(t.term), rendering: normaliseText(t.rendering), notes: normaliseText(t.notes) };
  const language = t.language === '' ? '' : (canonicalLanguageTag(t.language) ?? '');
  const normalised = language !== t.language || TEXT_FIELDS.some((f) => text[f] !== t[f]);
  if (text.term === '') {
    add(report.excluded, 'empty');
    return undefined;
  }
  let found = false;
  for (const f of TEXT_FIELDS) {
    const spans = scanText(text[f], scanConfig);
    if (spans.length === 0) continue;
    found = true;
    for (const s of spans) add(report.personalData, s.type);
    text[f] = redact(text[f], spans);
  }
  if (found && config.personalData.action === 'drop') {
    add(report.excluded, 'personal_data');
    return undefined;
  }
  if (normalised) add(report.changed, 'normalised');
  if (found) add(report.changed, 'personal_data');
  return { campaign, term: text.term, rendering: text.rendering, language, notes: text.notes };
}

/**
 * Reads every campaign's glossary from `store` and hands each cleaned term's record, with its
 * JSON text, to `write` (which may ask to wait: the Parquet thread is behind). Returns the report.
 */
export async function releaseGlossary(
  store: Store,
  config: ReleaseConfig,
  write: (record: GlossaryRecord, json: string) => Promise<void> | undefined,
): Promise<GlossaryReport> {
  const glossary = openGlossaryStore(store.db);
  const scanConfig = personalDataScan(config);
  const campaigns = (await glossary.campaigns()).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const report: GlossaryReport = { campaigns: campaigns.length, read: 0, kept: 0, excluded: {}, changed: {}, personalData: {} };
  for (const campaign of campaigns) {
    const doc = await glossary.load(campaign);
    try {
      for (const term of listTerms(doc)) {
        report.read++;
        const record = cleanTerm(campaign, term, config, scanConfig, report);
        if (record === undefined) continue;
        report.kept++;
        const behind = write(record, JSON.stringify(record));
        if (behind !== undefined) await behind;
      }
    } finally {
      doc.destroy();
    }
  }
  return { ...report, excluded: sorted(report.excluded), changed: sorted(report.changed), personalData: sorted(report.personalData) };
}

/** The glossary's figures in one sentence (the card, report.html). */
export function describeGlossary(r: GlossaryReport): string {
  const list = (x: Record<string, number>) => Object.entries(x).map(([k, n]) => `${k.replace(/_/g, ' ')}: ${n}`).join(', ');
  const excluded = Object.values(r.excluded).reduce((a, b) => a + b, 0);
  const changed = Object.values(r.changed).reduce((a, b) => a + b, 0);
  const pii = list(r.personalData);
  return `${r.read} terms read from ${r.campaigns} campaign glossar${r.campaigns === 1 ? 'y' : 'ies'}, ${r.kept} written; ` +
    `${excluded} left out${excluded > 0 ? ` (${list(r.excluded)})` : ''}, ${changed} changed and kept${changed > 0 ? ` (${list(r.changed)})` : ''}. ` +
    `Personal data found, by type: ${pii || 'none'}.`;
}
