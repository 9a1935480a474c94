/// <reference lib="webworker" />
/**
 * The service worker: precaches the app shell (the list is injected at build time) so the app
 * opens with no network after the first visit, and answers navigations with the cached shell.
 * It never activates itself: a new version waits until the contributor chooses to update
 * (web/src/lib/pwa.ts sends SKIP_WAITING), so nobody is reloaded in the middle of writing.
 * API calls are not intercepted: the outbox in IndexedDB, not a request queue, is what keeps
 * unsent work.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The first install takes control at once, so the very first visit is already offline-ready.
clientsClaim();
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/api\//] }));

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') void self.skipWaiting();
});
