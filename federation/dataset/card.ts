/**
 * The dataset card (README.md): Hugging Face YAML metadata, then what a reader needs to use the
 * data responsibly — what it is, how much of each language, the fields, the licence and how it
 * was collected. Built only from the data (no dates), so the same store gives the same card.
 */
import { LICENCES, primaryLanguage } from '../protocol/index.ts';
import { idiomQuestion } from './prompts.ts';

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

export interface DatasetSummary {
  idioms: number;
  /** Records per BCP 47 tag. */
  languages: Record<string, number>;
  /** Records per SPDX licence id. */
  licences: Record<string, number>;
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
    `- ${sizeCategory(summary.idioms)}`,
    'annotations_creators:',
    '- crowdsourced',
    'language_creators:',
    '- crowdsourced',
    'task_categories:',
    '- text-generation',
    'pretty_name: Vernacular idioms',
    'configs:',
    '- config_name: idioms',
    '  data_files:',
    '  - split: train',
    '    path: idioms/train.jsonl',
    '- config_name: sft',
    '  data_files:',
    '  - split: train',
    '    path: sft/train.jsonl',
    '---',
  );
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

export function datasetCard(summary: DatasetSummary): string {
  const languageRows = sorted(summary.languages)
    .map((tag) => `| \`${tag}\` | ${summary.languages[tag]} |`)
    .join('\n');
  const example = idiomQuestion({ expression: '…', meaning: '', example: '' });
  return `${frontMatter(summary)}

# Vernacular idioms

Idioms — expressions whose meaning is not the sum of their words — written down by the people
who use them, with what each means and an example of use. They were contributed through
Vernacular, an offline-first app for teaching an open-weight language model how a country's
people actually speak, and exported from one Vernacular node.

It holds **${summary.idioms}** idioms.

| language (BCP 47) | idioms |
|---|---|
${languageRows || '| — | 0 |'}

## Configurations

### \`idioms\` — one record per idiom (\`idioms/train.jsonl\`)

| field | meaning |
|---|---|
| \`id\` | UUIDv7 made on the contributor's device; stable across exports |
| \`language\` | canonical BCP 47 tag of the expression's language |
| \`expression\` | the idiom itself |
| \`meaning\` | what it means, in the contributor's words |
| \`example\` | an example of use |
| \`region\` | where it is used (free text), or null |
| \`register\` | formal, neutral, informal, slang, vulgar or archaic, or null |
| \`licence\` | SPDX id of the licence the contributor gave it under |
| \`contributor\` | pseudonymous contributor id made on the device (not a name or account) |
| \`campaign\` | the contribution campaign it was collected in |
| \`created_at\` | when it was written, by the device's clock (ISO 8601) |

### \`sft\` — supervised fine-tuning conversations (\`sft/train.jsonl\`)

One chat per idiom in the \`messages\` format (\`role\`, \`content\`), with the idiom's \`id\` and
\`language\`. The user turn asks what the expression means and how it is used:

> ${example}

The assistant turn is the contributor's meaning followed by their example. The question is a
fixed English template; the answers are in the contributors' own words.

## Licence

${licenceSection(summary)}

## How it was collected

Contributors used the Vernacular web app on their own phones or on shared devices at libraries
and schools, mostly offline. Before contributing, each saw what is collected, the licence and
that they may withdraw, and confirmed their age. No account is needed: a random pseudonymous id
is made on the device. Each contribution was validated against the Vernacular wire schema on the
device and again by the node (text normalised to Unicode NFC, length limits, canonical language
tags) and stored once per id. Records appear in the order the node first received them.

This export is unreviewed: it contains what contributors sent, without the community review and
quality filtering that later Vernacular releases apply.
`;
}
