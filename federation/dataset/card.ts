/**
 * The dataset card (README.md): Hugging Face YAML metadata, then what a reader needs to use the
 * data responsibly — what it is, how much of each language, the fields, the licence and how it
 * was collected. Built only from the data (no dates), so the same store gives the same card.
 */
import { LICENCES, primaryLanguage } from '../protocol/index.ts';
import { CONFIGS, type ConfigName, type DatasetConfig } from './configs.ts';

type Licence = (typeof LICENCES)[number];

/** SPDX id → the identifier the Hugging Face Hub uses for it. */
const HUB_LICENCE: Readonly<Record<Licence, string>> = {
  'CC0-1.0': 'cc0-1.0',
  'CC-BY-4.0': 'cc-by-4.0',
  'CC-BY-SA-4.0': 'cc-by-sa-4.0',
  'ODC-By-1.0': 'odc-by',
  'ODbL-1.0': 'odbl',
  'PDDL-1.0': 'pddl',
  'CDLA-Permissive-2.0': 'cdla-permissive-2.0',
  'CDLA-Sharing-1.0': 'cdla-sharing-1.0',
};

/** What the card is written from (the builder's counts). */
export interface DatasetSummary {
  items: number;
  configs: Record<ConfigName, number>;
  /** Items per BCP 47 tag. */
  languages: Record<string, number>;
  /** Items per SPDX licence id. */
  licences: Record<string, number>;
  extras: Array<DatasetConfig & { count: number }>;
}

export function sizeCategory(n: number): string {
  const bounds = ['1K', '10K', '100K', '1M', '10M', '100M', '1B', '10B', '100B', '1T'];
  if (n < 1000) return 'n<1K';
  let low = 1000;
  for (let i = 0; i < bounds.length - 1; i++) {
    if (n < low * 10) return `${bounds[i]}<n<${bounds[i + 1]}`;
    low *= 10;
  }
  return 'n>1T';
}

function hubLicence(licences: string[]): string {
  if (licences.length === 1) return HUB_LICENCE[licences[0] as Licence] ?? 'other';
  return 'other';
}

const sorted = (record: Record<string, number>) => Object.keys(record).sort();

/** Every configuration the card lists: the built-in ones, then the extras. */
function allConfigs(summary: DatasetSummary): Array<DatasetConfig & { count: number }> {
  return [...CONFIGS.map((c) => ({ ...c, files: [...c.files], count: summary.configs[c.config] })), ...summary.extras];
}

function frontMatter(summary: DatasetSummary): string {
  const licences = sorted(summary.licences);
  const license = hubLicence(licences);
  const primaries = [...new Set(sorted(summary.languages).map(primaryLanguage))].sort();
  const lines = ['---', `license: ${license}`];
  if (license === 'other') {
    lines.push(`license_name: ${licences.length === 0 ? 'none' : 'mixed-open-licences'}`);
  }
  if (primaries.length > 0) lines.push('language:', ...primaries.map((l) => `- ${l}`));
  lines.push(
    `multilinguality: ${primaries.length > 1 ? 'multilingual' : 'monolingual'}`,
    'size_categories:',
    `- ${sizeCategory(summary.items)}`,
    'annotations_creators:',
    '- crowdsourced',
    'language_creators:',
    '- crowdsourced',
    'task_categories:',
    '- text-generation',
    '- translation',
    'pretty_name: Vernacular',
    'configs:',
  );
  for (const config of allConfigs(summary)) {
    lines.push(`- config_name: ${config.config}`, '  data_files:');
    for (const file of config.files) lines.push(`  - split: ${file.split}`, `    path: ${file.path}`);
  }
  lines.push('---');
  return lines.join('\n');
}

function licenceSection(summary: DatasetSummary): string {
  const licences = sorted(summary.licences);
  if (licences.length === 0) return 'The dataset is empty, so no licence applies yet.';
  if (licences.length === 1) {
    return `Every record is licensed under **${licences[0]}** (SPDX), the licence its contributor agreed to.`;
  }
  const list = licences.map((l) => `- **${l}**: ${summary.licences[l]} records`).join('\n');
  return (
    'Records are under different licences, each the one its contributor agreed to for that ' +
    "campaign. Each record's `licence` field names its SPDX licence; honour it per record.\n\n" +
    list
  );
}

const PROVENANCE = `Every record (except in \`sft\`) also has: \`id\` (UUIDv7 made on the contributor's
device; stable across exports), \`licence\` (SPDX id the contributor gave it under),
\`contributor\` (a pseudonymous id made on the device, not a name or account), \`campaign\`,
\`created_at\` (device clock, ISO 8601) and \`revision_of\` (the item it revises, or null).`;

export function datasetCard(summary: DatasetSummary, includePending = false): string {
  const languageRows = sorted(summary.languages)
    .map((tag) => `| \`${tag}\` | ${summary.languages[tag]} |`)
    .join('\n');
  const configRows = allConfigs(summary)
    .map((c) => `| \`${c.config}\` | ${c.files.map((f) => `\`${f.path}\``).join(', ')} | ${c.count} |`)
    .join('\n');
  const sections = allConfigs(summary)
    .map((c) => `### \`${c.config}\` (${c.files.map((f) => `\`${f.path}\`, split \`${f.split}\``).join('; ')})\n\n${c.description}`)
    .join('\n\n');
  const review = includePending
    ? 'This export includes items still **pending** review (built with `--include-pending`) as well as ' +
      'accepted ones; pending items have not yet been checked by other speakers.'
    : 'Only items **accepted** by community review are included: each needed, by default, at least ' +
      'two votes from other contributors with more up-votes than down-votes (each campaign may set ' +
      'its own rule). Nobody reviews their own items.';
  return `${frontMatter(summary)}

# Vernacular

Knowledge of a country's languages, culture and laws, written down by the people who live them:
idioms, instructions and answers, fluent rewrites of machine drafts, preferences between answers,
translations, cultural norms, hard rules with their sources, and evaluation questions. They were
contributed through Vernacular, an offline-first app for teaching an open-weight language model
how a country's people actually speak, and exported from one Vernacular node.

It holds **${summary.items}** items.

| language (BCP 47) | items |
|---|---|
${languageRows || '| — | 0 |'}

## Configurations

| config | files | records |
|---|---|---|
${configRows}

${sections}

${PROVENANCE}

Prompt templates (for idioms and translations) are fixed English sentences; everything else is in
the contributors' own words.

## Licence

${licenceSection(summary)}

## How it was collected

Contributors used the Vernacular web app on their own phones or on shared devices at libraries
and schools, mostly offline. Before contributing, each saw what is collected, the licence and
that they may withdraw, and confirmed their age. No account is needed: a random pseudonymous id
is made on the device. Each contribution was validated against the Vernacular wire schema on the
device and again by the node (text normalised to Unicode NFC, length limits, canonical language
tags) and stored once per id.

${review} When a contributor edited an item, only the latest revision is included; withdrawn
items and items hidden by flags or a moderator are never included. The dataset is empty when
nothing qualifies.
`;
}
