/**
 * Documented limits of the wire protocol. The server enforces them (413 / rejected items naming
 * the limit); the web app uses the same numbers to size its batches and bound its form fields.
 */
export const LIMITS = {
  /** Largest request body accepted, in bytes, after decoding (gzip or brotli). */
  maxBodyBytes: 4 * 1024 * 1024,
  /** Most contributions in one sync batch. */
  maxBatchItems: 500,
  /**
   * Deepest nesting of arrays and objects in one contribution, one relayed record, or a request
   * body apart from its items (the protocol's own types need fewer than 8 levels).
   */
  maxJsonDepth: 32,
  /** Field lengths in characters (Unicode code points, after NFC normalisation and trimming). */
  idiom: {
    expression: 200,
    meaning: 2000,
    example: 2000,
    region: 100,
  },
  /** Lengths for the other kinds (code points). */
  prompt: 4000,
  answer: 8000,
  shortText: 300,
  comment: 1000,
  citation: 500,
  /** Campaigns. */
  campaignTitle: 120,
  campaignDescription: 4000,
  seedsPerImport: 50_000,
  joinCode: 12,
  languageTag: 35,
  campaignSlug: 64,
  consentVersion: 32,
} as const;
