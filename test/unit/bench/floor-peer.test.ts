import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateIdentity } from '../../../main/transport/identity.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const PEER = path.resolve('dist/bench/floor-peer.js');

describe('the floor benchmark peers', () => {
  const tempDir = useTempDirs();

  it('deliver every file byte for byte, nested and large ones included', async () => {
    const src = tempDir('floor-src');
    const dest = path.join(tempDir('floor-dest'), 'copy');
    const files: Record<string, Buffer> = {
      'a.txt': Buffer.from('hello'),
      'empty.bin': Buffer.alloc(0),
      'd/e/deep.bin': randomBytes(2.5 * 1024 * 1024),
      'd/ü name.txt': randomBytes(70_000),
    };
    for (const [rel, data] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
      writeFileSync(path.join(src, rel), data);
    }
    const id = await generateIdentity('floor-test');
    const keys = tempDir('floor-keys');
    writeFileSync(path.join(keys, 'cert.pem'), id.certPem);
    writeFileSync(path.join(keys, 'key.pem'), id.keyPem);
    const sender = spawn(
      process.execPath,
      [PEER, 'send', src, '0', path.join(keys, 'cert.pem'), path.join(keys, 'key.pem')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const port = await new Promise<string>((resolve) =>
        sender.stdout.once('data', (b: Buffer) => resolve(b.toString().trim().split(' ')[1]!)),
      );
      const r = spawnSync(process.execPath, [PEER, 'receive', dest, port], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout.trim()) as { files: number; bytes: number };
      expect(summary.files).toBe(4);
      for (const [rel, data] of Object.entries(files))
        expect(readFileSync(path.join(dest, rel)).equals(data), rel).toBe(true);
    } finally {
      sender.kill();
    }
  });

  it('says how to use it when the arguments are wrong', () => {
    const r = spawnSync(process.execPath, [PEER, 'send'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: floor-peer\.js/);
  });
});
