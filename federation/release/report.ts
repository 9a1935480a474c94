/**
 * `report.html`: the release's quality report, one self-contained page — no script, no external
 * font, image or style sheet; charts are inline SVG (bars sized in percent, so text keeps its size
 * and the page reads on a phone), each with a title and a description that states its numbers.
 * A Content-Security-Policy meta tag allows nothing but the page's own style block (by its hash).
 * Deterministic: the same release gives the same bytes (no build time, fixed number formatting).
 */
import { createHash } from 'node:crypto';
import type { ReleaseConfig } from './config.ts';
import { describeGlossary } from './glossary.ts';
import type { ReleaseManifest } from './pipeline.ts';
import type { ReleaseStats } from './stats.ts';
import { MIN_GROUP } from './demographics.ts';
import { goldSummary } from './reliability.ts';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** 12345 → "12,345", the same everywhere (no locale). */
export const fmt = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const pct = (v: number, max: number) => (max > 0 ? ((v / max) * 100).toFixed(2) : '0.00');
const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0);

export const REPORT_SECTIONS = ['summary', 'stages', 'rejections', 'time', 'languages', 'nodes', 'duplicates', 'splits', 'personal-data', 'contributors', 'files'] as const;

interface Series {
  name: string;
  /** Colour class: s0 kept (green), s1 left out (red), s2 blue, s3 purple. */
  colour: 's0' | 's1' | 's2' | 's3';
}

interface Bar {
  label: string;
  values: number[];
}

const ROW = 40;

/**
 * A horizontal bar chart: one row per bar, the label and the total above a full-width track, the
 * bar's segments (one per series) in it. Every figure is also in the chart's description.
 */
export function barChart(id: string, title: string, series: Series[], bars: Bar[], empty: string): string {
  const max = Math.max(0, ...bars.map((b) => sum(b.values)));
  const describe = (b: Bar) =>
    `${b.label}: ${fmt(sum(b.values))}${series.length > 1 ? ` (${series.map((s, i) => `${s.name} ${fmt(b.values[i] ?? 0)}`).join(', ')})` : ''}`;
  const desc = bars.length === 0 ? empty : `${bars.map(describe).join('; ')}.`;
  const height = Math.max(1, bars.length) * ROW + 4;
  const rows: string[] = [];
  bars.forEach((b, i) => {
    const y = i * ROW;
    const total = sum(b.values);
    rows.push(
      `<g>`,
      `<text class="label" x="0" y="${y + 15}">${escape(b.label)}</text>`,
      `<text class="value" x="100%" y="${y + 15}" text-anchor="end">${fmt(total)}</text>`,
      `<rect class="track" x="0" y="${y + 22}" width="100%" height="12" rx="2"/>`,
    );
    let x = 0;
    b.values.forEach((v, s) => {
      if (v <= 0) return;
      rows.push(`<rect class="${series[s]?.colour ?? 's2'}" x="${pct(x, max)}%" y="${y + 22}" width="${pct(v, max)}%" height="12"/>`);
      x += v;
    });
    rows.push(`</g>`);
  });
  if (bars.length === 0) rows.push(`<text class="label" x="0" y="20">${escape(empty)}</text>`);
  const legend =
    series.length > 1
      ? `<ul class="legend">${series.map((s) => `<li><span class="swatch ${s.colour}" aria-hidden="true"></span>${escape(s.name)}</li>`).join('')}</ul>`
      : '';
  return [
    `<figure class="chart" id="chart-${id}">`,
    legend,
    `<svg width="100%" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false">`,
    `<title id="${id}-title">${escape(title)}</title>`,
    `<desc id="${id}-desc">${escape(desc)}</desc>`,
    ...rows,
    `</svg>`,
    `<figcaption>${escape(title)}</figcaption>`,
    `</figure>`,
  ].join('\n');
}

function table(id: string, caption: string, head: string[], rows: (string | number)[][], numeric: boolean[] = []): string {
  const cell = (tag: 'td' | 'th', v: string | number, i: number) => `<${tag}${numeric[i] ? ' class="num"' : ''}${tag === 'th' ? ' scope="col"' : ''}>${typeof v === 'number' ? fmt(v) : v}</${tag}>`;
  return [
    `<div class="scroll" role="region" aria-labelledby="${id}-caption" tabindex="0">`,
    `<table id="${id}">`,
    `<caption id="${id}-caption">${escape(caption)}</caption>`,
    `<thead><tr>${head.map((h, i) => cell('th', escape(h), i)).join('')}</tr></thead>`,
    `<tbody>`,
    ...(rows.length > 0 ? rows.map((r) => `<tr>${r.map((v, i) => cell('td', v, i)).join('')}</tr>`) : [`<tr><td colspan="${head.length}">None.</td></tr>`]),
    `</tbody>`,
    `</table>`,
    `</div>`,
  ].join('\n');
}

const STYLE = `
:root{--fg:#1d2327;--muted:#50575e;--bg:#fff;--line:#d0d7de;--track:#eef1f4;--s0:#1f6f4a;--s1:#b23a2a;--s2:#2c5d9e;--s3:#6b4c9a;--accent:#1f4e79}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:56rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 .5rem}
h2{font-size:1.25rem;margin:2rem 0 .5rem;padding-top:.5rem;border-top:1px solid var(--line)}
p{margin:.5rem 0}
.meta{color:var(--muted);font-size:.9rem;overflow-wrap:anywhere}
nav ul{list-style:none;padding:0;margin:.75rem 0 1rem;display:flex;flex-wrap:wrap;gap:.25rem .75rem;font-size:.95rem}
a{color:var(--accent)}
a:focus-visible,.scroll:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(7.5rem,1fr));gap:.5rem;margin:1rem 0;padding:0}
.figures div{border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem}
.figures dt{font-size:.85rem;color:var(--muted)}
.figures dd{margin:0;font-size:1.35rem;font-weight:600;font-variant-numeric:tabular-nums}
figure.chart{margin:1rem 0}
figure.chart svg{display:block;overflow:visible}
figcaption{font-size:.85rem;color:var(--muted);margin-top:.25rem}
svg text{font-size:14px;fill:var(--fg)}
svg text.value{font-variant-numeric:tabular-nums;font-weight:600}
svg .track{fill:var(--track)}
.s0{fill:var(--s0);background:var(--s0)}.s1{fill:var(--s1);background:var(--s1)}.s2{fill:var(--s2);background:var(--s2)}.s3{fill:var(--s3);background:var(--s3)}
.legend{list-style:none;padding:0;margin:.25rem 0 .5rem;display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-size:.9rem}
.swatch{display:inline-block;width:.9rem;height:.9rem;border-radius:2px;margin-right:.35rem;vertical-align:-.1rem}
.scroll{overflow-x:auto;margin:1rem 0}
table{border-collapse:collapse;width:100%;font-size:.92rem}
caption{text-align:left;font-weight:600;padding:.25rem 0 .5rem}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.85em;overflow-wrap:anywhere}
td:first-child>code:only-child{white-space:nowrap}
code.hash{font-size:.75em;color:var(--muted);word-break:break-all}
h3{font-size:1.05rem;margin:1.25rem 0 .25rem}
dl.stages{margin:.5rem 0}dl.stages dt{font-weight:600;margin-top:.5rem}dl.stages dd{margin:0 0 0 1rem;color:var(--fg)}
.note{color:var(--muted);font-size:.9rem}
footer{padding:2rem 1rem;color:var(--muted);font-size:.85rem}
@media (max-width:30rem){body{font-size:15px}h1{font-size:1.35rem}th,td{padding:.3rem .35rem}}
`.trim();

export interface ReportInput {
  manifest: ReleaseManifest;
  config: ReleaseConfig;
  stats: ReleaseStats;
}

export function reportHtml({ manifest, config, stats }: ReportInput): string {
  const keptItems = sum(Object.values(manifest.kinds));
  const contentRead = manifest.stages[0]?.in ?? 0;
  const leftOut = sum(manifest.stages.flatMap((s) => Object.values(s.excluded)));
  const title = `${config.name} ${config.version}: quality report`;
  const styleHash = createHash('sha256').update(STYLE, 'utf8').digest('base64');
  const twoSeries: Series[] = [{ name: 'kept', colour: 's0' }, { name: 'left out', colour: 's1' }];
  const keptBars = (rows: { key: string; kept: number; leftOut: number }[]) => rows.map((r) => ({ label: r.key, values: [r.kept, r.leftOut] }));

  const rejectionBars = manifest.stages.flatMap((s) =>
    Object.entries(s.excluded).sort(([a], [b]) => (a < b ? -1 : 1)).map(([rule, n]) => ({ label: `${s.stage}: ${rule}`, values: [n] })),
  );
  const configs = Object.keys(manifest.counts).sort();
  const splitBars = configs.map((c) => ({ label: c, values: ['train', 'validation', 'test'].map((s) => manifest.counts[c]?.[s] ?? 0) }));
  const clusterBars = stats.clusters.map((c) => ({ label: `${c.size} items`, values: [c.clusters] }));
  const duplicatesLeftOut = sum(stats.clusters.map((c) => c.clusters * (c.size - 1)));

  const section = (id: string, heading: string, body: string[]) =>
    [`<section id="${id}" aria-labelledby="${id}-heading">`, `<h2 id="${id}-heading">${escape(heading)}</h2>`, ...body, `</section>`].join('\n');

  const nav: [string, string][] = [
    ['summary', 'Summary'], ['stages', 'Stages'], ['rejections', 'Left out'], ['time', 'Over time'], ['languages', 'Languages'], ['nodes', 'Nodes'],
    ['duplicates', 'Duplicates'], ['splits', 'Splits'], ['personal-data', 'Personal data'], ['contributors', 'Contributors'], ['files', 'Files'],
  ];

  const body = [
    section('summary', 'Summary', [
      `<dl class="figures">`,
      ...([
        ['Records read', sum(Object.values(manifest.read))],
        ['Content items', contentRead],
        ['Kept', keptItems],
        ['Left out', leftOut],
        ['Contributors', manifest.contributors],
        ['Languages', Object.keys(manifest.languages).length],
      ] as [string, number][]).map(([k, v]) => `<div><dt>${k}</dt><dd>${fmt(v)}</dd></div>`),
      `</dl>`,
      `<p>Every item left out is listed in <code>rejected.jsonl</code> with the stage and rule that left it out. The same snapshot and configuration give byte-identical files.</p>`,
    ]),
    section('stages', 'Pipeline stages', [
      table('stage-table', 'Items reaching each stage and left out by it, by rule', ['Stage', 'In', 'Left out', 'By rule'],
        manifest.stages.map((s) => [
          `<code>${escape(s.stage)}</code>`, s.in, sum(Object.values(s.excluded)),
          Object.entries(s.excluded).map(([r, n]) => `${escape(r)}: ${fmt(n)}`).join('<br>') || '—',
        ]), [false, true, true, false]),
      `<h3>What each stage does</h3>`,
      `<dl class="stages">${manifest.stages.map((s) => `<dt><code>${escape(s.stage)}</code></dt><dd>${escape(s.description)}</dd>`).join('')}</dl>`,
      `<p>${escape(goldSummary(manifest.stages, config))}</p>`,
    ]),
    section('rejections', 'Why items were left out', [
      barChart('rejections', 'Items left out, by stage and rule', [{ name: 'left out', colour: 's1' }], rejectionBars, 'No item was left out.'),
    ]),
    section('time', 'Items over time', [
      `<p class="note">By the month the item was saved on the device (device clock).</p>`,
      barChart('time', 'Items by month saved: kept and left out', twoSeries, keptBars(stats.months), 'No items.'),
    ]),
    section('languages', 'Languages', [
      barChart('languages', 'Items by declared language: kept and left out', twoSeries, keptBars(stats.languages), 'No items.'),
    ]),
    section('nodes', 'Nodes', [
      `<p class="note">The library or school node each item came through; <code>hub</code> means it was sent to the hub directly.</p>`,
      barChart('nodes', 'Items by node: kept and left out', twoSeries, keptBars(stats.nodes), 'No items.'),
    ]),
    section('duplicates', 'Duplicate clusters', [
      `<p class="note">A cluster is one kept item and the copies left out in its favour: ${fmt(stats.clusters.reduce((a, c) => a + c.clusters, 0))} clusters, ${fmt(duplicatesLeftOut)} copies left out.</p>`,
      barChart('duplicates', 'Duplicate clusters by size (items in the cluster)', [{ name: 'clusters', colour: 's2' }], clusterBars, 'No duplicates were found.'),
    ]),
    section('splits', 'Splits', [
      `<p class="note">Splits are assigned by a hash of the contributor: nobody's items are in two splits. Evaluation items are test data only.</p>`,
      barChart('splits', 'Rows per config: train, validation and test', [{ name: 'train', colour: 's0' }, { name: 'validation', colour: 's2' }, { name: 'test', colour: 's3' }], splitBars, 'No rows.'),
      table('split-table', 'Rows per config and split', ['Config', 'Train', 'Validation', 'Test'],
        configs.map((c) => [`<code>${escape(c)}</code>`, ...['train', 'validation', 'test'].map((s) => manifest.counts[c]?.[s] ?? 0)]), [false, true, true, true]),
      // The glossary's rows are terms, not items: what happened to them, in one line.
      ...(manifest.glossary !== undefined ? [`<p class="note">The <code>glossary</code> config (train only): ${escape(describeGlossary(manifest.glossary))}</p>`] : []),
    ]),
    section('personal-data', 'Personal data', [
      `<p>Action: <strong>${config.personalData.action === 'redact' ? 'redact to typed placeholders' : 'drop the item'}</strong>. ${fmt(stats.personalDataItems.redacted)} items redacted and kept, ${fmt(stats.personalDataItems.dropped)} dropped.</p>`,
      table('pii-table', 'Personal data found, by type', ['Type', 'Found'], stats.personalData.map((p) => [`<code>${escape(p.type)}</code>`, p.found]), [false, true]),
      `<p class="note">The detectors find formats (e-mail, phone, payment cards, IBANs, personal URLs, handles, national ids), not names or addresses written in words.</p>`,
    ]),
    section('contributors', 'Contributors', [
      `<p>Vernacular collects no personal demographics (age, gender, education, location): contributors are pseudonymous, and the age confirmation stays on their device. Below, the groups the data itself gives, in coarse buckets of distinct contributors; groups with fewer than ${MIN_GROUP} contributors are not shown.</p>`,
      ...stats.demographics.map((d) =>
        table(`contributors-${d.dimension}`, `Contributors by ${d.dimension}`, ['Group', 'Contributors'],
          d.shown.map((g) => [`<code>${escape(g.group)}</code>`, escape(g.contributors)]), [false, true]) +
        (d.suppressedGroups > 0 ? `\n<p class="note">${fmt(d.suppressedGroups)} smaller group${d.suppressedGroups === 1 ? '' : 's'} (fewer than ${MIN_GROUP} contributors each) not shown.</p>` : ''),
      ),
    ]),
    section('files', 'Files', [
      table('file-table', 'Files of the release with their SHA-256', ['File and SHA-256', 'Rows', 'Bytes'],
        manifest.files.map((f) => [`<code class="path">${escape(f.path)}</code><br><code class="hash">${f.sha256}</code>`, f.rows, f.bytes]), [false, true, true]),
      `<p class="note"><code>croissant.json</code> lists these and the documents (README.md, report.json, this page) with their hashes.</p>`,
    ]),
  ];

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'">
<meta name="color-scheme" content="light">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escape(title)}</h1>
<p class="meta">Snapshot <code>${escape(manifest.snapshot)}</code> · configuration SHA-256 <code>${manifest.configHash}</code></p>
<nav aria-label="Sections"><ul>${nav.map(([id, label]) => `<li><a href="#${id}">${label}</a></li>`).join('')}</ul></nav>
</header>
<main>
${body.join('\n')}
</main>
<footer><p>Made by <code>vernacular release build</code>. No scripts, no external resources.</p></footer>
</body>
</html>
`;
}
