/**
 * `node dist/server/test/support/model/cli.js OUT_DIR [--bench] [--hidden N] [--intermediate N]
 * [--layers N] [--heads N] [--positions N] [--seed N]` writes a random model folder.
 * `npm run model:fixture` regenerates the committed fixture with the default shape and seed.
 */
import { parseArgs } from 'node:util';
import { BENCH_SHAPE, DEFAULT_SEED, generateModel, type ModelShape, parameterCount, TINY_SHAPE } from './generate.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    bench: { type: 'boolean' },
    hidden: { type: 'string' },
    intermediate: { type: 'string' },
    layers: { type: 'string' },
    heads: { type: 'string' },
    positions: { type: 'string' },
    seed: { type: 'string' },
  },
});
const out = positionals[0];
if (out === undefined || positionals.length > 1) {
  process.stderr.write('usage: cli.js OUT_DIR [--bench] [--hidden N] [--intermediate N] [--layers N] [--heads N] [--positions N] [--seed N]\n');
  process.exit(2);
}
const base = values.bench === true ? BENCH_SHAPE : TINY_SHAPE;
const number = (text: string | undefined, fallback: number): number => (text === undefined ? fallback : Number(text));
const shape: ModelShape = {
  hiddenSize: number(values.hidden, base.hiddenSize),
  intermediateSize: number(values.intermediate, base.intermediateSize),
  layers: number(values.layers, base.layers),
  heads: number(values.heads, base.heads),
  maxPositions: number(values.positions, base.maxPositions),
};
try {
  await generateModel(out, shape, number(values.seed, DEFAULT_SEED));
  process.stdout.write(`wrote ${out} (${parameterCount(shape).toLocaleString('en')} parameters)\n`);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
