import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { guiUrl } from '../../../main/cli/commands/gui.js';
import { loadOrCreateToken } from '../../../main/daemon/api/token.js';
import { initDevice } from '../../../main/daemon/device.js';
import { statePaths } from '../../../main/daemon/state-dir.js';
import { lanfoldErrorOf } from '../helpers/errors.js';
import { useTempDirs } from '../helpers/temp-dir.js';

describe('guiUrl', () => {
  const tempDir = useTempDirs();

  /** A device whose "daemon" is this test process, with `runtime` as its daemon.json. */
  async function device(runtime: object | undefined): Promise<string> {
    const dir = path.join(tempDir('gui'), 'state');
    await initDevice(dir, { name: 'gui' });
    const paths = statePaths(dir);
    if (runtime) {
      writeFileSync(paths.lock, `${process.pid}\n`);
      writeFileSync(paths.runtime, JSON.stringify(runtime));
    }
    return dir;
  }

  it('gives the address with the token in the fragment', async () => {
    const dir = await device({ pid: process.pid, gui: '127.0.0.1:4567', listenPort: 1 });
    const token = loadOrCreateToken(statePaths(dir).apiToken);
    expect(guiUrl(dir)).toBe(`http://127.0.0.1:4567/#token=${token}`);
  });

  it('says that the daemon is not running', async () => {
    const err = lanfoldErrorOf(() => guiUrl(path.join(tempDir('gui'), 'no-device')));
    expect(err.code).toBe('STATE_MISSING');
    const dir = await device(undefined);
    const stopped = lanfoldErrorOf(() => guiUrl(dir));
    expect(stopped.code).toBe('DAEMON_UNREACHABLE');
    expect(stopped.hint).toContain('lanfold start');
  });

  it('says why the control API is not running', async () => {
    const dir = await device({
      gui: null,
      guiError: 'cannot listen on 127.0.0.1:47211: EADDRINUSE',
    });
    const err = lanfoldErrorOf(() => guiUrl(dir));
    expect(err.message).toContain('EADDRINUSE');
    expect(err.hint).toContain('--gui');
  });

  it('says when the daemon has made no token', async () => {
    const dir = await device({ gui: '127.0.0.1:4567' });
    expect(lanfoldErrorOf(() => guiUrl(dir)).message).toContain('No control API token');
  });
});
