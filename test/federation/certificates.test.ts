/**
 * A library node phones can trust, with no internet: the hub gives an enrolled node a name under
 * the deployment's domain, publishes the node's LAN address there and answers the ACME DNS-01
 * challenge for it; the node makes its own key and CSR, serves HTTPS under that name with HSTS,
 * redirects plain HTTP to it (localhost excepted), keeps the certificate across a restart and
 * renews it by itself while serving. Real processes: Pebble (the test CA), the hub and the node,
 * and the DNS either pebble-challtestsrv or a real Knot DNS server updated over RFC 2136 with TSIG.
 */
import { spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPebble, type Pebble } from '../support/pebble.ts';
import { sbin, startKnot, type Knot } from '../support/knot.ts';
import { type FedNode, type Hub, startHub, startNode, waitFor } from '../support/federation.ts';
import { freePort } from '../support/server.ts';
import { FakeNode } from '../support/fake-node.ts';
import { PROTOCOL_VERSION } from '../../federation/protocol/index.ts';
import { certificateRequest, loadOrCreateTlsKey } from '../../federation/tls/files.ts';
import { tempDir } from '../support/server.ts';

const DOMAIN = 'lib.test';

interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  certificate: PeerCertificate;
}

/** GET over HTTPS to the node's name (resolved to loopback), trusting only Pebble's root. */
function httpsGet(name: string, port: number, path: string, ca: string): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, servername: name, headers: { host: `${name}:${port}` }, ca, agent: false }, (res) => {
      let body = '';
      const certificate = (res.socket as TLSSocket).getPeerCertificate();
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, certificate }));
    });
    req.on('error', reject).end();
  });
}

function httpRaw(port: number, method: string, path: string, host: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host }, agent: false }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode!, location: res.headers.location }));
    });
    req.on('error', reject).end(method === 'POST' ? '{}' : undefined);
  });
}

const SECURE_LINE = /Secure address for phones and tablets: https:\/\/(n-[a-z2-7]{16}\.lib\.test):(\d+)/;

for (const dns of ['challtestsrv', 'rfc2136'] as const) {
  describe(`node certificates from the hub (DNS: ${dns === 'rfc2136' ? 'RFC 2136 to Knot' : 'pebble-challtestsrv'})`, () => {
    let pebble: Pebble;
    let knot: Knot | undefined;
    let hub: Hub;
    let node: FedNode;
    let name: string;
    let httpsPort: number;
    let root: string;
    let hubArgs: string[] = [];
    const resolver = new Resolver({ timeout: 2000, tries: 2 });

    beforeAll(async () => {
      let dnsArgs: string[];
      if (dns === 'rfc2136') {
        knot = await startKnot(DOMAIN);
        pebble = await startPebble({ dnsServer: knot.address });
        dnsArgs = ['--dns', `rfc2136:${knot.host}:${knot.port}:${DOMAIN}`, '--tsig-key', knot.tsigKey];
      } else {
        pebble = await startPebble();
        dnsArgs = ['--dns', `challtestsrv:${pebble.challtestsrvUrl}`];
      }
      resolver.setServers([pebble.dnsServer]);
      root = await pebble.root();
      hubArgs = ['--domain', DOMAIN, '--acme-directory', pebble.directoryUrl, '--acme-ca', pebble.listenerCaFile, ...dnsArgs];
      // The renewal test renews every two seconds: a budget no real node needs.
      hub = await startHub({ args: [...hubArgs, '--cert-orders-per-week', '1000'] });
      httpsPort = await freePort();
      node = await startNode(hub, 'Kisumu public library', {
        every: 0.5,
        args: ['--https-port', String(httpsPort), '--lan-address', '127.0.0.1', '--cert-check-every', '1'],
      });
      const match = await waitFor('the node’s secure address', async () => SECURE_LINE.exec(node.output()) ?? undefined, 60_000);
      name = match[1]!;
      expect(Number(match[2])).toBe(httpsPort);
    }, 120_000);

    afterAll(async () => {
      await node?.dispose();
      await hub?.dispose();
      await pebble?.stop();
      await knot?.stop();
    });

    it('names the node <node id>.<domain>, publishes its LAN address, and serves HTTPS under that name with HSTS', async () => {
      expect(node.output()).toContain('certificate: got the certificate for');
      expect(await resolver.resolve4(name)).toEqual(['127.0.0.1']);
      const answer = await httpsGet(name, httpsPort, '/api/v1/health', root);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok', role: 'node' });
      expect(answer.headers['strict-transport-security']).toBe('max-age=63072000');
      expect(answer.certificate.subjectaltname).toBe(`DNS:${name}`);
      // The app itself, over HTTPS, with its security headers.
      const page = await httpsGet(name, httpsPort, '/', root);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<div id="app"');
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
      // The challenge record is gone once the certificate is issued.
      await expect(resolver.resolveTxt(`_acme-challenge.${name}`)).rejects.toBeDefined();
    });

    it('sends plain HTTP to the HTTPS name, keeping path and method, but not localhost', async () => {
      const read = await httpRaw(node.port, 'GET', '/#/join/ABC?x=1', `${name}:${node.port}`);
      expect(read.status).toBe(301);
      expect(read.location).toBe(`https://${name}:${httpsPort}/`);
      const deep = await httpRaw(node.port, 'GET', '/api/v1/campaigns?limit=5', `192.168.1.9:${node.port}`);
      expect(deep).toEqual({ status: 301, location: `https://${name}:${httpsPort}/api/v1/campaigns?limit=5` });
      const write = await httpRaw(node.port, 'POST', '/api/v1/sync', `${name}:${node.port}`);
      expect(write).toEqual({ status: 308, location: `https://${name}:${httpsPort}/api/v1/sync` });
      const local = await httpRaw(node.port, 'GET', '/api/v1/health', `localhost:${node.port}`);
      expect(local.status).toBe(200);
    });

    it('keeps its key on the node: the hub is sent a CSR, and the certificate is for the node’s own key', async () => {
      const key = loadOrCreateTlsKey(node.dataDir);
      const answer = await httpsGet(name, httpsPort, '/api/v1/health', root);
      const { createPublicKey, X509Certificate } = await import('node:crypto');
      const served = new X509Certificate(answer.certificate.raw);
      expect(served.publicKey.export({ type: 'spki', format: 'der' }).equals(createPublicKey(key).export({ type: 'spki', format: 'der' }))).toBe(true);
      expect(hub.output()).toContain(`certificate: issued ${name}`);
    });

    it('prints the dnsmasq lines that answer its name on a LAN with no internet, and dnsmasq answers with them', async () => {
      const shown = await node.cli(['node', 'certificate']);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(`Name: ${name}`);
      expect(shown.stdout).toMatch(/Valid until: \d{4}-/);
      const recipe = await node.cli(['node', 'certificate', '--dnsmasq', '--lan-address', '10.20.30.40']);
      expect(recipe.code).toBe(0);
      expect(recipe.stdout).toContain(`address=/${name}/10.20.30.40`);
      const dir = await tempDir('dnsmasq');
      writeFileSync(join(dir, 'vernacular.conf'), recipe.stdout);
      const port = await freePort();
      const dnsmasq = spawn(sbin('dnsmasq'), ['--keep-in-foreground', `--conf-file=${join(dir, 'vernacular.conf')}`, `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts', '--pid-file=', '--user=root'], { stdio: 'ignore' });
      try {
        const lan = new Resolver({ timeout: 1000, tries: 1 });
        lan.setServers([`127.0.0.1:${port}`]);
        expect(await waitFor('dnsmasq to answer', async () => lan.resolve4(name).catch(() => undefined), 15_000)).toEqual(['10.20.30.40']);
      } finally {
        dnsmasq.kill('SIGTERM');
      }
    });

    it('serves the certificate on disk at once after a restart', async () => {
      const before = (await httpsGet(name, httpsPort, '/api/v1/health', root)).certificate.fingerprint256;
      await node.stop();
      await node.restart();
      // Straight from disk, before any word from the hub.
      await waitFor('HTTPS after the restart', async () => SECURE_LINE.test(node.output().split('Vernacular node stopped.').at(-1)!) || undefined, 30_000);
      const afterRestart = await httpsGet(name, httpsPort, '/api/v1/health', root);
      expect(afterRestart.status).toBe(200);
      expect(afterRestart.certificate.fingerprint256).toBe(before);
    });

    it('renews by itself while serving: the next connection gets the new certificate, on the same port', async () => {
      const port = await freePort();
      // Renew-before longer than any test certificate's life: every check renews.
      const renewing = await startNode(hub, 'Renewing library', { every: 0.5, args: ['--https-port', String(port), '--lan-address', '127.0.0.1', '--cert-check-every', '2', '--cert-renew-before', '36500'] });
      try {
        const own = (await waitFor('its certificate', async () => SECURE_LINE.exec(renewing.output()) ?? undefined, 60_000))[1]!;
        const first = (await httpsGet(own, port, '/api/v1/health', root)).certificate.fingerprint256;
        await waitFor('a renewal', async () => renewing.output().includes('certificate: renewed the certificate for') || undefined, 60_000);
        const renewed = await waitFor('the renewed certificate served', async () => {
          const answer = await httpsGet(own, port, '/api/v1/health', root);
          return answer.status === 200 && answer.certificate.fingerprint256 !== first ? answer : undefined;
        });
        expect(renewed.certificate.subjectaltname).toBe(`DNS:${own}`);
        expect(renewing.output().match(/Secure address for phones and tablets/g)).toHaveLength(1);
      } finally {
        await renewing.dispose();
      }
    });

    it('refuses certificates for other names, bad CSRs and unpublishable addresses', async () => {
      const stranger = new FakeNode(hub.url);
      expect((await stranger.enroll(await hub.token('Someone else'))).status).toBe(200);
      const key = loadOrCreateTlsKey(await tempDir('stranger-tls'));
      const own = `${stranger.key.id}.${DOMAIN}`;
      expect((await stranger.request('GET', '/federation/v1/certificate')).json).toEqual({ protocol: PROTOCOL_VERSION, name: own });
      // Another node's name: the CSR must name exactly the caller's own.
      const theirs = await stranger.request('POST', '/federation/v1/certificate', { protocol: PROTOCOL_VERSION, csr: await certificateRequest(key, name), addresses: ['127.0.0.1'] });
      expect(theirs.status).toBe(400);
      expect(theirs.json.error!.code).toBe('invalid_csr');
      // A CSR whose signature was tampered with.
      const good = await certificateRequest(key, own);
      const lines = good.trim().split('\n');
      const body = lines.slice(1, -1).join('');
      const bytes = Buffer.from(body, 'base64');
      bytes[bytes.length - 5]! ^= 0xff;
      const tampered = `${lines[0]}\n${bytes.toString('base64').match(/.{1,64}/g)!.join('\n')}\n${lines.at(-1)}\n`;
      const forged = await stranger.request('POST', '/federation/v1/certificate', { protocol: PROTOCOL_VERSION, csr: tampered, addresses: ['127.0.0.1'] });
      expect(forged.status).toBe(400);
      expect(forged.json.error!.code).toBe('invalid_csr');
      for (const addresses of [['0.0.0.0'], ['224.0.0.1'], ['8.8.8.8'], ['2001:db8::1'], ['not-an-ip'], []]) {
        const bad = await stranger.request('POST', '/federation/v1/certificate', { protocol: PROTOCOL_VERSION, csr: good, addresses });
        expect(bad.status, JSON.stringify(addresses)).toBe(400);
        expect(bad.json.error!.code).toBe('invalid_request');
      }
      // Unsigned: refused before anything is read.
      const anonymous = await fetch(`${hub.url}/federation/v1/certificate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ protocol: PROTOCOL_VERSION, csr: good, addresses: ['127.0.0.1'] }) });
      expect(anonymous.status).toBe(401);
      // The stranger's own name, properly asked for: issued.
      const mine = await stranger.request('POST', '/federation/v1/certificate', { protocol: PROTOCOL_VERSION, csr: good, addresses: ['127.0.0.2'] });
      expect(mine.status).toBe(200);
      expect(mine.json).toMatchObject({ name: own });
      expect(await resolver.resolve4(own)).toEqual(['127.0.0.2']);
      // Revoked: no more certificates.
      expect((await hub.cli(['hub', 'node', 'revoke', stranger.key.id])).code).toBe(0);
      const revoked = await stranger.request('POST', '/federation/v1/certificate', { protocol: PROTOCOL_VERSION, csr: good, addresses: ['127.0.0.2'] });
      expect(revoked.status).toBe(403);
      expect(revoked.json.error!.code).toBe('node_revoked');
    });

    it('lets one node cause only so many orders a week (the CA’s limits are the deployment’s)', async () => {
      const strict = await startHub({ args: [...hubArgs, '--cert-orders-per-week', '1'] });
      try {
        const fake = new FakeNode(strict.url);
        await fake.enroll(await strict.token('Eager node'));
        const own = `${fake.key.id}.${DOMAIN}`;
        const ask = async () => fake.request('POST', '/federation/v1/certificate', { protocol: PROTOCOL_VERSION, csr: await certificateRequest(loadOrCreateTlsKey(await tempDir('eager-tls')), own), addresses: ['10.0.0.9'] });
        expect((await ask()).status).toBe(200);
        const again = await ask();
        expect([again.status, again.json.error?.code]).toEqual([429, 'rate_limited']);
        expect(Number(again.retryAfter)).toBeGreaterThan(6 * 86_400);
      } finally {
        await strict.dispose();
      }
    });
  });
}

describe('a hub with no certificate authority set up', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('answers certificates_not_offered to an enrolled node, and a node goes on over HTTP', async () => {
    const fake = new FakeNode(hub.url);
    await fake.enroll(await hub.token('Plain node'));
    const answer = await fake.request('GET', '/federation/v1/certificate');
    expect(answer.status).toBe(404);
    expect(answer.json.error!.code).toBe('certificates_not_offered');
    const node = await startNode(hub, 'Plain library', { args: ['--https-port', String(await freePort()), '--lan-address', '192.168.4.4'] });
    try {
      await waitFor('the node to hear it', async () => node.output().includes('the hub gives no certificates') || undefined);
      expect(node.output()).not.toContain('Secure address for phones');
      expect((await fetch(`${node.url}/api/v1/health`)).status).toBe(200);
    } finally {
      await node.dispose();
    }
  });
});
