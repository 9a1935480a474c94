/**
 * `vernacular release …`: freeze the store into a named snapshot, and build a release from a
 * snapshot and a config file (federation/release/).
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openStore } from '../store/index.ts';
import { HubRegistry } from '../hub/registry.ts';
import { ConfigError, parseReleaseConfig } from '../release/config.ts';
import { buildRelease } from '../release/pipeline.ts';
import { openSnapshot, snapshotPath, takeSnapshot } from '../release/snapshot.ts';
import { type Output, parseOptions, UsageError } from './usage.ts';
import { DEFAULT_DATA_DIR } from './serve.ts';

export const RELEASE_HELP = `Usage:
  vernacular release snapshot --name <name>
  vernacular release build --config <file.json> --out <dir> [--snapshot <name>]

  snapshot   Freezes what the store holds now into snapshots/<name>.sqlite in the
             data folder (consistent; never changed afterwards).
  build      Runs the release pipeline on a snapshot (a new one named after the
             config's version when --snapshot is not given) and writes the release
             into --out (which must not exist yet): one folder per dataset config
             with its splits, README.md (the dataset card), report.json,
             rejected.jsonl and contributors.txt. The same snapshot, config and
             version always give byte-identical files.

Options:
  --data <dir>        The data folder (default ${DEFAULT_DATA_DIR})
  --database <url>    PostgreSQL URL (default: $DATABASE_URL, else SQLite in --data)`;

const OPTIONS = {
  data: { type: 'string' },
  database: { type: 'string' },
  name: { type: 'string' },
  config: { type: 'string' },
  out: { type: 'string' },
  snapshot: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function release(args: string[], io: Output): Promise<number> {
  const [action, ...rest] = args;
  if (action === undefined || action === '-h' || action === '--help') {
    io.out(RELEASE_HELP);
    return action === undefined ? 2 : 0;
  }
  const { values } = parseOptions(rest, OPTIONS, 'release');
  if (values.help) return (io.out(RELEASE_HELP), 0);
  const dataDir = resolve(values.data ?? DEFAULT_DATA_DIR);
  const database = values.database ?? process.env.DATABASE_URL;
  const openLive = () => openStore({ dataDir, mustExist: database === undefined || database === '' ? false : true, ...(database ? { database } : {}) });

  switch (action) {
    case 'snapshot': {
      if (values.name === undefined) throw new UsageError('release snapshot needs --name <name>', 'release');
      const store = await openLive();
      try {
        const snapshot = await takeSnapshot(store, dataDir, values.name);
        io.out(`Snapshot ${snapshot.name}: ${snapshot.path} (sha256 ${snapshot.sha256})`);
        return 0;
      } finally {
        await store.close();
      }
    }
    case 'build': {
      if (values.config === undefined || values.out === undefined) throw new UsageError('release build needs --config <file.json> and --out <dir>', 'release');
      const outDir = resolve(values.out);
      if (existsSync(outDir) && (await readdir(outDir)).length > 0) throw new UsageError(`--out ${outDir} is not empty; a release is written into a new folder`, 'release');
      let config;
      try {
        config = parseReleaseConfig(JSON.parse(await readFile(resolve(values.config), 'utf8')) as unknown);
      } catch (err) {
        if (err instanceof ConfigError || err instanceof SyntaxError) {
          io.err(`vernacular: ${values.config}: ${err.message}`);
          return 1;
        }
        throw err;
      }
      let name = values.snapshot;
      if (name === undefined) {
        name = `release-${config.version}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
        if (!existsSync(snapshotPath(dataDir, name))) {
          const live = await openLive();
          try {
            await takeSnapshot(live, dataDir, name);
          } finally {
            await live.close();
          }
          io.err(`Took snapshot ${name}.`);
        }
      }
      const store = await openSnapshot(dataDir, name);
      try {
        const quarantined = await new HubRegistry(store.db).quarantined();
        const manifest = await buildRelease({ store, config, outDir, snapshot: name, quarantined, log: (line) => io.err(line) });
        const items = Object.values(manifest.kinds).reduce((a, b) => a + b, 0);
        io.out(`Release ${config.name} ${config.version} from snapshot ${name}: ${items} items in ${outDir}`);
        for (const s of manifest.stages) {
          const dropped = Object.entries(s.excluded).map(([rule, n]) => `${rule} ${n}`).join(', ');
          io.out(`  ${s.stage}: ${s.in} in${dropped ? `, left out ${dropped}` : ''}`);
        }
        return 0;
      } finally {
        await store.close();
      }
    }
    default:
      throw new UsageError(`unknown release command "${action}"`, 'release');
  }
}
