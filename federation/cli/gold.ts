/**
 * `vernacular gold …`: a steward's test questions. `gold import` reads a CSV or JSONL file of
 * content bodies with their known answer (goldfile.ts), checks every row with the wire schema and
 * against the campaign, and imports all rows or none; `gold list` shows what is held, with the
 * votes each got here. The review queue then mixes them in (store/gold.ts), and releases measure
 * reviewers on them (release/reliability.ts). A hub's gold reaches its nodes with the pull.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_CAMPAIGN } from '../protocol/index.ts';
import { DEFAULT_GOLD_EVERY, goldEvery, importGold, listGold } from '../store/gold.ts';
import { type Output, parseOptions, UsageError } from './usage.ts';
import { DEFAULT_DATA_DIR } from './serve.ts';
import { DATABASE_OPTION, DATABASE_USAGE, withStore } from './database.ts';
import { describeGoldProblem, goldFormat, readGoldFile } from './goldfile.ts';
import { auditCli } from './user.ts';
import { LinkStore } from '../node/link.ts';

export const GOLD_HELP = `Usage:
  vernacular gold import --campaign <slug> <file.csv|file.jsonl> [--every <n>] [--data <dir>] [--database <url>]
  vernacular gold list [--campaign <slug>] [--data <dir>] [--database <url>]

Gold items are test questions with a known answer. The review queue mixes them in among real
items (about one in ${DEFAULT_GOLD_EVERY}; never the same one twice to a reviewer; nothing tells them apart),
and a release counts only the votes of reviewers who agree with the known answers often enough.
They are never part of a release, an export or the counts. A hub hands its gold to its nodes;
a node enrolled with a hub takes its gold from there (importing on it is refused).

Options:
  --campaign <slug>   the campaign (stored here; "${DEFAULT_CAMPAIGN}" cannot hold gold)
  --every <n>         serve one gold item in n of the campaign's review queue (default ${DEFAULT_GOLD_EVERY})
  --data <dir>        the data folder (default ${DEFAULT_DATA_DIR})
${DATABASE_USAGE}

Gold files: JSONL, one {"kind","language","data","expected","note"} per line, or CSV with a
header row: kind, language, expected (good or bad), note, and either a data column holding a JSON
object or one column per text field of the kind (e.g. expression, meaning, example); empty cells
are absent. Every row is checked with the contribution schema and against the campaign's kinds
and languages; every problem is reported (row, field, code) and nothing is imported unless every
row is valid. Importing the same body again changes only its answer and note.`;

const OPTIONS = {
  campaign: { type: 'string' },
  every: { type: 'string' },
  data: { type: 'string' },
  ...DATABASE_OPTION,
  help: { type: 'boolean', short: 'h' },
} as const;


async function importCommand(args: string[], io: Output): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, 'gold', true);
  if (values.help) {
    io.out(GOLD_HELP);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (values.campaign === undefined) throw new UsageError('--campaign is required', 'gold');
  if (file === undefined || extra.length > 0) throw new UsageError('expected: gold import --campaign <slug> <file>', 'gold');
  const format = goldFormat(file);
  if (format === undefined) throw new UsageError('the gold file must end in .csv or .jsonl', 'gold');
  let every: number | undefined;
  if (values.every !== undefined) {
    if (!/^\d+$/.test(values.every) || Number(values.every) < 2) throw new UsageError(`--every must be a whole number of at least 2, not "${values.every}"`, 'gold');
    every = Number(values.every);
  }
  const slug = values.campaign;
  const text = await readFile(resolve(file), 'utf8');
  return withStore(values, async (store) => {
    // A federated node's gold comes from its hub, which must know every gold item its nodes'
    // reviewers vote on (it refuses votes on items it has never seen).
    const link = await new LinkStore(store.db).get();
    if (link !== undefined) {
      io.err(`vernacular: this node is enrolled with the hub "${link.hubName}" (${link.hubUrl}); gold items are imported on the hub and reach this node with the pull`);
      return 1;
    }
    const campaign = slug === DEFAULT_CAMPAIGN ? undefined : await store.campaign(slug);
    if (campaign === undefined) {
      io.err(`vernacular: no campaign "${slug}" here${slug === DEFAULT_CAMPAIGN ? ' that can hold gold' : ''}; make it with \`vernacular campaign create\``);
      return 1;
    }
    const { rows, problems } = readGoldFile(text, format, campaign);
    if (problems.length > 0) {
      io.err(`vernacular: ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported:`);
      for (const p of problems) io.err(`  ${describeGoldProblem(p, format)}`);
      return 1;
    }
    const { added, updated } = await importGold(store.db, slug, rows, every);
    await auditCli(store, 'gold_import', slug, { rows: rows.length, added, updated });
    const good = rows.filter((r) => r.expected === 'good').length;
    io.out(`Imported ${rows.length} gold items into ${slug} (${added} new, ${updated} updated; ${good} good, ${rows.length - good} bad); its queue serves one in ${await goldEvery(store.db, slug)}`);
    return 0;
  });
}

async function listCommand(args: string[], io: Output): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, 'gold', true);
  if (values.help) {
    io.out(GOLD_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError('expected: gold list [--campaign <slug>]', 'gold');
  return withStore(values, async (store) => {
    const gold = await listGold(store.db, values.campaign);
    io.out(['id', 'campaign', 'kind', 'language', 'expected', 'served', 'votes', 'against', 'note'].join('\t'));
    for (const g of gold) io.out([g.id, g.campaign, g.kind, g.language, g.expected, g.served, g.votes, g.against, g.note ?? ''].join('\t'));
    return 0;
  });
}

export async function gold(args: string[], io: Output): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case undefined:
      io.err(GOLD_HELP);
      return 2;
    case '-h':
    case '--help':
    case 'help':
      io.out(GOLD_HELP);
      return 0;
    case 'import':
      return importCommand(rest, io);
    case 'list':
      return listCommand(rest, io);
    default:
      throw new UsageError(`unknown gold command "${sub}"`, 'gold');
  }
}
