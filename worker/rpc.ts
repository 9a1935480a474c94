/**
 * A typed request/response RPC over postMessage, shared by the UI thread (client) and the model
 * worker (server). One `Handlers` map names every method with its parameter and result types;
 * parameters are validated in the worker with the method's schema; failures come back as a
 * closed set of codes that the UI turns into sentences. The UI thread never blocks on a model.
 */
import { z } from 'zod';

export const WORKER_ERROR_CODES = ['unknown_method', 'invalid_params', 'failed'] as const;
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

/** A method: its parameter schema and its implementation. */
export interface Method<P extends z.ZodType, R> {
  params: P;
  run(params: z.output<P>): Promise<R>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MethodMap = Record<string, Method<any, any>>;

export type ParamsOf<M extends MethodMap, K extends keyof M> = z.input<M[K]['params']>;
export type ResultOf<M extends MethodMap, K extends keyof M> = Awaited<ReturnType<M[K]['run']>>;

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
      reply({ id, ok: true, result: await impl.run(parsed.data) });
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
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  port.addEventListener('message', (event: MessageEvent) => {
    const m = event.data as ResponseMessage;
    const p = typeof m?.id === 'number' ? pending.get(m.id) : undefined;
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new WorkerError(m.error.code, m.error.message));
  });
  port.start?.();
  return {
    call<K extends keyof M & string>(method: K, params: ParamsOf<M, K>): Promise<ResultOf<M, K>> {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        port.postMessage({ id, method, params });
      });
    },
  };
}
