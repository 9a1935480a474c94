/**
 * Service worker registration and updates (workbox-window). A new version is announced, never
 * forced: the page reloads only after the contributor presses "Update now", and only the tab
 * where they pressed it.
 *
 * Chromium sometimes parks the new worker (installed, told to skip waiting, not activated) when a
 * request from the page meets its activation, until the next navigation; the tests see it about
 * one time in three under load. `update` then says so after PARKED_MS, and the prompt offers a
 * reload, which finishes the update.
 */
import { Workbox } from 'workbox-window';

export interface PwaHandle {
  /**
   * Activates the waiting version and reloads this tab once it controls the page; `onParked` is
   * called (once) when that has not happened within PARKED_MS.
   */
  update(onParked?: () => void): void;
  /** Reloads this tab: a navigation, which finishes a parked activation. */
  reload(): void;
}

/** How long "Update now" may take before the prompt offers a reload instead of waiting. */
export const PARKED_MS = 10_000;

export function registerServiceWorker(onUpdateReady: (handle: PwaHandle) => void): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  const wb = new Workbox('/sw.js', { scope: '/' });
  let requested = false;
  const handle: PwaHandle = {
    update(onParked) {
      requested = true;
      let reloaded = false;
      const started = Date.now();
      let told = false;
      const reload = () => {
        if (!requested || reloaded) return;
        reloaded = true;
        window.location.reload();
      };
      // workbox-window's own event, and the platform's, whichever comes first: after a reload
      // the waiting worker may count as "external" to this Workbox instance.
      wb.addEventListener('controlling', reload);
      navigator.serviceWorker.addEventListener('controllerchange', reload, { once: true });
      wb.messageSkipWaiting();
      // Events can be missed (a busy device, a worker that activated while this page loaded):
      // look again every 2 s until the reload — on a slow, busy phone activation can take long —
      // and once nothing is waiting, the new version is active, so reload.
      const check = async () => {
        if (reloaded) return;
        const reg = await navigator.serviceWorker.getRegistration();
        if (!reg?.waiting) return reload();
        reg.waiting.postMessage({ type: 'SKIP_WAITING' });
        if (!told && Date.now() - started >= PARKED_MS) {
          told = true;
          onParked?.();
        }
        setTimeout(() => void check(), 2000);
      };
      setTimeout(() => void check(), 2000);
    },
    reload() {
      window.location.reload();
    },
  };
  wb.addEventListener('waiting', () => onUpdateReady(handle));
  void wb.register().then((reg) => {
    // Look for a new version when the app comes back to the foreground.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void reg?.update().catch(() => undefined);
    });
  });
}
