/**
 * `vernacular glossary …`: a campaign's shared glossary from the server's own machine — its log
 * with each update's author, reverting one author's updates, restoring it as of a time. A revert
 * or restore is written as a new update that reaches every device and, through federation, the
 * hub and the other nodes; each is recorded in the audit log as done by `cli`.
 */
import { resolve } from 'node:path';
import { DEFAULT_CAMPAIGN, type GlossaryActionResult, GlossaryAuthor } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { openGlossaryStore } from '../glossary/store.ts';
import { loadOrCreateNodeKey } from '../trust/keys.ts';
import { type Output, parseOptions, UsageError } from './usage.ts';
import { DEFAULT_DATA_DIR } from './serve.ts';
import { DATABASE_OPTION, DATABASE_USAGE, withStore } from './database.ts';
import { auditCli } from './user.ts';

export const GLOSSARY_HELP = `Usage:
  vernacular glossary log --campaign <slug> [--limit <n>] [options]
                            the campaign's glossary updates, newest first, each with its author
  vernacular glossary revert --campaign <slug> --author <id> [options]
                            the glossary rebuilt without that author's updates
  vernacular glossary restore --campaign <slug> --at <ISO time> [options]
                            the glossary as this server held it at that time

A revert or restore never erases history: it is written as a new update, by this server, that
makes the glossary look like the rebuilt one, and it reaches every device and (federated) the hub
and the other nodes. Edits others made inside what is reverted go with it (an edit to a term the
reverted author created, text typed next to theirs). Authors are contributor ids, or "hub", a
node's id or "legacy" (what was held before authors were kept).

Options:
  --role <node|hub>         the server this data folder belongs to (default node): it signs the
                            update it writes as the node's id or as the hub
  --limit <n>               log entries to show (default 50, at most 500)
  --data <dir>              the data folder (default ${DEFAULT_DATA_DIR})
${DATABASE_USAGE}`;

const OPTIONS = {
  campaign: { type: 'string' },
  author: { type: 'string' },
  at: { type: 'string' },
  role: { type: 'string' },
  limit: { type: 'string' },
  data: { type: 'string' },
  ...DATABASE_OPTION,
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];


async function campaignOf(store: Store, values: Values): Promise<string | undefined> {
  const slug = values.campaign;
  if (slug === undefined) throw new UsageError('--campaign is required', 'glossary');
  if (slug !== DEFAULT_CAMPAIGN && (await store.campaign(slug)) === undefined) return undefined;
  return slug;
}

/** The issuer of what this server writes: the hub, or the node key's id (made here on a first use, as `serve` does). */
function issuerOf(values: Values): string {
  if (values.role === 'hub') return 'hub';
  if (values.role !== undefined && values.role !== 'node') throw new UsageError(`--role must be node or hub, not "${values.role}"`, 'glossary');
  return loadOrCreateNodeKey(resolve(values.data ?? DEFAULT_DATA_DIR)).id;
}

function describe(result: GlossaryActionResult): string {
  if (!result.changed) return `The glossary of ${result.campaign} already looks like that; nothing was written (${result.leftOut} log records left out of the rebuild).`;
  return `The glossary of ${result.campaign} was ${result.action === 'revert' ? 'reverted' : 'restored'}: ${result.terms.before} terms before, ${result.terms.after} now ` +
    `(${result.leftOut} log records left out of the rebuild); record ${result.record} carries it to every replica.`;
}

async function logCommand(values: Values, io: Output): Promise<number> {
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit must be a whole number from 1 to 500', 'glossary');
  return withStore(values, async (store) => {
    const campaign = await campaignOf(store, values);
    if (campaign === undefined) {
      io.err(`vernacular: no campaign "${values.campaign}" here`);
      return 1;
    }
    const { entries } = await openGlossaryStore(store.db).log(campaign, { limit });
    io.out(['seq', 'stored at', 'author', 'kind', 'origin', 'bytes', 'action'].join('\t'));
    for (const e of entries) io.out([e.seq, e.storedAt, e.author, e.kind, e.origin, e.bytes, e.action === undefined ? '' : `${e.action} ${e.subject ?? ''}`.trim()].join('\t'));
    return 0;
  });
}

async function actCommand(sub: 'revert' | 'restore', values: Values, io: Output): Promise<number> {
  let author: string | undefined;
  let asOf: Date | undefined;
  if (sub === 'revert') {
    if (values.author === undefined) throw new UsageError('--author is required', 'glossary');
    if (!GlossaryAuthor.safeParse(values.author).success) throw new UsageError(`--author must be a contributor id, "hub", a node id or "legacy", not "${values.author}"`, 'glossary');
    author = values.author;
  } else {
    if (values.at === undefined) throw new UsageError('--at is required', 'glossary');
    asOf = new Date(values.at);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(values.at) || Number.isNaN(asOf.getTime())) throw new UsageError(`--at must be an ISO 8601 time such as 2026-12-01T09:00:00Z, not "${values.at}"`, 'glossary');
  }
  const issuer = issuerOf(values);
  return withStore(values, async (store) => {
    const campaign = await campaignOf(store, values);
    if (campaign === undefined) {
      io.err(`vernacular: no campaign "${values.campaign}" here`);
      return 1;
    }
    const glossary = openGlossaryStore(store.db);
    const by = { issuer, actor: 'cli' };
    const result = author !== undefined ? await glossary.revert(campaign, author, by) : await glossary.restore(campaign, asOf!, by);
    const details = { ...(author !== undefined ? { author } : { at: asOf!.toISOString() }), changed: result.changed, record: result.record, leftOut: result.leftOut };
    await auditCli(store, sub === 'revert' ? 'glossary_revert' : 'glossary_restore', campaign, details);
    io.out(describe(result));
    return 0;
  });
}

export async function glossary(args: string[], io: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) {
    io.err(GLOSSARY_HELP);
    return 2;
  }
  if (sub === '-h' || sub === '--help' || sub === 'help') {
    io.out(GLOSSARY_HELP);
    return 0;
  }
  if (sub !== 'log' && sub !== 'revert' && sub !== 'restore') throw new UsageError(`unknown glossary command "${sub}"`, 'glossary');
  const { values, positionals } = parseOptions(rest, OPTIONS, 'glossary');
  if (values.help) {
    io.out(GLOSSARY_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'glossary');
  return sub === 'log' ? logCommand(values, io) : actCommand(sub, values, io);
}
