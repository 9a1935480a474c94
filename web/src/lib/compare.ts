/**
 * Compare items whose answers the campaign's models write on this device (`models.compare`).
 *
 * One compare model: its answer against the seed's reference answer (a pair seed's first answer,
 * or a draft seed's draft). Two: model A against model B — two models, or two revisions of one —
 * on the seed's prompt, or on one the contributor types when no seed is at hand. The order the two
 * answers are shown in is drawn once per item (a coin flip kept in the plan), and what is recorded
 * is that shown order: `a` is what was shown first, each with its source (model id, revision,
 * dtype, device and settings from the worker; the seed id for a seed answer). The contributor sees
 * neither source, only "Answer A" and "Answer B".
 */
import { DEFAULT_DRAFT_MAX_NEW_TOKENS, type CompareModels, type DraftModel } from '../../../federation/protocol/campaign.ts';
import type { Seed, TextSource } from '../../../federation/protocol/index.ts';
import type { Context, Random } from './forms.ts';

/** Where one of the two answers comes from: a model to run here, or text the seed already has. */
export type CompareSide = { type: 'model'; model: DraftModel } | { type: 'seed'; text: string; source: TextSource };

export interface ComparePlan {
  /** The seed's prompt, or null when the contributor types one (two models, no seed). */
  prompt: string | null;
  seed?: string;
  /** The two sides in the order they are shown: [Answer A, Answer B]. */
  shown: [CompareSide, CompareSide];
  /** The coin flip: true when the campaign's first side is shown second. */
  swapped: boolean;
}

/** One answer, ready for the record. */
export interface CompareAnswer {
  text: string;
  source: TextSource;
}

/** The seed's reference answer, for one model to be compared against; none for a bare prompt. */
export function referenceAnswer(seed: Seed): CompareAnswer | undefined {
  switch (seed.type) {
    case 'pair':
      return { text: seed.answerA, source: { type: 'seed', seed: seed.id, ...(seed.sourceA ? { label: seed.sourceA } : {}) } };
    case 'draft':
      return { text: seed.draft, source: seed.source ?? { type: 'seed', seed: seed.id } };
    default:
      return undefined;
  }
}

function promptOf(seed: Seed | undefined): string | undefined {
  return seed && seed.type !== 'pivot' ? seed.prompt : undefined;
}

/**
 * What a compare item of this campaign pairs, or null when its models cannot make one here (no
 * compare models, or one model and no seed with a reference answer): then the seed's own pair is
 * used, as without models.
 */
export function comparePlan(models: CompareModels | undefined, seed: Seed | undefined, random: Random): ComparePlan | null {
  if (!models || models.length === 0) return null;
  let sides: [CompareSide, CompareSide];
  if (models.length >= 2) {
    sides = [{ type: 'model', model: models[0]! }, { type: 'model', model: models[1]! }];
  } else {
    const reference = seed ? referenceAnswer(seed) : undefined;
    if (!reference) return null;
    sides = [{ type: 'model', model: models[0]! }, { type: 'seed', ...reference }];
  }
  const swapped = random() < 0.5;
  const prompt = promptOf(seed);
  return {
    prompt: prompt ?? null,
    ...(prompt !== undefined && seed ? { seed: seed.id } : {}),
    shown: swapped ? [sides[1], sides[0]] : sides,
    swapped,
  };
}

/** The compare form's context: the prompt and both answers in the shown order, sources kept. */
export function compareContext(plan: ComparePlan, prompt: string, answers: [CompareAnswer, CompareAnswer]): Context {
  return { prompt, a: answers[0], b: answers[1], ...(plan.seed ? { seed: plan.seed } : {}) };
}

/** The worker's `generate` parameters for a model's settings: greedy unless a temperature is set. */
export function generateParams(model: DraftModel, prompt: string) {
  const sample = (model.temperature ?? 0) > 0;
  return {
    messages: [{ role: 'user' as const, content: prompt }],
    max_new_tokens: model.maxNewTokens ?? DEFAULT_DRAFT_MAX_NEW_TOKENS,
    do_sample: sample,
    ...(sample ? { temperature: model.temperature } : {}),
  };
}

/** The source a generated text records: what the worker says it ran, not what was asked. */
export function modelSource(result: { model: string; revision: string; dtype: string; device: 'webgpu' | 'wasm'; settings: Record<string, number | boolean | undefined> }): TextSource {
  const settings: Record<string, number | boolean> = {};
  for (const [k, v] of Object.entries(result.settings)) if (v !== undefined) settings[k] = v;
  return { type: 'model', model: result.model, revision: result.revision, dtype: result.dtype, device: result.device, settings };
}
