/** `vernacular dataset build`: exports what a node holds (see dataset/build.ts). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openStore, sqlitePath } from '../store/index.ts';
import { buildDataset } from '../dataset/index.ts';
import { type Output, parseOptions, UsageError } from './usage.ts';
import { DEFAULT_DATA_DIR } from './serve.ts';

export const DATASET_HELP = `Usage: vernacular dataset build --out <dir> [--data <dir>]

Writes what this node holds as a dataset folder:
  <dir>/idioms/train.jsonl  one record per idiom
  <dir>/sft/train.jsonl     chat conversations (messages format) for fine-tuning
  <dir>/README.md           dataset card with Hugging Face metadata
Safe to run while \`vernacular serve\` is running.

Options:
  --out <dir>    Folder to write (created if missing)
  --data <dir>   The node's data folder (default ${DEFAULT_DATA_DIR})
  -h, --help     Show this help`;

const OPTIONS = {
  out: { type: 'string' },
  data: { type: 'string' },
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
  if (!existsSync(sqlitePath(dataDir))) {
    io.err(`vernacular: no Vernacular data in ${dataDir} (expected ${sqlitePath(dataDir)}); point --data at a node's data folder`);
    return 1;
  }

  const store = await openStore({ dataDir, mustExist: true });
  try {
    const counts = await buildDataset({ store, outDir });
    const languages = Object.keys(counts.languages)
      .sort()
      .map((l) => `${l} ${counts.languages[l]}`)
      .join(', ');
    io.out(
      `Wrote ${counts.idioms} idioms and ${counts.sft} SFT conversations` +
        `${languages ? ` (${languages})` : ''} to ${outDir}`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
