/**
 * Stable error codes: a closed set, shared by the server (which sends them) and the web app (which
 * turns each into a sentence from its message catalogue). A code never changes meaning; new
 * situations get new codes.
 */
import { z } from 'zod';

/** Codes for a whole request that was refused: nothing in it was stored. */
export const REQUEST_ERROR_CODES = [
  'malformed_json',
  'invalid_utf8',
  'body_too_large',
  'unsupported_media_type',
  'unsupported_encoding',
  'unsupported_protocol',
  'invalid_request',
  'batch_too_large',
  'not_found',
  'method_not_allowed',
  'invalid_query',
  /** A glossary sync body that is not well-formed y-protocols sync messages. */
  'malformed_sync_message',
  /** A path naming a campaign this node does not hold. */
  'unknown_campaign',
  /** A glossary edit from a key the campaign does not (yet) take edits from; nothing was stored (403). */
  'not_eligible',
  /** A glossary update writing under a Yjs client id another author already writes under (403). */
  'foreign_client',
  // Node ↔ hub federation (federation.ts): nothing in a refused request is stored.
  /** No `Authorization: Vernacular-Ed25519 …` header, or one that cannot be read (401). */
  'unauthenticated',
  /** The key is not enrolled on this hub (401). */
  'unknown_node',
  /** The request signature does not verify (401). */
  'bad_signature',
  /** The request's timestamp is outside the hub's window; `details.serverTime` says the hub's time (401). */
  'stale_request',
  /** This nonce was already used within the window (401). */
  'replayed_request',
  /** The steward revoked this node (403). */
  'node_revoked',
  /** The enrolment token is unknown, used or expired (403). */
  'invalid_token',
  /** The batch signature does not match the records sent (400). */
  'bad_batch_signature',
  /** The batch starts after the hub's cursor for the node; `details.cursor` says where to resume (409). */
  'out_of_order',
  /** This hub gives its nodes no certificates: it has no certificate authority and DNS set up (404). */
  'certificates_not_offered',
  /** A certificate request whose CSR cannot be read, or names another name than the node's, or a bad key (400). */
  'invalid_csr',
  /** The certificate authority or the DNS provider failed the request; `details.reason` says how; try later (502). */
  'certificate_failed',
  // Staff (staff.ts): sign-in, sessions, roles. A refused request changed nothing.
  /** No staff session, or one that expired, was signed out or whose user was disabled (401). */
  'staff_sign_in_required',
  /** The staff member's role or scope does not cover this; the refusal is in the audit log (403). */
  'forbidden',
  /** A state-changing staff request whose Origin is not this server's (403). */
  'cross_origin',
  /** Sign-in failed: unknown name, wrong passphrase, unknown or unverifiable passkey (401). */
  'invalid_credentials',
  /** Too many failed sign-ins for this name or address; `details.retryAfter` says when to try (429). */
  'too_many_attempts',
  /** A one-time sign-in link that is unknown, used or expired (403). */
  'invalid_sign_in_link',
  /** A passphrase under the minimum length, `details.min` (400). */
  'passphrase_too_short',
  /** A passphrase on the list of common passwords, or one of them padded with digits (400). */
  'passphrase_common',
  /** The passkey (WebAuthn) response does not verify: challenge, origin, RP id or signature (400). */
  'passkey_rejected',
  /** A campaign slug or join code, or a staff name, that is already taken (409). */
  'already_exists',
  /** JSON nested deeper than `LIMITS.maxJsonDepth` (400; `details.field`, `details.limit`). */
  'nesting_too_deep',
  /** Text no store can hold as sent: a NUL character or a lone surrogate (400; `details.field`). */
  'invalid_text',
  /** Too many requests from this address or key; `Retry-After` (seconds) says when to try again (429). */
  'rate_limited',
  /** The server's storage is full; nothing in the request was stored; `Retry-After` says when to try again (507). */
  'storage_full',
  /** The server cannot take requests for a moment (its database is out of connections or memory); `Retry-After` (503). */
  'unavailable',
  'internal',
] as const;
export type RequestErrorCode = (typeof REQUEST_ERROR_CODES)[number];

/** Codes for one item of a batch that was rejected: that item was not stored, the others were. */
export const ITEM_ERROR_CODES = [
  'missing_field',
  'unknown_field',
  'invalid_type',
  'invalid_value',
  'invalid_id',
  'invalid_timestamp',
  'invalid_language',
  'invalid_text',
  'empty',
  'too_long',
  'unknown_kind',
  'duplicate_in_batch',
  'conflict',
  /** A review of one's own item. */
  'own_item',
  /** An edit or withdrawal of an item that belongs to someone else, or of another kind. */
  'not_author',
  /** A review, revision or withdrawal naming an item this server does not hold. */
  'unknown_target',
  /** A review, revision of an item that was withdrawn. */
  'withdrawn',
  'unknown_campaign',
  'kind_not_enabled',
  /** A content item given under another licence than its campaign's. */
  'licence_mismatch',
  /**
   * The item is not its key's: the contributor id is not the key's, or the signature does not
   * verify over the item's content (protocol/signing.ts).
   */
  'bad_signature',
  /** JSON nested deeper than `LIMITS.maxJsonDepth`. */
  'nesting_too_deep',
] as const;
export type ItemErrorCode = (typeof ITEM_ERROR_CODES)[number];

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(REQUEST_ERROR_CODES),
      message: z.string(),
      /** Extra facts for the client, e.g. `{ limit: 4194304 }` or `{ supported: [1] }`. */
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'ErrorBody', description: 'The one shape of every error answer.' });
export type ErrorBody = z.infer<typeof ErrorBody>;
