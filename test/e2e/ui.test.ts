/**
 * The renderer end to end: a real master and replica (two daemons on 127.0.0.1, discovery
 * off), the built UI served by each daemon, and Chromium driving it. It checks what a user
 * sees — the overview, a file arriving, history, a diff, a restore, a replica going offline
 * and back, devices and settings, the keyboard — and saves screenshots of every screen in
 * the light and dark themes under test-output/screenshots/. Throughout, no page may log an
 * error, break its CSP or request anything but its daemon.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, ClusterDevice, clusterCli, killClusters } from '../helpers/cluster.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { Browser, focused, go, screenshots, waitForText, type PageProblems } from './browser.js';
import { longHistoryDevice } from './long-history.js';
import { buildRenderer } from './renderer-build.js';

const FOLDER = 'docs';
const NOTES =
  Array.from({ length: 40 }, (_, i) => `Line ${i + 1} of the meeting notes.`).join('\n') + '\n';

let cluster: Cluster;
let browser: Browser;
const pages: { page: Page; problems: PageProblems }[] = [];

async function guiUrl(device: ClusterDevice): Promise<string> {
  return (await clusterCli(device.state, ['gui-url'])).trim();
}

async function open(device: ClusterDevice): Promise<Page> {
  const opened = await browser.open(await guiUrl(device));
  pages.push(opened);
  return opened.page;
}

function problemsOf(page: Page): PageProblems {
  const found = pages.find((p) => p.page === page);
  if (!found) throw new Error('not a page of this test');
  return found.problems;
}

/** The card of the folder on the overview. */
const CARD = `[data-testid="folder-card-${FOLDER}"]`;

beforeAll(async () => {
  await buildRenderer();
  browser = await Browser.launch();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await killClusters();
  removeTempDirs();
});

describe('Renderer in Chromium, with a master and a replica', () => {
  let master: Page;
  let replica: Page;
  let proxy: FaultProxy;

  beforeAll(async () => {
    cluster = await Cluster.create({
      replicas: 1,
      folderId: FOLDER,
      populate: (root) => {
        writeFileSync(path.join(root, 'notes.txt'), NOTES);
        writeFileSync(path.join(root, 'readme.md'), '# Team folder\n\nShared with every desk.\n');
      },
    });
    // The replica reaches the master through a proxy that can slow the link down.
    proxy = await FaultProxy.start({ port: cluster.master.port });
    const id = cluster.master.deviceId;
    await clusterCli(cluster.replicas[0]!.state, ['peer', 'add', `${id}@127.0.0.1:${proxy.port}`]);
    await cluster.startAll();
    await cluster.waitConverged();
    master = await open(cluster.master);
    replica = await open(cluster.replicas[0]!);
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
  });

  it('shows the master folder and its replica on the overview', async () => {
    const card = await waitForText(master, CARD, /Master[\s\S]*In sync/);
    expect(card).toContain(cluster.master.folder);
    await waitForText(master, `${CARD} .replica-row`, /replica1[\s\S]*up to date[\s\S]*In sync/);
    expect(await master.title()).toBe('Overview · Lanfold');
    expect(master.url()).not.toContain('token=');
    await screenshots(master, 'overview-master');

    await waitForText(replica, CARD, /Replica[\s\S]*In sync/);
    await screenshots(replica, 'overview-replica');
  });

  it("shows a file written on the master arriving in the replica's overview and history", async () => {
    writeFileSync(path.join(cluster.master.folder, 'agenda.txt'), 'Monday: planning\n');
    const head = await cluster.waitConverged();
    await waitForText(replica, `${CARD} [data-testid="folder-version"]`, new RegExp(`^v${head}$`));

    await go(replica, `#/folders/${FOLDER}/history`);
    await waitForText(replica, `#version-${head}`, /1 file/);
    await waitForText(replica, '.version-detail', /Added[\s\S]*agenda\.txt/);
    await go(master, `#/folders/${FOLDER}/history`);
    await waitForText(master, `#version-${head}`, new RegExp(`v${head}[\\s\\S]*1 file`));
    await waitForText(master, '.version-detail', /agenda\.txt/);
    await screenshots(master, 'history-master');
    await screenshots(replica, 'history-replica');
  });

  it('opens the diff of an edited text file, side by side and inline', async () => {
    const edited = NOTES.replace(
      'Line 12 of the meeting notes.',
      'Line 12 now says something else.',
    );
    writeFileSync(path.join(cluster.master.folder, 'notes.txt'), edited);
    const head = await cluster.waitConverged();

    await waitForText(master, `#version-${head}`, /1 file/);
    await master.click(`#version-${head}`);
    await waitForText(
      master,
      '.version-detail',
      new RegExp(`Version ${head}[\\s\\S]*Changed[\\s\\S]*notes\\.txt`),
    );
    await master.getByRole('link', { name: `Compare notes.txt with v${head - 1}` }).click();

    await waitForText(master, '.diff-delete', /Line 12 of the meeting notes\./);
    await waitForText(master, '.diff-insert', /Line 12 now says something else\./);
    await waitForText(master, '.diff-stats', /\+1\s*−1/);
    await screenshots(master, 'diff-side-by-side');

    await master.getByRole('radio', { name: 'Inline' }).click();
    await waitForText(master, '.diff-inline .diff-delete', /Line 12 of the meeting notes\./);
    await screenshots(master, 'diff-inline');

    // A failure is told where it happened, in words (the browser logs the refused request).
    const logged = problemsOf(master).console.length;
    await go(master, `#/folders/${FOLDER}/diff?path=missing.txt&from=1&to=${head}`);
    await waitForText(master, '[role="alert"]', /Could not compare the file/);
    await screenshots(master, 'diff-error');
    for (const m of problemsOf(master).console.splice(logged)) expect(m).toMatch(/status of 400/);
    await master.goBack();
    await waitForText(master, '.diff-insert', /Line 12 now says something else\./);
  });

  it('restores an earlier version of the file', async () => {
    const before = cluster.master.head();
    await master.getByRole('button', { name: `Restore v${before - 1} of this file` }).click();
    const dialog = master.getByRole('dialog');
    await dialog.waitFor();
    await screenshots(master, 'restore-confirm');
    await dialog.getByRole('button', { name: `Restore v${before - 1}` }).click();
    await waitForText(master, 'dialog', new RegExp(`Recorded as v${before + 1}`));
    await screenshots(master, 'restore-done');
    await dialog.getByRole('button', { name: 'Close' }).click();

    expect(readFileSync(path.join(cluster.master.folder, 'notes.txt'), 'utf8')).toBe(NOTES);
    await cluster.waitConverged();
    expect(readFileSync(path.join(cluster.replicas[0]!.folder, 'notes.txt'), 'utf8')).toBe(NOTES);
  });

  it('shows a replica syncing, with progress and rate, and its exact lag on the master', async () => {
    proxy.slow(400_000);
    await go(master, '#/');
    await go(replica, '#/');
    writeFileSync(path.join(cluster.master.folder, 'slides.bin'), randomBytes(4_000_000));
    await waitForText(replica, CARD, /Syncing/);
    await waitForText(replica, `${CARD} .sync-progress`, /Downloading[\s\S]*[kM]B\/s/);
    await screenshots(replica, 'replica-syncing');
    await waitForText(
      master,
      `${CARD} .replica-row`,
      /1 version, 1 file, 4\.0 MB behind[\s\S]*Behind/,
    );
    await screenshots(master, 'master-replica-behind');

    proxy.heal();
    const head = await cluster.waitConverged();
    await waitForText(replica, CARD, /In sync/);
    await waitForText(
      replica,
      '[data-testid="announcer"]',
      new RegExp(`docs: in sync at v${head}`),
    );
  });

  it('shows a replica going offline and coming back', async () => {
    const device = cluster.replicas[0]!;
    await go(master, '#/');
    await waitForText(master, `${CARD} .replica-row`, /In sync/);
    const old = pages.find((p) => p.page === replica)!;
    const quiet = problemsOf(replica).console.length;
    await device.stop();

    await waitForText(master, `${CARD} .replica-row`, /replica1[\s\S]*Offline/);
    // Its only replica offline: the master does not claim to be in sync.
    await waitForText(master, `${CARD} [data-testid="folder-state"]`, /^1 replica offline$/);
    // The live region speaks one message at a time: the device, then the folder's new state.
    await waitForText(
      master,
      '[data-testid="announcer"]',
      /replica1 went offline|docs: 1 replica offline at v\d+/,
    );
    await screenshots(master, 'replica-offline');
    await waitForText(replica, '.connection-lost', /Lost contact/);
    await screenshots(replica, 'daemon-unreachable');
    // The page of the stopped daemon may only have complained that it could not reach it.
    const expected = old.problems.console.splice(quiet);
    for (const m of expected) expect(m).toMatch(/ERR_CONNECTION_REFUSED|WebSocket connection/);
    await replica.close();
    pages.splice(pages.indexOf(old), 1);

    await device.start();
    await waitForText(master, `${CARD} .replica-row`, /replica1[\s\S]*In sync/);
    // The restarted daemon serves its UI on a new port: open it again.
    replica = await open(device);
    await waitForText(replica, CARD, /Replica[\s\S]*In sync/);
    await screenshots(master, 'replica-back');
  });

  it('pauses and resumes a folder from the overview, and every folder at once', async () => {
    const device = cluster.replicas[0]!;
    await go(replica, '#/');
    await waitForText(replica, CARD, /In sync/);
    await replica.getByRole('button', { name: `Pause ${FOLDER}` }).click();
    await waitForText(replica, CARD, /Paused[\s\S]*takes no new versions until you resume/);
    await waitForText(replica, '[data-testid="announcer"]', new RegExp(`${FOLDER}:? paused`));
    const before = device.head();
    writeFileSync(path.join(cluster.master.folder, 'while-paused.txt'), 'written meanwhile\n');
    await waitFor(() => cluster.master.head() > before);
    await new Promise((r) => setTimeout(r, 1500));
    expect(device.head()).toBe(before);
    await screenshots(replica, 'overview-paused');

    await replica.getByRole('button', { name: `Resume ${FOLDER}` }).click();
    await cluster.waitConverged();
    await waitForText(replica, CARD, /In sync/);
    expect(existsSync(path.join(device.folder, 'while-paused.txt'))).toBe(true);

    // The whole device: the page's own button, and the master's replica row says so.
    await go(master, '#/');
    await master.getByRole('button', { name: 'Pause all folders' }).click();
    await waitForText(master, CARD, /Paused[\s\S]*no replica receives them/);
    await screenshots(master, 'overview-master-paused');
    await master.getByRole('button', { name: 'Resume all folders' }).click();
    await waitForText(master, CARD, /In sync/);
  });

  it('lists changes made on the replica and the conflicts they lead to', async () => {
    const local = cluster.replicas[0]!.folder;
    writeFileSync(path.join(local, 'scratch.txt'), 'only on this desk\n');
    writeFileSync(path.join(local, 'readme.md'), '# Team folder\n\nEdited on the replica.\n');
    await go(replica, `#/folders/${FOLDER}`);
    await waitForText(
      replica,
      '.card',
      /Changes on this computer[\s\S]*readme\.md[\s\S]*scratch\.txt/,
    );

    writeFileSync(
      path.join(cluster.master.folder, 'readme.md'),
      '# Team folder\n\nEdited on the master.\n',
    );
    await cluster.waitConverged();
    await waitForText(replica, '.card', /Conflicts[\s\S]*readme\.md[\s\S]*readme\.conflict-/);
    await screenshots(replica, 'replica-changes-and-conflicts');

    // Keep the conflict copy: it leaves the conflicts and stays, marked kept.
    const copy = (
      await replica.locator('[data-testid="conflict-readme.md"] td').nth(1).innerText()
    ).trim();
    await replica.getByRole('button', { name: `Keep my copy ${copy}` }).click();
    await waitForText(replica, '[role="status"]', /Kept your version of readme\.md/);
    await waitForText(replica, '.card', /Conflicts\s*None/);
    await waitForText(
      replica,
      `[data-testid="local-${copy}"]`,
      /Your copy from a conflict[\s\S]*Kept/,
    );
    expect(existsSync(path.join(local, copy))).toBe(true);

    // Revert the added file: asked first, then deleted.
    await replica.getByRole('button', { name: 'Revert scratch.txt' }).click();
    const dialog = replica.getByRole('dialog');
    await waitForText(replica, 'dialog', /Delete scratch\.txt\?[\s\S]*cannot be brought back/);
    await screenshots(replica, 'revert-confirm');
    await dialog.getByRole('button', { name: 'Delete it' }).click();
    await waitForText(
      replica,
      '[role="status"]',
      /Deleted scratch\.txt, which the master does not have/,
    );
    expect(existsSync(path.join(local, 'scratch.txt'))).toBe(false);
    await screenshots(replica, 'replica-resolved');
  });

  it('lets the user change a folder and this device from their settings', async () => {
    await go(master, `#/folders/${FOLDER}`);
    await waitForText(master, '.card', /Replicas[\s\S]*replica1/);
    await screenshots(master, 'folder-status-master');
    await go(replica, `#/folders/${FOLDER}`);
    await waitForText(replica, '.card', /Changes on this computer/);
    await screenshots(replica, 'folder-status-replica');

    await go(master, `#/folders/${FOLDER}/settings`);
    await master.getByRole('radio', { name: /Always two-phase/ }).check();
    await master.getByRole('button', { name: 'Save settings' }).click();
    await waitForText(master, '[role="status"], [role="alert"]', /Settings saved/);
    await screenshots(master, 'folder-settings');
    await master.reload();
    await master.getByRole('radio', { name: /Always two-phase/ }).waitFor();
    expect(await master.getByRole('radio', { name: /Always two-phase/ }).isChecked()).toBe(true);
    await master.getByRole('radio', { name: /Automatic/ }).check();
    await master.getByRole('button', { name: 'Save settings' }).click();
    await waitForText(master, '[role="status"], [role="alert"]', /Settings saved/);

    await go(master, '#/device');
    const name = master.getByLabel('Device name');
    await name.fill('studio');
    await master.getByRole('button', { name: 'Save name' }).click();
    await waitForText(master, '.sidebar-footer', /studio/);
    await screenshots(master, 'device-settings');
  });

  it('adds a master folder, shares it, and adds it on the replica', async () => {
    const photos = makeTempDir('lanfold-photos-');
    writeFileSync(path.join(photos, 'beach.txt'), 'sand and sea\n');
    const copyParent = makeTempDir('lanfold-photos-copy-');
    const copy = path.join(copyParent, 'photos');

    await go(master, '#/');
    await master.getByRole('button', { name: 'Add folder' }).first().click();
    let dialog = master.getByRole('dialog');
    await dialog.waitFor();
    // A relative path is caught before anything is sent.
    await dialog.getByLabel('Folder', { exact: true }).fill('photos');
    await dialog.getByRole('button', { name: 'Add folder' }).click();
    await waitForText(master, 'dialog .field-error', /full path/);
    await dialog.getByLabel('Folder', { exact: true }).fill(photos);
    await dialog.getByLabel(/^Folder ID/).fill('photos');
    await screenshots(master, 'add-folder-master');
    await dialog.getByRole('button', { name: 'Add folder' }).click();
    await waitForText(master, '[data-testid="folder-card-photos"]', /Master[\s\S]*Not shared/);

    await go(master, '#/folders/photos');
    await master.getByLabel('Share with').selectOption(cluster.replicas[0]!.deviceId);
    await master.getByRole('button', { name: 'Share photos' }).click();
    await waitForText(master, '.replica-row', /replica1/);
    await screenshots(master, 'folder-shared');

    await go(replica, '#/');
    await replica.getByRole('button', { name: 'Add folder' }).first().click();
    dialog = replica.getByRole('dialog');
    await dialog.getByRole('radio', { name: /Replica/ }).check();
    await dialog.getByLabel('Where to keep the copy').fill(copy);
    await dialog.getByLabel(/^Folder ID/).fill('photos');
    await dialog.getByLabel('Master device').selectOption(cluster.master.deviceId);
    await screenshots(replica, 'add-folder-replica');
    await dialog.getByRole('button', { name: 'Add folder' }).click();
    await waitForText(
      replica,
      '[data-testid="folder-card-photos"]',
      /Replica[\s\S]*In sync/,
      60_000,
    );
    await waitFor(() => existsSync(path.join(copy, 'beach.txt')));
    expect(readFileSync(path.join(copy, 'beach.txt'), 'utf8')).toBe('sand and sea\n');
    await waitForText(master, '.replica-row', /replica1[\s\S]*up to date[\s\S]*In sync/);
    await go(replica, '#/');
    await screenshots(replica, 'overview-two-folders');
  });

  it('adds a trusted device and removes it after a confirmation', async () => {
    await go(master, '#/devices');
    await waitForText(master, 'table', /replica1[\s\S]*Online/).catch(async (err: unknown) => {
      console.log('DEBUG', await clusterCli(cluster.master.state, ['status', '--json']));
      console.log(
        'DEBUG replica',
        await clusterCli(cluster.replicas[0]!.state, ['status', '--json']),
      );
      throw err;
    });
    await master
      .getByLabel('Device ID')
      .fill('AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH-IIII-JJJJ-KKKK-LLLL-MMMM');
    await master.getByLabel(/^Address/).fill('127.0.0.1:9');
    await master.getByLabel(/^Name/).fill('Spare laptop');
    await master.getByRole('button', { name: 'Add device' }).click();
    await waitForText(master, 'table', /Spare laptop[\s\S]*127\.0\.0\.1:9[\s\S]*Offline/);
    await screenshots(master, 'devices');

    await master.getByRole('button', { name: 'Remove Spare laptop' }).click();
    const dialog = master.getByRole('dialog');
    await dialog.waitFor();
    await screenshots(master, 'devices-remove');
    await dialog.getByRole('button', { name: 'Remove device' }).click();
    await waitForText(master, '[role="status"]', /Spare laptop is no longer trusted/);
    await waitFor(
      async () => !(await master.locator('table').innerText()).includes('Spare laptop'),
      { what: 'the removed device to leave the table' },
    );

    // A mistyped ID is caught before anything is sent.
    await master.getByLabel('Device ID').fill('not-an-id');
    await master.getByRole('button', { name: 'Add device' }).click();
    await waitForText(master, '.field-error', /52 letters and digits/);
  });

  it('explains how to open it when the address has no valid access key', async () => {
    const base = (await guiUrl(cluster.master)).replace(/#.*$/, '');
    const bare = await browser.open(base);
    await waitForText(bare.page, 'h1', /Open Lanfold from its own link/);
    await screenshots(bare.page, 'signed-out');
    const wrong = await browser.open(`${base}#token=not-the-token`);
    await waitForText(wrong.page, 'h1', /This link has expired/);
    expect(wrong.page.url()).not.toContain('not-the-token');
    // The refused request is the one expected complaint of that page.
    for (const m of wrong.problems.console) expect(m).toMatch(/401|WebSocket connection/);
    pages.push(bare);
    await wrong.page.close();
  });

  it('can be used with the keyboard alone', async () => {
    await go(master, '#/');
    await master.reload();
    await waitForText(master, CARD, /In sync/);
    await master.keyboard.press('Tab');
    expect((await focused(master)).text).toBe('Skip to content');
    await master.keyboard.press('Enter');
    expect((await focused(master)).id).toBe('main');

    // Tab order reaches the folder's History link; Enter follows it.
    for (let i = 0; i < 20; i++) {
      await master.keyboard.press('Tab');
      if ((await focused(master)).text.trim() === 'History') break;
    }
    await master.keyboard.press('Enter');
    await master.waitForURL(/#\/folders\/docs\/history$/);

    // The version list is one tab stop; arrows move the selection.
    const head = cluster.master.head();
    const list = master.getByRole('listbox');
    await list.focus();
    await master.keyboard.press('Home');
    await master.waitForURL(new RegExp(`/history/${head}$`));
    await master.keyboard.press('ArrowDown');
    await master.waitForURL(new RegExp(`/history/${head - 1}$`));
    expect(await master.getAttribute(`#version-${head - 1}`, 'aria-selected')).toBe('true');
    await waitForText(master, '.version-detail', new RegExp(`Version ${head - 1}`));
    await screenshots(master, 'history-keyboard');

    // Landmarks and the live region for sync state changes.
    expect(await master.locator('nav[aria-label="Main"]').count()).toBe(1);
    expect(await master.locator('main#main').count()).toBe(1);
    expect(await master.locator('[aria-live="polite"]').count()).toBeGreaterThan(0);

    // The theme toggle overrides the system preference.
    await master.getByRole('radio', { name: 'Dark' }).first().click();
    expect(await master.locator('html').getAttribute('data-theme')).toBe('dark');
    await master.getByRole('radio', { name: 'Auto' }).first().click();
    expect(await master.locator('html').getAttribute('data-theme')).toBe('light');
  });
});

describe('A history of 10,000 versions', () => {
  const COUNT = 10_000;
  let device: ClusterDevice;
  let page: Page;

  beforeAll(async () => {
    const made = await longHistoryDevice(COUNT);
    device = new ClusterDevice(
      'archive',
      'master',
      made.state,
      made.folder,
      made.folderId,
      '',
      0,
      {},
    );
    await device.start();
    page = await open(device);
  }, 120_000);

  it('opens at once, draws only the rows in view and pages through all of it', async () => {
    const opened = Date.now();
    await go(page, '#/folders/archive/history');
    await waitForText(page, '.version-row[aria-selected="true"]', /v10,0\d\d/);
    const firstScreen = Date.now() - opened;
    expect(firstScreen).toBeLessThan(5000);
    expect(await page.locator('.version-row').count()).toBeLessThan(60);

    // End selects the oldest loaded version; the list fetches the next page as it nears it.
    await page.getByRole('listbox').focus();
    const started = Date.now();
    let slowest = 0;
    let rows = 0;
    for (let presses = 0; presses < 200; presses++) {
      const t = Date.now();
      await page.keyboard.press('End');
      const seq = Number(/\/history\/(\d+)$/.exec(page.url())?.[1] ?? NaN);
      if (seq === 1) break;
      await page.locator(`#version-${seq - 1}`).waitFor({ state: 'attached', timeout: 10_000 });
      slowest = Math.max(slowest, Date.now() - t);
      rows = Math.max(rows, await page.locator('.version-row').count());
    }
    const total = Date.now() - started;
    await waitForText(page, '.version-detail', /Version 1(?!\d)[\s\S]*First scan of the folder/);
    expect(await page.getAttribute('#version-1', 'aria-selected')).toBe('true');
    expect(await page.locator(`#version-${COUNT}`).count()).toBe(0);
    expect(rows).toBeLessThan(80);
    expect(slowest).toBeLessThan(3000);
    expect(total).toBeLessThan(60_000);

    // Moving the selection answers within a frame or two, even this deep in the list.
    const moved = Date.now();
    await page.keyboard.press('ArrowUp');
    await page.locator('#version-2[aria-selected="true"]').waitFor();
    expect(Date.now() - moved).toBeLessThan(1000);
    await screenshots(page, 'history-10000-versions');
    console.log(
      `history of ${COUNT} versions: first screen ${firstScreen} ms, all pages ${total} ms, slowest page ${slowest} ms, at most ${rows} rows in the page`,
    );
  });
});

describe('Every page above', () => {
  it('never logged an error, broke its CSP or reached beyond the daemon', async () => {
    await waitFor(() => pages.length > 0);
    for (const { problems } of pages) {
      expect(problems.console).toEqual([]);
      expect(problems.external).toEqual([]);
    }
  });
});
