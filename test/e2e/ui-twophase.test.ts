/**
 * Two-phase commit and the deletion guard in the UI, end to end: a master and two replicas
 * (real daemons on 127.0.0.1, discovery off) and Chromium on the master's UI. The folder
 * settings form sets the two-phase policy and the guard (checked through the CLI); a
 * replica with a local edit votes no, which blocks the version under `all` (the Overview
 * says who and why) and shows per-replica votes in History; a mass deletion is held on
 * the Overview, rejected (the files come back on disk) and, the second time, approved (the
 * replicas delete them); the listen address is edited. Screenshots of each step, light and
 * dark, go to test-output/screenshots/.
 */
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, clusterCli, killClusters } from '../helpers/cluster.js';
import { removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { Browser, go, screenshots, waitForText, type PageProblems } from './browser.js';
import { buildRenderer } from './renderer-build.js';

const FOLDER = 'team';
const CARD = `[data-testid="folder-card-${FOLDER}"]`;
const BULK = Array.from({ length: 10 }, (_, i) => `bulk/file-${i}.txt`);

let cluster: Cluster;
let browser: Browser;
let page: Page;
let problems: PageProblems;

interface FolderJson {
  readonly id: string;
  readonly settings: { twoPhasePolicy: string; deletionGuardRatio: number };
}

async function settingsByCli(): Promise<FolderJson['settings']> {
  const out = await clusterCli(cluster.master.state, ['folder', 'list', '--json']);
  const folders = JSON.parse(out) as FolderJson[];
  return folders.find((f) => f.id === FOLDER)!.settings;
}

/** Saves the settings form and waits for its confirmation. */
async function saveSettings(): Promise<void> {
  await page.getByRole('button', { name: 'Save settings' }).click();
  await waitForText(page, '[role="status"], [role="alert"]', /Settings saved/);
}

beforeAll(async () => {
  await buildRenderer();
  browser = await Browser.launch();
  cluster = await Cluster.create({
    replicas: 2,
    folderId: FOLDER,
    populate: (root) => {
      writeFileSync(path.join(root, 'plan.txt'), 'the plan\n');
      mkdirSync(path.join(root, 'bulk'));
      for (const f of BULK) writeFileSync(path.join(root, f), `content of ${f}\n`);
    },
    // The mass deletions below remove 8 files one by one and must be one version: split in
    // two, the first part would pass under the guard. The batch timing is not what is tested.
    masterBatchQuietMs: 300,
  });
  await cluster.startAll();
  await cluster.waitConverged();
  const url = (await clusterCli(cluster.master.state, ['gui-url'])).trim();
  ({ page, problems } = await browser.open(url));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await killClusters();
  removeTempDirs();
});

describe('Two-phase commit and the deletion guard in Chromium', () => {
  it('sets the two-phase policy and the deletion guard in the folder settings', async () => {
    await go(page, `#/folders/${FOLDER}/settings`);
    await page.getByRole('radio', { name: /Wait until every replica agrees/ }).check();
    const guard = page.getByLabel('Hold a change that deletes more than');
    // A share of 100% or more is refused in the form, with what to do instead.
    await guard.fill('150');
    await waitForText(page, '.field-error', /from 0 to 99[\s\S]*turn the guard off/);
    expect(await page.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
    await guard.fill('40');
    await screenshots(page, 'settings-two-phase');
    await saveSettings();
    expect(await settingsByCli()).toMatchObject({ twoPhasePolicy: 'all', deletionGuardRatio: 0.4 });

    // Turning the guard off saves a ratio of 1, as `lanfold folder set … deletion-guard off`.
    await page.getByRole('checkbox', { name: /Hold mass deletions/ }).uncheck();
    expect(await guard.isDisabled()).toBe(true);
    await saveSettings();
    expect((await settingsByCli()).deletionGuardRatio).toBe(1);
    await page.getByRole('checkbox', { name: /Hold mass deletions/ }).check();
    await guard.fill('40');
    await saveSettings();
    expect((await settingsByCli()).deletionGuardRatio).toBe(0.4);
  });

  it('shows a version blocked by a replica that voted no, on the Overview and in History', async () => {
    const replica2 = cluster.replicas[1]!;
    // A local edit on replica2 of a path the next change touches: it must vote no.
    writeFileSync(path.join(replica2.folder, 'plan.txt'), 'edited on replica2\n');
    await waitFor(
      () => JSON.stringify(replica2.replication() ?? {}).includes('"path":"plan.txt"'),
      { what: 'replica2 to notice its local edit (daemon.json localChanges)' },
    );
    const before = cluster.master.head();
    writeFileSync(path.join(cluster.master.folder, 'plan.txt'), 'the new plan\n');
    writeFileSync(path.join(cluster.master.folder, 'notes.txt'), 'notes for the plan\n');
    await waitFor(() => cluster.master.head() > before, { what: 'the master to record' });
    const version = cluster.master.head();

    await go(page, '#/');
    const blocked = await waitForText(
      page,
      `${CARD} [data-testid="blocked-version"]`,
      /is waiting: every replica must agree[\s\S]*replica2: [\s\S]*plan\.txt/,
    );
    expect(blocked).not.toContain('replica1:');
    await screenshots(page, 'overview-blocked-two-phase');
    // The card's version and state follow the status events meanwhile.
    await waitForText(page, `${CARD} [data-testid="folder-version"]`, new RegExp(`^v${version}$`));
    await waitForText(page, `${CARD} [data-testid="folder-state"]`, /Behind/);

    await go(page, `#/folders/${FOLDER}/history/${version}`);
    await waitForText(page, '.version-detail', /Two-phase because 2 paths changed together/);
    await waitForText(page, '[data-testid="commit-record"]', /Aborted, will retry/);
    // replica1 voted yes, or its vote was not needed once replica2 said no.
    await waitForText(
      page,
      '.attempt[open] [data-testid="vote-replica1"]',
      /Voted yes|Vote not needed/,
    );
    await waitForText(
      page,
      '.attempt[open] [data-testid="vote-replica2"]',
      /Voted no[\s\S]*plan\.txt/,
    );
    await screenshots(page, 'history-votes-blocked');

    // Under `available` the others go ahead: set it in the form; the version is retried at once.
    await go(page, `#/folders/${FOLDER}/settings`);
    await page.getByRole('radio', { name: /Go ahead with the replicas that agree/ }).check();
    await saveSettings();
    expect((await settingsByCli()).twoPhasePolicy).toBe('available');
    await waitFor(() => cluster.replicas[0]!.head() >= version, { what: 'replica1 to commit' });

    await go(page, `#/folders/${FOLDER}/history/${version}`);
    const record = await waitForText(
      page,
      '[data-testid="commit-record"]',
      /Committed[\s\S]*Committed\s*Attempt \d+ for v\d+ \(policy “available”\): 1 of 2 replicas voted yes/,
    );
    expect(record).toMatch(
      /Aborted\s*Attempt \d+ for v\d+ \(policy “all”\): \d of 2 replicas voted yes/,
    );
    await waitForText(
      page,
      '.attempt[open] [data-testid="vote-replica1"]',
      /Voted yes[\s\S]*Switched with the others/,
    );
    await waitForText(
      page,
      '.attempt[open] [data-testid="vote-replica2"]',
      /Voted no[\s\S]*plan\.txt[\s\S]*(Brought up to date later|Not up to date yet)/,
    );
    // The attempts fold open with the keyboard (native details/summary).
    const first = page.locator('.attempt').first();
    expect(await first.getAttribute('open')).toBeNull();
    await first.locator('summary').focus();
    await page.keyboard.press('Enter');
    expect(await first.getAttribute('open')).not.toBeNull();
    // The coordinator's reason names the replica, not its device ID.
    const opened = await first.innerText();
    expect(opened).toContain('replica2: plan.txt has a local edit not synced');
    expect(opened).not.toContain(cluster.replicas[1]!.deviceId);
    await screenshots(page, 'history-votes-committed');
    await cluster.waitConverged();
  });

  it('holds a mass deletion on the Overview; Reject puts the files back', async () => {
    const replica1 = cluster.replicas[0]!;
    const gone = BULK.slice(0, 8);
    for (const f of gone) rmSync(path.join(cluster.master.folder, f));
    await go(page, '#/');
    const held = await waitForText(
      page,
      `${CARD} [data-testid="held-deletion"]`,
      /v\d+ deletes 8 of \d+ files[\s\S]*held until you decide/,
    );
    expect(held).toMatch(/Reject[\s\S]*Approve/);
    // The replicas keep their files meanwhile.
    for (const f of gone) expect(existsSync(path.join(replica1.folder, f))).toBe(true);
    await screenshots(page, 'overview-held-deletion');

    await page.getByRole('button', { name: 'Reject' }).click();
    const dialog = page.getByRole('dialog');
    await waitForText(page, 'dialog', /Put the 8 files back\?[\s\S]*writes the deleted files back/);
    await screenshots(page, 'held-deletion-reject-confirm');
    await dialog.getByRole('button', { name: 'Reject and restore 8 files' }).click();
    await waitForText(page, '[data-testid="announcer"]', /Rejected the deletions up to v\d+/);
    await waitFor(() => gone.every((f) => existsSync(path.join(cluster.master.folder, f))), {
      what: 'the master to write the files back',
    });
    expect(readFileSync(path.join(cluster.master.folder, gone[0]!), 'utf8')).toBe(
      `content of ${gone[0]}\n`,
    );
    await waitFor(
      async () => (await page.locator(`${CARD} [data-testid="held-deletion"]`).count()) === 0,
      { what: 'the held deletion to leave the overview' },
    );
    await cluster.waitConverged();
    for (const f of gone) expect(existsSync(path.join(replica1.folder, f))).toBe(true);
  });

  it('holds another mass deletion; Approve lets the replicas delete', async () => {
    const replica1 = cluster.replicas[0]!;
    const gone = BULK.slice(0, 8);
    for (const f of gone) rmSync(path.join(cluster.master.folder, f));
    await go(page, '#/');
    await waitForText(page, `${CARD} [data-testid="held-deletion"]`, /deletes 8 of \d+ files/);
    await page.getByRole('button', { name: 'Approve' }).click();
    await waitForText(page, 'dialog', /Let the replicas delete 8 files\?/);
    await screenshots(page, 'held-deletion-approve-confirm');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Approve deleting 8 files' })
      .click();
    await waitForText(page, '[data-testid="announcer"]', /Approved the deletions up to v\d+/);
    await waitFor(() => gone.every((f) => !existsSync(path.join(replica1.folder, f))), {
      what: 'replica1 to delete the files',
      timeoutMs: 30_000,
    });
    await cluster.waitConverged();
    expect(existsSync(path.join(replica1.folder, BULK[9]!))).toBe(true);
    await waitForText(page, CARD, /In sync/);
    await screenshots(page, 'overview-after-approve');
  });

  it('refuses a verdict when nothing is held, with a clear message', async () => {
    const token = readFileSync(path.join(cluster.master.state, 'api-token'), 'utf8').trim();
    const base = new URL(page.url()).origin;
    const res = await fetch(`${base}/api/folders/${FOLDER}/approve`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ version: cluster.master.head() }),
    });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'NOTHING_HELD' });
    expect(body.error.message).toMatch(/No deletion is held in folder "team"/);
  });

  it('edits the listen address: checked as typed, saved, applied at the next start', async () => {
    await go(page, '#/device');
    const input = page.getByLabel('Listen address');
    const original = await input.inputValue();
    await input.fill('no port here');
    await waitForText(page, '.field-error', /host:port/);
    await input.fill('127.0.0.1:99999');
    await waitForText(page, '.field-error', /port must be from 0 to 65535/);
    await input.fill('127.0.0.1:47299');
    await page.getByRole('button', { name: 'Save address' }).click();
    await waitForText(
      page,
      '[role="status"]',
      /Takes effect after a restart[\s\S]*127\.0\.0\.1:47299/,
    );
    await screenshots(page, 'device-listen-address');
    const device = JSON.parse(
      readFileSync(path.join(cluster.master.state, 'device.json'), 'utf8'),
    ) as { listen: string };
    expect(device.listen).toBe('127.0.0.1:47299');
    // Back to the address in use: the notice goes away.
    await input.fill(original);
    await page.getByRole('button', { name: 'Save address' }).click();
    await waitFor(async () => (await page.locator('.banner-warn').count()) === 0, {
      what: 'the restart notice to go',
    });
  });

  it('logged no error, broke no CSP and reached nothing beyond the daemon', () => {
    // The refused verdict of the test above is answered, not logged by the page.
    expect(problems.console).toEqual([]);
    expect(problems.external).toEqual([]);
  });
});
