/**
 * The release's README.md: a Hugging Face dataset card — YAML metadata (licence, languages as ISO
 * 639 codes, multilinguality and task categories, all three from the configs that have rows,
 * crowdsourced annotations, size, configs with their splits' files) and a human description with
 * the counts and every stage's numbers.
 */
import { primaryLanguage } from '../protocol/index.ts';
import { sizeCategory } from '../dataset/card.ts';
import type { ReleaseConfig } from './config.ts';
import type { ReleaseManifest } from './pipeline.ts';
import { filesSection } from './views.ts';
import { goldSummary } from './reliability.ts';
import { describeGlossary, GLOSSARY_DESCRIPTION } from './glossary.ts';

const HUB_LICENCE: Record<string, string> = {
  'CC0-1.0': 'cc0-1.0', 'CC-BY-4.0': 'cc-by-4.0', 'CC-BY-SA-4.0': 'cc-by-sa-4.0', 'ODC-By-1.0': 'odc-by',
  'PDDL-1.0': 'pddl', 'CDLA-Permissive-2.0': 'cdla-permissive-2.0', 'CDLA-Sharing-1.0': 'cdla-sharing-1.0',
};

const table = (rows: [string, string | number][], head: [string, string]) =>
  [`| ${head[0]} | ${head[1]} |`, '|---|---|', ...rows.map(([a, b]) => `| ${a} | ${b} |`)].join('\n');

/** The data files of each config, per split, as the card's `configs` lists them. */
export function dataFilesOf(manifest: ReleaseManifest, extension = 'parquet'): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const f of manifest.files) {
    if (f.config === '' || !f.path.endsWith(`.${extension}`)) continue;
    const splits = out.get(f.config) ?? new Map<string, string[]>();
    splits.set(f.split, [...(splits.get(f.split) ?? []), f.path]);
    out.set(f.config, splits);
  }
  return out;
}

/** The Hub's task category of each config's rows (huggingface.js `pipelines.ts`). */
const TASK_OF: Record<string, string> = {
  idioms: 'text-generation', sft: 'text-generation', preference: 'text-generation', kto: 'text-generation', norms: 'text-generation',
  translation: 'translation', glossary: 'translation',
  eval: 'question-answering',
  // Guardrails: a rule with a compliant and a violating example, to tell answers apart.
  rules: 'text-classification',
};

/** The card's `language`, `multilinguality` and `task_categories`, from the configs that have rows. */
export function cardLanguages(manifest: Pick<ReleaseManifest, 'counts' | 'configLanguages'>): { language: string[]; multilinguality: string[]; taskCategories: string[] } {
  const withRows = Object.keys(manifest.counts).filter((c) => Object.values(manifest.counts[c] ?? {}).some((n) => n > 0));
  const tags = (configs: string[]) => [...new Set(configs.flatMap((c) => manifest.configLanguages[c] ?? []).map(primaryLanguage))].sort();
  const language = tags(withRows);
  const multilinguality: string[] = [];
  // A translation config pairs two languages in each row; the others hold one per row.
  if (withRows.includes('translation') && (manifest.configLanguages.translation?.length ?? 0) > 1) multilinguality.push('translation');
  const others = tags(withRows.filter((c) => c !== 'translation'));
  if (others.length > 1) multilinguality.push('multilingual');
  else if (others.length === 1) multilinguality.push('monolingual');
  const taskCategories = [...new Set(withRows.map((c) => TASK_OF[c]).filter((t): t is string => t !== undefined))].sort();
  return { language, multilinguality: multilinguality.sort(), taskCategories };
}

export function releaseCard(manifest: ReleaseManifest, config: ReleaseConfig): string {
  const licences = Object.keys(manifest.licences);
  const license = licences.length === 1 ? (HUB_LICENCE[licences[0]!] ?? 'other') : 'other';
  const { language: languages, multilinguality, taskCategories } = cardLanguages(manifest);
  const items = Object.values(manifest.kinds).reduce((a, b) => a + b, 0);
  const parquet = dataFilesOf(manifest, 'parquet');
  const files = parquet.size > 0 ? parquet : dataFilesOf(manifest, 'jsonl');
  const yaml = ['---', `license: ${license}`];
  if (license === 'other') yaml.push(`license_name: ${licences.length === 0 ? 'none' : 'mixed-open-licences'}`);
  if (languages.length > 0) yaml.push('language:', ...languages.map((l) => `- ${l}`));
  if (multilinguality.length > 0) yaml.push('multilinguality:', ...multilinguality.map((m) => `- ${m}`));
  yaml.push(
    'size_categories:', `- ${sizeCategory(items)}`,
    'annotations_creators:', '- crowdsourced',
    'language_creators:', '- crowdsourced',
    'source_datasets:', '- original',
  );
  if (taskCategories.length > 0) yaml.push('task_categories:', ...taskCategories.map((t) => `- ${t}`));
  yaml.push(
    `pretty_name: ${JSON.stringify(`${config.name} ${config.version}`)}`,
    'configs:',
  );
  for (const [name, splits] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    yaml.push(`- config_name: ${name}`, '  data_files:');
    for (const [split, paths] of [...splits].sort(([a], [b]) => (a < b ? -1 : 1))) {
      yaml.push(`  - split: ${split}`, `    path: ${paths.length === 1 ? paths[0] : `${name}/${split}-*.${parquet.size > 0 ? 'parquet' : 'jsonl'}`}`);
    }
  }
  yaml.push('---');

  const stageRows = manifest.stages.map((s) => {
    const figures = Object.entries(s.figures ?? {}).map(([name, n]) => `${name.replace(/_/g, ' ')}: ${n}`).join(', ');
    const dropped = (Object.entries(s.excluded).map(([rule, n]) => `${rule}: ${n}`).join(', ') || '—') + (figures ? ` (${figures})` : '');
    return `| ${s.stage} | ${s.in} | ${dropped} | ${s.description} |`;
  });
  const countRows = Object.entries(manifest.counts).sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, splits]) => `| \`${name}\` | ${['train', 'validation', 'test'].map((s) => splits[s] ?? 0).join(' | ')} |`);

  return `${yaml.join('\n')}

# ${config.name} ${config.version}

${config.description || 'Knowledge of a country\'s languages, culture and laws, written down by the people who live them, contributed through Vernacular and reviewed by other contributors.'}

It holds **${items}** items from **${manifest.contributors}** pseudonymous contributors, built from the snapshot
\`${manifest.snapshot}\` with the configuration whose SHA-256 is \`${manifest.configHash}\`. Building it again
from the same snapshot and configuration gives byte-identical files.

## Configurations and splits

Splits are assigned by a hash of the contributor: nobody's items are in two splits. Evaluation
items are only in \`eval\` (test) and never in training data.

| config | train | validation | test |
|---|---|---|---|
${countRows.join('\n')}
${manifest.glossary !== undefined ? `
## Glossary

\`glossary\`: ${GLOSSARY_DESCRIPTION}

Its terms went through the release's hygiene: their text is normalised as in stage \`validate\`, a term
with personal data (as stage \`personal_data\` finds it) ${config.personalData.action === 'redact' ? 'has it replaced by typed placeholders' : 'is left out'},
and a term with no text left is left out. ${describeGlossary(manifest.glossary)}
` : ''}
## Languages

${table(Object.entries(manifest.languages), ['language (BCP 47)', 'items'])}

## Kinds

${table(Object.entries(manifest.kinds), ['kind', 'items'])}

## How it was made: the pipeline, stage by stage

| stage | items in | left out | what it does |
|---|---|---|---|
${stageRows.join('\n')}

${goldSummary(manifest.stages, config)}

Every item left out is listed in \`rejected.jsonl\` with its stage, rule and reason.
Contributors are named only by a pseudonym: a keyed hash of their id (HMAC-SHA-256 under a key the
deployment keeps), the same in every release of this deployment and not reversible.
\`contributors.txt\` lists the pseudonyms of everyone in this release, so that an erasure request
can be checked against it.

${filesSection(new Set(manifest.files.map((f) => f.path)))}
## Licence

${licences.length === 1 ? `Every record is under **${licences[0]}**, the licence its contributor agreed to.` : `Records are under different licences (${licences.join(', ')}); each record's \`licence\` field names its own.`}

## Known limitations

- Contributors are volunteers; coverage of regions, registers and domains follows who took part.
- Language identification of very short texts is unreliable; such texts are kept as declared.
- Personal data detection finds formats (e-mail, phone, cards, IBANs, handles, national ids), not
  names or addresses written in words.
`;
}
