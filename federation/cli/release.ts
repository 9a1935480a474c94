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
import { fileSha256, openSnapshot, snapshotPath, takeSnapshot } from '../release/snapshot.ts';
import { ReleaseConflictError, ReleaseRegistry, type RecordedRelease } from '../release/registry.ts';
import { describeDiff, diffReleases } from '../release/diff.ts';
import { loadPseudonymKey, pseudonymKeyPath, Pseudonyms } from '../release/pseudonyms.ts';
import { type Output, parseOptions, UsageError } from './usage.ts';
import { DEFAULT_DATA_DIR } from './serve.ts';

const CONTRIBUTOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const RELEASE_HELP = `Usage:
  vernacular release snapshot --name <name>
  vernacular release build --config <file.json> --out <dir> [--snapshot <name>]
  vernacular release list [--json]
  vernacular release diff <A> <B> [--a-dir <dir>] [--b-dir <dir>] [--json]
  vernacular release pseudonym <contributor-id>...

  snapshot   Freezes what the store holds now into snapshots/<name>.sqlite in the
             data folder (consistent; never changed afterwards).
  build      Runs the release pipeline on a snapshot (a new one named after the
             config's version when --snapshot is not given) and writes the release
             into --out (which must not exist yet): one folder per dataset config
             with its splits, README.md (the dataset card), report.json,
             rejected.jsonl and contributors.txt. The same snapshot, config and
             version always give byte-identical files. The release is then recorded
             in the store (id <name>@<version>, snapshot and its sha256, config
             hash, counts, files with sha256); the same version with different
             content is refused.
  list       The recorded releases, newest first: id, version, snapshot, items,
             built at (--json: everything recorded).
  diff       What changed from release A to B (ids or versions): rows per config
             and split, languages, stage counts, files added/removed/changed and,
             when both release folders are readable (given, or still where they
             were built), the item ids added and removed.
  pseudonym  The pseudonym releases give each contributor id: the keyed hash
             (the key is release-pseudonym.key in the data folder, made by the
             first build) that contributors.txt and every record carry instead
             of the id — to check an erasure request against a release.

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
  json: { type: 'boolean' },
  'a-dir': { type: 'string' },
  'b-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function release(args: string[], io: Output): Promise<number> {
  const [action, ...rest] = args;
  if (action === undefined || action === '-h' || action === '--help') {
    io.out(RELEASE_HELP);
    return action === undefined ? 2 : 0;
  }
  const { values, positionals } = parseOptions(rest, OPTIONS, 'release', action === 'diff' || action === 'pseudonym');
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
      let snapshotSha256: string | undefined;
      if (name === undefined) {
        name = `release-${config.version}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
        if (!existsSync(snapshotPath(dataDir, name))) {
          const live = await openLive();
          try {
            snapshotSha256 = (await takeSnapshot(live, dataDir, name)).sha256;
          } finally {
            await live.close();
          }
          io.err(`Took snapshot ${name}.`);
        }
      }
      const store = await openSnapshot(dataDir, name);
      snapshotSha256 ??= await fileSha256(snapshotPath(dataDir, name));
      let manifest;
      try {
        const quarantined = await new HubRegistry(store.db).quarantined();
        const pseudonymKey = await loadPseudonymKey(dataDir);
        manifest = await buildRelease({ store, config, outDir, snapshot: name, snapshotFile: snapshotPath(dataDir, name), quarantined, pseudonymKey, log: (line) => io.err(line) });
        const items = Object.values(manifest.kinds).reduce((a, b) => a + b, 0);
        io.out(`Release ${config.name} ${config.version} from snapshot ${name}: ${items} items in ${outDir}`);
        for (const s of manifest.stages) {
          const dropped = Object.entries(s.excluded).map(([rule, n]) => `${rule} ${n}`).join(', ');
          io.out(`  ${s.stage}: ${s.in} in${dropped ? `, left out ${dropped}` : ''}`);
        }
      } finally {
        await store.close();
      }
      // Recorded in the live store the snapshot was taken from (the snapshot itself never changes).
      const live = await openLive();
      try {
        const { release, created } = await new ReleaseRegistry(live.db).record({ manifest, config, snapshotSha256, outDir });
        io.out(created ? `Recorded release ${release.id}.` : `Release ${release.id} was already recorded with the same content.`);
        return 0;
      } catch (err) {
        if (err instanceof ReleaseConflictError) {
          io.err(`vernacular: ${err.message} (the files in ${outDir} are not recorded)`);
          return 1;
        }
        throw err;
      } finally {
        await live.close();
      }
    }
    case 'list': {
      const live = await openLive();
      try {
        const releases = await new ReleaseRegistry(live.db).list();
        if (values.json) io.out(JSON.stringify(releases, null, 2));
        else if (releases.length === 0) io.out('No releases recorded yet; build one with `vernacular release build`.');
        else {
          io.out(['id', 'version', 'snapshot', 'items', 'built at'].join('\t'));
          for (const r of releases) io.out([r.id, r.version, r.snapshot, String(r.items), r.builtAt].join('\t'));
        }
        return 0;
      } finally {
        await live.close();
      }
    }
    case 'pseudonym': {
      if (positionals.length === 0) throw new UsageError('release pseudonym needs one or more contributor ids', 'release');
      const bad = positionals.find((id) => !CONTRIBUTOR_ID.test(id));
      if (bad !== undefined) {
        io.err(`vernacular: "${bad}" is not a contributor id (a lower-case UUID)`);
        return 1;
      }
      if (!existsSync(pseudonymKeyPath(dataDir))) {
        io.err(`vernacular: no ${pseudonymKeyPath(dataDir)}: no release has been built from this data folder, so no contributor has a pseudonym yet`);
        return 1;
      }
      const pseudonyms = new Pseudonyms(await loadPseudonymKey(dataDir));
      for (const id of positionals) io.out(`${id}\t${pseudonyms.of(id)}`);
      return 0;
    }
    case 'diff': {
      if (positionals.length !== 2) throw new UsageError('release diff needs two releases: <A> <B> (ids or versions)', 'release');
      const live = await openLive();
      try {
        const registry = new ReleaseRegistry(live.db);
        const found: RecordedRelease[] = [];
        for (const ref of positionals) {
          const r = await registry.get(ref);
          if (r === undefined) {
            io.err(`vernacular: no recorded release "${ref}" (see \`vernacular release list\`)`);
            return 1;
          }
          found.push(r);
        }
        const diff = await diffReleases(found[0]!, found[1]!, {
          ...(values['a-dir'] !== undefined ? { a: resolve(values['a-dir']) } : {}),
          ...(values['b-dir'] !== undefined ? { b: resolve(values['b-dir']) } : {}),
        });
        io.out(values.json ? JSON.stringify(diff, null, 2) : describeDiff(diff).join('\n'));
        return 0;
      } finally {
        await live.close();
      }
    }
    default:
      throw new UsageError(`unknown release command "${action}"`, 'release');
  }
}
