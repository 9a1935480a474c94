/**
 * The prompt templates that turn contributions into chat training examples, kept in one place so
 * that changing a wording is one reviewed edit (and a new dataset version). English for now; a
 * later issue adds templates per language.
 *
 * Only idioms and translations need a template: the other kinds carry their own prompt (an
 * instruction's or a rewrite's prompt, a norm's situation, a compare's prompt) in the
 * contributor's language, which is used as written.
 */
import type { IdiomData, NormData, TranslationData } from '../protocol/index.ts';

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export const user = (content: string): ChatMessage => ({ role: 'user', content });
export const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });

export function idiomQuestion(idiom: IdiomData): string {
  return `What does the expression "${idiom.expression}" mean, and how is it used?`;
}

export function idiomAnswer(idiom: IdiomData): string {
  return `${idiom.meaning}\n\nFor example: ${idiom.example}`;
}

export function idiomConversation(idiom: IdiomData): ChatMessage[] {
  return [user(idiomQuestion(idiom)), assistant(idiomAnswer(idiom))];
}

/** English name of a language tag ("Swahili (Kenya)"), or the tag itself when unnamed. */
export function languageName(tag: string): string {
  let name = LANGUAGE_NAMES.get(tag);
  if (name === undefined) {
    try {
      name = ENGLISH_NAMES.of(tag) ?? tag;
    } catch {
      name = tag;
    }
    // A release writes a name per translation record: made once per tag, not once per record.
    if (LANGUAGE_NAMES.size < 10_000) LANGUAGE_NAMES.set(tag, name);
  }
  return name;
}
const ENGLISH_NAMES = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });
const LANGUAGE_NAMES = new Map<string, string>();

export function translationRequest(t: TranslationData, into: string): string {
  return `Translate into ${languageName(into)}: ${t.source}`;
}

export function translationConversation(t: TranslationData, into: string): ChatMessage[] {
  return [user(translationRequest(t, into)), assistant(t.translation)];
}

/**
 * A norm becomes the situation as the user's turn and the contributor's example of a good
 * response as the answer: the example is what a well-brought-up speaker would say, whereas the
 * expectation describes it from outside (it stays in the `norms` config).
 */
export function normConversation(n: NormData): ChatMessage[] {
  return [user(n.situation), assistant(n.goodExample)];
}
