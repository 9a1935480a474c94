/** The sentence for a staff error code (the server's stable codes, and the app's own). */
import { t } from '../i18n/index.svelte.ts';
import { en, type MessageKey } from '../i18n/en.ts';

export function staffErrorText(code: string): string {
  const key = `staff.error.${code}`;
  return key in en ? t(key as MessageKey) : t('staff.error.other', { code });
}
