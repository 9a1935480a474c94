/**
 * `vernacular contributor withdraw ID --reason R`: the steward's withdrawal of everything a
 * contributor gave, for someone who lost their key and asks in person (store/steward.ts). On a
 * hub it reaches every node with their next pull; a node enrolled with a hub refuses (its steward
 * decides). Audited as the command line.
 */
import { resolve } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { openStore } from '../store/index.ts';
import { withdrawContributor } from '../store/steward.ts';
import { LinkStore } from '../node/link.ts';
import { DEFAULT_DATA_DIR } from './serve.ts';
import { DATABASE_OPTION, databaseUrl } from './database.ts';
import { auditCli } from './user.ts';
import { type Output, parseOptions, UsageError } from './usage.ts';

export const CONTRIBUTOR_HELP = `Usage: vernacular contributor withdraw <contributor-id> --reason TEXT [--data DIR] [--database URL]

For someone who lost their key (a new phone without a recovery code) and asks in person: every
content item of theirs made until now is withdrawn, here and as later copies arrive, and — on a
hub — on every node with its next pull. Their contributor id is shown in Settings on any phone
that still has it, and in what they exported. Say in --reason who asked and how you recognised
them: it is kept with the withdrawal and in the audit log. A node enrolled with a hub refuses:
ask the hub's steward.`;

const OPTIONS = { reason: { type: 'string' }, data: { type: 'string' }, ...DATABASE_OPTION, help: { type: 'boolean', short: 'h' } } as const;

export async function contributor(args: string[], io: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    (sub === undefined ? io.err : io.out)(CONTRIBUTOR_HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'withdraw') throw new UsageError(`unknown contributor command "${sub}"`, 'contributor');
  const { values, positionals } = parseOptions(rest, OPTIONS, 'contributor', true);
  if (values.help) {
    io.out(CONTRIBUTOR_HELP);
    return 0;
  }
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) throw new UsageError('expected: contributor withdraw <contributor-id> --reason TEXT', 'contributor');
  const who = id.toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(who)) throw new UsageError(`"${id}" is not a contributor id (a UUID)`, 'contributor');
  const reason = values.reason?.trim() ?? '';
  if (reason.length < 3) throw new UsageError('--reason is required: who asked, and how you recognised them', 'contributor');
  const database = databaseUrl(values.database);
  const store = await openStore({ dataDir: resolve(values.data ?? DEFAULT_DATA_DIR), ...(database !== undefined ? { database } : {}) });
  try {
    const link = await new LinkStore(store.db).get();
    if (link !== undefined) {
      io.err(`vernacular: this node is enrolled with the hub "${link.hubName}": its steward withdraws on a contributor's behalf`);
      return 1;
    }
    const withdrawal = { id: uuidv7(), contributor: who, at: new Date().toISOString(), by: 'cli', reason };
    const withdrawn = await withdrawContributor(store.db, withdrawal);
    await auditCli(store, 'contributor_withdraw', who, { id: withdrawal.id, withdrawn, reason });
    io.out(`Withdrew ${withdrawn} item${withdrawn === 1 ? '' : 's'} of ${who}; anything of theirs made before ${withdrawal.at} that arrives later is withdrawn too.`);
    return 0;
  } finally {
    await store.close();
  }
}
