/**
 * GET /federation/v1/certificate (signed): the name this hub gives the node.
 * POST /federation/v1/certificate (signed): a certificate for the node's name on the deployment's
 * domain, for the CSR the node made from its own key, with its LAN addresses published under the
 * name (tls/acme.ts). Refused with `certificates_not_offered` when this hub has no CA and DNS set
 * up, `invalid_csr` for a CSR that is unreadable, badly signed or for another name, and
 * `certificate_failed` when the CA or the DNS server failed (the node asks again later), and 429
 * `rate_limited` past the node's orders a week (the CA's limits are the whole deployment's).
 */
import type { Context, Hono } from 'hono';
import { type CertificateName, CertificateRequest, type CertificateResponse, PROTOCOL_VERSION } from '../protocol/index.ts';
import { ApiError, methodNotAllowed } from '../server/errors.ts';
import { bodyEncoding, checkJsonContentType } from '../server/body.ts';
import { parseJsonText } from '../server/query.ts';
import { CsrError, type NodeCertificateAuthority, OrderLimitError } from '../tls/acme.ts';
import { publishableAddress } from '../tls/names.ts';
import type { EnrolledNode } from './registry.ts';

const LIMIT = 16 * 1024;

export function certificateRoute(
  app: Hono,
  authority: NodeCertificateAuthority | undefined,
  authenticate: (c: Context, limit: number) => Promise<{ node: EnrolledNode; bytes: Uint8Array }>,
  log: (line: string) => void,
): void {
  const offered = (): NodeCertificateAuthority => {
    if (authority === undefined) {
      throw new ApiError(404, 'certificates_not_offered', 'This hub gives its nodes no certificates (it has no --domain, --acme-directory and --dns set up)');
    }
    return authority;
  };
  app.get('/federation/v1/certificate', async (c) => {
    const { node } = await authenticate(c, 0);
    const answer: CertificateName = { protocol: PROTOCOL_VERSION, name: offered().nameOf(node.id) };
    return c.json(answer);
  });
  app.post('/federation/v1/certificate', async (c) => {
    checkJsonContentType(c.req.header('content-type') ?? null);
    const { node, bytes } = await authenticate(c, LIMIT);
    offered();
    const { csr, addresses } = parseJsonText({ bytes, encoding: bodyEncoding(c.req.header('content-encoding') ?? null) }, CertificateRequest);
    const bad = addresses.find((a) => !publishableAddress(a));
    if (bad !== undefined) throw new ApiError(400, 'invalid_request', `Invalid request: addresses: ${bad} is not a LAN address (private, link-local or loopback)`, { field: 'addresses' });
    try {
      const issued = await offered().issue(node.id, csr, [...new Set(addresses)]);
      log(`certificate: issued ${issued.name} for node ${node.id} (${node.name}), valid until ${issued.notAfter}`);
      const answer: CertificateResponse = { protocol: PROTOCOL_VERSION, ...issued };
      return c.json(answer);
    } catch (err) {
      if (err instanceof CsrError) throw new ApiError(400, 'invalid_csr', err.message);
      if (err instanceof OrderLimitError) {
        const seconds = Math.ceil(err.retryAfterMs / 1000);
        throw new ApiError(429, 'rate_limited', 'This node asked for too many certificates this week; its current one stays valid', { retryAfter: seconds }, seconds);
      }
      const reason = (err as Error).message.slice(0, 300);
      log(`certificate: could not issue one for node ${node.id}: ${reason}`);
      throw new ApiError(502, 'certificate_failed', 'The certificate authority or the DNS server failed this request; try again later', { reason });
    }
  });
  app.all('/federation/v1/certificate', methodNotAllowed(['GET', 'HEAD', 'POST']));
}
