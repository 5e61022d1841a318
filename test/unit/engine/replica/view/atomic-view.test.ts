import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../../main/engine/logger.js';
import {
  AtomicView,
  atomicViewUnsupported,
  isAtomicView,
  type AtomicViewOptions,
} from '../../../../../main/engine/replica/view/atomic-view.js';
import { viewDir, viewLayout } from '../../../../../main/engine/replica/view/layout.js';
import { writeViewJournal } from '../../../../../main/engine/replica/view/view-journal.js';
import { STAGING_DIR } from '../../../../../main/engine/ignore-rules.js';
import { makeTempDir, removeTempDirs } from '../../../../helpers/temp.js';

afterEach(removeTempDirs);

function setup(graceMs = 0): { opts: AtomicViewOptions; root: string; clock: { t: number } } {
  const base = makeTempDir();
  const root = path.join(base, 'Photos');
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  writeFileSync(path.join(root, 'a.txt'), 'A1');
  writeFileSync(path.join(root, 'sub', 'b.txt'), 'B1');
  const clock = { t: 1000 };
  const opts: AtomicViewOptions = {
    root,
    journalFile: path.join(base, 'view-journal.json'),
    logger: silentLogger,
    now: () => clock.t,
    graceMs,
  };
  return { opts, root, clock };
}

const noCarry = { touched: new Set<string>(), tracked: () => true };

describe('AtomicView', () => {
  it('turns a plain folder into a link to its first version directory without copying', () => {
    const { opts, root } = setup();
    const ino = statSync(path.join(root, 'a.txt')).ino;
    const view = AtomicView.enable(opts, 7);
    expect(lstatSync(root).isSymbolicLink()).toBe(true);
    expect(readlinkSync(root)).toBe(path.join('.Photos.lanfold-views', 'v7'));
    expect(view.dir).toBe(viewDir(viewLayout(root), 7));
    expect(statSync(path.join(root, 'a.txt')).ino).toBe(ino);
    expect(readFileSync(path.join(root, 'sub', 'b.txt'), 'utf8')).toBe('B1');
    expect(isAtomicView(root)).toBe(true);
    expect(existsSync(opts.journalFile)).toBe(false);
  });

  it('builds the next version from hard links, invisible until the switch', () => {
    const { opts, root } = setup(60_000);
    const view = AtomicView.enable(opts, 1);
    mkdirSync(path.join(root, STAGING_DIR));
    writeFileSync(path.join(root, STAGING_DIR, 'x.ok'), 'staged');
    const dir = view.build(2);
    expect(statSync(path.join(dir, 'a.txt')).ino).toBe(statSync(path.join(root, 'a.txt')).ino);
    expect(existsSync(path.join(dir, STAGING_DIR, 'x.ok'))).toBe(true);
    writeFileSync(path.join(dir, 'a.new'), 'A2');
    renameSync(path.join(dir, 'a.new'), path.join(dir, 'a.txt'));
    expect(readFileSync(path.join(root, 'a.txt'), 'utf8')).toBe('A1');
    view.publish(2, { touched: new Set(['a.txt']), tracked: () => true });
    view.finish();
    expect(readFileSync(path.join(root, 'a.txt'), 'utf8')).toBe('A2');
    expect(view.version).toBe(2);
    // The old directory stays for its grace period, unchanged.
    expect(readFileSync(path.join(viewDir(viewLayout(root), 1), 'a.txt'), 'utf8')).toBe('A1');
    expect(view.directories()).toBe(2);
  });

  it('reclaims replaced version directories once their grace period is over', () => {
    const { opts, root, clock } = setup(5000);
    const view = AtomicView.enable(opts, 1);
    view.build(2);
    view.publish(2, noCarry);
    view.finish();
    clock.t += 6000;
    view.build(3);
    view.publish(3, noCarry);
    view.finish();
    const names = readdirSync(viewLayout(root).viewsDir).sort();
    expect(names).toEqual(['v2', 'v3']);
  });

  it('undoes a build cut before its apply journal, moving the staging area back', () => {
    const { opts, root } = setup();
    const view = AtomicView.enable(opts, 1);
    mkdirSync(path.join(root, STAGING_DIR));
    writeFileSync(path.join(root, STAGING_DIR, 'x.ok'), 'staged');
    view.build(2);
    const reopened = AtomicView.open(opts)!;
    expect(reopened.recoverBuild(false)).toBeUndefined();
    expect(readFileSync(path.join(root, STAGING_DIR, 'x.ok'), 'utf8')).toBe('staged');
    reopened.reclaim();
    expect(readdirSync(viewLayout(root).viewsDir)).toEqual(['v1']);
    expect(existsSync(opts.journalFile)).toBe(false);
  });

  it('finishes a build whose apply journal exists: the replay runs in it, then the link moves', () => {
    const { opts, root } = setup();
    const view = AtomicView.enable(opts, 1);
    const dir = view.build(2);
    const reopened = AtomicView.open(opts)!;
    const pending = reopened.recoverBuild(true)!;
    expect(pending.root).toBe(dir);
    expect(readlinkSync(root)).toMatch(/v1$/);
    pending.publish();
    reopened.finish();
    expect(readlinkSync(root)).toMatch(/v2$/);
    expect(reopened.version).toBe(2);
    expect(readdirSync(viewLayout(root).viewsDir)).toEqual(['v2']);
  });

  it('after the switch, a start only ends the build (and replays the apply journal if it is still there)', () => {
    const { opts, root } = setup();
    const view = AtomicView.enable(opts, 1);
    view.build(2);
    view.publish(2, noCarry);
    expect(AtomicView.open(opts)!.recoverBuild(true)!.root).toBe(viewDir(viewLayout(root), 2));
    const again = AtomicView.open(opts)!;
    expect(again.recoverBuild(false)).toBeUndefined();
    expect(existsSync(opts.journalFile)).toBe(false);
    expect(readdirSync(viewLayout(root).viewsDir)).toEqual(['v2']);
  });

  it('refuses a journal that does not match what the link shows', () => {
    const { opts } = setup();
    AtomicView.enable(opts, 1);
    writeViewJournal(opts.journalFile, { op: 'build', from: 4, to: 5 });
    expect(() => AtomicView.open(opts)!.recoverBuild(false)).toThrow(/shows v1/);
  });

  it('turns the view off: the current version directory goes back to the folder path', () => {
    const { opts, root } = setup();
    const view = AtomicView.enable(opts, 1);
    view.build(2);
    view.publish(2, noCarry);
    view.finish();
    view.disable();
    expect(lstatSync(root).isDirectory()).toBe(true);
    expect(readFileSync(path.join(root, 'a.txt'), 'utf8')).toBe('A1');
    expect(existsSync(viewLayout(root).viewsDir)).toBe(false);
    expect(AtomicView.open(opts)).toBeUndefined();
  });

  it('finishes a conversion cut half-way (folder moved, no link yet; link removed, folder not back)', () => {
    const { opts, root } = setup();
    const layout = viewLayout(root);
    mkdirSync(layout.viewsDir);
    writeViewJournal(opts.journalFile, { op: 'enable', version: 3 });
    renameSync(root, viewDir(layout, 3));
    AtomicView.recoverConversion(opts);
    expect(AtomicView.open(opts)?.version).toBe(3);
    expect(readFileSync(path.join(root, 'a.txt'), 'utf8')).toBe('A1');

    writeViewJournal(opts.journalFile, { op: 'disable', version: 3 });
    renameSync(root, path.join(path.dirname(root), 'gone-link'));
    AtomicView.recoverConversion(opts);
    expect(lstatSync(root).isDirectory()).toBe(true);
    expect(readFileSync(path.join(root, 'sub', 'b.txt'), 'utf8')).toBe('B1');
    expect(existsSync(layout.viewsDir)).toBe(false);
  });

  it('refuses to turn on over leftovers of the views directory, or when the folder is missing', () => {
    const { opts, root } = setup();
    mkdirSync(path.join(viewLayout(root).viewsDir, 'v9'), { recursive: true });
    expect(() => AtomicView.enable(opts, 1)).toThrow(/already holds v9/);
    expect(lstatSync(root).isDirectory()).toBe(true);
    const other = setup();
    renameSync(other.root, `${other.root}-away`);
    expect(() => AtomicView.enable(other.opts, 1)).toThrow(/is missing/);
  });

  it('says it is not supported on Windows', () => {
    expect(atomicViewUnsupported('win32')).toMatch(/not supported on Windows/);
    expect(atomicViewUnsupported('linux')).toBeUndefined();
  });
});
