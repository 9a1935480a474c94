/**
 * The per-item stages of a release (stages 2–6), each pure: given a candidate it keeps it
 * (possibly changed) or excludes it with a rule and a reason. The first stage to exclude an item
 * is the one recorded; an excluded item is still written to the working table, so that the
 * report and `rejected.jsonl` can say which stage and which rule dropped it.
 */
import { checkedParse, type ContentKind, Contribution, type ItemStatus } from '../protocol/index.ts';
import { ItemVerifier, signedContentHash } from '../trust/contributors.ts';
import { detectLanguage, DETECTOR } from '../../worker/language.ts';
import { francAllFast } from './langid.ts';
import { DEFAULT_NATIONAL_IDS, redact, scanText, type PersonalDataConfig, type Span } from '../../worker/pii.ts';
import { copyData, eachString, KIND_FIELDS } from './fields.ts';
import type { ReleaseConfig } from './config.ts';
import { normaliseContribution } from './normalise.ts';
import { type GoldRegrade, passesConsensus, regradeDetail } from './reliability.ts';

export interface Candidate {
  contribution: Contribution;
  status: ItemStatus;
  origin: string | null;
  /** The prose, once stage 2 has normalised it. */
  text: string;
  notes: Record<string, unknown>;
}

export interface Exclusion {
  rule: string;
  detail: string;
}

export interface ItemStage {
  name: string;
  /** What the stage does, for the card and the report. */
  description: string;
  /** Undefined: keep (the candidate may have been changed). */
  apply(candidate: Candidate): Exclusion | undefined;
}

export interface StageOptions {
  config: ReleaseConfig;
  /** Node ids whose records are left out (quarantined on the hub). */
  quarantined: ReadonlySet<string>;
  /**
   * Gold regrading (reliability.ts `goldRegrade`, plain data): the status of the items unreliable
   * reviewers voted on, from the other votes. Without it stage 8 applies the same regrading to
   * the work table afterwards (abuse.ts).
   */
  gold?: GoldRegrade;
}

function validate({ config }: StageOptions): ItemStage {
  // One per collect thread: items a device signed together share one verification.
  const verifier = new ItemVerifier();
  return {
    name: 'validate',
    description:
      'Schema check; the author’s signature verified again (unsigned and forged items left out); Unicode NFC; control and bidirectional-override characters removed; whitespace tidied; length bounds per field.',
    apply(candidate) {
      const raw = candidate.contribution as Partial<Contribution>;
      if (raw.key === undefined || raw.signature === undefined) return { rule: 'unsigned', detail: 'stored before contributions were signed' };
      const parsed = checkedParse(Contribution, candidate.contribution);
      if (!parsed.success) return { rule: 'schema', detail: parsed.error.issues[0]?.message ?? 'invalid' };
      const forged = verifier.check(parsed.data, signedContentHash(parsed.data));
      if (forged !== undefined) return { rule: 'bad_signature', detail: forged.message };
      const n = normaliseContribution(parsed.data, config.text);
      // Parsed again only when normalising changed a string (it may have emptied a required one);
      // otherwise the first parse's output is the same item, in the schema's key order.
      let contribution = parsed.data;
      if (n.changed) {
        const again = checkedParse(Contribution, n.contribution);
        if (!again.success) return { rule: 'empty_after_normalisation', detail: again.error.issues[0]?.path.join('.') ?? '' };
        contribution = again.data;
      }
      if (n.outOfBounds) return { rule: n.outOfBounds.bound === 'min' ? 'too_short' : 'too_long', detail: `${n.outOfBounds.field}: ${n.outOfBounds.length} characters` };
      candidate.contribution = contribution;
      candidate.text = n.text;
      return undefined;
    },
  };
}

/** The status stages 3–4 judge: regraded by gold when unreliable reviewers voted on the item. */
function judged(candidate: Candidate, gold: GoldRegrade | undefined): ItemStatus {
  return gold?.items[candidate.contribution.id]?.status ?? candidate.status;
}

function exclusions({ quarantined, gold }: StageOptions): ItemStage {
  return {
    name: 'exclusions',
    description: 'Withdrawn items, edited-away (superseded) revisions, items hidden by moderation and everything from quarantined nodes are left out.',
    apply(candidate) {
      const { origin } = candidate;
      const status = judged(candidate, gold);
      if (status === 'withdrawn') return { rule: 'withdrawn', detail: 'withdrawn by its contributor' };
      if (status === 'superseded') return { rule: 'superseded', detail: 'replaced by a later edit of its author' };
      if (status === 'hidden') return { rule: 'hidden', detail: 'hidden by a moderator or by flags' };
      if (origin !== null && quarantined.has(origin)) return { rule: 'quarantined_node', detail: origin };
      return undefined;
    },
  };
}

const GOLD_NOTE =
  ' Votes of reviewers who disagree with the known answer of gold items (test questions seeded in review queues) too often are not counted: the items they voted on are judged again from the other votes (rule unreliable_votes: accepted only thanks to them).';

function consensus({ config, gold }: StageOptions): ItemStage {
  return {
    name: 'consensus',
    description: (config.includePending
      ? 'Items accepted by review, and (by this release\'s config) items still pending review; rejected items are left out.'
      : 'Only items accepted by community review under their campaign\'s rule, counting only the votes its reviewer policy counts (keys with a credential, or with standing earned on gold items).') + GOLD_NOTE,
    apply(candidate) {
      const regraded = gold?.items[candidate.contribution.id];
      if (regraded !== undefined) {
        candidate.status = regraded.status;
        const was = passesConsensus(regraded.was, config);
        if (was !== passesConsensus(regraded.status, config)) {
          // The decision changed (back in, or out): the item says so (stage 8 counts these).
          candidate.notes.gold = { was: regraded.was, status: regraded.status, without: regraded.dropped };
          if (was) return { rule: 'unreliable_votes', detail: regradeDetail(regraded) };
        }
      }
      const { status } = candidate;
      if (status === 'accepted') return undefined;
      if (status === 'pending' && config.includePending) return undefined;
      return { rule: status === 'rejected' ? 'rejected_by_review' : 'not_yet_reviewed', detail: status };
    },
  };
}

/**
 * The prose that must be in the item's own language: a translation's source sentence is in the
 * pivot language, and an idiom's meaning may be explained in another; the rest is checked whole.
 */
function ownLanguageText(c: Contribution): string {
  if (c.kind === 'translation') return c.data.translation;
  if (c.kind === 'idiom') return [c.data.expression, c.data.example ?? ''].join('\n');
  return '';
}

function language({ config }: StageOptions): ItemStage {
  return {
    name: 'language',
    description: `Each item's language re-checked with ${DETECTOR}; text confidently in another language is rejected.`,
    apply(candidate) {
      if (!config.language.check) return undefined;
      const c = candidate.contribution;
      const text = ownLanguageText(c) || candidate.text;
      const guess = detectLanguage(text, c.language, francAllFast);
      if (guess.matches) return undefined;
      candidate.notes.language = { detected: guess.detected, score: guess.score };
      return { rule: 'wrong_language', detail: `declared ${c.language}, looks like ${guess.detected ?? 'another language'} (margin ${guess.score})` };
    },
  };
}

/** The personal-data detectors' settings for a release: the built-in national ids and the config's own patterns. */
export function personalDataScan(config: ReleaseConfig): PersonalDataConfig {
  return {
    nationalIds: [
      ...DEFAULT_NATIONAL_IDS,
      ...config.personalData.nationalIdPatterns.map((pattern, i) => ({ name: `configured pattern ${i + 1}`, pattern })),
    ],
  };
}

/** Envelope strings a release publishes that a contributor or an organiser chose (ids and times cannot hold any). */
const ENVELOPE_STRINGS = ['language', 'campaign'] as const;

/**
 * Stage 6. Every string of the item is scanned: the free text (fields.ts) has what is found
 * replaced by typed placeholders, or the item dropped (`personalData.action`); anywhere else — a
 * seed id, a model name or revision, a generation setting, a language tag, a campaign slug — it
 * cannot be redacted without making the value meaningless, so the item is left out whatever the
 * action. Those other strings repeat from item to item: their scans are remembered.
 */
function personalData({ config }: StageOptions): ItemStage {
  const scanConfig = personalDataScan(config);
  const known = new Map<string, readonly string[]>();
  const typesIn = (value: string): readonly string[] => {
    let types = known.get(value);
    if (types === undefined) {
      types = scanText(value, scanConfig).map((s) => s.type);
      if (known.size >= 20_000) known.clear();
      known.set(value, types);
    }
    return types;
  };
  return {
    name: 'personal_data',
    description: (config.personalData.action === 'redact'
      ? 'E-mail addresses, phone numbers, payment cards (Luhn), IBANs, personal URLs, social handles and national ids in free text replaced by typed placeholders ([EMAIL], [PHONE], …).'
      : 'Items containing e-mail addresses, phone numbers, payment cards, IBANs, personal URLs, social handles or national ids in free text are left out.') +
      ' Every other string (seed ids, model names, settings, language tags, campaigns) is scanned too; an item with personal data there is left out, as an id cannot be redacted.',
    apply(candidate) {
      const c = candidate.contribution;
      const fields = KIND_FIELDS[c.kind as ContentKind];
      if (fields === undefined) return undefined;
      const found: Record<string, number> = {};
      // Not free text: left out at the first finding.
      let where: string | undefined;
      const check = (value: string, field: string) => {
        if (where !== undefined) return;
        const types = typesIn(value);
        if (types.length === 0) return;
        where = field;
        for (const t of types) found[t] = (found[t] ?? 0) + 1;
      };
      for (const key of ENVELOPE_STRINGS) check(c[key], key);
      for (const path of fields.other) eachString(c.data, path, (value) => check(value, `data.${path.join('.')}`));
      if (where !== undefined) {
        candidate.notes.personalData = found;
        return { rule: 'personal_data', detail: `${Object.keys(found).sort().join(', ')} in ${where}, which is not free text` };
      }
      // Free text: first only scanned (most items hold nothing); the data is copied only to redact.
      const spans: Span[][] = [];
      for (const path of fields.text) {
        eachString(c.data, path, (value) => {
          const s = scanText(value, scanConfig);
          for (const span of s) found[span.type] = (found[span.type] ?? 0) + 1;
          spans.push(s);
        });
      }
      const types = Object.keys(found).sort();
      if (types.length === 0) return undefined;
      candidate.notes.personalData = found;
      if (config.personalData.action === 'drop') return { rule: 'personal_data', detail: types.join(', ') };
      const data = copyData(c.data);
      let i = 0;
      for (const path of fields.text) {
        eachString(data, path, (value, set) => {
          const s = spans[i++]!;
          if (s.length > 0) set(redact(value, s));
        });
      }
      candidate.contribution = { ...c, data } as Contribution;
      candidate.text = redact(candidate.text, scanText(candidate.text, scanConfig));
      return undefined;
    },
  };
}

/** Stages 2–6, in order. */
export function itemStages(options: StageOptions): ItemStage[] {
  return [validate(options), exclusions(options), consensus(options), language(options), personalData(options)];
}
