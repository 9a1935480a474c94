/**
 * The shared glossary of a campaign: a Yjs document, edited offline on every device and merged
 * without conflicts. Devices and the node exchange y-protocols sync messages over HTTP:
 * POST /api/v1/glossary/{campaign}/sync with a binary body (application/octet-stream) holding a
 * sync step 1 (the device's state vector) and, when it has any, an update (sync step 2) with
 * what the node may lack; the node stores the update durably, then answers with a sync step 2
 * holding exactly what the device lacks, followed by its own step 1 (its state vector).
 *
 * Document layout (shared by the editor, the node and the export):
 * - `terms`: Y.Map<id, Y.Map> with fields term, rendering, language, notes, updatedAt.
 * - `conventions`: Y.Text — spelling conventions and style notes, free text.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';

export const GLOSSARY_MAX_UPDATE_BYTES = 1024 * 1024;

export const GlossaryTerm = z
  .object({
    id: z.string().min(1).max(64),
    term: z.string().min(1).max(LIMITS.shortText),
    rendering: z.string().max(LIMITS.shortText),
    language: z.string().max(LIMITS.languageTag),
    notes: z.string().max(LIMITS.comment),
  })
  .strict()
  .meta({ id: 'GlossaryTerm' });
export type GlossaryTerm = z.output<typeof GlossaryTerm>;

/** GET /api/v1/glossary/{campaign}: the glossary as plain JSON, for review and export. */
export const GlossaryView = z
  .object({
    campaign: z.string(),
    terms: z.array(GlossaryTerm),
    conventions: z.string(),
  })
  .strict()
  .meta({ id: 'Glossary' });
export type GlossaryView = z.output<typeof GlossaryView>;
