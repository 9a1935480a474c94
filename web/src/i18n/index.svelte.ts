/**
 * Translation: `t(key, values)` formats a catalogue message for the current locale with ICU
 * MessageFormat. The locale also sets the document's direction, so right-to-left languages lay
 * out correctly (CSS uses logical properties throughout).
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { en, type MessageKey, type Messages } from './en.ts';

const catalogues: Record<string, Messages> = { en };

const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ks', 'ku', 'ps', 'sd', 'syr', 'ug', 'ur', 'yi']);

/** Text direction of a language tag ('rtl' for Arabic, Hebrew, Persian, Urdu…). */
export function directionOf(tag: string): 'ltr' | 'rtl' {
  try {
    const loc = new Intl.Locale(tag) as Intl.Locale & {
      getTextInfo?: () => { direction?: string };
      textInfo?: { direction?: string };
    };
    const info = loc.getTextInfo?.() ?? loc.textInfo;
    if (info?.direction === 'rtl' || info?.direction === 'ltr') return info.direction;
    return RTL_LANGUAGES.has(loc.language) ? 'rtl' : 'ltr';
  } catch {
    return 'ltr';
  }
}

class I18n {
  locale = $state('en');
  #cache = new Map<string, IntlMessageFormat>();

  get dir(): 'ltr' | 'rtl' {
    return directionOf(this.locale);
  }

  setLocale(tag: string): void {
    const base = tag in catalogues ? tag : (tag.split('-')[0] ?? 'en');
    this.locale = base in catalogues ? base : 'en';
    this.#cache.clear();
    if (typeof document !== 'undefined') {
      document.documentElement.lang = this.locale;
      document.documentElement.dir = this.dir;
    }
  }

  t = (key: MessageKey, values?: Record<string, string | number>): string => {
    const locale = this.locale;
    const cacheKey = `${locale}\u0000${key}`;
    let fmt = this.#cache.get(cacheKey);
    if (!fmt) {
      const source = (catalogues[locale] ?? en)[key] ?? en[key];
      fmt = new IntlMessageFormat(source, locale);
      this.#cache.set(cacheKey, fmt);
    }
    return String(fmt.format(values));
  };
}

export const i18n = new I18n();
export const t = i18n.t;

/** "3 minutes ago", in the current locale. */
export function relativeTime(from: number, now = Date.now()): string {
  const seconds = Math.round((from - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(i18n.locale, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 45) return t('time.justNow');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86400), 'day');
}

export function formatBytes(n: number): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return new Intl.NumberFormat(i18n.locale, { style: 'unit', unit: units[i], maximumFractionDigits: 1 }).format(v);
}
