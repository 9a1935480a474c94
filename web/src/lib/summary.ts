/** A title and a body line for any contribution, for lists (My contributions, review queue). */
import type { Contribution } from '../../../federation/protocol/index.ts';

/** What a summary reads of an item: its kind and data (signed or not, an author's or a reviewer's view). */
type Summarisable = Contribution extends infer C ? (C extends Contribution ? Pick<C, 'kind' | 'data'> : never) : never;

export interface Summary {
  title: string;
  body: string;
}

export function summarise(c: Summarisable): Summary {
  switch (c.kind) {
    case 'idiom':
      return { title: c.data.expression, body: c.data.meaning };
    case 'instruction':
      return { title: c.data.prompt, body: c.data.answer };
    case 'rewrite':
      return { title: c.data.prompt, body: c.data.rewrite };
    case 'compare':
      // The chosen answer; for a tie or "both bad", both, in the order they were shown.
      return {
        title: c.data.prompt,
        body: c.data.choice === 'a' ? c.data.a.text : c.data.choice === 'b' ? c.data.b.text : `${c.data.a.text} · ${c.data.b.text}`,
      };
    case 'translation':
      return { title: c.data.source, body: c.data.translation };
    case 'norm':
      return { title: c.data.situation, body: c.data.expectation };
    case 'rule':
      return { title: c.data.rule, body: c.data.citation };
    case 'eval':
      return { title: c.data.question, body: c.data.referenceAnswer };
    case 'review':
      return { title: c.data.action, body: c.data.target };
    case 'withdrawal':
      return { title: c.data.scope, body: c.data.scope === 'item' ? c.data.target : '' };
  }
}
