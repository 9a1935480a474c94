/**
 * The on-device checks, end to end in real Chromium against a real node: the model worker finds
 * an e-mail address and a phone number in what was typed, one tap each replaces them by their
 * placeholders, and the node stores the redacted text with the counts of what was redacted;
 * English written into a Swahili item is caught, confirmed, and stored with that answer; when the
 * worker cannot run, the item is still saved (without checks) and the contributor is told.
 */
import { describe, expect, it } from 'vitest';
import type { Contribution } from '../../federation/protocol/index.ts';
import { phoneContext, useSession } from './browser.ts';
import { acceptConsent, chooseLanguage } from './app.ts';
import { axe, pickKind, storedItems } from './steps.ts';

async function stored(server: Parameters<typeof storedItems>[0], expression: string): Promise<Contribution> {
  let found: Contribution | undefined;
  await expect
    .poll(
      async () => {
        found = (await storedItems(server, 'general', 'sw')).find((i) => i.kind === 'idiom' && i.data.expression === expression);
        return found !== undefined;
      },
      { timeout: 30_000, interval: 500 },
    )
    .toBe(true);
  return found!;
}

describe('on-device checks before saving', () => {
  const s = useSession();

  it('shows the e-mail and phone found, redacts each with one tap, and the node keeps only the placeholders and the counts', async () => {
    const page = s.page;
    await page.goto(s.server.url);
    await acceptConsent(page);
    await chooseLanguage(page, 'sw');
    await pickKind(page, 'Idiom');
    const expression = 'Haba na haba hujaza kibaba';
    await page.getByLabel('Expression').fill(expression);
    await page.getByLabel('Meaning').fill('Kidogo kidogo hujaza chombo; usikate tamaa.');
    await page.getByLabel('Example of use').fill('Niandikie juma.otieno@example.com au nipigie +254 712 345 678 kesho.');
    await page.getByRole('button', { name: /^Save/ }).click();

    const findings = page.getByTestId('finding');
    await findings.first().waitFor();
    expect(await findings.evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))).toEqual(['email', 'phone']);
    expect(await page.getByTestId('checks-panel').textContent()).toContain('juma.otieno@example.com');
    expect(await page.getByTestId('checks-panel').textContent()).toContain('+254 712 345 678');
    expect(await axe(page)).toEqual([]);

    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
    await page.getByRole('button', { name: 'Replace with [EMAIL]' }).click();
    await expect.poll(focused).toBe('Replace with [PHONE]');
    await page.getByRole('button', { name: 'Replace with [PHONE]' }).click();
    await expect.poll(focused).toBe('Save');
    expect(await page.getByLabel('Example of use').inputValue()).toBe('Niandikie [EMAIL] au nipigie [PHONE] kesho.');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByLabel('Expression').inputValue()).toBe('');

    const item = await stored(s.server, expression);
    expect(item.kind === 'idiom' && item.data.example).toBe('Niandikie [EMAIL] au nipigie [PHONE] kesho.');
    expect(item.checks?.personalData).toEqual({
      kept: [],
      redacted: [
        { type: 'email', count: 1 },
        { type: 'phone', count: 1 },
      ],
    });
    expect(item.checks?.language).toMatchObject({ detected: 'sw', matches: true, confirmed: false });
  });

  it('asks before saving English as Swahili, and the node keeps that it did not match and was confirmed', async () => {
    const page = s.page;
    const expression = 'Slow and steady wins the race';
    await page.getByLabel('Expression').fill(expression);
    await page.getByLabel('Meaning').fill('If you keep going patiently, you will get there in the end.');
    await page.getByLabel('Example of use').fill('My grandmother always told me that slow and steady wins the race.');
    await page.getByRole('button', { name: /^Save/ }).click();

    const warning = page.getByTestId('language-warning');
    await warning.waitFor();
    expect(await warning.textContent()).toBe('This doesn’t look like Swahili. Save anyway?');
    expect(await axe(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save anyway' }).click();
    await expect.poll(() => page.getByLabel('Expression').inputValue()).toBe('');

    const item = await stored(s.server, expression);
    expect(item.checks?.language).toMatchObject({ detected: 'en', matches: false, confirmed: true });
    expect(item.checks?.personalData).toEqual({ kept: [], redacted: [] });
  });

  it('saves without checks, and says so, when the model worker cannot start', async () => {
    // No service worker, so that every request of the page (the worker script's included) is routed here.
    const context = await phoneContext(s.browser, { serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      await page.route(/model\.worker[^/]*\.js(\?.*)?$/, (route) => route.abort());
      await page.goto(s.server.url);
      await acceptConsent(page);
      await chooseLanguage(page, 'sw');
      await pickKind(page, 'Idiom');
      const expression = 'Asiyefunzwa na mamaye hufunzwa na ulimwengu';
      await page.getByLabel('Expression').fill(expression);
      await page.getByLabel('Meaning').fill('Asiyesikia mafunzo ya wazazi hujifunza kwa shida za dunia.');
      await page.getByLabel('Example of use').fill('Mpigie 0712 345 678 umwambie: asiyefunzwa na mamaye hufunzwa na ulimwengu.');
      await page.getByRole('button', { name: /^Save/ }).click();
      await expect
        .poll(() => page.getByTestId('save-notice').textContent(), { timeout: 20_000 })
        .toBe('Saved, but without the language and personal-data checks: they could not run on this device.');
      const item = await stored(s.server, expression);
      expect(item.checks).toBeUndefined();
    } finally {
      await context.close();
    }
  });
});
