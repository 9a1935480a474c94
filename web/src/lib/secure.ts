/**
 * Whether this page may run the app. Keys are made with WebCrypto and contributions wait in an
 * offline outbox behind a service worker; browsers give neither to a page that is not a secure
 * context (plain http:// on any address but localhost). Such a page must say so plainly instead
 * of failing on the first `crypto.randomUUID()`: `unusable` tells which case it is.
 */
export type Unusable =
  /** Plain HTTP on a network address: the librarian should open the node's secure address. */
  | 'insecure_context'
  /** A secure page in a browser without WebCrypto (too old): another browser is needed. */
  | 'no_webcrypto';

export interface PageFacts {
  isSecureContext: boolean;
  crypto: { subtle?: unknown; randomUUID?: unknown } | undefined;
}

/** Why the app cannot run on this page, or null when it can. A missing service worker alone is not a reason: the app then works online only. */
export function unusable(page: PageFacts): Unusable | null {
  if (!page.isSecureContext) return 'insecure_context';
  if (page.crypto?.subtle === undefined || typeof page.crypto.randomUUID !== 'function') return 'no_webcrypto';
  return null;
}
