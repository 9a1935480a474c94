/**
 * Builds the PWA (web/) into dist/web, with a Workbox service worker (injectManifest: our own
 * web/src/sw.ts, with the precache list injected) and the web app manifest. The node serves
 * dist/web from its own origin; nothing is fetched from a CDN.
 */
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import pkg from './package.json' with { type: 'json' };

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
