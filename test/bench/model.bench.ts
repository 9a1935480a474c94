/**
 * On-device model benchmark (`npm run bench`): decode tokens/s and time to first token of the
 * larger random model (test/support/model, `BENCH_SHAPE`, ~85M parameters, fp32, generated into a
 * temporary folder at bench time, never committed) on
 *
 * - native: onnxruntime-node through @huggingface/transformers in this process (the baseline: the
 *   CPU limit of this machine; ORT's default intra-op threads, i.e. every core);
 * - wasm: Chromium, the app's own built model worker (dist/web/assets/model.worker-*.js, the bundle
 *   users run, worker/model.ts) on onnxruntime-web WASM (SIMD + threads): the target is
 *   wasm ÷ native decode tokens/s ≥ TARGET_RATIO;
 * - webgpu: the same worker on WebGPU through SwiftShader (a CPU emulation: reported, not a target).
 *
 * The node is the real `vernacular serve` (child process), the model is put on it with
 * `vernacular models import`, and the worker fetches it from the node as on a phone. The worker is
 * driven through its RPC wire protocol from a small bench page that Playwright serves at the node's
 * origin (with the node's COOP/COEP headers, so the page and its worker are cross-origin isolated),
 * as test/e2e/model.test.ts does. Every side decodes the same chat-templated prompt greedily for
 * NEW_TOKENS tokens; time to first token runs from the generate call to the first streamed token
 * (tokenising, prefill and the first step), decode tokens/s counts the tokens after the first over
 * the time after it. Native, WASM and WASM on a page without COOP/COEP (not cross-origin isolated,
 * so onnxruntime-web runs one thread: what threads bring, for information) take turns, one run each
 * per round, after a warm-up each. WebGPU runs afterwards; SwiftShader is so slow that each of its
 * runs is interrupted after WEBGPU_RUN_CAP_S and its rate counts the tokens it made.
 *
 * Loads: each round a fresh Chromium profile on disk (cold cache) loads the model (download from
 * the node into the Cache API, then the session), the page is reloaded (a new worker) and loads it
 * again from the cache (warm). Results: medians, printed and written into this benchmark's section
 * of docs/benchmarks.md.
 *
 * Options: `--quick` (the tiny fixture shape, fewer rounds, no doc: checks the benchmark itself),
 * `--web DIR` (serve another build of the web app than dist/web, e.g. one made with
 * `vite build --outDir DIR` while others rebuild dist/web); BENCH_DEBUG=1 prints every request.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { packageRoot } from '../../federation/package.ts';
import { BENCH_SHAPE, DEFAULT_SEED, generateModel, parameterCount, TINY_SHAPE } from '../support/model/generate.ts';
import { runCli, startServer, type RunningServer } from '../support/server.ts';
import { CHROMIUM_ARGS as BROWSER_TEST_ARGS } from '../e2e/browser.ts';

const MODEL_ID = 'bench-llama';
/** `--quick`: the tiny test shape and fewer rounds, to check the benchmark itself; writes no doc. */
const QUICK = process.argv.includes('--quick');
const SHAPE = QUICK ? TINY_SHAPE : BENCH_SHAPE;
const NEW_TOKENS = 64;
const PROMPT = [{ role: 'user', content: 'Habari za asubuhi? Tell me a short story about the river.' }];
const ROUNDS = QUICK ? 2 : 5;
const LOAD_ROUNDS = QUICK ? 1 : 3;
/** WebGPU on SwiftShader is slow: more runs only while they fit in this many seconds. */
const WEBGPU_BUDGET_S = 120;
const WEBGPU_RUNS = 3;
/** A WebGPU generation is interrupted after this long; its rate counts the tokens it made. */
const WEBGPU_RUN_CAP_S = 40;
const WEBGPU_LOAD_CAP_S = 120;
/** The first WebGPU generation (2 tokens) compiles the shaders. */
const WEBGPU_WARM_UP_CAP_S = 90;
const TARGET_RATIO = 0.5;
const ROOT = packageRoot();
const BENCH_PAGE = '/__bench__/model-worker.html';
/** The same page without COOP/COEP: not cross-origin isolated, so the worker gets one WASM thread. */
const PLAIN_PAGE = '/__bench__/model-worker-plain.html';
/** The browser tests' flags, with WebGPU on SwiftShader. */
const CHROMIUM_ARGS = [...BROWSER_TEST_ARGS, '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];
/** The node's cross-origin isolation headers (federation/server/headers.ts), on the bench page too. */
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface Run {
  /** Milliseconds from the generate call to the first new token. */
  ttftMs: number;
  /** Tokens after the first, per second after the first. */
  decodeTps: number;
  tokens: number[];
}

function toRun(start: number, times: readonly number[], tokens: number[]): Run {
  if (times.length < 2) throw new Error(`only ${times.length} token(s) streamed`);
  const first = times[0]!;
  const last = times.at(-1)!;
  return { ttftMs: first - start, decodeTps: ((times.length - 1) * 1000) / (last - first), tokens };
}

/** The baseline: transformers.js on onnxruntime-node, same model files, same prompt and settings. */
async function nativeSide(modelsDir: string) {
  const { AutoModelForCausalLM, AutoTokenizer, TextStreamer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = `${modelsDir}/`;
  const tokenizer = await AutoTokenizer.from_pretrained(MODEL_ID);
  const model = await AutoModelForCausalLM.from_pretrained(MODEL_ID, { dtype: 'fp32', device: 'cpu' });
  const text = tokenizer.apply_chat_template(PROMPT, { tokenize: false, add_generation_prompt: true }) as string;
  return {
    promptTokens: (tokenizer(text).input_ids.dims[1] ?? 0),
    async run(maxNewTokens: number): Promise<Run> {
      const times: number[] = [];
      const streamer = new TextStreamer(tokenizer, {
        skip_prompt: true,
        callback_function: () => {},
        token_callback_function: () => void times.push(performance.now()),
      });
      const start = performance.now();
      const inputs = tokenizer(text);
      const output = await model.generate({ ...inputs, max_new_tokens: maxNewTokens, do_sample: false, streamer });
      const ids = ((output as { tolist(): bigint[][] }).tolist()[0] ?? []).slice(inputs.input_ids.dims[1]).map(Number);
      return toRun(start, times, ids);
    },
    dispose: () => model.dispose(),
  };
}

/** A page that starts the built model worker and exposes its RPC, with timings of streamed tokens. */
function benchPage(workerUrl: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>model bench</title><script>
const worker = new Worker(${JSON.stringify(workerUrl)}, { name: 'model', type: 'module' });
let next = 0;
const pending = new Map();
worker.addEventListener('message', (e) => {
  const m = e.data;
  const p = pending.get(m && m.id);
  if (!p) return;
  if ('event' in m) {
    p.events.push({ at: performance.now(), ...m.event });
    if (m.event.type === 'progress') {
      const quarter = Math.floor((4 * m.event.loaded) / m.event.total);
      if (quarter !== p.quarter) console.info('bench: loaded ' + m.event.loaded + ' of ' + m.event.total + ' bytes');
      p.quarter = quarter;
    }
    return;
  }
  pending.delete(m.id);
  p.resolve({ ok: m.ok, result: m.result, error: m.error, events: p.events, start: p.start, end: performance.now() });
});
// capMs: ask the worker to interrupt the call after that long (a generation keeps its tokens).
window.call = (method, params, capMs) => new Promise((resolve) => {
  const id = next++;
  pending.set(id, { resolve, events: [], start: performance.now() });
  worker.postMessage({ id, method, params });
  if (capMs) setTimeout(() => { if (pending.has(id)) worker.postMessage({ id: next++, method: 'interrupt', params: {} }); }, capMs);
});
</script></html>`;
}

interface Reply {
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
  events: { at: number; type: string; [k: string]: unknown }[];
  start: number;
  end: number;
}

const call = (page: Page, method: string, params: unknown, capMs = 0): Promise<Reply> =>
  page.evaluate(
    ([m, p, c]) => (globalThis as unknown as { call(m: string, p: unknown, c: number): Promise<Reply> }).call(m, p, c),
    [method, params, capMs] as const,
  );

async function ok(page: Page, method: string, params: unknown, capMs = 0): Promise<Reply> {
  const reply = await call(page, method, params, capMs);
  if (!reply.ok) throw new Error(`${method} failed: ${reply.error?.code} ${reply.error?.message}`);
  return reply;
}

/** One greedy generation in the worker; `capMs` interrupts it after that long (WebGPU on SwiftShader). */
async function browserRun(page: Page, maxNewTokens: number, capMs = 0): Promise<Run> {
  const reply = await ok(page, 'generate', { messages: PROMPT, max_new_tokens: maxNewTokens }, capMs);
  const tokens = reply.events.filter((e) => e.type === 'token');
  return toRun(reply.start, tokens.map((e) => e.at), reply.result!.tokens as number[]);
}

/** `--web DIR`: the built web app the node serves (default dist/web, built when missing). */
const WEB_FLAG = process.argv.indexOf('--web');
const WEB_ROOT = WEB_FLAG > 0 && process.argv[WEB_FLAG + 1] ? process.argv[WEB_FLAG + 1]! : join(ROOT, 'dist/web');

function builtWorkerUrl(): string {
  const assets = join(WEB_ROOT, 'assets');
  const find = () => (existsSync(assets) ? readdirSync(assets).find((f) => /^model\.worker-[\w-]+\.js$/.test(f)) : undefined);
  if (!find() && WEB_FLAG < 0) {
    console.log('dist/web has no model worker bundle: building the web app (npm run build:web)…');
    const built = spawnSync('npm', ['run', 'build:web'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build:web failed');
  }
  const file = find();
  if (!file) throw new Error(`${WEB_ROOT} has no model worker bundle`);
  return `/assets/${file}`;
}

interface Browser {
  context: BrowserContext;
  page: Page;
  /** Requests for the model graph since the page was opened. */
  graphRequests(): number;
  open(): Promise<void>;
  /** A second page, not cross-origin isolated. */
  openPlain(): Promise<Page>;
  close(): Promise<void>;
}

/** Chromium with a fresh profile on disk: an empty cache, as on a phone that never loaded the model. */
async function freshBrowser(server: RunningServer, workerUrl: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'vernacular-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    serviceWorkers: 'block',
    viewport: { width: 390, height: 844 },
  });
  let graph = 0;
  context.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning' || m.text().startsWith('bench:')) console.log(`  [browser ${m.type()}] ${m.text().slice(0, 300)}`);
  });
  context.on('weberror', (e) => console.log(`  [browser error] ${e.error().message}`));
  if (process.env.BENCH_DEBUG) {
    context.on('requestfinished', async (r) => console.log(`  [req] ${r.method()} ${r.url()} ${(await r.response())?.status()} ${JSON.stringify(r.headers().range ?? '')}`));
    context.on('requestfailed', (r) => console.log(`  [req failed] ${r.url()} ${r.failure()?.errorText}`));
  }
  context.on('request', (r) => {
    if (r.url().endsWith('/onnx/model.onnx')) graph++;
  });
  await context.route(`${server.url}${BENCH_PAGE}`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', headers: { ...ISOLATION, 'Cache-Control': 'no-store' }, body: benchPage(workerUrl) }),
  );
  await context.route(`${server.url}${PLAIN_PAGE}`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', headers: { 'Cache-Control': 'no-store' }, body: benchPage(workerUrl) }),
  );
  const b: Browser = {
    context,
    page: context.pages()[0] ?? (await context.newPage()),
    graphRequests: () => graph,
    async open() {
      graph = 0;
      await b.page.goto(`${server.url}${BENCH_PAGE}`);
    },
    async openPlain() {
      const page = await context.newPage();
      await page.goto(`${server.url}${PLAIN_PAGE}`);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
  await b.open();
  return b;
}

interface LoadTiming {
  /** Milliseconds from the load call to its answer. */
  totalMs: number;
  /** Milliseconds from the load call to the last progress event (every byte arrived). */
  filesMs: number;
  graphRequests: number;
}

async function timedLoad(b: Browser, device: 'wasm' | 'webgpu'): Promise<{ timing: LoadTiming; result: Record<string, unknown> }> {
  const reply = await ok(b.page, 'load', { model: MODEL_ID, device });
  const progress = reply.events.filter((e) => e.type === 'progress');
  const lastAt = progress.at(-1)?.at ?? reply.end;
  return {
    timing: { totalMs: reply.end - reply.start, filesMs: lastAt - reply.start, graphRequests: b.graphRequests() },
    result: reply.result!,
  };
}

interface Environment {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  userAgent: string;
  probe: Record<string, unknown>;
}

interface Results {
  params: number;
  graphBytes: number;
  generateS: number;
  promptTokens: number;
  env: Environment;
  wasmLoad: Record<string, unknown>;
  plainLoad: Record<string, unknown>;
  plainIsolated: boolean;
  webgpuLoad: Record<string, unknown> | undefined;
  webgpuError: string | undefined;
  /** Time to first token of the first WebGPU generation, shader compilation included. */
  webgpuFirstMs: number | undefined;
  cold: LoadTiming[];
  warm: LoadTiming[];
  native: Run[];
  wasm: Run[];
  plain: Run[];
  webgpu: Run[];
  sameTokens: { wasm: boolean; webgpu: boolean | undefined };
  /** The 1-minute load average before the loads, before the rounds and after them (other work on the machine). */
  load: number[];
}

const fmt1 = (n: number) => n.toFixed(1);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function report(r: Results): { section: string; pass: boolean } {
  const nativeTps = median(r.native.map((x) => x.decodeTps));
  const wasmTps = median(r.wasm.map((x) => x.decodeTps));
  const ratio = wasmTps / nativeTps;
  const perRound = median(r.wasm.map((w, i) => w.decodeTps / r.native[i]!.decodeTps));
  const pass = ratio >= TARGET_RATIO;
  const cpu = cpus();
  const tps = (runs: Run[]) => `${fmt1(median(runs.map((x) => x.decodeTps)))} tokens/s (runs: ${runs.map((x) => fmt1(x.decodeTps)).join(', ')})`;
  const ttft = (runs: Run[]) => `${Math.round(median(runs.map((x) => x.ttftMs)))} ms (runs: ${runs.map((x) => Math.round(x.ttftMs)).join(', ')})`;
  const loads = (l: LoadTiming[], key: 'totalMs' | 'filesMs') => `${secs(median(l.map((x) => x[key])))} (runs: ${l.map((x) => (x[key] / 1000).toFixed(2)).join(', ')})`;
  const wasmProbe = r.env.probe.wasm as { simd?: boolean; threads?: boolean } | undefined;
  const threads = r.wasmLoad.threads ?? 'not reported';
  const S = SHAPE;
  const section = [
    '<!-- bench:model:start -->',
    '## On-device model: Chromium WASM and WebGPU vs onnxruntime-node',
    '',
    'Written by `npm run bench` (test/bench/model.bench.ts, which describes the method). A random-weight',
    `LLaMA-style model from test/support/model (BENCH_SHAPE, seed ${DEFAULT_SEED}, fp32), generated at bench time and`,
    'imported into a real `vernacular serve` node. Native: transformers.js on onnxruntime-node in the',
    "bench process. WASM and WebGPU: the app's built model worker (worker/model.ts, the bundle users",
    'run) in Chromium, driven over its RPC from a bench page at the node\'s origin, loading the model from',
    `the node. Same chat-templated prompt (${r.promptTokens} tokens), greedy, ${NEW_TOKENS} new tokens everywhere. Time to`,
    'first token: from the generate call to the first streamed token; decode: tokens after the first',
    `per second after it. Native, WASM and WASM on a page without COOP/COEP (one thread) take turns,`,
    `${ROUNDS} rounds after a warm-up each; medians. WebGPU afterwards, each run stopped after ${WEBGPU_RUN_CAP_S} s.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| date | ${new Date().toISOString().slice(0, 10)} |`,
    `| machine | ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version} |`,
    `| load average (1 min: before loads, rounds, after) | ${r.load.map((x) => x.toFixed(1)).join(', ')} |`,
    `| browser | ${r.env.userAgent.match(/(?:Headless)?Chrome\/[\d.]+/)?.[0] ?? r.env.userAgent} |`,
    `| model | hidden ${S.hiddenSize}, ${S.layers} layers, ${S.heads} heads, MLP ${S.intermediateSize}, vocab 259 (byte-level), ${S.maxPositions} positions: ${(r.params / 1e6).toFixed(1)}M parameters, onnx/model.onnx ${mb(r.graphBytes)} (generated in ${r.generateS.toFixed(1)} s) |`,
    `| page | crossOriginIsolated ${r.env.crossOriginIsolated}, hardwareConcurrency ${r.env.hardwareConcurrency}, WASM SIMD ${wasmProbe?.simd}, threads ${wasmProbe?.threads} |`,
    `| threads | native: onnxruntime-node default (${cpu.length} cores); WASM: ${threads} (env.backends.onnx.wasm.numThreads after load) |`,
    `| native decode | ${tps(r.native)} |`,
    `| WASM decode | ${tps(r.wasm)} |`,
    `| WASM without cross-origin isolation (${String(r.plainLoad.threads ?? '?')} thread) decode | ${tps(r.plain)} (page crossOriginIsolated ${r.plainIsolated}; for information) |`,
    `| WebGPU (SwiftShader) decode | ${r.webgpu.length > 0 ? `${tps(r.webgpu)}; tokens per run: ${r.webgpu.map((x) => x.tokens.length).join(', ')} (a run stops after ${WEBGPU_RUN_CAP_S} s)` : `not measured: ${r.webgpuError ?? 'no run'}`} |`,
    `| native time to first token | ${ttft(r.native)} |`,
    `| WASM time to first token | ${ttft(r.wasm)} |`,
    `| WASM, 1 thread, time to first token | ${ttft(r.plain)} |`,
    `| WebGPU time to first token | ${r.webgpu.length > 0 ? ttft(r.webgpu) : '–'}; first generation, shaders compiled: ${r.webgpuFirstMs === undefined ? 'no token' : secs(r.webgpuFirstMs)} |`,
    `| same greedy tokens as native | WASM ${r.sameTokens.wasm ? 'yes' : 'NO'}, WebGPU ${r.sameTokens.webgpu === undefined ? '–' : r.sameTokens.webgpu ? 'yes' : 'NO'} |`,
    `| first load, cold cache (download + cache + session) | ${loads(r.cold, 'totalMs')}; all bytes in after ${loads(r.cold, 'filesMs')} |`,
    `| warm load from the cache | ${loads(r.warm, 'totalMs')}; graph requests to the node: ${r.warm.map((x) => x.graphRequests).join(', ')} |`,
    `| ratio WASM / native decode | ${ratio.toFixed(2)} (median of the per-round ratios: ${perRound.toFixed(2)}) |`,
    `| target: WASM ≥ ${TARGET_RATIO} × native | ${pass ? '**pass**' : '**FAIL**'} |`,
    '<!-- bench:model:end -->',
  ].join('\n');
  return { section, pass };
}

function writeReport(section: string): string {
  const file = join(ROOT, 'docs', 'benchmarks.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const pattern = /<!-- bench:model:start -->[\s\S]*?<!-- bench:model:end -->/;
  const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  return file;
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

async function main(): Promise<void> {
  const began = performance.now();
  const elapsed = () => `${((performance.now() - began) / 1000).toFixed(0)} s`;
  const workerUrl = builtWorkerUrl();
  const dir = mkdtempSync(join(tmpdir(), 'vernacular-model-bench-'));
  const modelDir = join(dir, 'models', MODEL_ID);
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let native: Awaited<ReturnType<typeof nativeSide>> | undefined;
  try {
    const t0 = performance.now();
    await generateModel(modelDir, SHAPE, DEFAULT_SEED);
    const generateS = (performance.now() - t0) / 1000;
    const graphBytes = statSync(join(modelDir, 'onnx', 'model.onnx')).size;
    console.log(`model: ${parameterCount(SHAPE).toLocaleString('en')} parameters, ${mb(graphBytes)}, generated in ${generateS.toFixed(1)} s`);

    server = await startServer({ webRoot: WEB_ROOT });
    const imported = await runCli(['models', 'import', modelDir, '--id', MODEL_ID, '--data', server.dataDir]);
    if (imported.code !== 0) throw new Error(`models import failed: ${imported.stderr}`);
    console.log(`[${elapsed()}] imported into the node at ${server.url}`);

    native = await nativeSide(join(dir, 'models'));
    const promptTokens = native.promptTokens;
    const reference = await native.run(NEW_TOKENS); // warm-up, and the reference tokens
    if (reference.tokens.length !== NEW_TOKENS) throw new Error(`native greedy stopped after ${reference.tokens.length} tokens (EOS): change PROMPT`);
    console.log(`[${elapsed()}] native warm-up: ${fmt1(reference.decodeTps)} tokens/s`);

    const load = [loadavg()[0]!];
    const cold: LoadTiming[] = [];
    const warm: LoadTiming[] = [];
    let wasmLoad: Record<string, unknown> = {};
    for (let i = 1; i <= LOAD_ROUNDS; i++) {
      await browser?.close();
      browser = await freshBrowser(server, workerUrl);
      const first = await timedLoad(browser, 'wasm');
      cold.push(first.timing);
      await browser.open(); // a new page and worker; the cache stays
      const again = await timedLoad(browser, 'wasm');
      warm.push(again.timing);
      wasmLoad = again.result;
      console.log(`[${elapsed()}] load ${i}/${LOAD_ROUNDS}: cold ${secs(first.timing.totalMs)}, warm ${secs(again.timing.totalMs)} (graph requests: ${first.timing.graphRequests}, ${again.timing.graphRequests})`);
    }
    const page = browser!.page;
    const env: Environment = {
      ...(await page.evaluate(() => {
        const g = globalThis as unknown as { crossOriginIsolated: boolean; navigator: { hardwareConcurrency: number; userAgent: string } };
        return { crossOriginIsolated: g.crossOriginIsolated, hardwareConcurrency: g.navigator.hardwareConcurrency, userAgent: g.navigator.userAgent };
      })),
      probe: (await ok(page, 'probe', {})).result!,
    };
    console.log(`[${elapsed()}] page: ${JSON.stringify(env.probe)}, crossOriginIsolated ${env.crossOriginIsolated}; load: ${JSON.stringify(wasmLoad)}`);

    const plainPage = await browser!.openPlain();
    const plainIsolated = await plainPage.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated);
    const plainLoad = (await ok(plainPage, 'load', { model: MODEL_ID, device: 'wasm' })).result!;
    console.log(`[${elapsed()}] page without COOP/COEP: crossOriginIsolated ${plainIsolated}, threads ${String(plainLoad.threads)}`);

    load.push(loadavg()[0]!);
    await browserRun(page, NEW_TOKENS); // warm-ups
    await browserRun(plainPage, NEW_TOKENS);
    const results = { native: [] as Run[], wasm: [] as Run[], plain: [] as Run[], webgpu: [] as Run[] };
    for (let round = 1; round <= ROUNDS; round++) {
      const n = await native.run(NEW_TOKENS);
      const w = await browserRun(page, NEW_TOKENS);
      const p = await browserRun(plainPage, NEW_TOKENS);
      results.native.push(n);
      results.wasm.push(w);
      results.plain.push(p);
      const line = (name: string, r: Run) => `${name} ${fmt1(r.decodeTps)} tokens/s (first ${Math.round(r.ttftMs)} ms)`;
      console.log(`[${elapsed()}] round ${round}/${ROUNDS}: ${line('native', n)}, ${line('wasm', w)}, ${line('wasm 1 thread', p)}, ratio ${(w.decodeTps / n.decodeTps).toFixed(2)}`);
    }
    load.push(loadavg()[0]!);
    await native.dispose();
    native = undefined;
    await ok(plainPage, 'unload', {});
    await plainPage.close();

    let webgpuLoad: Record<string, unknown> | undefined;
    let webgpuError: string | undefined;
    let webgpuFirstMs: number | undefined;
    try {
      await ok(page, 'unload', {});
      const loading = timedLoad(browser!, 'webgpu');
      const load = await Promise.race([
        loading,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`load took over ${WEBGPU_LOAD_CAP_S} s`)), WEBGPU_LOAD_CAP_S * 1000)),
      ]);
      webgpuLoad = load.result;
      if (webgpuLoad.device !== 'webgpu') throw new Error(`fell back to ${String(webgpuLoad.device)}: ${JSON.stringify(webgpuLoad.fallback)}`);
      console.log(`[${elapsed()}] webgpu: loaded from the cache in ${secs(load.timing.totalMs)}`);
      // A step cannot be interrupted, and the first (prefill and shader compilation) can take
      // minutes on SwiftShader: give up on WebGPU when it has not answered in time.
      const warmUp = await Promise.race([
        ok(page, 'generate', { messages: PROMPT, max_new_tokens: 2 }, WEBGPU_WARM_UP_CAP_S * 1000),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no first token within ${WEBGPU_WARM_UP_CAP_S} s (prefill and shader compilation on SwiftShader)`)), WEBGPU_WARM_UP_CAP_S * 1000)),
      ]);
      const firstAt = warmUp.events.find((e) => e.type === 'token')?.at;
      webgpuFirstMs = firstAt === undefined ? undefined : firstAt - warmUp.start;
      console.log(`[${elapsed()}] webgpu warm-up (shaders compiled): first token after ${firstAt === undefined ? `none in ${WEBGPU_WARM_UP_CAP_S} s` : secs(webgpuFirstMs!)}`);
      const started = performance.now();
      while (results.webgpu.length < WEBGPU_RUNS) {
        const g = await browserRun(page, NEW_TOKENS, WEBGPU_RUN_CAP_S * 1000);
        results.webgpu.push(g);
        console.log(`[${elapsed()}] webgpu run ${results.webgpu.length}: ${g.tokens.length} tokens, ${fmt1(g.decodeTps)} tokens/s (first ${Math.round(g.ttftMs)} ms)`);
        const perRun = (performance.now() - started) / results.webgpu.length;
        if (performance.now() - started + perRun > WEBGPU_BUDGET_S * 1000) break;
      }
    } catch (e) {
      webgpuError = e instanceof Error ? e.message : String(e);
      console.log(`webgpu: ${webgpuError}`);
    }

    const { section, pass } = report({
      params: parameterCount(SHAPE),
      graphBytes,
      generateS,
      promptTokens,
      env,
      wasmLoad,
      plainLoad,
      plainIsolated,
      webgpuLoad,
      webgpuError,
      webgpuFirstMs,
      load,
      cold,
      warm,
      ...results,
      sameTokens: {
        wasm: [...results.wasm, ...results.plain].every((w) => same(w.tokens, reference.tokens)),
        webgpu: results.webgpu.length > 0 ? results.webgpu.every((g) => same(g.tokens, reference.tokens.slice(0, g.tokens.length))) : undefined,
      },
    });
    const file = QUICK ? 'nowhere (--quick)' : writeReport(section);
    console.log(`\n${section}\n\nWritten to ${file} (${elapsed()})`);
    if (!pass) process.exitCode = 1;
  } finally {
    await native?.dispose();
    await browser?.close();
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
