/**
 * Chromium for the end-to-end tests, driven by playwright-core: a headless browser with a
 * fresh profile, pages that record what should never happen (console errors, uncaught
 * exceptions, CSP violations, requests to anything but the daemon on 127.0.0.1), and
 * screenshots of a screen in the light and the dark theme.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/cli.js';

export const CHROMIUM = process.env.LANFOLD_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(REPO_ROOT, 'test-output', 'screenshots');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** What a page did that a product page must not do. */
export interface PageProblems {
  readonly console: string[];
  readonly external: string[];
}

export class Browser {
  private constructor(
    private readonly context: BrowserContext,
    private readonly profile: string,
  ) {}

  /** Launches Chromium with a new empty user-data-dir. */
  static async launch(): Promise<Browser> {
    const profile = mkdtempSync(path.join(os.tmpdir(), 'lanfold-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    return new Browser(context, profile);
  }

  /** Opens `url` in a new tab that records problems (see `problems`). */
  async open(url: string): Promise<{ page: Page; problems: PageProblems }> {
    const page = await this.context.newPage();
    const problems: PageProblems = { console: [], external: [] };
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning')
        problems.console.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.console.push(`uncaught: ${err.message}`));
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.protocol === 'data:') return;
      if (u.hostname !== '127.0.0.1') problems.external.push(r.url());
    });
    // Runs in the page (a string: this file is typed for Node, not the DOM).
    await page.addInitScript(
      `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
    );
    await page.goto(url);
    return { page, problems };
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** Screenshots of the page as it is, in the light and the dark theme (system preference). */
export async function screenshots(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const files: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(
      'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))',
    );
    const file = path.join(SCREENSHOTS, `${name}-${scheme}.png`);
    await page.screenshot({ path: file });
    files.push(file);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return files;
}

/** Waits until an element matching `selector` shows text matching `pattern`; returns its text. */
export async function waitForText(
  page: Page,
  selector: string,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  const match = page.locator(selector).filter({ hasText: pattern }).first();
  try {
    await match.waitFor({ timeout: timeoutMs });
  } catch (err) {
    const seen = await page
      .locator(selector)
      .allInnerTexts()
      .catch(() => []);
    throw new Error(
      `no ${selector} showed ${pattern} within ${timeoutMs} ms; it showed: ${JSON.stringify(seen).slice(0, 2000)}`,
      { cause: err },
    );
  }
  return match.innerText();
}

/** Sets the page's route (the URL fragment), as following a link does. */
export async function go(page: Page, hash: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
}

/** The text and id of the focused element. */
export async function focused(page: Page): Promise<{ text: string; id: string | null }> {
  const el = page.locator(':focus');
  return { text: (await el.textContent()) ?? '', id: await el.getAttribute('id') };
}
