/**
 * Real Chromium for the browser tests: Debian's binary (or CHROMIUM_PATH) driven by
 * playwright-core, with the flags this closed network needs.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../support/server.ts';

export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Chromium not found: run `node test/ensure-tools.mjs` or set CHROMIUM_PATH.');
  }
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** A phone-sized context (about a mid-range Android phone). */
export async function phoneContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'en-US',
    acceptDownloads: true,
    ...options,
  });
}

export interface Session {
  server: RunningServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/**
 * One node process and one phone-sized page for a describe block: started before its tests,
 * closed after. Fields are read inside tests (`s.page`), once `beforeAll` has filled them.
 */
export function useSession(): Session {
  const s = {} as Session;
  beforeAll(async () => {
    s.server = await startServer();
    s.browser = await launch();
    s.context = await phoneContext(s.browser);
    s.page = await s.context.newPage();
  });
  afterAll(async () => {
    await s.browser?.close();
    await s.server?.stop();
  });
  return s;
}
