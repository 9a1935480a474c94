/**
 * The sync exchange: a device (or, later, a node) sends a batch of contributions; the server
 * answers one result per item, in order. Results are promises: `accepted` and `duplicate` mean the
 * item is durably stored, so the sender may forget it; `conflict` and `rejected` mean it was not
 * stored and sending it again will not help.
 */
import { z } from 'zod';
import { ITEM_ERROR_CODES } from './errors.ts';
import { Contribution } from './contribution.ts';
import { LIMITS } from './limits.ts';

/**
 * The protocol this code speaks. Bumped only for incompatible wire changes: 2 — every
 * contribution carries its author's key and signature (signing.ts).
 */
export const PROTOCOL_VERSION = 2;
export const SUPPORTED_PROTOCOLS = [PROTOCOL_VERSION] as const;

export const Device = z.object({ id: z.uuid() }).strict().meta({ id: 'Device' });

export const SyncRequest = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    device: Device,
    contributions: z.array(Contribution).max(LIMITS.maxBatchItems),
  })
  .strict()
  .meta({ id: 'SyncRequest' });
export type SyncRequest = z.input<typeof SyncRequest>;

/**
 * The envelope as the server first reads it: items stay unknown so that each is validated on its
 * own and one bad item does not sink the batch.
 */
export const SyncEnvelope = SyncRequest.extend({
  contributions: z.array(z.unknown()),
});

export const SYNC_STATUSES = ['accepted', 'duplicate', 'conflict', 'rejected'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

export const SyncResult = z
  .object({
    index: z.int().min(0),
    id: z.string().nullable(),
    status: z.enum(SYNC_STATUSES),
    code: z.enum(ITEM_ERROR_CODES).optional(),
    field: z.string().optional(),
    message: z.string().optional(),
  })
  .strict()
  .meta({ id: 'SyncResult' });
export type SyncResult = z.infer<typeof SyncResult>;

export const SyncResponse = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    results: z.array(SyncResult),
    serverTime: z.iso.datetime(),
  })
  .strict()
  .meta({ id: 'SyncResponse' });
export type SyncResponse = z.infer<typeof SyncResponse>;

export const ROLES = ['node', 'hub'] as const;
export type Role = (typeof ROLES)[number];

export const Health = z
  .object({
    status: z.literal('ok'),
    role: z.enum(ROLES),
    version: z.string(),
    protocol: z.literal(PROTOCOL_VERSION),
  })
  .strict()
  .meta({ id: 'Health' });
export type Health = z.infer<typeof Health>;
