/**
 * The glossaries in a dataset: `glossary.jsonl`, one line per term of every campaign's glossary,
 * campaigns in slug order and terms in `listTerms` order — the same node state always writes the
 * same bytes. Written to a temporary name and moved into place when complete (jsonl.ts).
 */
import { join } from 'node:path';
import { listTerms } from '../protocol/glossary.doc.ts';
import { jsonlWriter } from '../dataset/jsonl.ts';
import type { GlossaryStore } from './store.ts';

export const GLOSSARY_FILE = 'glossary.jsonl';

export interface GlossaryRecord {
  campaign: string;
  term: string;
  rendering: string;
  language: string;
  notes: string;
}

/** Shaped like the dataset builder's extra configurations, so the card lists it with the others. */
export interface GlossaryExport {
  config: 'glossary';
  files: [{ split: 'train'; path: typeof GLOSSARY_FILE }];
  description: string;
  count: number;
}

const DESCRIPTION =
  'The campaigns\' shared glossaries, co-edited by their contributors: one record per term with ' +
  '`campaign`, `term`, `rendering` (the preferred rendering), `language` (BCP 47, or empty) and ' +
  '`notes`, by campaign and then term.';

export async function writeGlossary(glossary: GlossaryStore, outDir: string): Promise<GlossaryExport> {
  const out = jsonlWriter(join(outDir, GLOSSARY_FILE));
  let count = 0;
  try {
    for (const campaign of await glossary.campaigns()) {
      const doc = await glossary.load(campaign);
      for (const t of listTerms(doc)) {
        const record: GlossaryRecord = { campaign, term: t.term, rendering: t.rendering, language: t.language, notes: t.notes };
        await out.write(record);
        count++;
      }
      doc.destroy();
    }
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
  return { config: 'glossary', files: [{ split: 'train', path: GLOSSARY_FILE }], description: DESCRIPTION, count };
}
