/**
 * Who wrote what in a campaign's glossary. Every server keeps a glossary log of records, each one
 * update with its author, and relays the records between node and hub, so authorship travels with
 * the content and anyone can check it again:
 *
 * - a `contributor` record is a device's sync request as it was signed: the contributor key, the
 *   Authorization fields (`ts`, `nonce`, `sig`) and the body (y-protocols sync messages, base64url).
 *   Its signature is over `deviceRequestMessage('POST', glossarySyncPath(campaign), ts, nonce,
 *   sha256(body))`, so the hub and every node verify the author without trusting whoever relayed it;
 * - a `server` record is an update a server made itself: a staff revert or restore (the actor is a
 *   staff account id, or `cli`), or, once per campaign, what the server held before authorship was
 *   kept (`legacy`). The issuer vouches for it (a node's id, or `hub`).
 *
 * A record's id is the SHA-256 of its canonical JSON, so a record relayed twice is stored once.
 * Staff bodies for reverting an author or restoring a time, and the log as staff read it, are here
 * too. Pure: no I/O.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { canonicalJson } from './canonical.ts';
import { CampaignSlug } from './campaign.ts';
import { NodeId } from './federation.ts';
import { GLOSSARY_MAX_UPDATE_BYTES } from './glossary.ts';
import { ContributorKey, type Digest, toHex } from './signing.ts';
import { PROTOCOL_VERSION } from './sync.ts';

/** The path every glossary sync request is signed for (and verified against, wherever it is relayed). */
export function glossarySyncPath(campaign: string): string {
  return `/api/v1/glossary/${campaign}/sync`;
}

const base64url = (maxBytes: number) =>
  z
    .string()
    .min(1)
    .max(Math.ceil((maxBytes * 4) / 3))
    .regex(/^[A-Za-z0-9_-]+$/, 'Not base64url');

export const ContributorGlossaryRecord = z
  .object({
    kind: z.literal('contributor'),
    campaign: CampaignSlug,
    key: ContributorKey,
    /** The request's signing time, ms since the epoch. */
    ts: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
    sig: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
    /** The signed request body (sync step 1, then the update), base64url. */
    body: base64url(GLOSSARY_MAX_UPDATE_BYTES),
  })
  .strict()
  .meta({ id: 'ContributorGlossaryRecord' });
export type ContributorGlossaryRecord = z.output<typeof ContributorGlossaryRecord>;

/** What made a server's own record. */
export const GLOSSARY_SERVER_ACTIONS = ['revert', 'restore', 'legacy'] as const;
export type GlossaryServerAction = (typeof GLOSSARY_SERVER_ACTIONS)[number];

/** The issuer of a server record: a node's id, the hub, or `legacy` (held before authorship was kept). */
export const GlossaryIssuer = z.union([NodeId, z.literal('hub'), z.literal('legacy')]);

const YjsClient = z.int().min(0).max(0xffffffff);
const YjsClock = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Most copies one server record names (far more than a glossary's terms and text runs). */
export const MAX_ALIASES = 50_000;

export const ServerGlossaryRecord = z
  .object({
    kind: z.literal('server'),
    campaign: CampaignSlug,
    issuer: GlossaryIssuer,
    action: z.enum(GLOSSARY_SERVER_ACTIONS),
    /** revert: the author reverted; restore: the time restored to; legacy: empty. */
    subject: z.string().max(64),
    /** The staff account that did it, or `cli` (the operator at the server's command line). */
    actor: z.string().max(64),
    at: z.iso.datetime(),
    /** The Yjs update (v1), base64url. */
    update: base64url(GLOSSARY_MAX_UPDATE_BYTES),
    /**
     * The copies the update writes, each of an original it stands in for from then on:
     * [copy client, copy clock, original client, original clock, length].
     */
    aliases: z.array(z.tuple([YjsClient, YjsClock, YjsClient, YjsClock, z.int().min(1).max(GLOSSARY_MAX_UPDATE_BYTES)])).max(MAX_ALIASES).optional(),
  })
  .strict()
  .meta({ id: 'ServerGlossaryRecord' });
export type ServerGlossaryRecord = z.output<typeof ServerGlossaryRecord>;

export const GlossaryRecord = z.discriminatedUnion('kind', [ContributorGlossaryRecord, ServerGlossaryRecord]).meta({ id: 'GlossaryRecord' });
export type GlossaryRecord = z.output<typeof GlossaryRecord>;

/** A record's id: hex SHA-256 of its canonical JSON. */
export function glossaryRecordId(record: GlossaryRecord, digest: Digest = sha256): string {
  return toHex(digest(new TextEncoder().encode(canonicalJson(record))));
}

/**
 * Who a record is attributed to: the contributor id derived from its key, or its issuer. A revert
 * names one of these.
 */
export const GlossaryAuthor = z.union([
  z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'Not a contributor id'),
  GlossaryIssuer,
]);

/** Records per exchange, each way. */
export const GLOSSARY_EXCHANGE_RECORDS = 200;
/** Roughly the most JSON one exchange carries each way (at least one record always goes). */
export const GLOSSARY_EXCHANGE_BYTES = 3 * 1024 * 1024;

/**
 * POST /federation/v1/glossary/{campaign}: the node's records the hub may lack (its own, never
 * those it got from the hub), and how far it holds the hub's.
 */
export const GlossaryExchangeRequest = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    /** The hub's log position the node holds everything through (the `next` it last got). */
    after: z.int().min(0),
    records: z.array(GlossaryRecord).max(GLOSSARY_EXCHANGE_RECORDS),
  })
  .strict()
  .meta({ id: 'GlossaryExchangeRequest' });
export type GlossaryExchangeRequest = z.output<typeof GlossaryExchangeRequest>;

export const GLOSSARY_RECORD_PROBLEMS = ['bad_signature', 'invalid_record', 'wrong_campaign', 'wrong_issuer'] as const;

export const GlossaryExchangeResponse = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    accepted: z.int().min(0),
    duplicate: z.int().min(0),
    /** The node's records the hub refused, by index in the request. */
    problems: z.array(z.object({ index: z.int().min(0), code: z.enum(GLOSSARY_RECORD_PROBLEMS), message: z.string() }).strict()),
    /** The hub's records after `after` that did not come from this node, in the hub's order. */
    records: z.array(GlossaryRecord).max(GLOSSARY_EXCHANGE_RECORDS),
    /** Where the next exchange starts (`after`). */
    next: z.int().min(0),
    /** More records wait after `next`. */
    more: z.boolean(),
    serverTime: z.iso.datetime(),
  })
  .strict()
  .meta({ id: 'GlossaryExchangeResponse' });
export type GlossaryExchangeResponse = z.output<typeof GlossaryExchangeResponse>;

// Staff: the log, reverting an author, restoring a time.

export const GlossaryLogQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** Entries before this position (the `next` of the previous page). */
    before: z.coerce.number().int().min(1).optional(),
  })
  .strict();

export const GlossaryLogEntry = z
  .object({
    /** This server's position of the record in the campaign's log. */
    seq: z.int().min(1),
    id: z.string(),
    kind: z.enum(['contributor', 'server']),
    author: z.string(),
    /** When this server stored it. */
    storedAt: z.iso.datetime(),
    /** Where it came from: `local` (a device or staff here), `hub`, or a node's id. */
    origin: z.string(),
    /** Bytes of what it added here (its structs and deletions new to this server); 0: nothing new. */
    bytes: z.int().min(0),
    action: z.enum(GLOSSARY_SERVER_ACTIONS).optional(),
    subject: z.string().optional(),
    actor: z.string().optional(),
  })
  .strict()
  .meta({ id: 'GlossaryLogEntry' });
export type GlossaryLogEntry = z.output<typeof GlossaryLogEntry>;

export const GlossaryLog = z
  .object({ campaign: z.string(), entries: z.array(GlossaryLogEntry), next: z.int().min(1).nullable() })
  .strict()
  .meta({ id: 'GlossaryLog' });
export type GlossaryLog = z.output<typeof GlossaryLog>;

/** POST /api/v1/staff/glossary/{campaign}/revert */
export const GlossaryRevertRequest = z.object({ author: GlossaryAuthor }).strict().meta({ id: 'GlossaryRevertRequest' });
/** POST /api/v1/staff/glossary/{campaign}/restore */
export const GlossaryRestoreRequest = z.object({ at: z.iso.datetime({ offset: true }) }).strict().meta({ id: 'GlossaryRestoreRequest' });

export const GlossaryActionResult = z
  .object({
    campaign: z.string(),
    action: z.enum(['revert', 'restore']),
    /** Whether the glossary changed (false: it already looked like that). */
    changed: z.boolean(),
    /** The id of the record that carries the change to every replica, or null when nothing changed. */
    record: z.string().nullable(),
    /** Log records the rebuild left out. */
    leftOut: z.int().min(0),
    terms: z.object({ before: z.int().min(0), after: z.int().min(0) }).strict(),
  })
  .strict()
  .meta({ id: 'GlossaryActionResult' });
export type GlossaryActionResult = z.output<typeof GlossaryActionResult>;
