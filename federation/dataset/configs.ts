/**
 * The files `vernacular dataset build` always writes (empty when nothing went in), one folder per
 * training use as the release pipeline lays them out with everything in `train` (eval: `test`):
 *
 *   idioms/train.jsonl       one record per idiom
 *   sft/train.jsonl          chats (`messages`) from idioms, instructions, rewrites, translations, norms
 *   preference/train.jsonl   TRL explicit-prompt conversational pairs from rewrites and compares
 *   translation/train.jsonl  parallel sentence pairs with both language tags
 *   norms/train.jsonl        cultural norms
 *   rules/train.jsonl        hard rules with citations and examples
 *   eval/test.jsonl          held-out evaluation questions (never in sft)
 *   glossary/train.jsonl     the campaigns' shared glossaries, one term per line
 *   README.md                the dataset card
 */
import { GLOSSARY_DESCRIPTION } from '../release/glossary.ts';

export interface DatasetFile {
  split: string;
  path: string;
}

export interface DatasetConfig {
  config: string;
  files: DatasetFile[];
  /** One paragraph for the card. */
  description: string;
}

export const CONFIGS = [
  {
    config: 'idioms',
    files: [{ split: 'train', path: 'idioms/train.jsonl' }],
    description:
      'One record per idiom: `expression`, `meaning`, `example`, `region` and `register` (or null), ' +
      'with the provenance fields.',
  },
  {
    config: 'sft',
    files: [{ split: 'train', path: 'sft/train.jsonl' }],
    description:
      'Supervised fine-tuning chats in the `messages` format (`role`, `content`), with `id`, ' +
      '`language` and the `kind` each came from. Idioms: a fixed English question about the ' +
      'expression, answered by its meaning and example. Instructions: the prompt and the answer. ' +
      'Rewrites: the prompt and the fluent rewrite. Translations: "Translate into <language>: <source>" ' +
      'and the translation. Norms: the situation and the example of a good response.',
  },
  {
    config: 'preference',
    files: [{ split: 'train', path: 'preference/train.jsonl' }],
    description:
      'Preference pairs in TRL\'s explicit-prompt conversational form: `prompt` (a user turn), ' +
      '`chosen` and `rejected` (assistant turns). From rewrites (chosen: the rewrite, rejected: the ' +
      'draft, with the `draft_rating`) and from comparisons where one answer was picked (ties and ' +
      '"both bad" make no pair), with their `reasons` tags, `comment`, and where each text came from ' +
      '(`chosen_source`, `rejected_source`: `contributor`, `seed:<id>` or `model:<id>@<revision>`; ' +
      'for a model\'s text, `chosen_generation` / `rejected_generation` give its `dtype`, `device` ' +
      '(webgpu, wasm) and generation `settings`, otherwise null).',
  },
  {
    config: 'translation',
    files: [{ split: 'train', path: 'translation/train.jsonl' }],
    description: 'Parallel pairs: `source_language`, `source`, `target_language`, `target`.',
  },
  {
    config: 'norms',
    files: [{ split: 'train', path: 'norms/train.jsonl' }],
    description:
      'Cultural norms ("soft" culture): `situation`, `expectation`, `good_example`, `poor_example`, ' +
      '`domain` (or null).',
  },
  {
    config: 'rules',
    files: [{ split: 'train', path: 'rules/train.jsonl' }],
    description:
      'Hard rules (laws, regulations, policies) a model must be guarded by: `rule`, `type`, ' +
      '`citation`, `jurisdiction`, `compliant_example`, `violating_example`.',
  },
  {
    config: 'eval',
    files: [{ split: 'test', path: 'eval/test.jsonl' }],
    description:
      'Held-out evaluation: `question`, `reference_answer`, `grading_notes`, `domain` (or null). ' +
      'Never used in the other configurations.',
  },
  {
    config: 'glossary',
    files: [{ split: 'train', path: 'glossary/train.jsonl' }],
    description: GLOSSARY_DESCRIPTION,
  },
] as const satisfies ReadonlyArray<{ config: string; files: DatasetFile[]; description: string }>;

export type ConfigName = (typeof CONFIGS)[number]['config'];

export const DATASET_FILES = {
  idioms: 'idioms/train.jsonl',
  sft: 'sft/train.jsonl',
  preference: 'preference/train.jsonl',
  translation: 'translation/train.jsonl',
  norms: 'norms/train.jsonl',
  rules: 'rules/train.jsonl',
  eval: 'eval/test.jsonl',
  glossary: 'glossary/train.jsonl',
  card: 'README.md',
} as const satisfies Record<ConfigName | 'card', string>;
