/**
 * Personal data in contributed text: e-mail addresses, phone numbers, payment card numbers,
 * IBANs, URLs that point at a person, social handles and national id numbers. Pure (no I/O), so
 * the model worker runs it on the device and Node runs it in tests.
 *
 * Each finder is a pattern plus, where the format has one, its checksum (Luhn for cards and the
 * South African id, mod 97 for IBANs), which is what keeps prices, dates, ISBNs and order numbers
 * out. Where two findings overlap, the more specific type wins, in the order of FINDERS (an e-mail
 * is not also a handle; an IBAN is not also a phone number). National id formats differ by
 * country, so they are configuration: `PersonalDataConfig.nationalIds` (see docs/checks.md).
 */
import { REDACTION_PLACEHOLDER, type PersonalDataType } from '../federation/protocol/index.ts';

export interface Span {
  type: PersonalDataType;
  /** UTF-16 offsets into the scanned text, end exclusive. */
  start: number;
  end: number;
  text: string;
}

/** A national id format: a regular expression (source and flags) and an optional checksum. */
export interface NationalIdPattern {
  /** What it is, for operators: "ZA identity number". */
  name: string;
  pattern: string;
  flags?: string;
  check?: 'luhn';
}

export interface PersonalDataConfig {
  nationalIds: readonly NationalIdPattern[];
}

/** Formats distinctive enough to find without context; a deployment replaces or extends them. */
export const DEFAULT_NATIONAL_IDS: readonly NationalIdPattern[] = [
  // YYMMDD, 4 sequence digits, citizenship (0/1), one digit, Luhn check digit.
  { name: 'ZA identity number', pattern: '\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{4}[01]\\d{2}', check: 'luhn' },
  { name: 'US social security number', pattern: '(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}' },
  { name: 'UK national insurance number', pattern: '[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\\d{2} ?\\d{2} ?\\d{2} ?[A-D]' },
];

export const DEFAULT_CONFIG: PersonalDataConfig = { nationalIds: DEFAULT_NATIONAL_IDS };

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 1 && sum % 10 === 0;
}

export function ibanValid(iban: string): boolean {
  const s = iban.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let remainder = 0;
  for (const ch of moved) {
    const value = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

const digitsOf = (s: string) => s.replace(/\D/g, '');

// Not inside a longer word, number or address.
const B = String.raw`(?<![\p{L}\p{N}_@./:+-])`;
const E = String.raw`(?![\p{L}\p{N}_@]|[./-][\p{L}\p{N}])`;

const EMAIL = new RegExp(String.raw`(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}(?![\p{L}\p{N}])`, 'gu');
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'()]+[^\s<>"'().,;:!?]/giu;
const IBAN_RE = new RegExp(`${B}[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?${E}`, 'gu');
const CARD_RE = new RegExp(`${B}[2-6]\\d{3}(?:[ -]?\\d{2,4}){2,4}${E}`, 'gu');
const PHONE_INTL = new RegExp(String.raw`(?<![\p{L}\p{N}_@./:-])(?:\+|00)[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,5}${E}`, 'gu');
const PHONE_NATIONAL = new RegExp(
  `${B}(?:\\(0\\d{1,4}\\)|0\\d{1,4})(?:[ .-]?\\d{2,4}){1,4}${E}|${B}(?:\\(\\d{3}\\) ?|\\d{3}[-.])\\d{3}[-.]\\d{4}${E}`,
  'gu',
);
const HANDLE_RE = /(?<![\p{L}\p{N}_.@/])@(?=[\p{N}_.]*\p{L})[\p{L}\p{N}_](?:[\p{L}\p{N}_.]{0,28}[\p{L}\p{N}_])?(?![\p{L}\p{N}_@]|\.[\p{L}\p{N}])/gu;

/** Hosts where a path names a person's page. */
const PROFILE_HOSTS = /^(?:www\.|m\.|mobile\.)?(?:facebook\.com|fb\.com|instagram\.com|twitter\.com|x\.com|tiktok\.com|linkedin\.com|github\.com|gitlab\.com|youtube\.com|t\.me|wa\.me|vk\.com|medium\.com|threads\.net|snapchat\.com|pinterest\.com|reddit\.com|flickr\.com|soundcloud\.com)$/i;
/** Paths on the above that are not a person (help pages, login, search…). */
const GENERIC_FIRST_SEGMENT = /^(?:about|help|login|signup|search|explore|privacy|terms|legal|policies|settings|home|watch|hashtag|share|intent|groups|events|pages|topics|jobs|company|r|results|feed)$/i;
/** Paths that name a person on any site. */
const PERSONAL_PATH = /\/(?:~[^/?#]+|(?:users?|u|members?|people|profiles?|in|author|staff)\/[^/?#]+|@[^/?#]+)|[?&](?:email|e-mail|phone|tel|mobile|user(?:name)?|uid|token)=/i;

function personalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(/^www\./i.test(url) ? `https://${url}` : url);
  } catch {
    return false;
  }
  if (parsed.username !== '') return true;
  const rest = parsed.pathname + parsed.search;
  if (PERSONAL_PATH.test(rest)) return true;
  if (!PROFILE_HOSTS.test(parsed.hostname)) return false;
  const first = parsed.pathname.split('/').find((s) => s !== '');
  return first !== undefined && !GENERIC_FIRST_SEGMENT.test(first);
}

type Finder = {
  type: PersonalDataType;
  /** A cheap test a text must pass for the finder to find anything in it (none: always run). */
  needs?: RegExp;
  find(text: string, config: PersonalDataConfig): Array<[number, string]>;
};

const DIGIT = /\d/;
const AT = /@/;

const nationalIdExpressions = new WeakMap<NationalIdPattern, RegExp>();
/** A national id format's expression, compiled once per pattern object (matchAll copies it, so sharing is safe). */
function nationalIdExpression(id: NationalIdPattern): RegExp {
  let re = nationalIdExpressions.get(id);
  if (re === undefined) {
    re = new RegExp(`${B}(?:${id.pattern})${E}`, `g${(id.flags ?? '').replace(/[gyu]/g, '')}u`);
    nationalIdExpressions.set(id, re);
  }
  return re;
}

function matches(re: RegExp, text: string, keep: (m: string) => boolean = () => true): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const m of text.matchAll(re)) if (keep(m[0])) out.push([m.index, m[0]]);
  return out;
}

const phoneDigitsOk = (m: string, min: number) => {
  const n = digitsOf(m).length;
  return n >= min && n <= 15;
};

/** In order of precedence. */
const FINDERS: readonly Finder[] = [
  { type: 'email', needs: AT, find: (t) => matches(EMAIL, t) },
  { type: 'url', needs: /https?:\/\/|www\./iu, find: (t) => matches(URL_RE, t, personalUrl) },
  { type: 'iban', needs: DIGIT, find: (t) => matches(IBAN_RE, t, ibanValid) },
  {
    type: 'card',
    needs: DIGIT,
    find: (t) =>
      matches(CARD_RE, t, (m) => {
        const d = digitsOf(m);
        return d.length >= 13 && d.length <= 19 && luhnValid(d);
      }),
  },
  {
    type: 'national_id',
    find: (t, config) =>
      config.nationalIds.flatMap((id) =>
        // The built-in formats all hold digits; a configured one may not, so it always runs.
        DEFAULT_NATIONAL_IDS.includes(id) && !DIGIT.test(t) ? [] : matches(nationalIdExpression(id), t, (m) => (id.check === 'luhn' ? luhnValid(digitsOf(m)) : true)),
      ),
  },
  {
    type: 'phone',
    needs: DIGIT,
    find: (t) => [
      ...matches(PHONE_INTL, t, (m) => phoneDigitsOk(m, 8)),
      ...matches(PHONE_NATIONAL, t, (m) => phoneDigitsOk(m, 9) && digitsOf(m).length <= 11),
    ],
  },
  { type: 'handle', needs: AT, find: (t) => matches(HANDLE_RE, t) },
];

/** Every finding in `text`, in text order, none overlapping. */
export function scanText(text: string, config: PersonalDataConfig = DEFAULT_CONFIG): Span[] {
  const taken: Span[] = [];
  for (const finder of FINDERS) {
    if (finder.needs !== undefined && !finder.needs.test(text)) continue;
    for (const [start, found] of finder.find(text, config)) {
      const end = start + found.length;
      if (taken.some((s) => start < s.end && s.start < end)) continue;
      taken.push({ type: finder.type, start, end, text: found });
    }
  }
  return taken.sort((a, b) => a.start - b.start);
}

/** `text` with each of `spans` replaced by its type's placeholder, e.g. `[EMAIL]`. */
export function redact(text: string, spans: readonly Span[]): string {
  let out = text;
  for (const s of [...spans].sort((a, b) => b.start - a.start)) {
    if (out.slice(s.start, s.end) !== s.text) continue; // stale: the text changed since the scan
    out = out.slice(0, s.start) + REDACTION_PLACEHOLDER[s.type] + out.slice(s.end);
  }
  return out;
}
