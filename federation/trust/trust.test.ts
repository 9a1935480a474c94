import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeId } from '../protocol/index.ts';
import { generateNodeKey, KEY_FILE, loadOrCreateNodeKey, nodeIdOf, publicKeyObject, verifySignature } from './keys.ts';
import { authorizationHeader, bodyDigest, parseAuthorization, signingString } from './request.ts';
import { batchManifest } from './manifest.ts';

describe('node keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vernacular-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a key on first use, readable by its owner only, and loads the same one after', () => {
    const first = loadOrCreateNodeKey(dir);
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
    const again = loadOrCreateNodeKey(dir);
    expect(again.id).toBe(first.id);
    expect(again.publicKey).toBe(first.publicKey);
    expect(NodeId.safeParse(first.id).success).toBe(true);
    expect(nodeIdOf(first.publicKey)).toBe(first.id);
  });

  it('says what to do with a key file that cannot be read', () => {
    writeFileSync(join(dir, KEY_FILE), 'not a key');
    expect(() => loadOrCreateNodeKey(dir)).toThrow(/cannot be read.*backup/);
  });

  it('signs so that only the same bytes verify, and only with the same key', () => {
    const { key } = generateNodeKey();
    const other = generateNodeKey().key;
    const sig = key.sign('hello');
    const pub = publicKeyObject(key.publicKey)!;
    expect(verifySignature(pub, 'hello', sig)).toBe(true);
    expect(verifySignature(pub, 'hellO', sig)).toBe(false);
    expect(verifySignature(publicKeyObject(other.publicKey)!, 'hello', sig)).toBe(false);
    expect(verifySignature(pub, 'hello', 'AAAA')).toBe(false);
    expect(publicKeyObject('not-a-key')).toBeUndefined();
  });
});

describe('signed requests', () => {
  const { key } = generateNodeKey();
  const body = new TextEncoder().encode('{"a":1}');

  it('round-trips the Authorization header, and the signature covers method, path, time, nonce and body', () => {
    const header = authorizationHeader(key, { method: 'POST', target: '/federation/v1/push', body }, 1_700_000_000_000);
    const auth = parseAuthorization(header)!;
    expect(auth).toMatchObject({ node: key.id, ts: 1_700_000_000_000 });
    const pub = publicKeyObject(key.publicKey)!;
    const signed = (over: Partial<{ method: string; target: string; body: Uint8Array; ts: number }>) =>
      verifySignature(pub, signingString({ method: over.method ?? 'POST', target: over.target ?? '/federation/v1/push', body: over.body ?? body }, over.ts ?? auth.ts, auth.nonce), auth.sig);
    expect(signed({})).toBe(true);
    expect(signed({ method: 'GET' })).toBe(false);
    expect(signed({ target: '/federation/v1/pull' })).toBe(false);
    expect(signed({ body: new TextEncoder().encode('{"a":2}') })).toBe(false);
    expect(signed({ ts: auth.ts + 1 })).toBe(false);
    expect(bodyDigest(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('reads nothing from a header that is not exactly ours', () => {
    const good = authorizationHeader(key, { method: 'GET', target: '/x', body: new Uint8Array(0) }, 1);
    expect(parseAuthorization(undefined)).toBeUndefined();
    expect(parseAuthorization('Bearer abc')).toBeUndefined();
    expect(parseAuthorization(good.replace('node=', 'nod='))).toBeUndefined();
    expect(parseAuthorization(good.replace(/ts=\d+/, 'ts=soon'))).toBeUndefined();
    expect(parseAuthorization(good.replace(/sig=\S+/, 'sig=short'))).toBeUndefined();
    expect(parseAuthorization(`${good}${'x'.repeat(400)}`)).toBeUndefined();
  });
});

describe('batch manifests', () => {
  it('are the same bytes for the same batch and differ for any change of range or record', () => {
    const entries = [{ id: 'a', hash: 'h1', deviceId: 'd', receivedAt: 't' }, { id: 'b', hash: 'h2', deviceId: 'd', receivedAt: 't' }];
    const base = batchManifest({ node: 'n-x', after: 0, through: 2 }, entries);
    expect(batchManifest({ node: 'n-x', after: 0, through: 2 }, entries.map((e) => ({ ...e })))).toBe(base);
    expect(batchManifest({ node: 'n-x', after: 1, through: 2 }, entries)).not.toBe(base);
    expect(batchManifest({ node: 'n-y', after: 0, through: 2 }, entries)).not.toBe(base);
    expect(batchManifest({ node: 'n-x', after: 0, through: 2 }, [entries[1]!, entries[0]!])).not.toBe(base);
    expect(batchManifest({ node: 'n-x', after: 0, through: 2 }, [{ ...entries[0]!, hash: 'h3' }, entries[1]!])).not.toBe(base);
    expect(JSON.parse(base)).toEqual(['vernacular-batch/1', 'n-x', 0, 2, [['a', 'h1', 'd', 't'], ['b', 'h2', 'd', 't']]]);
  });
});
