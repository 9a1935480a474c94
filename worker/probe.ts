/**
 * What this device can run a model on. WebGPU when an adapter is given (fp16 only with the
 * `shader-f16` feature), otherwise WebAssembly, with SIMD when the engine validates a SIMD
 * module and threads when the page is cross-origin isolated (the node sends COOP/COEP).
 */
import { z } from 'zod';
import type { Method } from './rpc.ts';

export interface DeviceProbe {
  webgpu: null | {
    vendor: string;
    architecture: string;
    isFallbackAdapter: boolean;
    shaderF16: boolean;
  };
  wasm: { simd: boolean; threads: boolean };
  crossOriginIsolated: boolean;
  /** The backend a model would load on by default. */
  preferred: 'webgpu' | 'wasm';
}

// (module (func (result v128) (v128.const i32x4 0 0 0 0)))
const SIMD_MODULE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 11,
]);

interface GpuLike {
  requestAdapter(): Promise<null | {
    features: { has(name: string): boolean };
    info?: { vendor?: string; architecture?: string; isFallbackAdapter?: boolean };
    isFallbackAdapter?: boolean;
  }>;
}

export async function probeDevice(scope: { navigator?: { gpu?: unknown }; crossOriginIsolated?: boolean } = globalThis): Promise<DeviceProbe> {
  let webgpu: DeviceProbe['webgpu'] = null;
  const gpu = scope.navigator?.gpu as GpuLike | undefined;
  if (gpu) {
    try {
      const adapter = await gpu.requestAdapter();
      if (adapter) {
        webgpu = {
          vendor: adapter.info?.vendor ?? '',
          architecture: adapter.info?.architecture ?? '',
          isFallbackAdapter: adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
          shaderF16: adapter.features.has('shader-f16'),
        };
      }
    } catch {
      webgpu = null;
    }
  }
  const isolated = scope.crossOriginIsolated === true;
  const simd = WebAssembly.validate(SIMD_MODULE);
  const threads = isolated && typeof SharedArrayBuffer === 'function';
  return { webgpu, wasm: { simd, threads }, crossOriginIsolated: isolated, preferred: webgpu ? 'webgpu' : 'wasm' };
}

export const probe: Method<z.ZodObject<{}, z.core.$strict>, DeviceProbe> = {
  params: z.object({}).strict(),
  run: () => probeDevice(),
};
