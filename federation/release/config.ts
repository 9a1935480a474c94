/**
 * A release's configuration: one JSON file, validated (unknown keys refused), whose canonical
 * form is hashed into the release record — the same snapshot + config + version always yields
 * byte-identical files.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, describeIssues } from '../protocol/index.ts';

const Fraction = z.number().min(0).max(1);

export const ReleaseConfig = z
  .object({
    /** Names the dataset (card title, file metadata). */
    name: z.string().trim().min(1).max(120).default('Vernacular'),
    /** The release's version, e.g. 2026.11.0; part of every file's metadata, never of its data. */
    version: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,39}$/),
    description: z.string().max(4000).default(''),
    /**
     * Where the release folder is published (an absolute http(s) URL): croissant.json's `url` and
     * `@base`. Without it, a placeholder under the reserved `.invalid` domain (releaseUrl).
     */
    url: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .refine((u) => !/[?#]/.test(u), 'A folder URL: no query or fragment')
      .transform((u) => (u.endsWith('/') ? u : `${u}/`))
      .optional(),
    /** Stage 4: only items accepted by review (the campaign's rule), unless this is true. */
    includePending: z.boolean().default(false),
    /** Stage 2: length bounds (code points) of any text field after normalisation. */
    text: z.object({ minChars: z.int().min(1).default(2), maxChars: z.int().min(1).default(8000) }).strict().default({ minChars: 2, maxChars: 8000 }),
    /** Stage 5: the language re-check. Items whose text is confidently another language are rejected. */
    language: z.object({ check: z.boolean().default(true) }).strict().default({ check: true }),
    /** Stage 6: personal data — `redact` to typed placeholders, or `drop` the item. */
    personalData: z
      .object({ action: z.enum(['redact', 'drop']).default('redact'), nationalIdPatterns: z.array(z.string().max(200)).max(20).default([]) })
      .strict()
      .default({ action: 'redact', nationalIdPatterns: [] }),
    /** Stage 7: near duplicates by MinHash + LSH over character shingles. */
    duplicates: z
      .object({ near: z.boolean().default(true), threshold: Fraction.default(0.8), shingle: z.int().min(2).max(12).default(5), permutations: z.int().min(16).max(256).default(64) })
      .strict()
      .default({ near: true, threshold: 0.8, shingle: 5, permutations: 64 }),
    /** Stage 8: abuse and poisoning defences. */
    abuse: z
      .object({
        maxPerContributor: z.int().min(1).default(5000),
        maxPerNode: z.int().min(1).default(1_000_000),
        /** Contributors whose review rejection rate is this many times the median (and ≥ minItems reviewed) are excluded. */
        rejectionRatio: z.number().min(1).default(4),
        /** …and at least this share rejected, so that a median of zero does not make one rejection an outlier. */
        minRejectionRate: Fraction.default(0.25),
        minItems: z.int().min(1).default(10),
        /**
         * Gold items (test questions with a known answer seeded in review queues: `vernacular gold import`):
         * reviewers with at least minGold votes on them who vote against the known answer this share of the
         * time are not counted, and the items they voted on are judged again from the others' votes (reliability.ts).
         */
        goldDisagreement: Fraction.default(0.5),
        minGold: z.int().min(1).default(5),
        /** A rare phrase (n words) repeated by at least this many fresh contributors is flagged. */
        phraseWords: z.int().min(3).max(12).default(5),
        phraseContributors: z.int().min(2).default(5),
        /** …while established contributors carry it in at most this share of the items common speech would give them. */
        phraseEstablished: Fraction.default(0.1),
        /** A contributor is "fresh" with at most this many items in the snapshot. */
        freshItems: z.int().min(1).default(10),
      })
      .strict()
      .default({ maxPerContributor: 5000, maxPerNode: 1_000_000, rejectionRatio: 4, minRejectionRate: 0.25, minItems: 10, goldDisagreement: 0.5, minGold: 5, phraseWords: 5, phraseContributors: 5, phraseEstablished: 0.1, freshItems: 10 }),
    /** Stage 9: splits by a hash of the contributor, and eval contamination. */
    splits: z
      .object({ validation: Fraction.default(0.05), test: Fraction.default(0.05), seed: z.string().max(64).default('vernacular'), contaminationWords: z.int().min(4).max(20).default(8) })
      .strict()
      .default({ validation: 0.05, test: 0.05, seed: 'vernacular', contaminationWords: 8 }),
    /** Largest Parquet shard, bytes (≤ 500 MB). */
    maxShardBytes: z.int().min(1024).max(500 * 1024 * 1024).default(500 * 1024 * 1024),
  })
  .strict();
export type ReleaseConfig = z.output<typeof ReleaseConfig>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function parseReleaseConfig(json: unknown): ReleaseConfig {
  const parsed = ReleaseConfig.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const { field, message } = describeIssues(parsed.error);
    throw new ConfigError(`Invalid release config: ${field || '(top level)'}: ${message}`);
  }
  return parsed.data;
}

/** The absolute URL of the release folder: the configured one, or a placeholder that names it and never resolves. */
export function releaseUrl(config: ReleaseConfig): string {
  if (config.url !== undefined) return config.url;
  const slug = (s: string) => encodeURIComponent(s.toLowerCase().replace(/[^a-z0-9.+-]+/g, '-'));
  return `https://releases.invalid/${slug(config.name)}/${slug(config.version)}/`;
}

/** sha256 of the canonical JSON of the config with every default filled in. */
export function configHash(config: ReleaseConfig): string {
  return createHash('sha256').update(canonicalJson(config), 'utf8').digest('hex');
}
