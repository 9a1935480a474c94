/**
 * The decoder thread pool runs compiled code (a worker thread cannot load TypeScript), so this
 * test drives the server build in dist/ — `npm test` builds it first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { LIMITS, PROTOCOL_VERSION } from '../protocol/index.ts';
import { packageRoot } from '../package.ts';
import { canonicalOf, contentHash } from '../store/rows.ts';
import { decodeSync } from './decode.ts';
import type { SyncDecoder } from './decoder.ts';
import { idiom, idioms, withField } from '../../test/support/contributions.ts';

const BUILT = join(packageRoot(), 'dist', 'server', 'federation', 'server', 'decoder.threads.js');

const bodyOf = (value: unknown) => ({ bytes: new TextEncoder().encode(JSON.stringify(value)), encoding: 'identity' as const });
const envelope = (contributions: unknown[]) => ({ protocol: PROTOCOL_VERSION, device: { id: uuidv4() }, contributions });

describe('threadDecoder', () => {
  let decoder: SyncDecoder;
  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build:server\` first (\`npm test\` does).`);
    const { threadDecoder } = (await import(pathToFileURL(BUILT).href)) as typeof import('./decoder.threads.ts');
    decoder = threadDecoder(2);
  });
  afterAll(async () => {
    await decoder?.close();
  });

  it('answers exactly what decoding inline answers, plus the canonical forms the store needs', async () => {
    const body = bodyOf(envelope([...idioms(3), withField(idiom(), 'language', 'EN'), 'junk']));
    const inline = decodeSync(body, LIMITS.maxBodyBytes);
    const threaded = await decoder.decode(body, LIMITS.maxBodyBytes);
    expect(threaded).toEqual(inline);
    expect(threaded.canonical).toEqual(inline.valid.map(canonicalOf));
    expect(threaded.canonical.map((c) => c.hash)).toEqual(inline.valid.map(contentHash));
  });

  it('keeps many requests in flight apart', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => bodyOf(envelope(idioms(i + 1))));
    const decoded = await Promise.all(bodies.map((b) => decoder.decode(b, LIMITS.maxBodyBytes)));
    expect(decoded.map((d) => d.valid.length)).toEqual(bodies.map((_, i) => i + 1));
  });

  it('brings a refusal back with its status, code and details', async () => {
    const refused = decoder.decode(bodyOf({ protocol: 7, device: { id: uuidv4() }, contributions: [] }), LIMITS.maxBodyBytes);
    await expect(refused).rejects.toMatchObject({ status: 400, code: 'unsupported_protocol', details: { supported: [PROTOCOL_VERSION] } });
  });

  it("leaves the caller's buffer intact", async () => {
    const body = bodyOf(envelope(idioms(1)));
    const copy = Uint8Array.from(body.bytes);
    await decoder.decode(body, LIMITS.maxBodyBytes);
    expect(body.bytes).toEqual(copy);
  });

  it('refuses work once closed', async () => {
    const { threadDecoder } = (await import(pathToFileURL(BUILT).href)) as typeof import('./decoder.threads.ts');
    const closing = threadDecoder(1);
    await closing.close();
    await expect(closing.decode(bodyOf(envelope([])), LIMITS.maxBodyBytes)).rejects.toThrow(/closed/);
  });
});
