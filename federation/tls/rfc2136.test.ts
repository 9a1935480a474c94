/**
 * The RFC 2136 provider against a real Knot DNS server: addresses replaced, challenge TXT records
 * added and removed, and updates with a wrong key or outside the zone refused — read back with a
 * real resolver pointed at the server.
 */
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKnot, type Knot } from '../../test/support/knot.ts';
import { ipv6Bytes, parseTsigKey, Rfc2136Provider } from './rfc2136.ts';
import { dnsProviderFrom } from './dns.ts';

describe('RFC 2136 dynamic update with TSIG (Knot DNS)', () => {
  let knot: Knot;
  let provider: Rfc2136Provider;
  const resolver = new Resolver({ timeout: 2000, tries: 2 });

  beforeAll(async () => {
    knot = await startKnot('lib.test');
    resolver.setServers([knot.address]);
    provider = new Rfc2136Provider({ server: knot.host, port: knot.port, zone: knot.zone, key: parseTsigKey(knot.tsigKey) });
  });
  afterAll(async () => {
    await knot?.stop();
  });

  it('publishes a node’s addresses and replaces them', async () => {
    await provider.setAddresses('n-abcdefghijklmnop.lib.test', ['192.168.1.20', 'fd00::20']);
    expect(await resolver.resolve4('n-abcdefghijklmnop.lib.test')).toEqual(['192.168.1.20']);
    expect(await resolver.resolve6('n-abcdefghijklmnop.lib.test')).toEqual(['fd00::20']);
    await provider.setAddresses('n-abcdefghijklmnop.lib.test', ['10.0.0.7']);
    expect(await resolver.resolve4('n-abcdefghijklmnop.lib.test')).toEqual(['10.0.0.7']);
    await expect(resolver.resolve6('n-abcdefghijklmnop.lib.test')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('adds and removes one challenge value, leaving another', async () => {
    const name = '_acme-challenge.n-abcdefghijklmnop.lib.test';
    await provider.addTxt(name, 'first-value-Zm9v');
    await provider.addTxt(name, 'second-value-YmFy');
    expect((await resolver.resolveTxt(name)).map((r) => r.join('')).sort()).toEqual(['first-value-Zm9v', 'second-value-YmFy']);
    await provider.removeTxt(name, 'first-value-Zm9v');
    expect((await resolver.resolveTxt(name)).map((r) => r.join(''))).toEqual(['second-value-YmFy']);
  });

  it('is refused with a key the zone does not know, and changes nothing', async () => {
    const forged = new Rfc2136Provider({ server: knot.host, port: knot.port, zone: knot.zone, key: parseTsigKey(`vernacular-hub:hmac-sha256:${Buffer.alloc(32, 7).toString('base64')}`) });
    await expect(forged.setAddresses('n-abcdefghijklmnop.lib.test', ['203.0.113.9'])).rejects.toThrow(/NOTAUTH|REFUSED/);
    expect(await resolver.resolve4('n-abcdefghijklmnop.lib.test')).toEqual(['10.0.0.7']);
  });

  it('refuses names outside its zone before sending anything', async () => {
    await expect(provider.addTxt('_acme-challenge.example.org', 'x')).rejects.toThrow(/not in the zone lib\.test/);
  });

  it('reads TSIG keys and provider specs, and says what is wrong with bad ones', () => {
    expect(parseTsigKey('Hub-Key.:HMAC-SHA512:' + Buffer.alloc(64, 1).toString('base64'))).toMatchObject({ name: 'hub-key', algorithm: 'hmac-sha512' });
    expect(() => parseTsigKey('hub:hmac-md5:' + Buffer.alloc(32).toString('base64'))).toThrow(/hmac-sha1\/224\/256\/384\/512/);
    expect(() => parseTsigKey('hub:hmac-sha256:c2hvcnQ=')).toThrow(/16 bytes/);
    expect(() => dnsProviderFrom('rfc2136:127.0.0.1:53:lib.test')).toThrow(/TSIG key/);
    expect(() => dnsProviderFrom('route53:zone')).toThrow(/rfc2136/);
    expect(dnsProviderFrom('rfc2136:ns1.example.org:lib.example.org', knot.tsigKey)).toBeInstanceOf(Rfc2136Provider);
  });

  it('writes IPv6 addresses as their 16 bytes', () => {
    expect(ipv6Bytes('fd00::20').toString('hex')).toBe('fd000000000000000000000000000020');
    expect(ipv6Bytes('::ffff:192.168.1.2').toString('hex')).toBe('00000000000000000000ffffc0a80102');
    expect(ipv6Bytes('2001:db8:0:0:1:0:0:1').toString('hex')).toBe('20010db8000000000001000000000001');
    expect(() => ipv6Bytes('1::2::3')).toThrow();
    expect(() => ipv6Bytes('fd00::g')).toThrow();
  });
});
