/**
 * The prompt templates that turn contributions into chat training examples, kept in one place so
 * that changing a wording is one reviewed edit (and a new dataset version). English for now; a
 * later issue adds templates per language.
 */
import type { IdiomData } from '../protocol/index.ts';

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export function idiomQuestion(idiom: IdiomData): string {
  return `What does the expression "${idiom.expression}" mean, and how is it used?`;
}

export function idiomAnswer(idiom: IdiomData): string {
  return `${idiom.meaning}\n\nFor example: ${idiom.example}`;
}

export function idiomConversation(idiom: IdiomData): ChatMessage[] {
  return [
    { role: 'user', content: idiomQuestion(idiom) },
    { role: 'assistant', content: idiomAnswer(idiom) },
  ];
}
