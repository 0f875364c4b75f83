import { expect, type Page } from '@playwright/test';

/** Waits until React has hydrated the current document: before that, clicks reach no handler. */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator('html[data-hydrated]')).toBeAttached();
}

/** Opens a dashboard page and waits until it is interactive. */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await hydrated(page);
}
