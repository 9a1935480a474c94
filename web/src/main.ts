/** Entry point: mounts the app and registers the service worker. */
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { i18n } from './i18n/index.svelte.ts';
import { AppState } from './lib/app.svelte.ts';

i18n.setLocale(navigator.language || 'en');
const app = new AppState();
mount(App, { target: document.getElementById('app')!, props: { app } });
void app.init();
