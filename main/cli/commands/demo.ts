/**
 * `lanfold demo`: a master and two replicas on 127.0.0.1, in one process, on a sample
 * folder in a temporary directory. It makes a few changes on the master and shows each
 * arriving on the replicas, then stops (or keeps running with --keep).
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { Daemon } from '../../daemon/daemon.js';
import { DeviceState, initDevice } from '../../daemon/device.js';
import { createLogger } from '../../daemon/logging.js';
import { formatBytes } from '../format.js';
import { print } from '../context.js';

interface DemoDevice {
  readonly name: string;
  readonly stateDir: string;
  readonly folder: string;
  daemon?: Daemon;
}

function sampleText(i: number): string {
  const lines: string[] = [];
  for (let n = 0; n < 40 + i * 7; n++)
    lines.push(`Line ${n} of note ${i}: the quick brown fox jumps over the lazy dog.`);
  return lines.join('\n') + '\n';
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('watch a master and two replicas sync a sample folder on this machine')
    .option('--keep', 'keep running until Ctrl-C (try editing the folders yourself)')
    .action(async (opts: { keep?: boolean }) => {
      const base = mkdtempSync(path.join(os.tmpdir(), 'lanfold-demo-'));
      const devices: DemoDevice[] = ['master', 'replica-1', 'replica-2'].map((name) => ({
        name,
        stateDir: path.join(base, name, 'state'),
        folder: path.join(base, name, 'folder'),
      }));
      const [master, ...replicas] = devices as [DemoDevice, DemoDevice, DemoDevice];
      try {
        mkdirSync(path.join(master.folder, 'notes'), { recursive: true });
        for (let i = 0; i < 5; i++)
          writeFileSync(path.join(master.folder, 'notes', `note-${i}.txt`), sampleText(i));
        writeFileSync(path.join(master.folder, 'photo.raw'), Buffer.alloc(2 * 1024 * 1024, 42));
        const ids = new Map<string, string>();
        for (const d of devices)
          ids.set(
            d.name,
            (await initDevice(d.stateDir, { name: d.name, listen: '127.0.0.1:0' })).deviceId,
          );
        const ms = DeviceState.open(master.stateDir);
        ms.addFolder({ path: master.folder, role: 'master', id: 'demo' });
        for (const r of replicas) {
          ms.addPeer(ids.get(r.name)!, undefined, r.name);
          ms.shareFolder('demo', ids.get(r.name)!);
        }
        print(`Demo folders in ${base}`);
        master.daemon = await Daemon.start(
          master.stateDir,
          createLogger({ file: path.join(master.stateDir, 'daemon.log') }),
          {},
          { listen: '127.0.0.1:0' },
        );
        print(`master    v${master.daemon.folder('demo')?.head() ?? 0}: ${master.folder}`);
        for (const r of replicas) {
          const rs = DeviceState.open(r.stateDir);
          rs.addPeer(ids.get('master')!, `127.0.0.1:${master.daemon.listenPort}`, 'master');
          rs.addFolder({
            path: r.folder,
            role: 'replica',
            id: 'demo',
            upstreams: [ids.get('master')!],
          });
          r.daemon = await Daemon.start(
            r.stateDir,
            createLogger({ file: path.join(r.stateDir, 'daemon.log') }),
            {},
            { listen: '127.0.0.1:0' },
          );
        }
        const head = () => master.daemon?.folder('demo')?.head() ?? 0;
        const show = async (what: string) => {
          const t0 = Date.now();
          const ok = await waitFor(
            () => replicas.every((r) => r.daemon?.replica('demo')?.head() === head()),
            15_000,
          );
          const took = Date.now() - t0;
          print(
            `${what.padEnd(44)} master v${head()} -> replicas ${replicas.map((r) => `v${r.daemon?.replica('demo')?.head() ?? 0}`).join(', ')}${ok ? ` (in ${took} ms)` : ' (still syncing)'}`,
          );
        };
        await show('initial sync (5 notes, a 2 MiB photo)');
        appendFileSync(
          path.join(master.folder, 'notes', 'note-1.txt'),
          'A line added on the master.\n',
        );
        await waitFor(() => head() >= 2, 5000);
        await show('edit notes/note-1.txt');
        renameSync(path.join(master.folder, 'notes'), path.join(master.folder, 'archive'));
        await waitFor(() => head() >= 3, 5000);
        await show('rename notes/ -> archive/');
        writeFileSync(path.join(master.folder, 'todo.txt'), 'buy milk\n');
        await waitFor(() => head() >= 4, 5000);
        await show('create todo.txt');
        const same =
          readFileSync(path.join(replicas[0].folder, 'archive', 'note-1.txt'), 'utf8') ===
          readFileSync(path.join(master.folder, 'archive', 'note-1.txt'), 'utf8');
        print(
          `replica-1 archive/note-1.txt ${same ? 'matches' : 'DIFFERS FROM'} the master; the photo is ${formatBytes(2 * 1024 * 1024)}.`,
        );
        if (opts.keep) {
          print(`Try: lanfold --state ${master.stateDir} history demo`);
          print('Running until Ctrl-C: edit files in the master folder and watch the replicas.');
          await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
        }
      } finally {
        for (const d of [...replicas, master]) await d.daemon?.stop();
        if (!opts.keep) rmSync(base, { recursive: true, force: true });
      }
    });
}
