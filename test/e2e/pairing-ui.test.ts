/**
 * Pairing and folder offers through the UI, end to end: two real daemons on 127.0.0.1 that
 * have never met (discovery off, so the join names the address), each driven in its own
 * Chromium page. One makes an invitation code; the other types a wrong code (refused, in
 * words), then the right one; both show each other as paired, with both names and IDs. The
 * first shares a folder from its UI, the other accepts the offer from its overview, and a
 * file written on the master arrives. Screenshots of each step, light and dark, land in
 * test-output/screenshots/pairing-*.png; no page may log an error, break its CSP or reach
 * beyond its daemon.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lanfoldOk,
  runLanfold,
  startLanfold,
  stopAllDaemons,
  type DaemonProcess,
} from '../helpers/cli.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { Browser, go, screenshots, waitForText, type PageProblems } from './browser.js';
import { buildRenderer } from './renderer-build.js';

interface Device {
  readonly name: string;
  readonly state: string;
  readonly daemon: DaemonProcess;
  readonly address: string;
  readonly id: string;
  page: Page;
  problems: PageProblems;
}

let browser: Browser;
let root: string;
let alpha: Device;
let beta: Device;

/** Device IDs in groups of four, as the UI shows them. */
const grouped = (id: string) => id.replace(/(.{4})(?!$)/g, '$1-');

async function device(name: string): Promise<Omit<Device, 'page' | 'problems'>> {
  const state = path.join(root, `state-${name}`);
  await lanfoldOk(['--state', state, 'init', '--name', name]);
  const daemon = startLanfold(['start', '--listen', '127.0.0.1:0', '--gui', '127.0.0.1:0'], {
    state,
  });
  await daemon.ready();
  const port = Number(/port (\d+)/.exec(daemon.stdout)?.[1]);
  expect(port).toBeGreaterThan(0);
  const id = (await lanfoldOk(['--state', state, 'id'])).trim().split('\n')[0]!.replace(/-/g, '');
  return { name, state, daemon, address: `127.0.0.1:${port}`, id };
}

async function openUi(d: Omit<Device, 'page' | 'problems'>): Promise<Device> {
  const r = await runLanfold(['gui-url'], { state: d.state });
  expect(r.code, r.stderr).toBe(0);
  const { page, problems } = await browser.open(r.stdout.trim());
  return { ...d, page, problems };
}

beforeAll(async () => {
  root = makeTempDir('lanfold-pair-ui-');
  await buildRenderer();
  browser = await Browser.launch();
  const [a, b] = await Promise.all([device('alpha'), device('beta')]);
  alpha = await openUi(a);
  beta = await openUi(b);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stopAllDaemons();
  removeTempDirs();
});

describe('Pairing two daemons through the UI', () => {
  it('shows no paired device yet, and how to pair', async () => {
    for (const d of [alpha, beta]) {
      await go(d.page, '#/devices');
      await waitForText(d.page, 'h2', /No paired devices yet/);
      await waitForText(d.page, 'p', /Finding devices on this network is off/);
    }
    await screenshots(alpha.page, 'pairing-devices-empty');
  });

  it('makes an invitation code with its QR code and time left', async () => {
    await alpha.page.getByRole('button', { name: 'Make an invitation code' }).click();
    const code = await waitForText(alpha.page, 'output.pair-code', /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await waitForText(alpha.page, '[data-testid="invite-expiry"]', /Waiting .* (9:5\d|10:00) left/);
    await waitForText(
      alpha.page,
      '.pair-invite',
      new RegExp(`This device: alpha ${grouped(alpha.id)}`),
    );
    const qr = alpha.page.getByRole('img', { name: `QR code of the invitation ${code}` });
    expect(await qr.locator('path').getAttribute('d')).toMatch(/^M4 4h1v1h-1z/);
    await screenshots(alpha.page, 'pairing-invite');

    // After a reload (a new window would be the same) the daemon's open invitation shows again.
    await alpha.page.reload();
    await waitForText(alpha.page, 'output.pair-code', new RegExp(`^${code}$`));
    await alpha.page.getByRole('img', { name: `QR code of the invitation ${code}` }).waitFor();
  });

  it('refuses a wrong code in words, and the inviter sees the try', async () => {
    const code = await alpha.page.locator('output.pair-code').innerText();
    const wrong = code.startsWith('0') ? '1111-1111' : '0000-0000';
    const join = beta.page.getByRole('form', { name: 'Join with a code' });
    await join.getByLabel('Code from the other device').fill(wrong);
    await join.getByLabel(/Other device’s address/).fill('not an address');
    await join.getByRole('button', { name: 'Pair' }).click();
    await waitForText(beta.page, '.field-error', /host:port/);
    await join.getByLabel(/Other device’s address/).fill(alpha.address);
    const logged = beta.problems.console.length;
    await join.getByRole('button', { name: 'Pair' }).click();
    await waitForText(
      beta.page,
      '[role="alert"]',
      /Could not pair with that code[\s\S]*That code is not right/,
    );
    await screenshots(beta.page, 'pairing-wrong-code');
    // The refused request is logged by the browser; nothing else may be.
    for (const m of beta.problems.console.splice(logged)) expect(m).toMatch(/status of 422/);
    await waitForText(alpha.page, '.pair-invite', /One wrong code was tried/);
  });

  it('pairs with the right code: both show both names and IDs', async () => {
    const code = await alpha.page.locator('output.pair-code').innerText();
    const join = beta.page.getByRole('form', { name: 'Join with a code' });
    await join.getByLabel('Code from the other device').fill(code.toLowerCase());
    await join.getByRole('button', { name: 'Pair' }).click();
    const joined = await waitForText(beta.page, '.pair-done', /Paired with alpha/);
    expect(joined).toContain(grouped(alpha.id));
    expect(joined).toMatch(new RegExp(`This device\\s+beta\\s+${grouped(beta.id)}`));
    const invited = await waitForText(alpha.page, '.pair-done', /Paired with beta/);
    expect(invited).toContain(grouped(beta.id));
    expect(invited).toMatch(new RegExp(`This device\\s+alpha\\s+${grouped(alpha.id)}`));

    await waitForText(alpha.page, 'section', /Paired devices[\s\S]*beta/);
    await waitForText(beta.page, 'section', /Paired devices[\s\S]*alpha[\s\S]*127\.0\.0\.1/);
    await beta.page.locator('.pair-done').scrollIntoViewIfNeeded();
    await screenshots(beta.page, 'pairing-joined');
    await alpha.page.locator('.pair-done').scrollIntoViewIfNeeded();
    await screenshots(alpha.page, 'pairing-invite-paired');
  });
});

describe('A folder offered through the UI', () => {
  it('is shared from the master, accepted on the other device, and syncs', async () => {
    const masterDir = path.join(root, 'alpha-notes');
    mkdirSync(masterDir, { recursive: true });
    writeFileSync(path.join(masterDir, 'hello.txt'), 'hello over the LAN\n');
    const copy = path.join(root, 'beta-notes');

    // The other device already shows its overview: the offer must arrive as a live update.
    await go(beta.page, '#/');
    await waitForText(beta.page, 'h2', /No folders yet/);

    await go(alpha.page, '#/');
    await alpha.page.getByRole('button', { name: 'Add folder' }).first().click();
    const add = alpha.page.getByRole('dialog');
    await add.getByLabel('Folder', { exact: true }).fill(masterDir);
    await add.getByLabel(/^Folder ID/).fill('notes');
    await add.getByRole('button', { name: 'Add folder' }).click();
    await waitForText(alpha.page, '[data-testid="folder-card-notes"]', /Master/);
    await go(alpha.page, '#/folders/notes');
    await alpha.page.getByLabel('Share with').selectOption(beta.id);
    await alpha.page.getByRole('button', { name: 'Share notes' }).click();
    await waitForText(alpha.page, '.replica-row', /beta/);

    const offer = await waitForText(
      beta.page,
      '[data-testid="offer-notes"]',
      /alpha-notes/,
      30_000,
    );
    expect(offer).toMatch(/from alpha/);
    await screenshots(beta.page, 'pairing-offer');
    await beta.page.getByRole('button', { name: /^Accept alpha-notes from alpha/ }).click();
    const dialog = beta.page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Accept folder' }).click();
    await waitForText(beta.page, 'dialog .field-error', /Choose where/);
    await dialog.getByLabel('Where to keep the copy').fill(copy);
    await screenshots(beta.page, 'pairing-offer-accept');
    await dialog.getByRole('button', { name: 'Accept folder' }).click();
    await waitForText(
      beta.page,
      '[data-testid="folder-card-notes"]',
      /Replica[\s\S]*In sync/,
      60_000,
    );
    // The offers list reloads on the folder's config event, a fetch after the card's update.
    const accepted = beta.page.locator('[data-testid="offer-notes"]');
    await accepted.waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
    expect(await accepted.count()).toBe(0);
    await waitFor(() => existsSync(path.join(copy, 'hello.txt')), {
      what: 'the first file to arrive',
      timeoutMs: 30_000,
    });

    writeFileSync(path.join(masterDir, 'agenda.txt'), 'Monday: planning\n');
    await waitFor(
      () =>
        existsSync(path.join(copy, 'agenda.txt')) &&
        readFileSync(path.join(copy, 'agenda.txt'), 'utf8') === 'Monday: planning\n',
      { what: 'the new file to arrive', timeoutMs: 30_000, intervalMs: 100 },
    );
    await waitForText(beta.page, '[data-testid="folder-card-notes"]', /In sync/);
    await screenshots(beta.page, 'pairing-overview-after-accept');
    await go(alpha.page, '#/devices');
    await waitForText(alpha.page, 'section', /Paired devices[\s\S]*beta[\s\S]*Online/, 30_000);
    await screenshots(alpha.page, 'pairing-devices');
  });
});

describe('Every page above', () => {
  it('never logged an error, broke its CSP or reached beyond the daemon', () => {
    for (const d of [alpha, beta]) {
      expect(d.problems.console).toEqual([]);
      expect(d.problems.external).toEqual([]);
    }
  });
});
