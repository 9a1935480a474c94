/**
 * The per-item stages of a release (stages 2–6), each pure: given a candidate it keeps it
 * (possibly changed) or excludes it with a rule and a reason. The first stage to exclude an item
 * is the one recorded; an excluded item is still written to the working table, so that the
 * report and `rejected.jsonl` can say which stage and which rule dropped it.
 */
import { checkedParse, Contribution, type ItemStatus } from '../protocol/index.ts';
import { ItemVerifier, signedContentHash } from '../trust/contributors.ts';
import { detectLanguage, DETECTOR } from '../../worker/language.ts';
import { francAllFast } from './langid.ts';
import { DEFAULT_NATIONAL_IDS, redact, scanText, type PersonalDataConfig } from '../../worker/pii.ts';
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
      : 'Only items accepted by community review under their campaign\'s rule.') + GOLD_NOTE,
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

function personalData({ config }: StageOptions): ItemStage {
  const scanConfig = personalDataScan(config);
  return {
    name: 'personal_data',
    description: config.personalData.action === 'redact'
      ? 'E-mail addresses, phone numbers, payment cards (Luhn), IBANs, personal URLs, social handles and national ids replaced by typed placeholders ([EMAIL], [PHONE], …).'
      : 'Items containing e-mail addresses, phone numbers, payment cards, IBANs, personal URLs, social handles or national ids are left out.',
    apply(candidate) {
      // First only scanned (most items hold nothing): the data is rebuilt only to redact.
      const found: Record<string, number> = {};
      const scan = (value: unknown): void => {
        if (typeof value === 'string') {
          for (const s of scanText(value, scanConfig)) found[s.type] = (found[s.type] ?? 0) + 1;
        } else if (Array.isArray(value)) {
          for (const v of value) scan(v);
        } else if (typeof value === 'object' && value !== null) {
          for (const [k, v] of Object.entries(value)) if (k !== 'source' && k !== 'settings') scan(v);
        }
      };
      scan(candidate.contribution.data);
      const types = Object.keys(found).sort();
      if (types.length === 0) return undefined;
      candidate.notes.personalData = found;
      if (config.personalData.action === 'drop') return { rule: 'personal_data', detail: types.join(', ') };
      const redactAll = (value: unknown): unknown => {
        if (typeof value === 'string') {
          const spans = scanText(value, scanConfig);
          return spans.length === 0 ? value : redact(value, spans);
        }
        if (Array.isArray(value)) return value.map(redactAll);
        if (typeof value === 'object' && value !== null) {
          return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'source' || k === 'settings' ? v : redactAll(v)]));
        }
        return value;
      };
      const data = redactAll(candidate.contribution.data);
      candidate.contribution = { ...candidate.contribution, data } as Contribution;
      const spans = scanText(candidate.text, scanConfig);
      candidate.text = redact(candidate.text, spans);
      return undefined;
    },
  };
}

/** Stages 2–6, in order. */
export function itemStages(options: StageOptions): ItemStage[] {
  return [validate(options), exclusions(options), consensus(options), language(options), personalData(options)];
}
