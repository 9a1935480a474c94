/**
 * Builds the PWA (web/) into dist/web, with a Workbox service worker (injectManifest: our own
 * web/src/sw.ts, with the precache list injected) and the web app manifest. The node serves
 * dist/web from its own origin; nothing is fetched from a CDN.
 */
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import pkg from './package.json' with { type: 'json' };

/**
 * onnxruntime-web references its .wasm runtime with `new URL(..., import.meta.url)`, so Vite
 * would copy a 26 MB file into the worker's assets. The worker always points onnxruntime-web at
 * the node's `/ort/{version}/` instead (the manifest's `runtime.wasmPaths`), so that copy would
 * only be dead weight in dist/web: drop it.
 */
function dropBundledOnnxRuntime(): Plugin {
  return {
    name: 'vernacular:drop-bundled-onnxruntime-wasm',
    generateBundle(_options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (/(^|\/)ort-wasm[^/]*\.wasm$/.test(name)) delete bundle[name];
      }
    },
  };
}

export default defineConfig({
  root: 'web',
  publicDir: '../public',
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  // ES-module workers (the app starts them with `type: 'module'`) so that the model worker can
  // load transformers.js as a separate chunk, only when a model is loaded.
  worker: { format: 'es', plugins: () => [dropBundledOnnxRuntime()] },
  plugins: [
    svelte(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      // Registration lives in web/src/lib/pwa.ts (workbox-window), so that updates wait for
      // the contributor's consent instead of reloading under their feet.
      injectRegister: false,
      manifest: {
        id: '/',
        name: 'Vernacular',
        short_name: 'Vernacular',
        description: 'Teach the national language model how your people really speak.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        theme_color: '#0f5c4d',
        background_color: '#fbfaf6',
        lang: 'en',
        categories: ['education', 'productivity'],
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,ico,webmanifest,woff2}'],
        // Source maps are for developers; phones should not download them.
        globIgnores: ['**/*.map'],
      },
    }),
  ],
});
