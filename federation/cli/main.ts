/**
 * The `vernacular` command. `bin/vernacular.js` imports this compiled module and calls `run`;
 * the exit status is 0 on success, 1 when the work failed and 2 when the command line was wrong.
 */
import { packageVersion } from '../package.ts';
import { dataset, DATASET_HELP } from './dataset.ts';
import { serve, SERVE_HELP } from './serve.ts';
import { campaign, CAMPAIGN_HELP, moderate, MODERATE_HELP } from './campaign.ts';
import { models, MODELS_HELP } from './models.ts';
import { hub, HUB_HELP, node, NODE_HELP } from './federation.ts';
import { release, RELEASE_HELP } from './release.ts';
import { gold, GOLD_HELP } from './gold.ts';
import { reviewer, REVIEWER_HELP } from './reviewer.ts';
import { AUDIT_HELP, auditLog, user, USER_HELP } from './user.ts';
import { contributor, CONTRIBUTOR_HELP } from './contributor.ts';
import { glossary, GLOSSARY_HELP } from './glossary.ts';
import { type Output, UsageError } from './usage.ts';

export const HELP = `Usage: vernacular <command> [options]

Commands:
  serve           Serve the web app and the API (see: vernacular serve --help)
  dataset build   Quick export: the release pipeline, permissive (see: vernacular dataset --help)
  campaign        Create, change and list campaigns; import seed items (see: vernacular campaign --help)
  moderate        Hide an item, or clear its flags (see: vernacular moderate --help)
  gold            Import and list gold items: test questions for reviewers (see: vernacular gold --help)
  reviewer        Grant and revoke reviewer credentials; list reviewers' standing (see: vernacular reviewer --help)
  models          Import, pull and list on-device models (see: vernacular models --help)
  release         Snapshot; build, list and diff releases (see: vernacular release --help)
  hub             The hub steward's commands: enrolment tokens, nodes (see: vernacular hub --help)
  node            A node's link to its hub: enroll, status, sync (see: vernacular node --help)
  user            Staff accounts: add (prints a sign-in link), link, list, revoke (see: vernacular user --help)
  audit           The staff audit log, newest first (see: vernacular audit --help)
  contributor     A steward withdraws everything of someone who lost their key (see: vernacular contributor --help)
  glossary        A campaign's shared glossary: its log by author, revert an author, restore a time
                  (see: vernacular glossary --help)

Options:
  -h, --help      Show this help
  -v, --version   Show the version`;

const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const HELP_BY_COMMAND: Record<string, string> = {
  serve: SERVE_HELP,
  'dataset build': DATASET_HELP,
  campaign: CAMPAIGN_HELP,
  moderate: MODERATE_HELP,
  gold: GOLD_HELP,
  reviewer: REVIEWER_HELP,
  models: MODELS_HELP,
  hub: HUB_HELP,
  release: RELEASE_HELP,
  node: NODE_HELP,
  user: USER_HELP,
  audit: AUDIT_HELP,
  contributor: CONTRIBUTOR_HELP,
  glossary: GLOSSARY_HELP,
};

export async function run(argv: string[], io: Output = consoleOutput): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.err(HELP);
        return 2;
      case '-h':
      case '--help':
      case 'help':
        io.out(HELP);
        return 0;
      case '-v':
      case '--version':
        io.out(packageVersion());
        return 0;
      case 'serve':
        return await serve(rest, io);
      case 'dataset':
        return await dataset(rest, io);
      case 'campaign':
        return await campaign(rest, io);
      case 'moderate':
        return await moderate(rest, io);
      case 'gold':
        return await gold(rest, io);
      case 'reviewer':
        return await reviewer(rest, io);
      case 'models':
        return await models(rest, io);
      case 'hub':
        return await hub(rest, io);
      case 'release':
        return await release(rest, io);
      case 'node':
        return await node(rest, io);
      case 'contributor':
        return await contributor(rest, io);
      case 'user':
        return await user(rest, io);
      case 'audit':
        return await auditLog(rest, io);
      case 'glossary':
        return await glossary(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      const help = err.command !== undefined && HELP_BY_COMMAND[err.command] !== undefined
        ? `vernacular ${err.command} --help`
        : 'vernacular --help';
      io.err(`vernacular: ${err.message}\nSee '${help}'.`);
      return 2;
    }
    io.err(`vernacular: ${(err as Error).message}`);
    return 1;
  }
}
