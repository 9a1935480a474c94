/**
 * Derived views of a release's records, for the training tools that read their own shapes:
 *
 * - `kto` (a config of its own, JSONL + Parquet): TRL's unpaired preference format — `prompt`,
 *   `completion`, boolean `label` — made from the preference pairs: the chosen answer is a
 *   desirable completion (true), the rejected one an undesirable one (false). Items that review
 *   rejected are not used: they stop at the consensus stage, before the language and personal-data
 *   stages, so their text was never checked for publication.
 * - `openai/`: OpenAI fine-tuning JSONL — `sft.jsonl` (`{"messages": […]}`) and `dpo.jsonl`
 *   (preference fine-tuning: `input.messages`, `preferred_output`, `non_preferred_output`) from the
 *   train split, `sft-validation.jsonl` and `dpo-validation.jsonl` from the validation split. Only
 *   the fields OpenAI accepts; the test split stays held out.
 * - `llamafactory/preference*.jsonl` and `dataset_info.json` for LLaMA-Factory: its sharegpt
 *   format with OpenAI-style tags reads `sft/*.jsonl` as they are; its ranking format wants the
 *   chosen and rejected answers as single messages, which this view provides.
 */
import type { ChatMessage } from '../dataset/prompts.ts';
import type { PreferenceRecord, SftRecord } from '../dataset/records.ts';

export interface KtoRecord {
  prompt: ChatMessage[];
  completion: ChatMessage[];
  label: boolean;
  /** The preference item it comes from. */
  id: string;
  language: string;
  kind: 'rewrite' | 'compare';
  /** Where the completion came from: `contributor`, `seed:<id>`, `model:<id>@<revision>`. */
  source: string;
  reasons: string[];
  licence: string;
  contributor: string;
  campaign: string;
  created_at: string;
  revision_of: string | null;
}

/** A preference pair as two unpaired KTO rows: the chosen answer (true), then the rejected one (false). */
export function ktoRecords(p: PreferenceRecord): [KtoRecord, KtoRecord] {
  const row = (completion: ChatMessage[], label: boolean, source: string): KtoRecord => ({
    prompt: p.prompt,
    completion,
    label,
    id: p.id,
    language: p.language,
    kind: p.kind,
    source,
    reasons: p.reasons,
    licence: p.licence,
    contributor: p.contributor,
    campaign: p.campaign,
    created_at: p.created_at,
    revision_of: p.revision_of,
  });
  return [row(p.chosen, true, p.chosen_source), row(p.rejected, false, p.rejected_source)];
}

const plain = (messages: readonly ChatMessage[]) => messages.map(({ role, content }) => ({ role, content }));

export function openaiSft(r: SftRecord): { messages: ChatMessage[] } {
  return { messages: plain(r.messages) };
}

export function openaiDpo(p: PreferenceRecord): { input: { messages: ChatMessage[] }; preferred_output: ChatMessage[]; non_preferred_output: ChatMessage[] } {
  return { input: { messages: plain(p.prompt) }, preferred_output: plain(p.chosen), non_preferred_output: plain(p.rejected) };
}

/** LLaMA-Factory's sharegpt ranking row: the conversation, then one chosen and one rejected message. */
export function llamaFactoryPreference(p: PreferenceRecord): { messages: ChatMessage[]; chosen: ChatMessage; rejected: ChatMessage } {
  if (p.chosen.length !== 1 || p.rejected.length !== 1) throw new Error(`preference ${p.id}: LLaMA-Factory's ranking format takes one chosen and one rejected message`);
  return { messages: plain(p.prompt), chosen: plain(p.chosen)[0]!, rejected: plain(p.rejected)[0]! };
}

/** The view files, by split (the test split is held out of them). */
export const VIEW_FILES = {
  openaiSft: { train: 'openai/sft.jsonl', validation: 'openai/sft-validation.jsonl' },
  openaiDpo: { train: 'openai/dpo.jsonl', validation: 'openai/dpo-validation.jsonl' },
  llamaFactoryPreference: { train: 'llamafactory/preference.jsonl', validation: 'llamafactory/preference-validation.jsonl' },
} as const;

const SHAREGPT_OPENAI_TAGS = { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' };

export interface LlamaFactoryDataset {
  file_name: string;
  formatting: 'sharegpt';
  ranking?: boolean;
  columns: Record<string, string>;
  tags: typeof SHAREGPT_OPENAI_TAGS;
}

/**
 * `dataset_info.json` (LLaMA-Factory reads it from its `dataset_dir`: the release folder) for the
 * files that exist: `<slug>_sft` / `<slug>_sft_validation` over `sft/<split>.jsonl`, and
 * `<slug>_preference` / `<slug>_preference_validation` over the ranking view.
 */
export function llamaFactoryInfo(slug: string, existing: ReadonlySet<string>): Record<string, LlamaFactoryDataset> {
  const out: Record<string, LlamaFactoryDataset> = {};
  for (const split of ['train', 'validation'] as const) {
    const suffix = split === 'train' ? '' : '_validation';
    const sft = `sft/${split}.jsonl`;
    if (existing.has(sft)) out[`${slug}_sft${suffix}`] = { file_name: sft, formatting: 'sharegpt', columns: { messages: 'messages' }, tags: SHAREGPT_OPENAI_TAGS };
    const pref = VIEW_FILES.llamaFactoryPreference[split];
    if (existing.has(pref)) {
      out[`${slug}_preference${suffix}`] = {
        file_name: pref,
        formatting: 'sharegpt',
        ranking: true,
        columns: { messages: 'messages', chosen: 'chosen', rejected: 'rejected' },
        tags: SHAREGPT_OPENAI_TAGS,
      };
    }
  }
  return out;
}

/** A dataset name LLaMA-Factory can be given: lower-case letters, digits and `_`. */
export function datasetSlug(name: string): string {
  return name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'vernacular';
}

/** The card's section on the files and how each tool reads them (only what this release has). */
export function filesSection(paths: ReadonlySet<string>): string {
  const has = (prefix: string) => [...paths].some((p) => p.startsWith(prefix));
  const lines = [
    '## Files and formats',
    '',
    'Every config is in `<config>/<split>.jsonl` and in Parquet shards `<config>/<split>-00000-of-0000N.parquet`',
    '(the card\'s `configs` point at the Parquet files; both hold the same rows in the same order). Chat turns',
    '(`messages`, `prompt`, `chosen`, `rejected`, `completion`) are Parquet lists of `{role, content}` structs and',
    'reason tags a list of strings; `chosen_generation` and `rejected_generation` (how a model wrote a text: dtype,',
    'device, settings whose keys vary) are JSON strings (Parquet\'s JSON type).',
    '',
    '- `sft`: TRL conversational format (`messages`). `preference`: TRL explicit-prompt conversational preference',
    '  format (`prompt`, `chosen`, `rejected`), with reason tags and where each text came from.',
  ];
  if (has('kto/')) lines.push('- `kto`: TRL unpaired preference format (`prompt`, `completion`, `label`), two rows per preference pair: the chosen answer (`true`) and the rejected one (`false`).');
  if (has('openai/')) lines.push('- `openai/sft.jsonl`, `openai/dpo.jsonl` (and `-validation`): OpenAI supervised and preference fine-tuning files, from the train and validation splits.');
  if (paths.has('dataset_info.json')) lines.push('- `dataset_info.json`: LLaMA-Factory dataset definitions (sharegpt format, OpenAI-style tags) for `sft` and for `llamafactory/preference*.jsonl` (ranking); point `dataset_dir` at this folder.');
  return `${lines.join('\n')}\n`;
}
