/**
 * `npm start`: runs the desktop app when the Electron binary is installed; otherwise says so,
 * attaches to (or starts) the daemon and prints the signed-in UI address for a browser. It
 * never imports 'electron' (that module downloads the binary when it is missing); it only
 * looks for the file node_modules/electron/path.txt names.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { superviseDaemon } from './daemon-supervisor.js';

const APP_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The Electron executable if it is installed, else undefined. */
export function electronBinary(resolveFrom: string = APP_ROOT): string | undefined {
  let pkgDir: string;
  try {
    pkgDir = path.dirname(
      createRequire(path.join(resolveFrom, 'package.json')).resolve('electron'),
    );
  } catch {
    return undefined;
  }
  const pathFile = path.join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const relative = readFileSync(pathFile, 'utf8').trim();
  if (relative === '') return undefined;
  const binary = path.join(pkgDir, 'dist', relative);
  return existsSync(binary) ? binary : undefined;
}

async function main(): Promise<number> {
  const binary = electronBinary();
  if (binary) {
    const child = spawn(binary, [APP_ROOT], { stdio: 'inherit' });
    return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  }
  process.stdout.write(
    'The Electron binary is not installed here; the same UI is served to your browser instead.\n',
  );
  const endpoint = await superviseDaemon();
  process.stdout.write(
    `${endpoint.started ? 'Started' : 'Attached to'} the Lanfold daemon (pid ${endpoint.pid}). Open:\n${endpoint.url}\n`,
  );
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      const hint =
        err instanceof Error && 'hint' in err && typeof err.hint === 'string'
          ? ` (${err.hint})`
          : '';
      process.stderr.write(`lanfold: ${err instanceof Error ? err.message : String(err)}${hint}\n`);
      process.exit(1);
    },
  );
}
