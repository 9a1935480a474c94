/**
 * A typed request/response RPC over postMessage, shared by the UI thread (client) and the model
 * worker (server). One `Handlers` map names every method with its parameter and result types;
 * parameters are validated in the worker with the method's schema; failures come back as a
 * closed set of codes that the UI turns into sentences. The UI thread never blocks on a model.
 */
import { z } from 'zod';

export const WORKER_ERROR_CODES = [
  'unknown_method',
  'invalid_params',
  'failed',
  // Model methods (worker/model.ts):
  'model_not_found',
  'model_broken',
  'load_failed',
  'not_loaded',
  'busy',
  'interrupted',
] as const;
export type WorkerErrorCode = (typeof WORKER_ERROR_CODES)[number];

export class WorkerError extends Error {
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}

const RequestMessage = z.object({ id: z.int().min(0), method: z.string(), params: z.unknown() }).strict();

export type ResponseMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: WorkerErrorCode; message: string } };

/** An event a running call streams before its response (download progress, generated text). */
export interface EventMessage {
  id: number;
  event: unknown;
}

/** What a running call may do besides returning: stream events of its declared type. */
export interface CallContext<E> {
  emit(event: E): void;
}

/**
 * A method: its parameter schema and its implementation. `E` is the type of the events it
 * streams to the caller while it runs (`never` for methods that only answer).
 */
export interface Method<P extends z.ZodType, R, E = never> {
  params: P;
  run(params: z.output<P>, context: CallContext<E>): Promise<R>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MethodMap = Record<string, Method<any, any, any>>;

export type ParamsOf<M extends MethodMap, K extends keyof M> = z.input<M[K]['params']>;
export type ResultOf<M extends MethodMap, K extends keyof M> = Awaited<ReturnType<M[K]['run']>>;
export type EventOf<M extends MethodMap, K extends keyof M> = M[K] extends Method<z.ZodType, unknown, infer E> ? E : never;

export interface CallOptions<E> {
  /** Called for each event the method streams, in order, before the call settles. */
  onEvent?: (event: E) => void;
}

export interface Port {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  start?(): void;
}

/** Worker side: answers requests arriving on `port` with `methods`. */
export function serve(port: Port, methods: MethodMap): () => void {
  const listener = async (event: MessageEvent) => {
    const req = RequestMessage.safeParse(event.data);
    if (!req.success) return; // not ours: ignore silently, there is no id to answer
    const { id, method, params } = req.data;
    const reply = (m: ResponseMessage) => port.postMessage(m);
    const impl = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (!impl) return reply({ id, ok: false, error: { code: 'unknown_method', message: `No method "${method}"` } });
    const parsed = impl.params.safeParse(params);
    if (!parsed.success) {
      return reply({ id, ok: false, error: { code: 'invalid_params', message: parsed.error.issues[0]?.message ?? 'Invalid' } });
    }
    try {
      const emit = (event: unknown) => port.postMessage({ id, event } satisfies EventMessage);
      reply({ id, ok: true, result: await impl.run(parsed.data, { emit }) });
    } catch (e) {
      const code = e instanceof WorkerError ? e.code : 'failed';
      reply({ id, ok: false, error: { code, message: e instanceof Error ? e.message : String(e) } });
    }
  };
  port.addEventListener('message', listener);
  port.start?.();
  return () => port.removeEventListener('message', listener);
}

/** UI side: a typed `call(method, params)` over `port`. */
export function connect<M extends MethodMap>(port: Port) {
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; onEvent?: (e: never) => void }>();
  port.addEventListener('message', (event: MessageEvent) => {
    const m = event.data as ResponseMessage | EventMessage;
    const p = typeof m?.id === 'number' ? pending.get(m.id) : undefined;
    if (!p) return;
    if ('event' in m) {
      p.onEvent?.(m.event as never);
      return;
    }
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new WorkerError(m.error.code, m.error.message));
  });
  port.start?.();
  return {
    call<K extends keyof M & string>(method: K, params: ParamsOf<M, K>, options: CallOptions<EventOf<M, K>> = {}): Promise<ResultOf<M, K>> {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...(options.onEvent ? { onEvent: options.onEvent as (e: never) => void } : {}) });
        port.postMessage({ id, method, params });
      });
    },
  };
}
