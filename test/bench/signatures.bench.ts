/**
 * What checking contributors' signatures costs a server (`npm run bench`), per item, side by side
 * in one run: decoding a 500-item sync body (JSON, schema, canonical form and hash — what a node
 * did before signatures) against the same plus `ItemVerifier` (contributor id derived from the
 * key, Merkle path to the root, one signature verification per tree), for both key algorithms and
 * for trees as the app signs them (64 items) and as a phone online sends them (one item a tree:
 * every item verified on its own). Medians of rounds; the machine's load is recorded. The report
 * replaces this benchmark's section of docs/benchmarks.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Contribution, ITEMS_PER_TREE, type KeyAlgorithm, LIMITS, PROTOCOL_VERSION } from '../../federation/protocol/index.ts';
import { checkedParse } from '../../federation/protocol/index.ts';
import { canonicalOf } from '../../federation/store/rows.ts';
import { generateContributorSigner, ItemVerifier, signInTrees } from '../../federation/trust/contributors.ts';
import { parseJsonBody } from '../../federation/server/body.ts';
import { packageRoot } from '../../federation/package.ts';
import { syntheticIdioms } from './corpus.ts';
import { v4 as uuidv4 } from 'uuid';

const ITEMS = LIMITS.maxBatchItems; // 500
const BODIES = 12;
const ROUNDS = 7;
const startLoad = loadavg()[0]!;

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Bodies of 500 idioms by one contributor, signed in trees of `perTree`. */
function bodies(algorithm: KeyAlgorithm, perTree: number): Uint8Array[] {
  return Array.from({ length: BODIES }, (_, b) => {
    const signer = generateContributorSigner(algorithm);
    const unsigned = syntheticIdioms(ITEMS, signer, b * ITEMS).map(({ signature: _s, ...rest }) => rest);
    const contributions = signInTrees(signer, unsigned, perTree);
    return Buffer.from(JSON.stringify({ protocol: PROTOCOL_VERSION, device: { id: uuidv4() }, contributions }));
  });
}

/**
 * CPU µs per item to decode every body (and verify, with a verifier); each body is new to the
 * verifier. CPU time, not wall time: on a shared machine it says more about the code.
 */
function perItem(all: Uint8Array[], verify: boolean): number {
  const start = process.cpuUsage();
  for (const bytes of all) {
    const verifier = new ItemVerifier();
    const body = parseJsonBody({ bytes, encoding: 'identity' }, LIMITS.maxBodyBytes) as { contributions: unknown[] };
    for (const raw of body.contributions) {
      const parsed = checkedParse(Contribution, raw);
      if (!parsed.success) throw new Error('the corpus is not valid');
      const canonical = canonicalOf(parsed.data);
      if (verify && verifier.check(parsed.data, canonical.hash) !== undefined) throw new Error('a signature did not verify');
    }
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (all.length * ITEMS);
}

interface Case {
  algorithm: KeyAlgorithm;
  perTree: number;
  decode: number;
  verified: number;
}

function main(): void {
  const cases: Case[] = [];
  for (const algorithm of ['ES256', 'Ed25519'] as const) {
    for (const perTree of [ITEMS_PER_TREE, 1]) {
      const all = bodies(algorithm, perTree);
      perItem(all, true); // warm up
      const decode: number[] = [];
      const verified: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        decode.push(perItem(all, false));
        verified.push(perItem(all, true));
      }
      const c = { algorithm, perTree, decode: median(decode), verified: median(verified) };
      console.log(`${algorithm}, ${perTree} per tree: decode ${c.decode.toFixed(1)} µs/item, with verification ${c.verified.toFixed(1)} µs/item`);
      cases.push(c);
    }
  }
  const cpu = cpus();
  const rows = cases.map((c) =>
    `| ${c.algorithm} | ${c.perTree === 1 ? '1 (each item alone)' : `${c.perTree} (as the app signs)`} | ${c.decode.toFixed(1)} | ${c.verified.toFixed(1)} | ${(c.verified - c.decode).toFixed(1)} | ${(c.verified / c.decode).toFixed(2)}× |`);
  const section = [
    '<!-- bench:signatures:start -->',
    '## Signatures: what verifying contributors\' signatures costs a server',
    '',
    `Decoding ${BODIES} sync bodies of ${ITEMS} idioms each (JSON, schema, canonical form and hash), without and with`,
    '`ItemVerifier` (id derived from the key, Merkle path, one signature check per tree), one thread, CPU time',
    `(user + system), median of ${ROUNDS} rounds, alternated. Written by \`test/bench/signatures.bench.ts\`.`,
    '',
    '| key | items per tree | decode, µs/item | decode + verify, µs/item | verification, µs/item | ratio |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `| date | ${new Date().toISOString().slice(0, 10)} |`,
    '|---|---|',
    `| machine | ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, load average ${startLoad.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end |`,
    `| node | ${process.version} |`,
    '<!-- bench:signatures:end -->',
  ].join('\n');
  const file = join(packageRoot(), 'docs', 'benchmarks.md');
  const current = readFileSync(file, 'utf8');
  const pattern = /<!-- bench:signatures:start -->[\s\S]*?<!-- bench:signatures:end -->/;
  writeFileSync(file, pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`);
  console.log(`wrote ${file}`);
}

if (!existsSync(join(packageRoot(), 'package.json'))) throw new Error('run from the package');
main();
