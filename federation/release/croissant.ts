/**
 * `croissant.json`: the release described in MLCommons Croissant 1.1 (JSON-LD) with the
 * Responsible-AI vocabulary (http://mlcommons.org/croissant/RAI/1.0).
 *
 * - Dataset-level: the properties Croissant 1.1 requires (@context, @type sc:Dataset, conformsTo,
 *   name, description, license, url, creator, datePublished) and recommends (version, inLanguage,
 *   keywords). `datePublished` is the snapshot's own date (its newest item), never the build's
 *   time, so building twice gives the same bytes. `url` is the absolute URL the release folder is
 *   published at (the config's `url`), also the context's `@base`, against which every `@id`
 *   resolves to an absolute IRI; `contentUrl`s stay relative to this file, as loaders read them.
 * - `distribution`: one cr:FileObject per file of the release (data files of every format,
 *   rejected.jsonl, contributors.txt, report.json, README.md, report.html) with its size and
 *   sha256, plus one cr:FileSet per config and format.
 * - `recordSet`: one per config, read from its Parquet shards, its fields from the config's one
 *   column schema (parquet.ts COLUMNS): a column each; a list of strings is an array field; a chat
 *   column (a list of role/content structs) is an array field whose sub-fields `role` and `content`
 *   share its source — the column — each picking its member of every element with a `jsonPath`
 *   transform, which is how Croissant loaders (mlcroissant) read repeated nested columns. The split
 *   is taken from the file name.
 * - RAI: collection, annotation (community review), annotator demographics (coarse buckets, groups
 *   under 5 suppressed; personal demographics are not collected), personal and sensitive
 *   information with the personal-data stage's counts, uses, limitations, biases, maintenance.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_CONSENSUS } from '../protocol/index.ts';
import { DETECTOR } from '../../worker/language.ts';
import { type ReleaseConfig, releaseUrl } from './config.ts';
import { COLUMNS, type ColumnType } from './parquet.ts';
import { cardLanguages } from './card.ts';
import type { ReleaseManifest } from './pipeline.ts';
import type { ReleaseStats } from './stats.ts';
import { describeDimension, MIN_GROUP } from './demographics.ts';
import { fileSha256 } from './snapshot.ts';
import { describeGlossary } from './glossary.ts';

export const CROISSANT_CONTEXT = {
  '@language': 'en',
  '@vocab': 'http://schema.org/',
  sc: 'http://schema.org/',
  cr: 'http://mlcommons.org/croissant/',
  rai: 'http://mlcommons.org/croissant/RAI/',
  dct: 'http://purl.org/dc/terms/',
  annotation: 'cr:annotation',
  arrayShape: 'cr:arrayShape',
  citeAs: 'cr:citeAs',
  column: 'cr:column',
  conformsTo: 'dct:conformsTo',
  containedIn: 'cr:containedIn',
  data: { '@id': 'cr:data', '@type': '@json' },
  dataType: { '@id': 'cr:dataType', '@type': '@vocab' },
  equivalentProperty: 'cr:equivalentProperty',
  examples: { '@id': 'cr:examples', '@type': '@json' },
  excludes: 'cr:excludes',
  extract: 'cr:extract',
  field: 'cr:field',
  fileProperty: 'cr:fileProperty',
  fileObject: 'cr:fileObject',
  fileSet: 'cr:fileSet',
  format: 'cr:format',
  includes: 'cr:includes',
  isArray: 'cr:isArray',
  isLiveDataset: 'cr:isLiveDataset',
  jsonPath: 'cr:jsonPath',
  key: 'cr:key',
  md5: 'cr:md5',
  parentField: 'cr:parentField',
  recordSet: 'cr:recordSet',
  references: 'cr:references',
  regex: 'cr:regex',
  readLines: 'cr:readLines',
  sdVersion: 'cr:sdVersion',
  separator: 'cr:separator',
  source: 'cr:source',
  subField: 'cr:subField',
  transform: 'cr:transform',
  unArchive: 'cr:unArchive',
  value: 'cr:value',
} as const;

export const CROISSANT_SPEC = 'http://mlcommons.org/croissant/1.1';
export const RAI_SPEC = 'http://mlcommons.org/croissant/RAI/1.0';

/** The RAI properties this file always carries. */
export const RAI_PROPERTIES = [
  'rai:dataCollection',
  'rai:dataCollectionType',
  'rai:dataCollectionRawData',
  'rai:dataPreprocessingProtocol',
  'rai:dataAnnotationProtocol',
  'rai:dataAnnotationPlatform',
  'rai:dataAnnotationAnalysis',
  'rai:annotationsPerItem',
  'rai:annotatorDemographics',
  'rai:machineAnnotationTools',
  'rai:personalSensitiveInformation',
  'rai:dataUseCases',
  'rai:dataLimitations',
  'rai:dataBiases',
  'rai:dataSocialImpact',
  'rai:dataReleaseMaintenancePlan',
] as const;

/** Files the release holds beside the manifest's, described here too when present. */
export const DOCUMENT_FILES = ['README.md', 'report.json', 'report.html'] as const;

export const ENCODING: Record<string, string> = {
  jsonl: 'application/jsonlines',
  parquet: 'application/x-parquet',
  json: 'application/json',
  txt: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
};

const extensionOf = (path: string) => path.slice(path.lastIndexOf('.') + 1);

const SPDX = (licence: string) => `https://spdx.org/licenses/${licence}.html`;

// --- Fields, from the config's column schema -----------------------------------------------------

const FIELD_DESCRIPTIONS: Record<string, string> = {
  id: 'The item\'s id (UUIDv7), stable across releases.',
  language: 'BCP 47 language tag the contributor declared (re-checked by the language stage).',
  contributor: 'The contributor\'s pseudonym: a keyed hash of their id (HMAC-SHA-256, a key the deployment keeps), the same in every release of this deployment, not reversible (listed in contributors.txt).',
  licence: 'SPDX id of the licence the contributor gave the item under.',
  campaign: 'The campaign the item was contributed through.',
  created_at: 'When the item was saved, by the device clock (ISO 8601 with offset).',
  revision_of: 'The item this one revises (an edit or an improvement), or null.',
  messages: 'The conversation, as role/content messages.',
  prompt: 'The prompt, as role/content messages.',
  chosen: 'The preferred answer, as role/content messages.',
  rejected: 'The less preferred answer, as role/content messages.',
  completion: 'The answer, as role/content messages.',
  kind: 'The contribution kind the record was made from.',
  chosen_generation: 'How a model wrote the preferred answer (dtype, device, settings), as a JSON object in text; null when a person wrote it.',
  rejected_generation: 'How a model wrote the less preferred answer (dtype, device, settings), as a JSON object in text; null when a person wrote it.',
};

/** The members of each element of a chat column (parquet.ts `messages`: a list of struct<role, content>). */
export const MESSAGE_MEMBERS = ['role', 'content'] as const;

const DATA_TYPE: Record<Exclude<ColumnType, 'messages'>, string> = {
  string: 'sc:Text', 'string?': 'sc:Text', 'int?': 'sc:Integer', bool: 'sc:Boolean', strings: 'sc:Text', 'json?': 'sc:Text',
};

function columnField(config: string, name: string, type: ColumnType, fileSet: string): Record<string, unknown> {
  const id = `${config}/${name}`;
  const field: Record<string, unknown> = { '@type': 'cr:Field', '@id': id, name };
  const description = FIELD_DESCRIPTIONS[name];
  if (description !== undefined) field.description = description;
  const source = { fileSet: { '@id': fileSet }, extract: { column: name } };
  if (type === 'messages') {
    // One source for both members: the column; each member picked from every element.
    field.isArray = true;
    field.arrayShape = '-1';
    field.subField = MESSAGE_MEMBERS.map((member) => ({
      '@type': 'cr:Field',
      '@id': `${id}/${member}`,
      name: member,
      dataType: 'sc:Text',
      source: { ...source, transform: { jsonPath: member } },
    }));
    return field;
  }
  field.dataType = name === 'created_at' ? 'sc:DateTime' : DATA_TYPE[type];
  if (type === 'strings') {
    field.isArray = true;
    field.arrayShape = '-1';
  }
  field.source = source;
  return field;
}

// --- The document -------------------------------------------------------------------------------

export interface CroissantInput {
  manifest: ReleaseManifest;
  config: ReleaseConfig;
  stats: ReleaseStats;
  outDir: string;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export async function croissant({ manifest, config, stats, outDir }: CroissantInput): Promise<Record<string, unknown>> {
  const items = sum(manifest.kinds);
  const licences = Object.keys(manifest.licences);
  const { language: languages } = cardLanguages(manifest);
  const base = releaseUrl(config);

  // Every file: the manifest's (data in every format, rejected.jsonl, contributors.txt) and the documents.
  const distribution: Record<string, unknown>[] = [];
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    distribution.push({
      '@type': 'cr:FileObject',
      '@id': f.path,
      name: f.path,
      ...(f.config !== '' ? { description: `${f.config}, ${f.split} split: ${plural(f.rows, 'row')}.` } : {}),
      contentUrl: f.path,
      contentSize: `${f.bytes} B`,
      encodingFormat: ENCODING[extensionOf(f.path)] ?? 'application/octet-stream',
      sha256: f.sha256,
    });
  }
  for (const path of DOCUMENT_FILES) {
    if (listed.has(path)) continue;
    const full = join(outDir, path);
    const size = await stat(full).then((s) => s.size, () => undefined);
    if (size === undefined) continue;
    distribution.push({ '@type': 'cr:FileObject', '@id': path, name: path, contentUrl: path, contentSize: `${size} B`, encodingFormat: ENCODING[extensionOf(path)]!, sha256: await fileSha256(full) });
  }

  // One FileSet per config and format; one RecordSet per config, read from its preferred format.
  const byConfig = new Map<string, Map<string, string[]>>();
  for (const f of manifest.files) {
    if (f.config === '') continue;
    const formats = byConfig.get(f.config) ?? new Map<string, string[]>();
    const ext = extensionOf(f.path);
    formats.set(ext, [...(formats.get(ext) ?? []), f.path]);
    byConfig.set(f.config, formats);
  }
  const recordSet: Record<string, unknown>[] = [];
  for (const [name, formats] of [...byConfig].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const ext of [...formats.keys()].sort()) {
      distribution.push({
        '@type': 'cr:FileSet',
        '@id': `${name}-${ext}`,
        name: `${name}-${ext}`,
        description: `The ${name} config's splits as ${ext === 'parquet' ? 'Parquet shards' : ext === 'jsonl' ? 'JSON Lines' : ext}.`,
        encodingFormat: ENCODING[ext] ?? 'application/octet-stream',
        includes: `${name}/*.${ext}`,
      });
    }
    const columns = COLUMNS[name];
    if (columns === undefined) throw new Error(`No column schema for the config "${name}"`);
    // Parquet when written (always, by the pipeline); its column schema is the JSONL records' too.
    const preferred = formats.has('parquet') ? 'parquet' : 'jsonl';
    const source = { fileSet: { '@id': `${name}-${preferred}` } };
    const splitCounts = manifest.counts[name] ?? {};
    recordSet.push({
      '@type': 'cr:RecordSet',
      '@id': name,
      name,
      description: `The ${name} config: ${Object.entries(splitCounts).sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, n]) => `${s} ${n}`).join(', ') || 'no rows'}.`,
      ...(columns.some(([c]) => c === 'id') ? { key: { '@id': `${name}/id` } } : {}),
      field: [
        {
          '@type': 'cr:Field',
          '@id': `${name}/split`,
          name: 'split',
          description: 'The split (train, validation or test), from the file name.',
          dataType: ['sc:Text', 'cr:Split'],
          source: { ...source, extract: { fileProperty: 'filename' }, transform: { regex: '^(train|validation|test)' } },
        },
        ...columns.map(([field, type]) => columnField(name, field, type, source.fileSet['@id'])),
      ],
    });
  }

  const stage = (name: string) => manifest.stages.find((s) => s.stage === name);
  const personal = stage('personal_data');
  const piiFound = stats.personalData.map((p) => `${p.type}: ${p.found}`).join(', ');
  const reviews = manifest.read.review ?? 0;
  const contentRead = stage('validate')?.in ?? 0;
  const nodes = stats.nodes.length;

  const doc: Record<string, unknown> = {
    '@context': { '@base': base, ...CROISSANT_CONTEXT },
    '@type': 'sc:Dataset',
    conformsTo: [CROISSANT_SPEC, RAI_SPEC],
    name: config.name,
    description:
      config.description ||
      `Knowledge of a country's languages, culture and laws, written down by the people who live them, contributed through Vernacular and reviewed by other contributors: ${items} items from ${manifest.contributors} pseudonymous contributors, built from the snapshot "${manifest.snapshot}".`,
    license: licences.length === 0 ? 'NOASSERTION' : licences.length === 1 ? SPDX(licences[0]!) : licences.map(SPDX),
    url: base,
    creator: { '@type': 'sc:Organization', name: `${config.name} contributors`, description: 'Pseudonymous volunteer contributors and reviewers, through Vernacular nodes (libraries, schools) and the national hub.' },
    ...(stats.snapshotDate !== undefined ? { datePublished: stats.snapshotDate } : {}),
    version: config.version,
    inLanguage: languages,
    keywords: ['fine-tuning', 'instruction tuning', 'preference data', 'low-resource languages', 'crowdsourced', ...Object.keys(manifest.counts).sort()],
    isLiveDataset: false,
    sdVersion: `config sha256 ${manifest.configHash}`,
    distribution,
    recordSet,

    'rai:dataCollection':
      `Volunteers wrote every item themselves in the Vernacular app (an offline-first web app), alone or in campaigns run by libraries and schools, and their devices synced the items to a node and on to the national hub: ${plural(nodes, 'origin')} (nodes, or the hub directly) in this snapshot. ` +
      `Kinds: idioms, instructions with answers, rewrites of model drafts, comparisons of two answers, translations from a pivot language, cultural norms, guardrail rules and evaluation questions. ` +
      `The release was built from the frozen snapshot "${manifest.snapshot}"; ${contentRead} content items were read, ${items} kept.`,
    'rai:dataCollectionType': ['User-generated content data', 'Manual Human Curator'],
    ...(stats.timeframe !== undefined ? { 'rai:dataCollectionTimeframe': `${stats.timeframe.from}/${stats.timeframe.to}` } : {}),
    'rai:dataCollectionRawData':
      'Contributions as the devices saved them (kind, language, campaign, pseudonymous contributor id, consent version and licence, the content), with the community reviews of them. Some texts start from seeds (prompts, drafts, answer pairs, pivot sentences) a campaign imported, or from answers an on-device model wrote; each record names its source.',
    'rai:dataPreprocessingProtocol': manifest.stages.map((s) => {
      const out = Object.entries(s.excluded).map(([rule, n]) => `${rule} ${n}`).join(', ');
      return `${s.stage} (${s.in} in${out ? `; left out: ${out}` : ''}): ${s.description}`;
    }),
    'rai:dataAnnotationProtocol':
      `Items are authored, not labelled: the annotation is the community review. Other contributors vote each item up or down or flag it; an item is accepted under its campaign's consensus rule (by default at least ${DEFAULT_CONSENSUS.minVotes} votes with more up than down; rejected with ${DEFAULT_CONSENSUS.minDownVotes} down votes outnumbering the up votes; hidden after ${DEFAULT_CONSENSUS.flagsToHide} flags unless a moderator clears it). ` +
      `${config.includePending ? 'This release also includes items still pending review.' : 'Only accepted items are in this release.'} Comparisons carry the contributor's reason tags; rewrites carry their 1–5 rating of the draft.`,
    'rai:dataAnnotationPlatform': ['Vernacular (offline-first web app, library and school nodes, national hub)'],
    'rai:dataAnnotationAnalysis': [
      'Disagreement is resolved by the campaign\'s consensus rule; items rejected by review are left out and listed in rejected.jsonl. Individual votes are not released.',
      'Contributors whose items are rejected far more often than others, and reviewers who disagree with gold answers, can be down-weighted or excluded by the abuse stage.',
    ],
    'rai:annotationsPerItem': `${reviews} review records over ${contentRead} content items in the snapshot (${contentRead > 0 ? (reviews / contentRead).toFixed(2) : '0.00'} per item on average).`,
    'rai:annotatorDemographics': [
      'Personal demographics (age, gender, education, location) are not collected: contributors are pseudonymous, each contribution carries only the consent text version and the licence, and the age confirmation (old enough to consent, or a guardian agrees) is given on the device and not stored with the data.',
      `What the data does say about contributors is given in coarse buckets of distinct contributors; groups with fewer than ${MIN_GROUP} contributors are not shown.`,
      ...stats.demographics.map(describeDimension),
    ],
    'rai:machineAnnotationTools': [
      `Language identification: ${DETECTOR} (stage "language"; items confidently in another language than declared are left out).`,
      'Personal-data detectors (the same as on the device): e-mail, phone, payment card (Luhn), IBAN, personal URL, social handle, national id patterns.',
    ],
    'rai:personalSensitiveInformation': [
      `A server-side personal-data pass ran on every item (stage "personal_data", action: ${config.personalData.action}). ` +
        `${plural(stats.personalDataItems.redacted, 'item')} had personal data replaced by typed placeholders ([EMAIL], [PHONE], …) and kept; ${plural(stats.personalDataItems.dropped, 'item')} dropped for it` +
        `${personal !== undefined && sum(personal.excluded) > 0 ? ` (${Object.entries(personal.excluded).map(([r, n]) => `${r}: ${n}`).join(', ')})` : ''}. ` +
        `Found, by type: ${piiFound || 'none'}.`,
      ...(manifest.glossary !== undefined ? [`The glossary config's terms went through the same detectors (action: ${config.personalData.action}): ${describeGlossary(manifest.glossary)}`] : []),
      'The detectors find formats, not names or addresses written in words; such personal data may remain.',
      'Contributors and reviewers are named only by a pseudonym, a keyed hash of their device-made id (HMAC-SHA-256 under a key the deployment keeps), never by the id itself; contributors.txt lists the pseudonyms in this release so that an erasure request can be checked against it. Withdrawn items are left out.',
      'Contributions can describe culture, religion, customs and laws of communities (sensitive topics by nature); they are not about identifiable individuals.',
    ],
    'rai:dataUseCases': [
      'Fine-tuning (supervised, preference: DPO/KTO) of language models in the languages of the country, for its culture and laws.',
      'Evaluation with the eval config (test split only; never in training data, and contaminated training items are removed).',
      'Not recommended: as a source of legal advice or as a complete description of any community\'s norms; for identifying or profiling contributors.',
    ],
    'rai:dataLimitations': [
      'Coverage of languages, regions, registers and domains follows who took part in which campaign; some languages have few items (see the language counts).',
      'Language identification of very short texts is unreliable; such texts are kept as declared.',
      'Personal data detection finds formats, not names or addresses written in words.',
      'Review is by volunteers under a lightweight consensus rule, not expert validation; accepted items can still be wrong.',
    ],
    'rai:dataBiases': [
      'Contributors self-select: people with a device, time and literacy in the written form of the language are over-represented; oral and rural registers under-represented.',
      'Campaigns steer topics (a library drive on proverbs, a class on laws), so kinds and domains are unevenly covered.',
      'Drafts and compare answers written by on-device models can carry those models\' biases into preference data.',
    ],
    'rai:dataSocialImpact':
      'Meant to let openly licensed models serve speakers of languages that large models serve poorly, with knowledge the speakers chose to share and can withdraw from later releases.',
    'rai:dataReleaseMaintenancePlan': [
      `Versioned releases (this is ${config.version}), each built from a named, frozen snapshot and a configuration (sha256 ${manifest.configHash}); the same snapshot and configuration give byte-identical files.`,
      'Withdrawals, edits and quarantined nodes take effect from the next release; earlier releases are not changed. Erasure requests are checked against contributors.txt of each release.',
      'Releases are recorded on the hub with their files\' sha256; the hub\'s stewards maintain them.',
    ],
  };
  return doc;
}

/** The bytes of croissant.json: stable key order as built, two-space indent, a final newline. */
export function croissantText(doc: Record<string, unknown>): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
