/** Entry point: mounts the app and registers the service worker — or, on a page that cannot keep contributions, says why. */
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import Unusable from './screens/Unusable.svelte';
import { i18n } from './i18n/index.svelte.ts';
import { AppState } from './lib/app.svelte.ts';
import { unusable } from './lib/secure.ts';

i18n.setLocale(navigator.language || 'en');
const target = document.getElementById('app')!;
const reason = unusable({ isSecureContext: window.isSecureContext, crypto: globalThis.crypto });
if (reason !== null) {
  mount(Unusable, { target, props: { reason, address: location.origin } });
} else {
  const app = new AppState();
  mount(App, { target, props: { app } });
  void app.init();
}
