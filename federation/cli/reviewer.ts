/**
 * `vernacular reviewer …`: reviewer credentials, given in person by whoever runs this server (a
 * librarian on their node, a steward on the hub), and every key's standing in a campaign. The
 * staff API does the same behind roles (staff/http/reviewers.ts). Grants and revocations are
 * audited as the command line's, and the items the key voted on are judged again at once.
 */
import { ContributorIdText, DEFAULT_CAMPAIGN, reviewerPolicyOf } from '../protocol/index.ts';
import type { Store } from '../store/index.ts';
import { type Output, parseOptions, UsageError } from './usage.ts';
import { DEFAULT_DATA_DIR } from './serve.ts';
import { DATABASE_OPTION, DATABASE_USAGE, withStore } from './database.ts';
import { auditCli } from './user.ts';

export const REVIEWER_HELP = `Usage:
  vernacular reviewer grant --campaign <slug> <contributor-id> [--note <text>] [--data <dir>] [--database <url>]
  vernacular reviewer revoke --campaign <slug> <contributor-id> [--data <dir>] [--database <url>]
  vernacular reviewer list --campaign <slug> [--eligible | --not-eligible] [--limit <n>] [--data <dir>] [--database <url>]

Only the votes of keys eligible in a campaign decide its reviews: keys holding a reviewer
credential there, or keys that earned standing by agreeing with gold items (test questions with
a known answer) often enough. Everyone else's votes are kept and shown here, but do not count.
Grant a credential in person: the reviewer's contributor id is shown in their app's settings.
A campaign's first eligible reviewers are the ones you grant (or, with gold imported, anyone who
answers enough of it right). "${DEFAULT_CAMPAIGN}" takes credentials too.

Options:
  --campaign <slug>   the campaign (stored here, or "${DEFAULT_CAMPAIGN}")
  --note <text>       why, for the audit log and the list (e.g. "met at the Saturday drive")
  --eligible          list only eligible keys; --not-eligible only the others
  --limit <n>         list at most n keys (default 200)
  --data <dir>        the data folder (default ${DEFAULT_DATA_DIR})
${DATABASE_USAGE}`;

const OPTIONS = {
  campaign: { type: 'string' },
  note: { type: 'string' },
  eligible: { type: 'boolean' },
  'not-eligible': { type: 'boolean' },
  limit: { type: 'string' },
  data: { type: 'string' },
  ...DATABASE_OPTION,
  help: { type: 'boolean', short: 'h' },
} as const;


async function campaignHeld(store: Store, slug: string, io: Output): Promise<boolean> {
  if (slug === DEFAULT_CAMPAIGN || (await store.campaign(slug)) !== undefined) return true;
  io.err(`vernacular: no campaign "${slug}" here`);
  return false;
}

function keyOf(positionals: string[], verb: string): string {
  const [key, ...extra] = positionals;
  if (key === undefined || extra.length > 0) throw new UsageError(`expected: reviewer ${verb} --campaign <slug> <contributor-id>`, 'reviewer');
  const id = key.toLowerCase();
  if (!ContributorIdText.safeParse(id).success) throw new UsageError(`"${key}" is not a contributor id (the app shows it in its settings)`, 'reviewer');
  return id;
}

async function change(verb: 'grant' | 'revoke', args: string[], io: Output): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, 'reviewer', true);
  if (values.help) {
    io.out(REVIEWER_HELP);
    return 0;
  }
  if (values.campaign === undefined) throw new UsageError('--campaign is required', 'reviewer');
  const slug = values.campaign;
  const reviewer = keyOf(positionals, verb);
  return withStore(values, async (store) => {
    if (!(await campaignHeld(store, slug, io))) return 1;
    if (verb === 'grant') {
      const result = await store.reviewers.grant({ campaign: slug, reviewer, by: 'cli', note: values.note });
      await auditCli(store, 'reviewer_grant', reviewer, { campaign: slug, eligible: result.eligible, ...(values.note !== undefined ? { note: values.note } : {}) });
      io.out(`${reviewer} holds a reviewer credential in ${slug}: their votes there count`);
      return 0;
    }
    const result = await store.reviewers.revoke(slug, reviewer);
    if (result === undefined) {
      io.err(`vernacular: ${reviewer} holds no reviewer credential in ${slug} here`);
      return 1;
    }
    await auditCli(store, 'reviewer_revoke', reviewer, { campaign: slug, eligible: result.eligible });
    io.out(`${reviewer} no longer holds a reviewer credential in ${slug}; ${result.eligible ? 'their standing on gold still makes them eligible' : 'their votes there no longer count'}`);
    return 0;
  });
}

async function list(args: string[], io: Output): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, 'reviewer', true);
  if (values.help) {
    io.out(REVIEWER_HELP);
    return 0;
  }
  if (values.campaign === undefined) throw new UsageError('--campaign is required', 'reviewer');
  if (positionals.length > 0) throw new UsageError('expected: reviewer list --campaign <slug>', 'reviewer');
  if (values.eligible && values['not-eligible']) throw new UsageError('--eligible and --not-eligible exclude each other', 'reviewer');
  if (values.limit !== undefined && !/^[1-9]\d{0,5}$/.test(values.limit)) throw new UsageError(`--limit must be a whole number from 1, not "${values.limit}"`, 'reviewer');
  const slug = values.campaign;
  return withStore(values, async (store) => {
    if (!(await campaignHeld(store, slug, io))) return 1;
    const policy = reviewerPolicyOf((await store.campaign(slug)) ?? {});
    const eligible = values.eligible ? true : values['not-eligible'] ? false : undefined;
    const entries = await store.reviewers.list(slug, { limit: Number(values.limit ?? 200), ...(eligible !== undefined ? { eligible } : {}) });
    const gold = policy.gold === null ? 'credentials only' : `${policy.gold.min} gold votes at ${Math.round(policy.gold.agreement * 100)}%`;
    io.out(`# ${slug}: eligible by a credential or ${gold}; a decision needs a lead of ${policy.margin}; ${policy.servesPerDay} new items a key a day`);
    io.out(['reviewer', 'scope', 'eligible', 'credential', 'granted_by', 'gold_votes', 'gold_agreed', 'votes', 'counted', 'note'].join('\t'));
    for (const e of entries) {
      io.out([e.reviewer, e.scope, e.eligible ? 'yes' : 'no', e.credential ? 'yes' : 'no', e.grantedBy ?? '', e.goldVotes, e.goldAgreed, e.votes, e.counted, e.note ?? ''].join('\t'));
    }
    return 0;
  });
}

export async function reviewer(args: string[], io: Output): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case undefined:
      io.err(REVIEWER_HELP);
      return 2;
    case '-h':
    case '--help':
    case 'help':
      io.out(REVIEWER_HELP);
      return 0;
    case 'grant':
    case 'revoke':
      return change(sub, rest, io);
    case 'list':
      return list(rest, io);
    default:
      throw new UsageError(`unknown reviewer command "${sub}"`, 'reviewer');
  }
}
