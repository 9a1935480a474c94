/**
 * The model store's wire shapes: the manifest a node serves at `GET /api/v1/models` and the file
 * paths transformers.js fetches. The worker reads the manifest to show a model's size before a
 * download and to pin the revision it loads; `wasmPaths` is where it points onnxruntime-web.
 */
import { z } from 'zod';

export const ModelFileEntry = z.object({
  path: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** transformers.js dtype for onnx/ files (fp32, fp16, q8, q4, q4f16, …). */
  dtype: z.string().optional(),
}).meta({ id: 'ModelFileEntry' });
export type ModelFileEntry = z.infer<typeof ModelFileEntry>;

export const ModelEntry = z.object({
  id: z.string(),
  /** Content hash of the files: a revision never changes. */
  revision: z.string().regex(/^[0-9a-f]{32}$/),
  modelType: z.string(),
  importedAt: z.string(),
  size: z.number().int().nonnegative(),
  files: z.array(ModelFileEntry),
}).meta({ id: 'ModelEntry' });
export type ModelEntry = z.infer<typeof ModelEntry>;

export const ModelsResponse = z.object({
  models: z.array(ModelEntry),
  runtime: z.object({ onnxruntimeWeb: z.string(), wasmPaths: z.string() }),
}).meta({ id: 'ModelsResponse' });
export type ModelsResponse = z.infer<typeof ModelsResponse>;

/** `env.remotePathTemplate` for transformers.js with `env.remoteHost` = the node's origin. */
export const MODEL_PATH_TEMPLATE = 'models/{model}/resolve/{revision}/';

const binary = { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } };
const rangeHeader = { name: 'Range', in: 'header', required: false, schema: { type: 'string', example: 'bytes=0-0' } };
const fileResponses = {
  '200': { description: 'The whole file; strong ETag (its sha256 for model files)', content: binary },
  '206': { description: 'The requested byte range, with Content-Range', content: binary },
  '304': { description: 'If-None-Match matched the ETag' },
  '404': { description: 'No such model, revision or file' },
  '416': { description: 'Unsatisfiable range; Content-Range: bytes */size' },
};

export const modelApiPaths = {
  '/api/v1/models': {
    get: {
      operationId: 'models',
      summary: 'The model manifest',
      description: 'The models this node serves for on-device drafts, and where the onnxruntime-web runtime files are.',
      responses: {
        '200': {
          description: 'The model manifest',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ModelsResponse' } } },
        },
      },
    },
  },
  '/models/{id}/resolve/{revision}/{path}': {
    get: {
      operationId: 'modelFile',
      summary: 'Download a model file',
      description:
        'A model file in the transformers.js layout (remotePathTemplate `' + MODEL_PATH_TEMPLATE + '`). ' +
        'A revision hash is immutable (Cache-Control: public, max-age=31536000, immutable); `main` is the latest import and is revalidated.',
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'revision', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'path', in: 'path', required: true, schema: { type: 'string', example: 'onnx/model_q4f16.onnx' } },
        rangeHeader,
      ],
      responses: fileResponses,
    },
  },
  '/ort/{version}/{file}': {
    get: {
      operationId: 'onnxRuntimeFile',
      summary: 'Download an onnxruntime-web file',
      description: 'A .wasm or .mjs file of the onnxruntime-web version the node\'s transformers.js pins; immutable.',
      parameters: [
        { name: 'version', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'file', in: 'path', required: true, schema: { type: 'string', example: 'ort-wasm-simd-threaded.jsep.wasm' } },
        rangeHeader,
      ],
      responses: fileResponses,
    },
  },
};
