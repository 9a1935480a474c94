/**
 * `vernacular dataset build`: a shortcut to the release pipeline on the live store, with a
 * built-in permissive config (see dataset/build.ts); `vernacular release build` makes releases.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openStore, sqlitePath } from '../store/index.ts';
import { buildDataset } from '../dataset/index.ts';
import { loadPseudonymKey } from '../release/pseudonyms.ts';
import { HubRegistry } from '../hub/registry.ts';
import { type Output, parseOptions, UsageError } from './usage.ts';
import { DEFAULT_DATA_DIR } from './serve.ts';
import { DATABASE_OPTION, databaseUrl } from './database.ts';

export const DATASET_HELP = `Usage: vernacular dataset build --out <dir> [--data <dir>] [--database <url>] [--include-pending]

A shortcut to the release pipeline (\`vernacular release build\`), run on the live
store with a built-in permissive config: no snapshot and no release are recorded;
the language re-check, near-duplicate detection and abuse defences are off; there
are no validation or test splits, so everything is in train. Writes:
  <dir>/idioms/train.jsonl       one record per idiom
  <dir>/sft/train.jsonl          chat conversations (messages format) for fine-tuning
  <dir>/preference/train.jsonl   preference pairs (TRL prompt/chosen/rejected)
  <dir>/translation/train.jsonl  parallel sentence pairs
  <dir>/norms/train.jsonl        cultural norms
  <dir>/rules/train.jsonl        hard rules with citations
  <dir>/eval/test.jsonl          held-out evaluation questions
  <dir>/glossary/train.jsonl     the campaigns' shared glossaries, one term per line
  <dir>/README.md                dataset card with Hugging Face metadata
  <dir>/rejected.jsonl, report.json, contributors.txt   as in a release
Only items community review accepted go in (pending ones too with
--include-pending); withdrawn, superseded (edited), hidden and rejected items,
and whatever quarantined nodes sent, never do; personal data is redacted and
exact duplicates kept once. Safe to run while \`vernacular serve\` is running.

Options:
  --out <dir>    Folder to write (created if missing)
  --data <dir>   The node's data folder (default ${DEFAULT_DATA_DIR})
  --database <url>
                 Read from PostgreSQL at this postgres:// URL instead of SQLite in
                 the data folder (default: $DATABASE_URL when set)
  --include-pending  Also write items still waiting for enough reviews
  -h, --help     Show this help`;

const OPTIONS = {
  out: { type: 'string' },
  data: { type: 'string' },
  ...DATABASE_OPTION,
  'include-pending': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function dataset(args: string[], io: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    if (sub === undefined) {
      io.err(DATASET_HELP);
      return 2;
    }
    io.out(DATASET_HELP);
    return 0;
  }
  if (sub !== 'build') throw new UsageError(`unknown dataset command "${sub}"`, 'dataset build');

  const { values } = parseOptions(rest, OPTIONS, 'dataset build');
  if (values.help) {
    io.out(DATASET_HELP);
    return 0;
  }
  if (values.out === undefined) throw new UsageError('--out <dir> is required', 'dataset build');
  const dataDir = resolve(values.data ?? DEFAULT_DATA_DIR);
  const outDir = resolve(values.out);
  const database = databaseUrl(values.database);
  if (database === undefined && !existsSync(sqlitePath(dataDir))) {
    io.err(`vernacular: no Vernacular data in ${dataDir} (expected ${sqlitePath(dataDir)}); point --data at a node's data folder`);
    return 1;
  }

  const store = await openStore({ dataDir, mustExist: true, ...(database !== undefined ? { database } : {}) });
  try {
    const counts = await buildDataset({
      store,
      outDir,
      includePending: values['include-pending'] ?? false,
      // On a hub: what quarantined nodes sent stays stored but out of every export.
      excludeOrigins: await new HubRegistry(store.db).quarantined(),
      pseudonymKey: await loadPseudonymKey(dataDir),
    });
    const languages = Object.keys(counts.languages)
      .sort()
      .map((l) => `${l} ${counts.languages[l]}`)
      .join(', ');
    const configs = Object.entries(counts.configs)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    io.out(`Wrote ${counts.items} items${languages ? ` (${languages})` : ''} to ${outDir}: ${configs}`);
    if (counts.quarantined > 0) io.out(`Left out ${counts.quarantined} items from quarantined nodes.`);
    return 0;
  } finally {
    await store.close();
  }
}
