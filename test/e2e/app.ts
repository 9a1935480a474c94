/** What a contributor does in the app, as reusable steps for the browser tests. */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

export async function acceptConsent(page: Page): Promise<void> {
  await page.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'I agree, start' }).click();
}

export async function chooseLanguage(page: Page, tag: string): Promise<void> {
  await page.getByLabel('Language you are writing in').selectOption(tag);
  await page.getByRole('button', { name: 'Use this language' }).click();
  await page.getByTestId('current-language').waitFor();
}

export async function saveIdiom(page: Page, idiom: { expression: string; meaning: string; example: string }): Promise<void> {
  await page.getByLabel('Expression').fill(idiom.expression);
  await page.getByLabel('Meaning').fill(idiom.meaning);
  await page.getByLabel('Example of use').fill(idiom.example);
  await page.getByRole('button', { name: 'Save' }).click();
  // The form clears only once the outbox has the item.
  await expect.poll(() => page.getByLabel('Expression').inputValue()).toBe('');
}

export async function waitingCount(page: Page): Promise<number> {
  return Number(await page.getByTestId('waiting-count').getAttribute('data-count'));
}

export async function waitForWaiting(page: Page, n: number, timeout = 60_000): Promise<void> {
  await expect.poll(() => waitingCount(page), { timeout, interval: 250 }).toBe(n);
}

/** Resolves once a service worker controls the page. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
    }
  });
}

export const idioms = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    expression: `${prefix} ${i + 1}: Haba na haba hujaza kibaba`,
    meaning: `Little by little fills the measure (${prefix} ${i + 1}).`,
    example: `Usikate tamaa, haba na haba hujaza kibaba — ${prefix} ${i + 1}.`,
  }));
