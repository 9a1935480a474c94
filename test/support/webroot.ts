/** Test support: a small built-PWA folder with the kinds of files a Vite/Workbox build writes. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const WEB_FILES: Readonly<Record<string, string>> = {
  'index.html': '<!doctype html><title>Vernacular</title><script type="module" src="/assets/index-3f2a1b.js"></script>',
  'sw.js': 'self.addEventListener("fetch", () => {});',
  'registerSW.js': 'navigator.serviceWorker.register("/sw.js");',
  'manifest.webmanifest': '{"name":"Vernacular","start_url":"/"}',
  'assets/index-3f2a1b.js': 'console.log("app");',
  'assets/index-9c8d7e.css': 'body{margin:0}',
  'assets/ort-wasm-simd.wasm': '\0asm',
  'assets/ort.bundle.min.mjs': 'export {};',
  'icons/icon-192.png': 'PNG',
  '.env': 'SECRET=1',
};

/** Writes the files under `dir` and returns it. */
export function writeWebRoot(dir: string): string {
  for (const [path, content] of Object.entries(WEB_FILES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
