/** `vernacular models import|pull|list`: puts on-device draft models into the node's model store. */
import { resolve } from 'node:path';
import { ModelStore, modelsRoot, type ImportResult } from '../models/store.ts';
import { ModelError } from '../models/check.ts';
import { DEFAULT_HOST, pullModel } from '../models/pull.ts';
import { DTYPE_SUFFIXES } from '../models/layout.ts';
import { type Output, parseOptions, UsageError } from './usage.ts';
import { DEFAULT_DATA_DIR } from './serve.ts';

export const MODELS_HELP = `Usage:
  vernacular models import <dir> --id <name> [--data <dir>]
  vernacular models pull <repo> [--dtype q4f16] [--host <url>] [--revision main] [--id <name>] [--data <dir>]
  vernacular models list [--data <dir>] [--json]

Puts models that phones run on the device into this node's model store
(<data>/models), from where the node serves them to its own web app.

  import  Checks that <dir> is a complete transformers.js model folder
          (config.json, generation_config.json, tokenizer.json,
          tokenizer_config.json, onnx/model*.onnx) that a decoder can load,
          then copies it in under a revision named by its content hash.
  pull    Downloads such a folder from a Hugging Face-compatible host
          ({host}/{repo}/resolve/{revision}/{file}) and imports it. Needs
          the network once; phones then load it from this node only.
  list    Shows each stored model: id, revision, size and dtypes.

Options:
  --id <name>        Model id on this node (a-z, 0-9, ".", "_", "-"); for pull,
                     default: the repository name in lower case
  --dtype <dtype>    Graph to pull: ${Object.keys(DTYPE_SUFFIXES).join(', ')} (default q4f16)
  --host <url>       Default ${DEFAULT_HOST}
  --revision <rev>   Branch, tag or commit on the host (default main)
  --data <dir>       The node's data folder (default ${DEFAULT_DATA_DIR})
  --json             list: print the manifest as JSON
  -h, --help         Show this help`;

const OPTIONS = {
  id: { type: 'string' },
  dtype: { type: 'string' },
  host: { type: 'string' },
  revision: { type: 'string' },
  data: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(bytes < 10_000_000 ? 2 : 0)} MB`;
}

function report(io: Output, result: ImportResult): void {
  const m = result.manifest;
  io.out(result.added
    ? `Added ${m.id} revision ${m.revision} (${m.modelType}, ${m.files.length} files, ${megabytes(m.size)}).`
    : `${m.id} revision ${m.revision} is already in the store.`);
  if (result.ignored.length > 0) io.out(`Left out (not part of the model layout): ${result.ignored.join(', ')}`);
}

export async function models(args: string[], io: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) {
    io.err(MODELS_HELP);
    return 2;
  }
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(MODELS_HELP);
    return 0;
  }
  const { values, positionals } = parseOptions(rest, OPTIONS, 'models', true);
  if (values.help) {
    io.out(MODELS_HELP);
    return 0;
  }
  const store = new ModelStore(modelsRoot(resolve(values.data ?? DEFAULT_DATA_DIR)));
  try {
    switch (sub) {
      case 'import': {
        if (positionals.length !== 1) throw new UsageError('models import takes one folder', 'models');
        if (values.id === undefined) throw new UsageError('--id <name> is required', 'models');
        const dir = resolve(positionals[0]!);
        report(io, await store.importFolder(dir, { id: values.id, source: dir }));
        return 0;
      }
      case 'pull': {
        if (positionals.length !== 1) throw new UsageError('models pull takes one repository id', 'models');
        if (values.dtype !== undefined && DTYPE_SUFFIXES[values.dtype] === undefined) {
          throw new UsageError(`--dtype must be one of ${Object.keys(DTYPE_SUFFIXES).join(', ')}`, 'models');
        }
        const result = await pullModel(store, {
          repo: positionals[0]!,
          ...(values.host !== undefined && { host: values.host }),
          ...(values.revision !== undefined && { revision: values.revision }),
          ...(values.dtype !== undefined && { dtype: values.dtype }),
          ...(values.id !== undefined && { id: values.id }),
          onFile: (path, bytes) => io.out(`  ${path} (${megabytes(bytes)})`),
        });
        report(io, result);
        return 0;
      }
      case 'list': {
        if (positionals.length !== 0) throw new UsageError('models list takes no arguments', 'models');
        const all = await store.list();
        if (values.json) {
          io.out(JSON.stringify({ models: all }, null, 2));
        } else if (all.length === 0) {
          io.out(`No models in ${store.root}. Add one with \`vernacular models import\` or \`vernacular models pull\`.`);
        } else {
          for (const m of all) {
            const dtypes = [...new Set(m.files.flatMap((f) => (f.dtype === undefined ? [] : [f.dtype])))].join(', ');
            io.out(`${m.id}\t${m.revision}\t${megabytes(m.size)}\t${dtypes}\t${m.importedAt}\t${m.source}`);
          }
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown models command "${sub}"`, 'models');
    }
  } catch (err) {
    if (err instanceof ModelError) {
      io.err(`vernacular: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
