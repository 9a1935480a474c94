/**
 * Staff on the wire: roles, users, sign-in (passphrase or passkey), the staff API's bodies for
 * campaigns, imports, moderation and users, and the audit log. Pure; the server's side is in
 * federation/staff/, the app's in web/src/staff/.
 *
 * Roles: a teacher runs classes (the campaigns they own or were given), a librarian runs a node,
 * a steward runs the hub. Authority always comes from the server's session store, never from a
 * field a client sends.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { text } from './text.ts';
import { LanguageTag } from './language.ts';
import { CONTENT_KINDS, Contribution, LICENCES } from './contribution.ts';
import { ConsensusRule, ITEM_STATUSES } from './consensus.ts';
import { DOMAINS } from './kinds.ts';
import { CAMPAIGN_VISIBILITIES, Campaign, CampaignSlug, CompareModels, DraftModel, Goal, JoinCode } from './campaign.ts';
import { ROLES } from './sync.ts';
import { HubLink, NODE_STATES, NodeId, NodeName } from './federation.ts';
import { ContributorIdText, ReviewerPolicy } from './reviewers.ts';

export const STAFF_ROLES = ['teacher', 'librarian', 'steward'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** invited: has a sign-in link but no credential yet; disabled: revoked, every session ended. */
export const STAFF_STATES = ['invited', 'active', 'disabled'] as const;
export type StaffState = (typeof STAFF_STATES)[number];

/** Shortest passphrase accepted (NIST SP 800-63B allows 8; staff act for a whole node). */
export const PASSPHRASE_MIN = 12;
/** Longest passphrase read: scrypt takes any length, but a megabyte "passphrase" is an attack. */
export const PASSPHRASE_MAX = 1024;

export const StaffUserId = z.string().regex(/^u-[A-Za-z0-9_-]{16}$/).meta({ id: 'StaffUserId' });
export const StaffName = text(LIMITS.shortText).meta({ id: 'StaffName', description: 'Unique on the server, any letter case' });

export const StaffUser = z
  .object({
    id: StaffUserId,
    name: z.string(),
    role: z.enum(STAFF_ROLES),
    state: z.enum(STAFF_STATES),
    /** A teacher's classes: the campaigns they created or were given. */
    campaigns: z.array(CampaignSlug),
    passphrase: z.boolean(),
    passkeys: z.int().min(0),
    createdAt: z.iso.datetime(),
    lastSignInAt: z.iso.datetime().nullable(),
  })
  .strict()
  .meta({ id: 'StaffUser' });
export type StaffUser = z.output<typeof StaffUser>;

export const StaffUserList = z.object({ users: z.array(StaffUser) }).strict().meta({ id: 'StaffUserList' });
export type StaffUserList = z.output<typeof StaffUserList>;

/** GET /api/v1/staff/session: who is signed in, and whether the role acts on this server. */
export const StaffSession = z
  .object({
    user: StaffUser,
    server: z.enum(ROLES),
    /** False for a librarian on a hub or a steward on a node: signed in, but no authority here. */
    authority: z.boolean(),
    /** The session ends after this long without a request. */
    idleMinutes: z.int().min(1),
    expiresAt: z.iso.datetime(),
  })
  .strict()
  .meta({ id: 'StaffSession' });
export type StaffSession = z.output<typeof StaffSession>;

export const PassphraseSignIn = z
  .object({ name: z.string().min(1).max(LIMITS.shortText * 4), passphrase: z.string().min(1).max(PASSPHRASE_MAX) })
  .strict()
  .meta({ id: 'PassphraseSignIn' });

/** The passphrase a one-time link sets; length and the common list are checked by the server. */
export const PassphraseSet = z.object({ passphrase: z.string().max(PASSPHRASE_MAX) }).strict().meta({ id: 'PassphraseSet' });

/** GET /api/v1/staff/welcome/{token}: whose link it is, before it is spent. */
export const WelcomeInfo = z
  .object({ name: z.string(), role: z.enum(STAFF_ROLES), expiresAt: z.iso.datetime() })
  .strict()
  .meta({ id: 'WelcomeInfo' });
export type WelcomeInfo = z.output<typeof WelcomeInfo>;

const B64Url = z.string().regex(/^[A-Za-z0-9_-]*$/).max(16_384);
const ClientExtensions = z.record(z.string(), z.unknown());

/** What navigator.credentials.create() gave, as @simplewebauthn/browser serialises it. */
export const PasskeyRegistration = z
  .object({
    id: B64Url,
    rawId: B64Url,
    type: z.literal('public-key'),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    clientExtensionResults: ClientExtensions,
    response: z
      .object({
        clientDataJSON: B64Url,
        attestationObject: B64Url,
        authenticatorData: B64Url.optional(),
        transports: z.array(z.string().max(32)).max(10).optional(),
        publicKeyAlgorithm: z.int().optional(),
        publicKey: B64Url.optional(),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'PasskeyRegistration' });

/** What navigator.credentials.get() gave, as @simplewebauthn/browser serialises it. */
export const PasskeyAssertion = z
  .object({
    id: B64Url,
    rawId: B64Url,
    type: z.literal('public-key'),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    clientExtensionResults: ClientExtensions,
    response: z
      .object({
        clientDataJSON: B64Url,
        authenticatorData: B64Url,
        signature: B64Url,
        userHandle: B64Url.optional(),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'PasskeyAssertion' });

/** WebAuthn options made by the server, handed to navigator.credentials as they are. */
export const PasskeyOptions = z.record(z.string(), z.unknown()).meta({ id: 'PasskeyOptions', description: 'PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON' });

// Campaigns through the staff API.

const campaignFields = {
  title: text(LIMITS.campaignTitle),
  description: text(LIMITS.campaignDescription, { min: 0 }),
  languages: z.array(LanguageTag).min(1).max(50),
  region: text(LIMITS.shortText),
  domain: z.enum(DOMAINS),
  kinds: z.array(z.enum(CONTENT_KINDS)).min(1),
  goals: z.array(Goal).max(CONTENT_KINDS.length),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  licence: z.enum(LICENCES),
  joinCode: JoinCode,
  consensus: ConsensusRule,
  reviewers: ReviewerPolicy,
  models: z.object({ draft: DraftModel.optional(), compare: CompareModels.optional() }).strict(),
  visibility: z.enum(CAMPAIGN_VISIBILITIES),
};

/** POST /api/v1/staff/campaigns: a new campaign (the node makes a join code unless one is given). */
export const CampaignDraft = z
  .object({
    slug: CampaignSlug,
    title: campaignFields.title,
    description: campaignFields.description.default(''),
    languages: campaignFields.languages,
    region: campaignFields.region.optional(),
    domain: campaignFields.domain.optional(),
    kinds: campaignFields.kinds,
    goals: campaignFields.goals.default([]),
    startsAt: campaignFields.startsAt.optional(),
    endsAt: campaignFields.endsAt.optional(),
    licence: campaignFields.licence.optional(),
    joinCode: campaignFields.joinCode.optional(),
    consensus: campaignFields.consensus.optional(),
    reviewers: campaignFields.reviewers.optional(),
    models: campaignFields.models.optional(),
    visibility: campaignFields.visibility.default('public'),
  })
  .strict()
  .meta({ id: 'CampaignDraft' });
export type CampaignDraft = z.output<typeof CampaignDraft>;

/**
 * PATCH /api/v1/staff/campaigns/{slug}: the fields to change; null removes an optional one. No
 * defaults here, so a field not sent is a field not changed.
 */
export const CampaignPatch = z
  .object({
    title: campaignFields.title.optional(),
    description: campaignFields.description.optional(),
    languages: campaignFields.languages.optional(),
    region: campaignFields.region.nullable().optional(),
    domain: campaignFields.domain.nullable().optional(),
    kinds: campaignFields.kinds.optional(),
    goals: campaignFields.goals.optional(),
    startsAt: campaignFields.startsAt.nullable().optional(),
    endsAt: campaignFields.endsAt.nullable().optional(),
    licence: campaignFields.licence.optional(),
    joinCode: campaignFields.joinCode.optional(),
    consensus: campaignFields.consensus.optional(),
    reviewers: campaignFields.reviewers.nullable().optional(),
    models: campaignFields.models.nullable().optional(),
    visibility: campaignFields.visibility.optional(),
  })
  .strict()
  .meta({ id: 'CampaignPatch' });
export type CampaignPatch = z.output<typeof CampaignPatch>;

/** The campaigns a staff member manages, join codes included. */
export const StaffCampaignList = z.object({ campaigns: z.array(Campaign) }).strict().meta({ id: 'StaffCampaignList' });
export type StaffCampaignList = z.output<typeof StaffCampaignList>;

/** Largest seed or gold file taken over HTTP, in characters (the body limit bounds it too). */
export const IMPORT_MAX_CHARS = 3 * 1024 * 1024;

/** Seeds or gold as the CLI reads them from a file: CSV with a header row, or JSONL. */
export const FileImport = z
  .object({ format: z.enum(['csv', 'jsonl']), text: z.string().min(1).max(IMPORT_MAX_CHARS) })
  .strict()
  .meta({ id: 'FileImport' });
export const GoldImport = FileImport.extend({ every: z.int().min(2).max(1000).optional() }).strict().meta({ id: 'GoldImport' });

export const ImportResult = z
  .object({ added: z.int().min(0), updated: z.int().min(0), every: z.int().min(2).optional() })
  .strict()
  .meta({ id: 'ImportResult', description: 'Rows newly stored and rows that replaced stored ones (gold: and how often the queue serves gold)' });
export type ImportResult = z.output<typeof ImportResult>;

/** One bad row of a refused import, in `error.details.problems` of a 400 invalid_request. */
export const ImportProblem = z
  .object({ row: z.int().min(0), field: z.string(), code: z.string(), message: z.string() })
  .strict()
  .meta({ id: 'ImportProblem' });
export type ImportProblem = z.output<typeof ImportProblem>;

// Moderation.

export const FlaggedQuery = z
  .object({ campaign: CampaignSlug.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) })
  .strict();

/** A flagged item no moderator has decided on yet, with why reviewers flagged it. */
export const FlaggedItem = z
  .object({
    item: Contribution,
    status: z.enum(ITEM_STATUSES),
    /** The votes that count under the campaign's reviewer policy (what its status is made of). */
    votes: z.object({ up: z.int(), down: z.int(), flags: z.int() }).strict(),
    /** Every vote held, counted or not (keys not eligible, items not served to them). */
    allVotes: z.object({ up: z.int(), down: z.int(), flags: z.int() }).strict(),
    /** Flags per reason given (every flag, counted or not). */
    reasons: z.record(z.string(), z.int().min(1)),
  })
  .strict()
  .meta({ id: 'FlaggedItem' });
export const FlaggedQueue = z.object({ items: z.array(FlaggedItem) }).strict().meta({ id: 'FlaggedQueue' });
export type FlaggedQueue = z.output<typeof FlaggedQueue>;

export const ModerationResult = z
  .object({ id: z.string(), status: z.enum(ITEM_STATUSES) })
  .strict()
  .meta({ id: 'ModerationResult' });
export type ModerationResult = z.output<typeof ModerationResult>;

// Reviewers (reviewers.ts): credentials given in person, and every key's standing.

/** POST /api/v1/staff/campaigns/{slug}/reviewers: a credential for a key, given in person. */
export const ReviewerGrant = z
  .object({ reviewer: ContributorIdText, note: text(LIMITS.shortText).optional() })
  .strict()
  .meta({ id: 'ReviewerGrant' });
export type ReviewerGrant = z.output<typeof ReviewerGrant>;

/** One key's standing in a campaign, as staff see it. */
export const ReviewerEntry = z
  .object({
    reviewer: z.string(),
    /** Where the standing was judged: `local` (this server), or on a hub the node that vouched for it. */
    scope: z.string(),
    eligible: z.boolean(),
    credential: z.boolean(),
    /** Who granted the credential here, when, and why (absent for standing a node vouched for). */
    grantedBy: z.string().optional(),
    grantedAt: z.string().optional(),
    note: z.string().optional(),
    goldVotes: z.int().min(0),
    goldAgreed: z.int().min(0),
    /** The key's votes on this campaign's items held here (cast where `scope` says), and how many count. */
    votes: z.int().min(0),
    counted: z.int().min(0),
  })
  .strict()
  .meta({ id: 'ReviewerEntry' });
export type ReviewerEntry = z.output<typeof ReviewerEntry>;

export const ReviewerList = z
  .object({ campaign: CampaignSlug, policy: ReviewerPolicy, reviewers: z.array(ReviewerEntry) })
  .strict()
  .meta({ id: 'ReviewerList' });
export type ReviewerList = z.output<typeof ReviewerList>;

export const ReviewerListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(200),
    /** Only eligible keys (true) or only the others (false). */
    eligible: z.enum(['true', 'false']).optional(),
  })
  .strict();

export const ReviewerChange = z
  .object({ campaign: CampaignSlug, reviewer: z.string(), eligible: z.boolean(), credential: z.boolean() })
  .strict()
  .meta({ id: 'ReviewerChange', description: 'A key’s standing after a grant or revocation' });
export type ReviewerChange = z.output<typeof ReviewerChange>;

// Users.

export const StaffUserCreate = z
  .object({
    name: StaffName,
    role: z.enum(STAFF_ROLES),
    /** For a teacher: the campaigns they run (each must exist). */
    campaigns: z.array(CampaignSlug).max(100).default([]),
  })
  .strict()
  .meta({ id: 'StaffUserCreate' });

/** A one-time sign-in link: it sets a passphrase or registers a passkey, once, before it expires. */
export const SignInLink = z
  .object({ user: StaffUser, link: z.string(), expiresAt: z.iso.datetime() })
  .strict()
  .meta({ id: 'SignInLink' });
export type SignInLink = z.output<typeof SignInLink>;

// The audit log.

/** What staff do (and what is done to staff accounts); a closed set the app has a sentence for. */
export const AUDIT_ACTIONS = [
  'sign_in',
  'sign_out',
  'welcome',
  'campaigns_read',
  'campaign_create',
  'campaign_update',
  'seeds_import',
  'gold_import',
  'reviewers_read',
  'reviewer_grant',
  'reviewer_revoke',
  'moderate_hide',
  'moderate_clear',
  'flagged_read',
  'dashboard_read',
  'nodes_read',
  'node_revoke',
  'node_quarantine',
  'node_unquarantine',
  'user_add',
  'user_link',
  'user_revoke',
  'users_read',
  'audit_read',
  'contributor_withdraw',
  'glossary_read',
  'glossary_revert',
  'glossary_restore',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['ok', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AuditEntry = z
  .object({
    id: z.int().min(1),
    at: z.iso.datetime(),
    /** Who: the staff member, or the node's operator at its command line (`cli`), or someone unknown. */
    actor: z
      .object({ kind: z.enum(['staff', 'cli', 'unknown']), id: StaffUserId.optional(), name: z.string().optional(), role: z.enum(STAFF_ROLES).optional() })
      .strict(),
    action: z.enum(AUDIT_ACTIONS),
    /** What it was done to: a campaign slug, an item id, a user id or name. */
    target: z.string().nullable(),
    outcome: z.enum(AUDIT_OUTCOMES),
    /** The error code of a refusal or failure. */
    code: z.string().nullable(),
    /** From where: the client's address, or `cli`. */
    from: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.output<typeof AuditEntry>;

export const AuditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** Entries older than this id (the `next` of the previous page). */
    before: z.coerce.number().int().min(1).optional(),
  })
  .strict();

export const AuditList = z
  .object({ entries: z.array(AuditEntry), next: z.int().min(1).nullable() })
  .strict()
  .meta({ id: 'AuditList' });
export type AuditList = z.output<typeof AuditList>;

/**
 * POST /api/v1/staff/contributors/{contributor}/withdraw: a steward withdraws everything a
 * contributor gave, for someone who lost their key and asked in person (store/steward.ts).
 */
export const ContributorWithdrawRequest = z
  .object({
    /** Why, as the steward records it (who asked, how they were recognised): kept on the hub and in the audit log. */
    reason: z.string().trim().min(3).max(500),
  })
  .strict()
  .meta({ id: 'ContributorWithdrawRequest' });

export const ContributorWithdrawResult = z
  .object({
    id: z.string(),
    contributor: z.string(),
    at: z.iso.datetime(),
    /** Items withdrawn now; later-arriving ones made before `at` are withdrawn as they arrive. */
    withdrawn: z.int().min(0),
  })
  .strict()
  .meta({ id: 'ContributorWithdrawResult' });
export type ContributorWithdrawResult = z.infer<typeof ContributorWithdrawResult>;

/** GET /api/v1/staff/campaigns/{slug}/dashboard?hours=N: a drive's live view for its staff. */
export const DashboardQuery = z.object({ hours: z.coerce.number().int().min(1).max(168).default(24) }).strict();

export const DriveDashboard = z
  .object({
    campaign: CampaignSlug,
    generatedAt: z.iso.datetime(),
    /** Oldest first, one per hour of the window (hours with nothing included): by when the node received them. */
    hours: z.array(z.object({ hour: z.iso.datetime(), contributions: z.int().min(0), contributors: z.int().min(0) }).strict()),
    /** In the window: content items, and distinct contributors (counted, never named). */
    window: z.object({ contributions: z.int().min(0), contributors: z.int().min(0) }).strict(),
    /** Every item of the campaign that still counts (pending or accepted), per kind and language, with the kind's goal. */
    progress: z.array(z.object({ kind: z.enum(CONTENT_KINDS), language: LanguageTag, collected: z.int().min(0), accepted: z.int().min(0) }).strict()),
    goals: z.array(Goal),
    /** Items no consensus has decided yet. */
    reviewBacklog: z.int().min(0),
    /** Flagged items no moderator has decided on. */
    flagged: z.int().min(0),
    /** This node's link to its hub (absent on a hub). */
    sync: HubLink.optional(),
  })
  .strict()
  .meta({ id: 'DriveDashboard' });
export type DriveDashboard = z.infer<typeof DriveDashboard>;

/** GET /api/v1/staff/nodes (a hub's steward): every enrolled node, with what it last reported. */
export const StaffNode = z
  .object({
    id: NodeId,
    name: NodeName,
    state: z.enum(NODE_STATES),
    quarantined: z.boolean(),
    enrolledAt: z.string(),
    revokedAt: z.string().nullable(),
    lastPushAt: z.string().nullable(),
    lastPullAt: z.string().nullable(),
    /** The node's records the hub holds: through this number of the node's own order. */
    cursor: z.int().min(0),
    /** What the node last said of its link (POST /federation/v1/report), and when. */
    report: z.object({ at: z.string(), backlog: z.int().min(0), setAside: z.int().min(0), error: z.string().optional(), version: z.string() }).strict().optional(),
  })
  .strict()
  .meta({ id: 'StaffNode' });
export type StaffNode = z.infer<typeof StaffNode>;
export const StaffNodeList = z.object({ nodes: z.array(StaffNode) }).strict().meta({ id: 'StaffNodeList' });
export type StaffNodeList = z.infer<typeof StaffNodeList>;
/** POST /api/v1/staff/nodes/{id}/revoke: with `quarantine`, also leaves out of releases everything it ever sent. */
export const NodeRevokeRequest = z.object({ quarantine: z.boolean().default(false) }).strict().meta({ id: 'NodeRevokeRequest' });
