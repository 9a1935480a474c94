/**
 * The staff API's part of the OpenAPI document (openapi.ts adds it): sign-in, sessions, and what
 * was CLI-only — campaigns, imports, moderation, reviewer credentials, users, the audit log. Staff operations carry the
 * session cookie security scheme; every error names its stable code.
 */
import { CampaignDraft, CampaignPatch, ContributorWithdrawRequest, ContributorWithdrawResult, FileImport, GoldImport, PassphraseSet, PassphraseSignIn, PasskeyAssertion, PasskeyRegistration, ReviewerChange, ReviewerGrant, ReviewerList, StaffUserCreate, DriveDashboard, NodeRevokeRequest, StaffNode, StaffNodeList } from './staff.ts';
import { GlossaryActionResult, GlossaryLog, GlossaryRestoreRequest, GlossaryRevertRequest } from './glossary.log.ts';

/** The staff session: an HttpOnly `__Host-` cookie set by a sign-in. */
export const staffSecuritySchemes = {
  staffSession: {
    type: 'apiKey',
    in: 'cookie',
    name: '__Host-vernacular-staff',
    description: 'Set by a staff sign-in (Secure, HttpOnly, SameSite=Strict); state-changing requests must also send this server\'s Origin.',
  },
} as const;

// Importing the body schemas registers their components (see componentSchemas in openapi.ts).
void [CampaignDraft, CampaignPatch, ContributorWithdrawRequest, ContributorWithdrawResult, FileImport, GoldImport, PassphraseSet, PassphraseSignIn, PasskeyAssertion, PasskeyRegistration, StaffUserCreate,
  GlossaryActionResult, GlossaryLog, GlossaryRestoreRequest, GlossaryRevertRequest, ReviewerChange, ReviewerGrant, ReviewerList, DriveDashboard, NodeRevokeRequest, StaffNode, StaffNodeList];

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ 'application/json': { schema: ref(id) } });
const error = (description: string) => ({ description, content: json('ErrorBody') });
const body = (id: string) => ({ required: true, content: json(id) });

const TAG_SIGN_IN = 'staff sign-in';
const TAG_STAFF = 'staff';
/** The tags the staff operations use, for the document's top-level `tags`. */
export const staffTags = [
  { name: TAG_SIGN_IN, description: 'Staff sign-in: one-time links, passphrases, passkeys' },
  { name: TAG_STAFF, description: 'Staff work behind roles: campaigns, imports, moderation, users, the audit log, the shared glossary' },
];
const session = [{ staffSession: [] }];

const unauthenticated = error('staff_sign_in_required: no valid staff session (none, expired, signed out, revoked)');
const refused = error('forbidden (the role or scope does not cover this; logged), cross_origin (a state-changing request from another origin)');
const staffErrors = { '401': unauthenticated, '403': refused };
const invalid = error('invalid_request (details.field names it), malformed_json');
const notAllowed = error('method_not_allowed');
const noCampaign = error('not_found: no such campaign');
const noItem = error('not_found: no such content item on this node');
const noUser = error('not_found: no such staff account');

const slug = { name: 'slug', in: 'path', required: true, description: 'Campaign slug', schema: ref('CampaignSlug') };
const token = { name: 'token', in: 'path', required: true, description: 'The one-time token of a sign-in link', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } };
const itemId = { name: 'id', in: 'path', required: true, description: 'Content item id', schema: { type: 'string', format: 'uuid' } };
const glossaryCampaign = { name: 'campaign', in: 'path', required: true, description: 'Campaign slug (or general)', schema: ref('CampaignSlug') };
const nodeId = { name: 'id', in: 'path', required: true, description: 'The node', schema: { type: 'string', pattern: '^n-[a-z2-7]{16}$' } };
const userId = { name: 'id', in: 'path', required: true, description: 'Staff account id', schema: ref('StaffUserId') };
const badLink = error('invalid_sign_in_link: unknown, used or expired');
const tooManyChallenges = error('too_many_attempts: this address asked for too many challenges lately');

const signedIn = (summary: string, operationId: string, description: string, requestBody: unknown, extra: Record<string, unknown> = {}) => ({
  post: {
    summary,
    operationId,
    tags: [TAG_SIGN_IN],
    description,
    ...(requestBody !== undefined ? { requestBody } : {}),
    responses: {
      '200': { description: 'Signed in: the session, and its cookie in Set-Cookie', content: json('StaffSession') },
      '400': invalid,
      '403': error('cross_origin'),
      '405': notAllowed,
      ...extra,
    },
  },
});

export const staffApiPaths = {
  '/api/v1/staff/session': {
    get: {
      summary: 'Who is signed in',
      operationId: 'staffSession',
      tags: [TAG_STAFF],
      security: session,
      description: 'The signed-in staff member, whether their role has authority on this server, and when the session ends.',
      responses: { '200': { description: 'The session', content: json('StaffSession') }, '401': unauthenticated, '405': notAllowed },
    },
    delete: {
      summary: 'Sign out',
      operationId: 'staffSignOut',
      tags: [TAG_STAFF],
      security: session,
      description: 'Ends this session (the token is refused from now on) and clears its cookie.',
      responses: { '204': { description: 'Signed out' }, ...staffErrors, '405': notAllowed },
    },
  },
  '/api/v1/staff/session/passphrase': signedIn(
    'Sign in with a passphrase',
    'staffSignInPassphrase',
    'A new session for the account of that name (any letter case). A wrong passphrase and an unknown name get the same answer; failures are logged and limited per name and address.',
    body('PassphraseSignIn'),
    { '401': error('invalid_credentials'), '429': error('too_many_attempts: details.retryAfter (seconds), also in Retry-After') },
  ),
  '/api/v1/staff/session/passkey/options': {
    post: {
      summary: 'Start a passkey sign-in',
      operationId: 'staffPasskeyOptions',
      tags: [TAG_SIGN_IN],
      description: 'WebAuthn request options (a single-use challenge, valid five minutes, user verification required) for navigator.credentials.get().',
      responses: { '200': { description: 'PublicKeyCredentialRequestOptionsJSON', content: json('PasskeyOptions') }, '403': error('cross_origin'), '405': notAllowed, '429': tooManyChallenges },
    },
  },
  '/api/v1/staff/session/passkey': signedIn(
    'Sign in with a passkey',
    'staffSignInPasskey',
    'Verifies the assertion against the challenge handed out, this origin and relying party, and the stored public key and counter.',
    { required: true, content: { 'application/json': { schema: { type: 'object', required: ['response'], additionalProperties: false, properties: { response: ref('PasskeyAssertion') } } } } },
    { '400': error('passkey_rejected, invalid_request'), '401': error('invalid_credentials: unknown passkey or a bad signature') },
  ),
  '/api/v1/staff/welcome/{token}': {
    get: {
      summary: 'Read a one-time sign-in link',
      operationId: 'staffWelcome',
      tags: [TAG_SIGN_IN],
      description: 'Whose link it is and until when; the link stays unspent.',
      parameters: [token],
      responses: { '200': { description: 'The account the link is for', content: json('WelcomeInfo') }, '403': badLink, '405': notAllowed },
    },
  },
  '/api/v1/staff/welcome/{token}/passphrase': {
    post: {
      ...signedIn(
        'Set a passphrase from a sign-in link',
        'staffWelcomePassphrase',
        'Spends the link: sets the passphrase (at least 12 characters, not a common password), activates the account, ends its other sessions and signs in.',
        body('PassphraseSet'),
        { '400': error('passphrase_too_short (details.min), passphrase_common, invalid_request'), '403': error('invalid_sign_in_link, cross_origin') },
      ).post,
      parameters: [token],
    },
  },
  '/api/v1/staff/welcome/{token}/passkey/options': {
    post: {
      summary: 'Start registering a passkey from a sign-in link',
      operationId: 'staffWelcomePasskeyOptions',
      tags: [TAG_SIGN_IN],
      description: 'WebAuthn creation options (discoverable credential, user verification required) for navigator.credentials.create().',
      parameters: [token],
      responses: { '200': { description: 'PublicKeyCredentialCreationOptionsJSON', content: json('PasskeyOptions') }, '403': error('invalid_sign_in_link, cross_origin'), '405': notAllowed, '429': tooManyChallenges },
    },
  },
  '/api/v1/staff/welcome/{token}/passkey': {
    post: {
      ...signedIn(
        'Register a passkey from a sign-in link',
        'staffWelcomePasskey',
        'Verifies the attestation, stores the passkey, spends the link, activates the account, ends its other sessions and signs in.',
        { required: true, content: { 'application/json': { schema: { type: 'object', required: ['response'], additionalProperties: false, properties: { response: ref('PasskeyRegistration') } } } } },
        { '400': error('passkey_rejected, invalid_request'), '403': error('invalid_sign_in_link, cross_origin') },
      ).post,
      parameters: [token],
    },
  },

  '/api/v1/staff/campaigns': {
    get: {
      summary: 'List the campaigns this staff member manages',
      operationId: 'staffListCampaigns',
      tags: [TAG_STAFF],
      security: session,
      description: 'With their join codes and visibility: a teacher gets their classes, a librarian or steward every campaign.',
      responses: { '200': { description: 'The campaigns', content: json('StaffCampaignList') }, ...staffErrors, '405': notAllowed },
    },
    post: {
      summary: 'Create a campaign',
      operationId: 'staffCreateCampaign',
      tags: [TAG_STAFF],
      security: session,
      description: 'A new campaign (public: listed; unlisted: found only by its join code). The node makes a join code unless one is given. A campaign a teacher creates is one of their classes.',
      requestBody: body('CampaignDraft'),
      responses: {
        '201': { description: 'The campaign, join code included', content: json('Campaign') },
        '400': invalid,
        ...staffErrors,
        '405': notAllowed,
        '409': error('already_exists: the slug or join code is taken (details.field)'),
      },
    },
  },
  '/api/v1/staff/campaigns/{slug}': {
    get: {
      summary: 'Read a managed campaign',
      operationId: 'staffGetCampaign',
      tags: [TAG_STAFF],
      security: session,
      parameters: [slug],
      responses: { '200': { description: 'The campaign, join code included', content: json('Campaign') }, ...staffErrors, '404': noCampaign, '405': notAllowed },
    },
    patch: {
      summary: 'Change a campaign',
      operationId: 'staffUpdateCampaign',
      tags: [TAG_STAFF],
      security: session,
      description: 'The fields given replace the stored ones (null removes an optional one); the version goes up; a changed consensus rule re-derives its items\' status.',
      parameters: [slug],
      requestBody: body('CampaignPatch'),
      responses: {
        '200': { description: 'The campaign as stored now', content: json('Campaign') },
        '400': invalid,
        ...staffErrors,
        '404': noCampaign,
        '405': notAllowed,
        '409': error('already_exists: the join code is taken'),
      },
    },
  },
  '/api/v1/staff/campaigns/{slug}/seeds': {
    post: {
      summary: 'Import seed items',
      operationId: 'staffImportSeeds',
      tags: [TAG_STAFF],
      security: session,
      description: 'A seed file as `vernacular campaign seeds import` reads it (CSV with a header row, or JSONL), all rows or none; the same ids again replace them.',
      parameters: [slug],
      requestBody: body('FileImport'),
      responses: {
        '200': { description: 'Seeds added and replaced', content: json('ImportResult') },
        '400': error('invalid_request: details.problems lists the bad rows (ImportProblem), at most 100; nothing was imported'),
        ...staffErrors,
        '404': noCampaign,
        '405': notAllowed,
        '413': error('body_too_large'),
      },
    },
  },
  '/api/v1/staff/campaigns/{slug}/gold': {
    post: {
      summary: 'Import gold items',
      operationId: 'staffImportGold',
      tags: [TAG_STAFF],
      security: session,
      description: 'Test questions with a known answer, as `vernacular gold import` reads them, all or none; librarians and stewards only, and not on a node enrolled with a hub (gold comes from the hub).',
      parameters: [slug],
      requestBody: body('GoldImport'),
      responses: {
        '200': { description: 'Gold items added and updated, and how often the queue serves gold', content: json('ImportResult') },
        '400': error('invalid_request: details.problems lists the bad rows; nothing was imported'),
        ...staffErrors,
        '404': noCampaign,
        '405': notAllowed,
        '413': error('body_too_large'),
      },
    },
  },
  '/api/v1/staff/campaigns/{slug}/reviewers': {
    get: {
      summary: 'Reviewers and their standing',
      operationId: 'staffReviewers',
      tags: [TAG_STAFF],
      security: session,
      description: 'Every key with standing or votes in the campaign: eligible or not, by a credential or by gold, its gold votes, and how many of its votes count (eligible first, then most votes). On a hub, standing a node vouched for is listed under that node.',
      parameters: [
        slug,
        { name: 'limit', in: 'query', required: false, description: 'At most this many', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } },
        { name: 'eligible', in: 'query', required: false, description: 'Only eligible keys (true) or only the others (false)', schema: { type: 'string', enum: ['true', 'false'] } },
      ],
      responses: { '200': { description: 'The campaign\'s reviewer policy and reviewers', content: json('ReviewerList') }, '400': error('invalid_query'), ...staffErrors, '404': noCampaign, '405': notAllowed },
    },
    post: {
      summary: 'Grant a reviewer credential',
      operationId: 'staffGrantReviewer',
      tags: [TAG_STAFF],
      security: session,
      description: 'Given in person: the key (its contributor id, shown in the app\'s settings) becomes eligible in the campaign, and every item it voted on is judged again. Audited.',
      parameters: [slug],
      requestBody: body('ReviewerGrant'),
      responses: { '200': { description: 'The key\'s standing now', content: json('ReviewerChange') }, '400': invalid, ...staffErrors, '404': noCampaign, '405': notAllowed },
    },
  },
  '/api/v1/staff/campaigns/{slug}/reviewers/{reviewer}': {
    delete: {
      summary: 'Revoke a reviewer credential',
      operationId: 'staffRevokeReviewer',
      tags: [TAG_STAFF],
      security: session,
      description: 'The key keeps only the standing it earned on gold; every item it voted on is judged again. Audited.',
      parameters: [slug, { name: 'reviewer', in: 'path', required: true, description: 'Contributor id', schema: ref('ContributorId') }],
      responses: {
        '200': { description: 'The key\'s standing now', content: json('ReviewerChange') },
        '400': error('invalid_request: not a contributor id'),
        ...staffErrors,
        '404': error('not_found: no such campaign, or the key holds no credential in it here'),
        '405': notAllowed,
      },
    },
  },
  '/api/v1/staff/campaigns/{slug}/dashboard': {
    get: {
      summary: 'A drive’s live dashboard',
      operationId: 'staffDriveDashboard',
      tags: [TAG_STAFF],
      security: session,
      description: 'For the staff who manage the campaign (a teacher: their classes): content items and distinct contributors per hour of the last `hours` (by when this server received them), what still counts per kind and language against the goals, the review backlog, flagged items no moderator decided on, and this node\'s hub link.',
      parameters: [
        { name: 'slug', in: 'path', required: true, description: 'The campaign', schema: ref('CampaignSlug') },
        { name: 'hours', in: 'query', required: false, description: 'The window, in hours', schema: { type: 'integer', minimum: 1, maximum: 168, default: 24 } },
      ],
      responses: { '200': { description: 'The dashboard', content: json('DriveDashboard') }, '400': error('invalid_query'), ...staffErrors, '404': error('not_found'), '405': notAllowed },
    },
  },
  '/api/v1/staff/flagged': {
    get: {
      summary: 'The flagged queue',
      operationId: 'staffFlaggedQueue',
      tags: [TAG_STAFF],
      security: session,
      description: 'Content items anyone flagged — eligible reviewers or not — that no moderator has decided on (most counted flags first, then most flags), with the votes that count, every vote held and the reasons given; a teacher gets their classes\' only. Flags of keys that are not eligible never hide an item: they only bring it here.',
      parameters: [
        { name: 'campaign', in: 'query', required: false, description: 'Only this campaign', schema: ref('CampaignSlug') },
        { name: 'limit', in: 'query', required: false, description: 'At most this many', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
      ],
      responses: { '200': { description: 'Flagged items', content: json('FlaggedQueue') }, '400': error('invalid_query'), ...staffErrors, '405': notAllowed },
    },
  },
  '/api/v1/staff/items/{id}/hide': {
    post: {
      summary: 'Hide an item',
      operationId: 'staffHideItem',
      tags: [TAG_STAFF],
      security: session,
      description: 'A moderator hides the item: it leaves review queues and releases.',
      parameters: [itemId],
      responses: { '200': { description: 'Its status now', content: json('ModerationResult') }, ...staffErrors, '404': noItem, '405': notAllowed },
    },
  },
  '/api/v1/staff/items/{id}/clear': {
    post: {
      summary: 'Clear an item\'s flags',
      operationId: 'staffClearItem',
      tags: [TAG_STAFF],
      security: session,
      description: 'A moderator clears the item\'s flags: they no longer hide it.',
      parameters: [itemId],
      responses: { '200': { description: 'Its status now', content: json('ModerationResult') }, ...staffErrors, '404': noItem, '405': notAllowed },
    },
  },
  '/api/v1/staff/users': {
    get: {
      summary: 'List staff accounts',
      operationId: 'staffListUsers',
      tags: [TAG_STAFF],
      security: session,
      description: 'Librarians (node) and stewards (hub) only.',
      responses: { '200': { description: 'The accounts', content: json('StaffUserList') }, ...staffErrors, '405': notAllowed },
    },
    post: {
      summary: 'Add a staff account',
      operationId: 'staffAddUser',
      tags: [TAG_STAFF],
      security: session,
      description: 'A librarian adds teachers and librarians, a steward teachers and stewards; the answer carries the one-time sign-in link to hand over.',
      requestBody: body('StaffUserCreate'),
      responses: {
        '201': { description: 'The account and its one-time sign-in link', content: json('SignInLink') },
        '400': invalid,
        ...staffErrors,
        '405': notAllowed,
        '409': error('already_exists: the name is taken (any letter case)'),
      },
    },
  },
  '/api/v1/staff/nodes': {
    get: {
      summary: 'The enrolled nodes (steward’s console)',
      operationId: 'staffNodes',
      tags: [TAG_STAFF],
      security: session,
      description: 'Hub only, for its steward: every enrolled node with its state, quarantine, last push and pull, the hub\'s cursor for it, and what it last reported of its link (backlog, records set aside, last problem, version).',
      responses: { '200': { description: 'The nodes', content: json('StaffNodeList') }, ...staffErrors, '404': error('not_found: this is a node'), '405': notAllowed },
    },
  },
  '/api/v1/staff/nodes/{id}/revoke': {
    post: {
      summary: 'Revoke a node',
      operationId: 'staffRevokeNode',
      tags: [TAG_STAFF],
      security: session,
      description: 'Hub only: refuses everything the node sends from now on (it says so in its status); with `quarantine`, also leaves out of every release everything it ever sent. Audited.',
      parameters: [nodeId],
      requestBody: { required: true, content: json('NodeRevokeRequest') },
      responses: { '200': { description: 'The node now', content: json('StaffNode') }, '400': invalid, ...staffErrors, '404': error('not_found'), '405': notAllowed },
    },
  },
  '/api/v1/staff/nodes/{id}/quarantine': {
    post: {
      summary: 'Quarantine a node',
      operationId: 'staffQuarantineNode',
      tags: [TAG_STAFF],
      security: session,
      description: 'Hub only: leaves out of releases everything the node ever sent (its records stay stored). Audited.',
      parameters: [nodeId],
      responses: { '200': { description: 'The node now', content: json('StaffNode') }, ...staffErrors, '404': error('not_found'), '405': notAllowed },
    },
  },
  '/api/v1/staff/nodes/{id}/unquarantine': {
    post: {
      summary: 'Take a node back into releases',
      operationId: 'staffUnquarantineNode',
      tags: [TAG_STAFF],
      security: session,
      description: 'Hub only: what the node sent counts in releases again. Audited.',
      parameters: [nodeId],
      responses: { '200': { description: 'The node now', content: json('StaffNode') }, ...staffErrors, '404': error('not_found'), '405': notAllowed },
    },
  },
  '/api/v1/staff/users/{id}/revoke': {
    post: {
      summary: 'Revoke a staff account',
      operationId: 'staffRevokeUser',
      tags: [TAG_STAFF],
      security: session,
      description: 'Disables the account and ends every session of it at once (not one\'s own).',
      parameters: [userId],
      responses: { '200': { description: 'The account now', content: json('StaffUser') }, '400': invalid, ...staffErrors, '404': noUser, '405': notAllowed },
    },
  },
  '/api/v1/staff/users/{id}/link': {
    post: {
      summary: 'Issue a new sign-in link',
      operationId: 'staffUserLink',
      tags: [TAG_STAFF],
      security: session,
      description: 'For someone who lost their passkey or passphrase; earlier unspent links of the account stop working.',
      parameters: [userId],
      responses: { '201': { description: 'The one-time sign-in link', content: json('SignInLink') }, '400': invalid, ...staffErrors, '404': noUser, '405': notAllowed },
    },
  },
  '/api/v1/staff/audit': {
    get: {
      summary: 'Read the audit log',
      operationId: 'staffAudit',
      tags: [TAG_STAFF],
      security: session,
      description: 'Who did what, when, from where — staff actions, refusals and failed sign-ins — newest first; librarians and stewards only.',
      parameters: [
        { name: 'limit', in: 'query', required: false, description: 'At most this many', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        { name: 'before', in: 'query', required: false, description: 'Entries older than this id (the previous page\'s next)', schema: { type: 'integer', minimum: 1 } },
      ],
      responses: { '200': { description: 'A page of the log', content: json('AuditList') }, '400': error('invalid_query'), ...staffErrors, '405': notAllowed },
    },
  },
  '/api/v1/staff/contributors/{id}/withdraw': {
    post: {
      summary: 'Withdraw everything of a contributor who lost their key',
      operationId: 'staffContributorWithdraw',
      tags: [TAG_STAFF],
      security: session,
      description:
        'For someone who lost their key and asks in person: every content item of theirs made until now is withdrawn, here and as later copies arrive, and (on a hub) on every node with its next pull. A steward on the hub, or the librarian of a node with no hub; audited with the reason.',
      parameters: [{ name: 'id', in: 'path', required: true, description: 'The contributor id (their phone shows it in Settings)', schema: { type: 'string', format: 'uuid' } }],
      requestBody: body('ContributorWithdrawRequest'),
      responses: {
        '200': { description: 'Withdrawn', content: json('ContributorWithdrawResult') },
        '400': invalid,
        '401': unauthenticated,
        '403': error('forbidden (not a steward here, or a node enrolled with a hub: its steward decides; logged), cross_origin'),
        '405': notAllowed,
      },
    },
  },
  '/api/v1/staff/glossary/{campaign}/log': {
    get: {
      summary: 'Read a glossary\'s log',
      operationId: 'staffGlossaryLog',
      tags: [TAG_STAFF],
      security: session,
      description: 'The campaign\'s glossary updates, newest first, each with its author (a contributor id, or the server that wrote it), where it came from and how much it added here; librarians (node) and stewards (hub).',
      parameters: [
        glossaryCampaign,
        { name: 'limit', in: 'query', required: false, description: 'At most this many', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        { name: 'before', in: 'query', required: false, description: 'Entries before this position (the previous page\'s next)', schema: { type: 'integer', minimum: 1 } },
      ],
      responses: { '200': { description: 'A page of the log', content: json('GlossaryLog') }, '400': error('invalid_query'), ...staffErrors, '404': noCampaign, '405': notAllowed },
    },
  },
  '/api/v1/staff/glossary/{campaign}/revert': {
    post: {
      summary: 'Revert one author\'s glossary updates',
      operationId: 'staffGlossaryRevert',
      tags: [TAG_STAFF],
      security: session,
      description:
        'Writes, as a new update from this server, what makes the glossary show what it would without that author\'s updates: ' +
        'their terms, fields and text go, what they deleted or overwrote comes back, edits others made inside what they created go with it. ' +
        'Every device, the hub and the other nodes receive it like any update. Audited.',
      parameters: [glossaryCampaign],
      requestBody: body('GlossaryRevertRequest'),
      responses: { '200': { description: 'What changed', content: json('GlossaryActionResult') }, '400': invalid, ...staffErrors, '404': noCampaign, '405': notAllowed },
    },
  },
  '/api/v1/staff/glossary/{campaign}/restore': {
    post: {
      summary: 'Restore a glossary as of a time',
      operationId: 'staffGlossaryRestore',
      tags: [TAG_STAFF],
      security: session,
      description: 'Writes, as a new update from this server, what makes the glossary show what this server held at that time. Audited.',
      parameters: [glossaryCampaign],
      requestBody: body('GlossaryRestoreRequest'),
      responses: { '200': { description: 'What changed', content: json('GlossaryActionResult') }, '400': invalid, ...staffErrors, '404': noCampaign, '405': notAllowed },
    },
  },
};
