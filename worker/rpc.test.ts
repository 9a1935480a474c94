import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connect, serve, WorkerError, type MethodMap, type Port } from './rpc.ts';
import { probeDevice } from './probe.ts';

const methods = {
  add: { params: z.object({ a: z.number(), b: z.number() }).strict(), run: async ({ a, b }: { a: number; b: number }) => a + b },
  count: {
    params: z.object({ to: z.int().min(0).max(10) }).strict(),
    run: async ({ to }: { to: number }, { emit }: { emit: (n: number) => void }) => {
      for (let i = 1; i <= to; i++) emit(i);
      return 'done';
    },
  },
  boom: {
    params: z.object({}).strict(),
    run: async () => {
      throw new Error('kaput');
    },
  },
} satisfies MethodMap;

function pair() {
  const { port1, port2 } = new MessageChannel();
  const stop = serve(port2 as unknown as Port, methods);
  const client = connect<typeof methods>(port1 as unknown as Port);
  return { client, close: () => (stop(), port1.close(), port2.close()) };
}

describe('worker RPC', () => {
  it('answers a call with the method result', async () => {
    const { client, close } = pair();
    expect(await client.call('add', { a: 2, b: 3 })).toBe(5);
    close();
  });

  it('answers concurrent calls each with its own result', async () => {
    const { client, close } = pair();
    const results = await Promise.all([1, 2, 3].map((n) => client.call('add', { a: n, b: n })));
    expect(results).toEqual([2, 4, 6]);
    close();
  });

  it('streams a method\'s events to the caller, in order, before its result', async () => {
    const { client, close } = pair();
    const seen: number[] = [];
    const result = await client.call('count', { to: 4 }, { onEvent: (n) => seen.push(n) });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(result).toBe('done');
    close();
  });

  it('rejects invalid parameters with invalid_params, before running anything', async () => {
    const { client, close } = pair();
    await expect(client.call('add', { a: 1, b: 'x' } as never)).rejects.toMatchObject({ code: 'invalid_params' });
    close();
  });

  it('rejects an unknown method with unknown_method', async () => {
    const { client, close } = pair();
    await expect(client.call('nope' as never, {} as never)).rejects.toMatchObject({ code: 'unknown_method' });
    await expect(client.call('toString' as never, {} as never)).rejects.toMatchObject({ code: 'unknown_method' });
    close();
  });

  it('turns a thrown error into failed, with its message', async () => {
    const { client, close } = pair();
    const err = await client.call('boom', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect(err).toMatchObject({ code: 'failed', message: 'kaput' });
    close();
  });
});

describe('probeDevice', () => {
  it('prefers WebAssembly when there is no WebGPU adapter, and reports SIMD', async () => {
    const p = await probeDevice({ navigator: {}, crossOriginIsolated: false });
    expect(p).toMatchObject({ webgpu: null, preferred: 'wasm', crossOriginIsolated: false, wasm: { threads: false } });
    expect(p.wasm.simd).toBe(true); // Node 20's V8 has SIMD
  });

  it('reads the adapter info and the shader-f16 feature when WebGPU answers', async () => {
    const gpu = {
      requestAdapter: async () => ({
        features: new Set(['shader-f16']),
        info: { vendor: 'acme', architecture: 'rdna', isFallbackAdapter: false },
      }),
    };
    const p = await probeDevice({ navigator: { gpu }, crossOriginIsolated: true });
    expect(p).toMatchObject({ preferred: 'webgpu', webgpu: { vendor: 'acme', architecture: 'rdna', shaderF16: true }, wasm: { threads: true } });
  });

  it('falls back to WebAssembly when requesting the adapter throws', async () => {
    const gpu = { requestAdapter: async () => Promise.reject(new Error('lost')) };
    expect((await probeDevice({ navigator: { gpu } })).preferred).toBe('wasm');
  });
});
