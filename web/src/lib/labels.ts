/**
 * Catalogue keys for the generic forms: a kind's own label for a field when it has one
 * (`rule.citation`), else the shared one (`form.prompt`). Kept apart from the components so the
 * lookup is checked against the catalogue in one place.
 */
import { en, type MessageKey } from '../i18n/en.ts';

const has = (key: string): key is MessageKey => key in en;

export function fieldKey(kind: string, name: string): MessageKey {
  const own = `${kind}.${name}`;
  if (has(own)) return own;
  const shared = `form.${name}`;
  if (has(shared)) return shared;
  throw new Error(`No label for ${own}`);
}

export function hintKey(kind: string, name: string): MessageKey | undefined {
  const own = `${kind}.${name}.hint`;
  return has(own) ? own : undefined;
}

export function optionKey(name: string, value: string): MessageKey {
  const key = name === 'register' ? `idiom.register.${value}` : `option.${name}.${value}`;
  if (has(key)) return key;
  throw new Error(`No label for option ${key}`);
}
