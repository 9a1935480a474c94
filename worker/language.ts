/**
 * The on-device language check: does a contribution's free text look like the item's language?
 *
 * The model is franc (trigram profiles of 156 languages from the Universal Declaration of Human
 * Rights, plus script detection for languages with their own script; about 300 kB, pure
 * JavaScript, no I/O), so the same check runs in the model worker and in Node. franc answers
 * ISO 639-3; the check answers ISO 639-1 where the language has such a code (as BCP 47 prefers),
 * otherwise the 639-3 code.
 *
 * Short texts are told apart far better among fewer candidates (with all 156, English is taken
 * for Scots half the time), so the candidates are the languages of 8M+ speakers (the set of
 * franc-min), every language franc knows by its script, and the item's own language: an item in
 * a small language is still checked, against the big ones.
 *
 * `score` is the margin of the best language over the runner-up (0 = a tie, 1 = nothing else
 * came close), after merging franc's codes that name the same language (e.g. Dari and Persian).
 * `matches` asks a softer question than "was the item's language the top guess": short texts in
 * related languages (Russian/Ukrainian, Hindi/Maithili, Indonesian/Malay) often put the right
 * language a little behind, so the item's language (or one mutually intelligible with it) matches
 * when its relative score is at least MATCH_THRESHOLD. When the text is too short to tell,
 * `detected` is null and nothing contradicts the item's language: `matches` is true — as for a
 * language franc has no profile of. The item's tag is canonical BCP 47, so franc's answers are
 * matched through the same canonicalisation (Tagalog `tl` is `fil`).
 * See docs/checks.md for how this was chosen and measured.
 */
import { francAll } from 'franc';
import { data } from 'franc/data.js';
import { expressions } from 'franc/expressions.js';
import { canonicalLanguageTag } from '../federation/protocol/language.ts';

export const DETECTOR = 'franc@6.2.0';
/** Fewest letters (franc counts characters without punctuation) worth asking about. */
export const MIN_LENGTH = 10;
/** Relative score (best = 1) at or above which the item's language counts as a match. */
export const MATCH_THRESHOLD = 0.8;

const ISO3_TO_1: Readonly<Record<string, string>> = {
  afr: 'af', als: 'sq', amh: 'am', arb: 'ar', ayr: 'ay', azj: 'az', bam: 'bm', bel: 'be', ben: 'bn', bod: 'bo',
  bos: 'bs', bul: 'bg', cat: 'ca', ces: 'cs', ckb: 'ku', cmn: 'zh', dan: 'da', deu: 'de', ekk: 'et', ell: 'el',
  eng: 'en', epo: 'eo', ewe: 'ee', fin: 'fi', fra: 'fr', fuf: 'ff', fuv: 'ff', glg: 'gl', guj: 'gu', hat: 'ht',
  hau: 'ha', heb: 'he', hin: 'hi', hrv: 'hr', hun: 'hu', hye: 'hy', ibo: 'ig', iii: 'ii', ind: 'id', ita: 'it',
  jav: 'jv', jpn: 'ja', kan: 'kn', kat: 'ka', kaz: 'kk', khk: 'mn', khm: 'km', kin: 'rw', kir: 'ky', kng: 'kg',
  knc: 'kr', kor: 'ko', lao: 'lo', lin: 'ln', lit: 'lt', lug: 'lg', lvs: 'lv', mal: 'ml', mar: 'mr', mkd: 'mk',
  mya: 'my', ndo: 'ng', nld: 'nl', nno: 'nn', nob: 'nb', npi: 'ne', nya: 'ny', pan: 'pa', pbu: 'ps', pes: 'fa',
  plt: 'mg', pol: 'pl', por: 'pt', prs: 'fa', quy: 'qu', quz: 'qu', qug: 'qu', ron: 'ro', run: 'rn', rus: 'ru',
  sag: 'sg', sin: 'si', slk: 'sk', slv: 'sl', sna: 'sn', sot: 'st', som: 'so', spa: 'es', src: 'sc', srp: 'sr',
  ssw: 'ss', sun: 'su', swe: 'sv', swh: 'sw', tam: 'ta', tat: 'tt', tel: 'te', tgk: 'tg', tgl: 'tl', tha: 'th',
  tir: 'ti', tsn: 'tn', tso: 'ts', tuk: 'tk', tur: 'tr', uig: 'ug', ukr: 'uk', urd: 'ur', uzn: 'uz', ven: 've',
  vie: 'vi', wol: 'wo', xho: 'xh', ydd: 'yi', yor: 'yo', zlm: 'ms', zul: 'zu', zyb: 'za',
  // Macrolanguage and other codes an item's own language tag may use.
  ara: 'ar', aze: 'az', est: 'et', fas: 'fa', ful: 'ff', kur: 'ku', lav: 'lv', mlg: 'mg', mon: 'mn', msa: 'ms',
  nep: 'ne', nor: 'no', que: 'qu', sqi: 'sq', swa: 'sw', uzb: 'uz', yid: 'yi', zho: 'zh', aym: 'ay',
};

/** franc-min's languages (8M+ speakers), the languages franc tells by script, and Hebrew and Yiddish. */
const COMMON: readonly string[] = [
  'spa', 'eng', 'por', 'ind', 'fra', 'deu', 'jav', 'vie', 'ita', 'tur', 'pol', 'swh', 'sun', 'ron', 'hau', 'fuv',
  'bos', 'hrv', 'nld', 'srp', 'ckb', 'yor', 'uzn', 'zlm', 'ibo', 'ceb', 'tgl', 'hun', 'azj', 'ces', 'run', 'plt',
  'qug', 'mad', 'nya', 'zyb', 'kin', 'zul', 'swe', 'lin', 'som', 'hms', 'hnj', 'ilo', 'rus', 'ukr', 'koi', 'bel',
  'bul', 'kaz', 'arb', 'urd', 'pes', 'skr', 'pbu', 'hin', 'mar', 'mai', 'bho', 'npi', 'mag',
  'cmn', 'jpn', 'kor', 'ben', 'tel', 'tam', 'guj', 'kan', 'mal', 'mya', 'pan', 'amh', 'tha', 'sin', 'ell',
  'khm', 'hye', 'sat', 'bod', 'kat', 'lao', 'zgh', 'iii', 'aii', 'heb', 'ydd',
];

/** Every language franc can answer (639-3): its trigram profiles and the languages it tells by script alone. */
const FRANC_LANGUAGES: ReadonlySet<string> = new Set([
  ...Object.values(data as Record<string, Record<string, string>>).flatMap((profiles) => Object.keys(profiles)),
  ...Object.keys(expressions).filter((k) => /^[a-z]{3}$/.test(k)),
]);

/** Every franc code (639-3) of a language, given its 639-1 or 639-3 code. */
function francCodes(code: string): string[] {
  const out = Object.entries(ISO3_TO_1).filter(([, one]) => one === code).map(([three]) => three);
  return out.length > 0 ? out : [code];
}

/**
 * A contributor's tag is canonical BCP 47 (protocol/language.ts), which renames some languages
 * franc answers under their old code: Tagalog `tl` is `fil`, Central Bikol `bcl` is `bik`, Eastern
 * Maninkakan `emk` is `man`. Here, from the platform's own canonicalisation of every code franc
 * answers (and its 639-1 code): the canonical primary subtag → the codes it answers for it.
 */
const ANSWERED_AS: ReadonlyMap<string, readonly string[]> = (() => {
  const out = new Map<string, Set<string>>();
  for (const three of FRANC_LANGUAGES) {
    const answered = ISO3_TO_1[three] ?? three;
    for (const spelling of new Set([three, answered])) {
      const primary = canonicalLanguageTag(spelling)?.split('-')[0];
      if (primary === undefined || primary === answered) continue;
      out.set(primary, (out.get(primary) ?? new Set()).add(answered));
    }
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
})();

/** Languages written alike enough that a short text in one is fair in an item of the other. */
const CLOSE: readonly (readonly string[])[] = [
  ['no', 'nb', 'nn'],
  ['bs', 'hr', 'sr'],
  ['id', 'ms'],
];

const LANGUAGE_CODES = new Map<string, string>();

/** The ISO 639 code of a BCP 47 tag or a franc code: 639-1 when there is one. */
export function languageCode(tag: string): string {
  // Remembered: a release asks once per candidate language of every item (about 60 per item).
  let code = LANGUAGE_CODES.get(tag);
  if (code === undefined) {
    const primary = tag.toLowerCase().split(/[-_]/)[0] ?? '';
    code = ISO3_TO_1[primary] ?? primary;
    if (LANGUAGE_CODES.size < 10_000) LANGUAGE_CODES.set(tag, code);
  }
  return code;
}

/** The codes (as `languageCode` gives them) a text in `itemLanguage` may be detected as. */
export function acceptableCodes(itemLanguage: string): Set<string> {
  const code = languageCode(itemLanguage);
  const set = new Set([code, ...(ANSWERED_AS.get(code) ?? [])]);
  for (const group of CLOSE) if (group.includes(code)) for (const c of group) set.add(c);
  return set;
}

interface Candidates {
  allowed: Set<string>;
  only: string[];
  /** Whether franc can answer the item's language at all (else the check cannot tell). */
  known: boolean;
}

const candidateLists = new Map<string, Candidates>();

/** The languages an item's text may be in, and the candidates to rank, per item language (memoised: the same list each time). */
function candidatesFor(itemLanguage: string): Candidates {
  let entry = candidateLists.get(itemLanguage);
  if (entry === undefined) {
    const allowed = acceptableCodes(itemLanguage);
    const only = new Set(COMMON);
    let known = false;
    for (const c of allowed) {
      for (const three of francCodes(c)) {
        only.add(three);
        if (FRANC_LANGUAGES.has(three)) known = true;
      }
    }
    entry = { allowed, only: [...only], known };
    if (candidateLists.size > 1000) candidateLists.clear();
    candidateLists.set(itemLanguage, entry);
  }
  return entry;
}

export interface LanguageGuess {
  /** ISO 639 code of the best guess, or null when the text is too short or unlike any language. */
  detected: string | null;
  /** Margin of the best guess over the runner-up, 0–1. */
  score: number;
  /** Whether the text could be in `itemLanguage` (true when nothing can be told, or franc does not know the language). */
  matches: boolean;
}

/**
 * `rank` is franc's `francAll` unless a caller brings an implementation giving the same answers
 * (the release pipeline's faster one, federation/release/langid.ts).
 */
export function detectLanguage(text: string, itemLanguage: string, rank: (value: string, options: { minLength: number; only: string[] }) => [string, number][] = francAll): LanguageGuess {
  const { allowed, only, known } = candidatesFor(itemLanguage);
  const relative = new Map<string, number>();
  const guesses = rank(text, { minLength: MIN_LENGTH, only });
  for (const [code, rawScore] of guesses) {
    if (code === 'und') continue;
    // franc scores relative to the spread of its candidates; a lone candidate comes back as 0.
    const score = guesses.length === 1 ? 1 : rawScore;
    const c = languageCode(code);
    relative.set(c, Math.max(relative.get(c) ?? 0, score));
  }
  const ranked = [...relative].sort((a, b) => b[1] - a[1]);
  const best = ranked[0];
  if (!best) return { detected: null, score: 0, matches: true };
  const runnerUp = ranked[1]?.[1] ?? 0;
  const score = Math.round(Math.max(0, Math.min(1, best[1] - runnerUp)) * 1000) / 1000;
  // A language franc has no profile for can never come out on top: the check cannot tell, so it
  // does not contradict the item (else no text in that language could ever be accepted).
  let matches = !known;
  for (const c of allowed) if ((relative.get(c) ?? 0) >= MATCH_THRESHOLD) matches = true;
  return { detected: best[0], score, matches };
}
