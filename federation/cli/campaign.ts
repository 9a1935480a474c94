/**
 * `vernacular campaign …` and `vernacular moderate …`: what a librarian does on the node's
 * machine. Campaigns are validated with the protocol `Campaign` schema; seed files with the
 * `Seed` schema, all rows or none (seedfile.ts).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  Campaign,
  CAMPAIGN_VISIBILITIES,
  CONTENT_KINDS,
  DEFAULT_CAMPAIGN,
  DEFAULT_GOLD_STANDING,
  DEFAULT_LICENCE,
  DEFAULT_REVIEWER_POLICY,
  GENERAL_JOIN_CODE,
  generalCampaign,
  issueCode,
  type ReviewerPolicy,
} from '../protocol/index.ts';
import { goalProgress, type CampaignInput } from '../store/index.ts';
import { type Output, parseOptions, UsageError } from './usage.ts';
import { DEFAULT_DATA_DIR } from './serve.ts';
import { DATABASE_OPTION, DATABASE_USAGE, withStore } from './database.ts';
import { describeProblem, readSeedFile, seedFormat } from './seedfile.ts';
import { ModelStore, modelsRoot } from '../models/store.ts';
import { auditCli } from './user.ts';

export const CAMPAIGN_HELP = `Usage:
  vernacular campaign create --slug <slug> --title <title> --languages <tags> --kinds <kinds> [options]
  vernacular campaign update --slug <slug> [options]       change a campaign (its version goes up)
  vernacular campaign list [--data <dir>] [--database <url>]
  vernacular campaign progress <slug> [--data <dir>] [--database <url>]
                                                          items per kind toward the goals
  vernacular campaign seeds import <slug> <file.csv|file.jsonl> [--data <dir>] [--database <url>]

Campaign options:
  --slug <slug>            lower-case id, e.g. library-drive ("general" is built in)
  --title <text>           title people see
  --description <text>     what the campaign is for
  --languages <tags>       comma-separated BCP 47 tags, e.g. sw,en
  --kinds <kinds>          comma-separated: ${CONTENT_KINDS.join(',')}
  --region <text>          where it runs
  --domain <domain>        general, health, law, agriculture, education, public_services, culture, other
  --licence <spdx>         licence contributions are given under (default ${DEFAULT_LICENCE})
  --goal <kind=n>          a goal, e.g. --goal idiom=2000 (repeatable)
  --starts <iso>           start date-time (ISO 8601 with offset)
  --ends <iso>             end date-time
  --join-code <code>       a chosen join code (default: a new random one)
  --visibility <v>         public (listed to everyone, the default) or unlisted (found only
                           by its join code, e.g. a class)
  --min-votes <n>          votes needed to accept (default 2)
  --min-down-votes <n>     down-votes needed to reject (default 2)
  --flags-to-hide <n>      flags that hide an item (default 2)
  --margin <n>             eligible votes the winning side must lead by (default 4; 1: the
                           rule above alone) — see \`vernacular reviewer --help\`
  --gold-min <n>           gold votes before a key's standing is judged (default 5)
  --gold-agreement <x>     share of them that must agree with the known answer (default 0.8)
  --credentials-only       only keys granted a credential are eligible (no standing on gold)
  --serves-per-day <n>     new items the review queue serves one key a day (default 300)
  --draft-model <id[@rev]> a model on this node (vernacular models list) that drafts rewrite
                           answers on contributors' devices; "none" removes it
  --draft-max-tokens <n>   new tokens a draft may have (default 128)
  --draft-temperature <t>  sampling temperature for drafts (default 0: greedy)
  --compare-model <id[@rev]> a model on this node whose answers contributors compare on their
                           devices; once: against the seed's reference answer, twice: two models
                           (or two revisions of one) against each other; "none" removes them
  --data <dir>             the node's data folder (default ${DEFAULT_DATA_DIR})
${DATABASE_USAGE}

Seed files: CSV with a header row naming the fields (id,type,language,prompt,draft,answerA,
answerB,sourceA,sourceB,text,sourceLanguage; empty cells are absent) or JSONL, one seed per line.
Every bad row is reported (CSV rows counted as a spreadsheet shows them, header = row 1) and
nothing is imported unless every row is valid. Importing the same ids again replaces them.`;

export const MODERATE_HELP = `Usage: vernacular moderate hide|clear <item-id> [--data <dir>] [--database <url>]
  hide    hide an item (it leaves review queues and exports)
  clear   clear its flags (flags no longer hide it)

Options:
  --data <dir>             the node's data folder (default ${DEFAULT_DATA_DIR})
${DATABASE_USAGE}`;

const CAMPAIGN_OPTIONS = {
  slug: { type: 'string' },
  title: { type: 'string' },
  description: { type: 'string' },
  languages: { type: 'string' },
  kinds: { type: 'string' },
  region: { type: 'string' },
  domain: { type: 'string' },
  licence: { type: 'string' },
  goal: { type: 'string', multiple: true },
  starts: { type: 'string' },
  ends: { type: 'string' },
  'join-code': { type: 'string' },
  visibility: { type: 'string' },
  'min-votes': { type: 'string' },
  'min-down-votes': { type: 'string' },
  'flags-to-hide': { type: 'string' },
  margin: { type: 'string' },
  'gold-min': { type: 'string' },
  'gold-agreement': { type: 'string' },
  'credentials-only': { type: 'boolean' },
  'serves-per-day': { type: 'string' },
  'draft-model': { type: 'string' },
  'draft-max-tokens': { type: 'string' },
  'draft-temperature': { type: 'string' },
  'compare-model': { type: 'string', multiple: true },
  data: { type: 'string' },
  ...DATABASE_OPTION,
  help: { type: 'boolean', short: 'h' },
} as const;

const DATA_ONLY = { data: { type: 'string' }, ...DATABASE_OPTION, help: { type: 'boolean', short: 'h' } } as const;

type CampaignValues = ReturnType<typeof parseOptions<typeof CAMPAIGN_OPTIONS>>['values'];

const list = (value: string) => value.split(',').map((s) => s.trim()).filter((s) => s !== '');

function integer(value: string, flag: string, command: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a whole number, not "${value}"`, command);
  return Number(value);
}

/** The campaign the options describe, on top of `base` (the stored one, for update). */
function campaignFrom(values: CampaignValues, base: Partial<CampaignInput>, command: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  if (values.slug !== undefined) out.slug = values.slug;
  if (values.title !== undefined) out.title = values.title;
  if (values.description !== undefined) out.description = values.description;
  if (values.languages !== undefined) out.languages = list(values.languages);
  if (values.kinds !== undefined) out.kinds = list(values.kinds);
  if (values.region !== undefined) out.region = values.region;
  if (values.domain !== undefined) out.domain = values.domain;
  if (values.licence !== undefined) out.licence = values.licence;
  if (values.starts !== undefined) out.startsAt = values.starts;
  if (values.ends !== undefined) out.endsAt = values.ends;
  if (values['join-code'] !== undefined) out.joinCode = values['join-code'].toUpperCase();
  if (values.visibility !== undefined) {
    if (!(CAMPAIGN_VISIBILITIES as readonly string[]).includes(values.visibility)) {
      throw new UsageError(`--visibility must be ${CAMPAIGN_VISIBILITIES.join(' or ')}, not "${values.visibility}"`, command);
    }
    out.visibility = values.visibility;
  }
  if (values.goal !== undefined) {
    out.goals = values.goal.map((g) => {
      const [kind, target] = g.split('=');
      if (kind === undefined || target === undefined) throw new UsageError(`--goal must look like idiom=2000, not "${g}"`, command);
      return { kind: kind.trim(), target: integer(target.trim(), 'goal', command) };
    });
  }
  const consensus = { ...(base.consensus ?? { minVotes: 2, minDownVotes: 2, flagsToHide: 2 }) };
  if (values['min-votes'] !== undefined) consensus.minVotes = integer(values['min-votes'], 'min-votes', command);
  if (values['min-down-votes'] !== undefined) consensus.minDownVotes = integer(values['min-down-votes'], 'min-down-votes', command);
  if (values['flags-to-hide'] !== undefined) consensus.flagsToHide = integer(values['flags-to-hide'], 'flags-to-hide', command);
  out.consensus = consensus;
  const reviewers = reviewerPolicyFrom(values, base, command);
  if (reviewers !== undefined) out.reviewers = reviewers;
  const models: Record<string, unknown> = { ...base.models };
  const draft = draftModelFrom(values, base, command);
  if (draft === null) delete models.draft;
  else if (draft !== undefined) models.draft = draft;
  const compare = compareModelsFrom(values, base, command);
  if (compare === null) delete models.compare;
  else if (compare !== undefined) models.compare = compare;
  if (Object.keys(models).length > 0) out.models = models;
  else delete out.models;
  return out;
}

/** The reviewer policy the options change on top of the stored one (or the default); undefined when none is named. */
function reviewerPolicyFrom(values: CampaignValues, base: Partial<CampaignInput>, command: string): ReviewerPolicy | undefined {
  const named = ['margin', 'gold-min', 'gold-agreement', 'credentials-only', 'serves-per-day'] as const;
  if (named.every((flag) => values[flag] === undefined)) return undefined;
  const policy: ReviewerPolicy = { ...DEFAULT_REVIEWER_POLICY, ...base.reviewers };
  if (values.margin !== undefined) policy.margin = integer(values.margin, 'margin', command);
  if (values['serves-per-day'] !== undefined) policy.servesPerDay = integer(values['serves-per-day'], 'serves-per-day', command);
  if (values['credentials-only']) {
    if (values['gold-min'] !== undefined || values['gold-agreement'] !== undefined) throw new UsageError('--credentials-only cannot be given with --gold-min or --gold-agreement', command);
    policy.gold = null;
  } else if (values['gold-min'] !== undefined || values['gold-agreement'] !== undefined) {
    const gold = { ...(policy.gold ?? DEFAULT_GOLD_STANDING) };
    if (values['gold-min'] !== undefined) gold.min = integer(values['gold-min'], 'gold-min', command);
    if (values['gold-agreement'] !== undefined) {
      const share = values['gold-agreement'];
      if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(share)) throw new UsageError(`--gold-agreement must be a share like 0.8, not "${share}"`, command);
      gold.agreement = Number(share);
    }
    policy.gold = gold;
  }
  return policy;
}

/** `ID` or `ID@REVISION`, as --draft-model and --compare-model take it. */
function modelRef(named: string, flag: string, command: string): { id: string; revision?: string } {
  const [id, revision, ...rest] = named.split('@');
  if (!id || rest.length > 0 || revision === '') throw new UsageError(`--${flag} must look like ID or ID@REVISION, not "${named}"`, command);
  return revision === undefined ? { id } : { id, revision };
}

/**
 * The compare models the options name; null removes them. Naming a model that is already stored
 * keeps its settings; a new one gets the campaign's defaults.
 */
function compareModelsFrom(values: CampaignValues, base: Partial<CampaignInput>, command: string): Record<string, unknown>[] | null | undefined {
  const named = values['compare-model'];
  if (named === undefined) return undefined;
  if (named.includes('none')) {
    if (named.length > 1) throw new UsageError('--compare-model none cannot be given with other compare models', command);
    return null;
  }
  if (named.length > 2) throw new UsageError(`--compare-model may be given at most twice, not ${named.length} times`, command);
  return named.map((n) => {
    const ref = modelRef(n, 'compare-model', command);
    const stored = base.models?.compare?.find((m) => m.id === ref.id && m.revision === ref.revision);
    return { ...stored, ...ref };
  });
}

/** The draft model the options name on top of the stored one; null removes it. */
function draftModelFrom(values: CampaignValues, base: Partial<CampaignInput>, command: string): Record<string, unknown> | null | undefined {
  const named = values['draft-model'];
  if (named === 'none') return null;
  const tokens = values['draft-max-tokens'];
  const temperature = values['draft-temperature'];
  if (named === undefined && tokens === undefined && temperature === undefined) return undefined;
  const out: Record<string, unknown> = { ...base.models?.draft };
  if (named !== undefined) {
    const { id, revision } = modelRef(named, 'draft-model', command);
    out.id = id;
    if (revision === undefined) delete out.revision;
    else out.revision = revision;
  }
  if (out.id === undefined) throw new UsageError('--draft-max-tokens and --draft-temperature need --draft-model', command);
  if (tokens !== undefined) out.maxNewTokens = integer(tokens, 'draft-max-tokens', command);
  if (temperature !== undefined) {
    const t = Number(temperature);
    if (temperature.trim() === '' || !Number.isFinite(t)) throw new UsageError(`--draft-temperature must be a number, not "${temperature}"`, command);
    out.temperature = t;
  }
  return out;
}

/** Validates with the protocol schema (join code and version are the node's to add). */
function validCampaign(candidate: Record<string, unknown>, io: Output): CampaignInput | undefined {
  const parsed = Campaign.safeParse({ joinCode: 'AAAAAA', version: 1, ...candidate }, { reportInput: true });
  if (parsed.success) {
    const { version: _v, joinCode: _j, ...input } = parsed.data;
    return candidate.joinCode === undefined ? input : { ...input, joinCode: parsed.data.joinCode };
  }
  io.err('vernacular: the campaign is not valid:');
  for (const issue of parsed.error.issues) {
    io.err(`  ${issue.path.join('.') || 'campaign'}: ${issueCode(issue)} — ${issue.message}`);
  }
  return undefined;
}


async function save(args: string[], io: Output, mode: 'create' | 'update'): Promise<number> {
  const command = 'campaign';
  const { values } = parseOptions(args, CAMPAIGN_OPTIONS, command);
  if (values.help) {
    io.out(CAMPAIGN_HELP);
    return 0;
  }
  if (values.slug === undefined) throw new UsageError('--slug is required', command);
  if (values.slug === DEFAULT_CAMPAIGN) throw new UsageError(`"${DEFAULT_CAMPAIGN}" is built in`, command);
  return withStore(values, async (store) => {
    const stored = await store.campaign(values.slug!);
    if (mode === 'create' && stored !== undefined) {
      io.err(`vernacular: campaign "${values.slug}" exists; change it with \`vernacular campaign update\``);
      return 1;
    }
    if (mode === 'update' && stored === undefined) {
      io.err(`vernacular: no campaign "${values.slug}"; make it with \`vernacular campaign create\``);
      return 1;
    }
    const base: Partial<CampaignInput> = stored === undefined ? { description: '', licence: DEFAULT_LICENCE, goals: [] } : stored;
    const input = validCampaign(campaignFrom(values, base, command), io);
    if (input === undefined) return 2;
    const campaign = await store.saveCampaign(input);
    await auditCli(store, mode === 'create' ? 'campaign_create' : 'campaign_update', campaign.slug, { version: campaign.version });
    io.out(`Campaign ${campaign.slug} (version ${campaign.version}), join code ${campaign.joinCode}`);
    for (const model of [campaign.models?.draft, ...(campaign.models?.compare ?? [])]) {
      await warnIfMissing(model, resolve(values.data ?? DEFAULT_DATA_DIR), io);
    }
    return 0;
  });
}

/** A draft or compare model may be imported later, so a missing one is a warning, not a refusal. */
async function warnIfMissing(draft: { id: string; revision?: string | undefined } | undefined, dataDir: string, io: Output): Promise<void> {
  if (draft === undefined) return;
  const models = await new ModelStore(modelsRoot(dataDir)).list();
  if (models.some((m) => m.id === draft.id && (draft.revision === undefined || m.revision === draft.revision))) return;
  const named = draft.revision === undefined ? draft.id : `${draft.id}@${draft.revision}`;
  io.err(`vernacular: warning: this node has no model ${named} yet; phones cannot use it until \`vernacular models import\` or \`vernacular models pull\` adds it`);
}

async function listCampaigns(args: string[], io: Output): Promise<number> {
  const { values } = parseOptions(args, DATA_ONLY, 'campaign');
  if (values.help) {
    io.out(CAMPAIGN_HELP);
    return 0;
  }
  return withStore(values, async (store) => {
    const campaigns = await store.campaigns();
    io.out(`${DEFAULT_CAMPAIGN}\t${GENERAL_JOIN_CODE}\tv1\tGeneral (built in)`);
    for (const c of campaigns) io.out(`${c.slug}\t${c.joinCode}\tv${c.version}\t${c.title}\t${c.languages.join(',')}\t${c.kinds.join(',')}`);
    return 0;
  });
}

/** Per kind with a goal or items: collected (pending or accepted) of the goal, and accepted. */
async function progress(args: string[], io: Output): Promise<number> {
  const { values, positionals } = parseOptions(args, DATA_ONLY, 'campaign', true);
  if (values.help) {
    io.out(CAMPAIGN_HELP);
    return 0;
  }
  const [slug, ...extra] = positionals;
  if (slug === undefined || extra.length > 0) throw new UsageError('expected: campaign progress <slug>', 'campaign');
  return withStore(values, async (store) => {
    const found = slug === DEFAULT_CAMPAIGN ? generalCampaign() : await store.campaign(slug);
    if (found === undefined) {
      io.err(`vernacular: no campaign "${slug}"; make it with \`vernacular campaign create\``);
      return 1;
    }
    for (const { kind, collected, accepted, goal } of goalProgress(found, await store.campaignTallies())) {
      io.out(`${kind}\t${collected}${goal === undefined ? '' : ` of ${goal}`}\t${accepted} accepted`);
    }
    return 0;
  });
}

async function importSeeds(args: string[], io: Output): Promise<number> {
  const { values, positionals } = parseOptions(args, DATA_ONLY, 'campaign', true);
  if (values.help) {
    io.out(CAMPAIGN_HELP);
    return 0;
  }
  const [slug, file, ...extra] = positionals;
  if (slug === undefined || file === undefined || extra.length > 0) {
    throw new UsageError('expected: campaign seeds import <slug> <file>', 'campaign');
  }
  const format = seedFormat(file);
  if (format === undefined) throw new UsageError('the seed file must end in .csv or .jsonl', 'campaign');
  const text = await readFile(resolve(file), 'utf8');
  const { seeds, problems } = readSeedFile(text, format);
  if (problems.length > 0) {
    io.err(`vernacular: ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported:`);
    for (const p of problems) io.err(`  ${describeProblem(p, format)}`);
    return 1;
  }
  return withStore(values, async (store) => {
    if (slug !== DEFAULT_CAMPAIGN && (await store.campaign(slug)) === undefined) {
      io.err(`vernacular: no campaign "${slug}"; make it with \`vernacular campaign create\``);
      return 1;
    }
    const { added, updated } = await store.importSeeds(slug, seeds);
    await auditCli(store, 'seeds_import', slug, { rows: seeds.length, added, updated });
    io.out(`Imported ${seeds.length} seeds into ${slug} (${added} new, ${updated} replaced)`);
    return 0;
  });
}

export async function campaign(args: string[], io: Output): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case undefined:
      io.err(CAMPAIGN_HELP);
      return 2;
    case '-h':
    case '--help':
    case 'help':
      io.out(CAMPAIGN_HELP);
      return 0;
    case 'create':
    case 'update':
      return save(rest, io, sub);
    case 'list':
      return listCampaigns(rest, io);
    case 'progress':
      return progress(rest, io);
    case 'seeds':
      if (rest[0] !== 'import') throw new UsageError(`unknown seeds command "${rest[0] ?? ''}"`, 'campaign');
      return importSeeds(rest.slice(1), io);
    default:
      throw new UsageError(`unknown campaign command "${sub}"`, 'campaign');
  }
}

export async function moderate(args: string[], io: Output): Promise<number> {
  const { values, positionals } = parseOptions(args, DATA_ONLY, 'moderate', true);
  if (values.help) {
    io.out(MODERATE_HELP);
    return 0;
  }
  const [action, id, ...extra] = positionals;
  if ((action !== 'hide' && action !== 'clear') || id === undefined || extra.length > 0) {
    throw new UsageError('expected: moderate hide|clear <item-id>', 'moderate');
  }
  return withStore(values, async (store) => {
    if (!(await store.moderate(id.toLowerCase(), action))) {
      io.err(`vernacular: no content item ${id} on this node`);
      return 1;
    }
    const [state] = await store.statuses([id.toLowerCase()]);
    await auditCli(store, action === 'hide' ? 'moderate_hide' : 'moderate_clear', id.toLowerCase(), { status: state!.status });
    io.out(`${action === 'hide' ? 'Hid' : 'Cleared the flags of'} ${id}; its status is now ${state!.status}`);
    return 0;
  });
}
