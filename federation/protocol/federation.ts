/**
 * The node ↔ hub protocol (store-and-forward). A node enrols once with a one-time token and its
 * Ed25519 public key; from then on every request it makes carries a request signature (method,
 * path, timestamp, nonce, body hash: replay protection), and every batch it pushes carries a batch
 * signature over the batch's canonical bytes (`batchManifest` in federation/federation/manifest.ts),
 * which the hub keeps so that any record can be re-verified later, long after the request.
 *
 * Push: the node sends the records it holds after the hub's cursor for it, in its own order
 * (`seq`), as `(after, through]`. The hub takes a batch only when `after` ≤ its cursor for the node
 * (a batch that starts beyond it is `out_of_order`: the node rewinds to the cursor the hub names),
 * stores the records idempotently, and only then moves its cursor, so retries, duplicate and
 * concurrent deliveries and restarts end with every record held once.
 *
 * Pull: the node asks for what changed on the hub after its pull cursor: withdrawals made anywhere
 * else, national campaigns, the hub's model manifest, and the node's own standing.
 */
import { z } from 'zod';
import { Campaign } from './campaign.ts';
import { Contribution } from './contribution.ts';
import { PROTOCOL_VERSION, SyncResult } from './sync.ts';
import { CampaignSlug } from './campaign.ts';
import { ContributorIdText } from './reviewers.ts';

/** Most records in one push batch (a batch of 1,000 typical records is about 0.5 MB of JSON). */
export const MAX_PUSH_RECORDS = 2000;
/** Most withdrawals in one pull answer. */
export const MAX_PULL_RECORDS = 2000;

/** The authorization scheme of signed node requests. */
export const AUTH_SCHEME = 'Vernacular-Ed25519';

/** A node's id on the hub: derived from its public key (see keys.ts), so it cannot be chosen. */
export const NodeId = z.string().regex(/^n-[a-z2-7]{16}$/, 'Not a node id').meta({ id: 'NodeId' });

/** A raw 32-byte Ed25519 public key, base64url without padding. */
export const PublicKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'Not an Ed25519 public key (32 bytes, base64url)');
/** A raw 64-byte Ed25519 signature, base64url without padding. */
export const Signature = z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'Not an Ed25519 signature (64 bytes, base64url)');

export const NodeName = z.string().trim().min(1).max(120);

export const EnrollRequest = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    token: z.string().min(8).max(200),
    publicKey: PublicKey,
    /** The node's signature over `enrolmentProof(token, publicKey)`: it holds the private key. */
    proof: Signature,
  })
  .strict()
  .meta({ id: 'EnrollRequest' });
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const EnrollResponse = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    node: z.object({ id: NodeId, name: NodeName }).strict(),
    hub: z.object({ id: z.string(), name: z.string() }).strict(),
  })
  .strict()
  .meta({ id: 'EnrollResponse' });
export type EnrollResponse = z.infer<typeof EnrollResponse>;

/** One record as a node relays it: the contribution and where and when the node received it. */
export const PushRecord = z
  .object({
    deviceId: z.string().min(1).max(64),
    receivedAt: z.iso.datetime({ offset: true }),
    contribution: Contribution,
  })
  .strict()
  .meta({ id: 'PushRecord' });
export type PushRecord = z.infer<typeof PushRecord>;

export const PushBatch = z
  .object({
    /** The node's order: this batch holds what it stored in (after, through]. */
    after: z.int().min(0),
    through: z.int().min(0),
    records: z.array(z.unknown()).max(MAX_PUSH_RECORDS),
    /** Ed25519 over the batch manifest's bytes (manifest.ts), by the node key. */
    signature: Signature,
  })
  .strict()
  .refine((b) => b.through >= b.after, { message: 'through must not be before after', path: ['through'] });

/** Most standing rows one push carries. */
export const MAX_PUSH_STANDING = 5000;

/**
 * A key's standing in a campaign as the node judged it (protocol/reviewers.ts), vouched for by the
 * node's signed push. The hub counts it only for votes cast on that node (their origin), so a
 * node's word never reaches beyond the items it holds.
 */
export const VouchedStanding = z
  .object({
    campaign: CampaignSlug,
    reviewer: ContributorIdText,
    credential: z.boolean(),
    goldVotes: z.int().min(0).max(1_000_000),
    goldAgreed: z.int().min(0).max(1_000_000),
  })
  .strict()
  .refine((s) => s.goldAgreed <= s.goldVotes, { message: 'goldAgreed cannot exceed goldVotes', path: ['goldAgreed'] })
  .meta({ id: 'VouchedStanding' });
export type VouchedStanding = z.output<typeof VouchedStanding>;

export const PushRequest = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    node: NodeId,
    /** Campaigns created on the node (not pulled from the hub), so the hub can check its records. */
    campaigns: z.array(Campaign).max(1000).default([]),
    batch: PushBatch,
    /** Reviews of this batch whose item the node's review queue had served to the reviewer. */
    served: z.array(z.string().max(64)).max(MAX_PUSH_RECORDS).default([]),
    /** Reviewer standing judged on the node that changed since it last pushed (reviewers.ts). */
    standing: z.array(VouchedStanding).max(MAX_PUSH_STANDING).default([]),
  })
  .strict()
  .meta({ id: 'PushRequest' });
export type PushRequest = z.input<typeof PushRequest>;

/** One record the hub did not take as-is: the same shape as a device's sync result. */
export const PushResult = SyncResult;
export type PushResult = z.infer<typeof PushResult>;

export const PushResponse = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    /** The hub's cursor for this node after this batch: everything through it is held. */
    cursor: z.int().min(0),
    /** Only the records that were not `accepted`/`duplicate` (those need the node's attention). */
    problems: z.array(PushResult),
    accepted: z.int().min(0),
    duplicate: z.int().min(0),
    /** Campaign slugs the hub refused (a national campaign or another node's uses the slug). */
    campaignConflicts: z.array(z.string()).default([]),
    serverTime: z.iso.datetime(),
  })
  .strict()
  .meta({ id: 'PushResponse' });
export type PushResponse = z.infer<typeof PushResponse>;

/** The hub's cursor for a node (GET /federation/v1/cursor), where a push resumes. */
export const CursorResponse = z
  .object({ protocol: z.literal(PROTOCOL_VERSION), cursor: z.int().min(0), serverTime: z.iso.datetime() })
  .strict();
export type CursorResponse = z.infer<typeof CursorResponse>;

export const NODE_STATES = ['active', 'revoked'] as const;
export type NodeState = (typeof NODE_STATES)[number];

/**
 * A steward's withdrawal of everything a contributor made up to `at`, for someone who lost their
 * key (store/steward.ts). A hub hands every one it holds to its nodes with each pull; why it was
 * made stays on the hub.
 */
export const StewardWithdrawal = z
  .object({ id: z.uuidv7(), contributor: z.uuid(), at: z.iso.datetime({ offset: true }) })
  .strict()
  .meta({ id: 'StewardWithdrawal' });
export type StewardWithdrawal = z.infer<typeof StewardWithdrawal>;

/** GET /federation/v1/pull?after=N */
export const PullResponse = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    /** Withdrawals the hub holds after `after` that did not come from this node, in hub order. */
    withdrawals: z.array(PushRecord),
    /** The cursor to ask from next time; `more` when the answer was cut at the limit. */
    next: z.int().min(0),
    more: z.boolean(),
    /** Campaigns published nationally (made on the hub). */
    campaigns: z.array(Campaign),
    /** Every steward withdrawal the hub holds (rare: each is a person who lost their key and asked). */
    stewardWithdrawals: z.array(StewardWithdrawal).max(100_000).default([]),
    node: z.object({ id: NodeId, name: NodeName, state: z.enum(NODE_STATES) }).strict(),
    serverTime: z.iso.datetime(),
  })
  .strict()
  .meta({ id: 'PullResponse' });
export type PullResponse = z.infer<typeof PullResponse>;

/** The link of a node to its hub, as `vernacular node status` and GET /api/v1/node show it. */
export const HubLink = z
  .object({
    enrolled: z.boolean(),
    hub: z.string().optional(),
    node: z.object({ id: NodeId, name: z.string() }).strict().optional(),
    state: z.enum(['not_enrolled', 'ok', 'unreachable', 'revoked', 'failing']),
    lastPushAt: z.string().optional(),
    lastPullAt: z.string().optional(),
    /** Records held here that the hub does not have yet. */
    backlog: z.int().min(0),
    /** The last problem, in words, when the link is not ok. */
    error: z.string().optional(),
    /** When the hub asked this node to wait (429, 503, 507 with Retry-After): the next exchange is not before this. */
    retryAt: z.string().optional(),
    /**
     * Records the hub refused (one by one in its answer, or a batch of that record alone): kept
     * here, left out of later pushes so the rest flows; the latest few, newest first.
     */
    setAside: z.object({
      count: z.int().min(0),
      recent: z.array(z.object({
        id: z.string(),
        code: z.string(),
        field: z.string().optional(),
        message: z.string(),
        refusedAt: z.string(),
      }).strict()),
    }).strict().optional(),
    /**
     * Models that national campaigns name and this node does not hold yet (phones cannot draft
     * with them here until the operator fetches them: `vernacular models pull ID --host HUB/models`).
     */
    missingModels: z.array(z.object({
      id: z.string(),
      revision: z.string().optional(),
      campaigns: z.array(z.string()),
      /** What the hub's model manifest offers of it: its revision and graph dtypes (absent: the hub lacks it too, or could not be asked). */
      hub: z.object({ revision: z.string(), dtypes: z.array(z.string()) }).strict().optional(),
    }).strict()).optional(),
  })
  .strict()
  .meta({ id: 'HubLink' });
export type HubLink = z.infer<typeof HubLink>;

/**
 * A node asks the hub for a certificate for its name on the deployment's domain (`<node id>.<domain>`,
 * tls/names.ts): a CSR made from a key that never leaves the node, and the LAN addresses the name
 * should resolve to. The hub publishes them in DNS and answers the CA's DNS-01 challenge for it.
 */
export const CertificateRequest = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    /** A PKCS#10 certificate request, PEM. */
    csr: z.string().min(100).max(8192).regex(/^-----BEGIN CERTIFICATE REQUEST-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE REQUEST-----\r?\n?$/, 'Not a PEM certificate request'),
    /** Where phones on the node's network reach it: unicast IPv4 or IPv6 addresses. */
    addresses: z.array(z.union([z.ipv4(), z.ipv6()])).min(1).max(8),
  })
  .strict()
  .meta({ id: 'CertificateRequest' });
export type CertificateRequest = z.infer<typeof CertificateRequest>;

export const CertificateResponse = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    /** The node's name, which the certificate is for and DNS now answers with `addresses`. */
    name: z.string().min(3).max(253),
    /** The certificate and its chain, PEM, leaf first. */
    certificate: z.string().min(100).max(65_536),
    notAfter: z.iso.datetime({ offset: true }),
  })
  .strict()
  .meta({ id: 'CertificateResponse' });
export type CertificateResponse = z.infer<typeof CertificateResponse>;

/** GET /federation/v1/certificate: the name the hub gives this node (its CSR must name exactly it). */
export const CertificateName = z
  .object({ protocol: z.literal(PROTOCOL_VERSION), name: z.string().min(3).max(253) })
  .strict()
  .meta({ id: 'CertificateName' });
export type CertificateName = z.infer<typeof CertificateName>;

/**
 * POST /federation/v1/report (signed): how a node sees its link after an exchange, for the hub's
 * steward — what the hub cannot know by itself (the node's backlog, what it set aside, its
 * last problem). Advisory: nothing is decided by it.
 */
export const NodeReport = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    backlog: z.int().min(0),
    setAside: z.int().min(0),
    error: z.string().max(500).optional(),
    version: z.string().max(40),
  })
  .strict()
  .meta({ id: 'NodeReport' });
export type NodeReport = z.infer<typeof NodeReport>;
