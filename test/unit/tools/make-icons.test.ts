import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { icnsFile, icoFile } from '../../../tools/make-icons.js';
import { REPO_ROOT } from '../../helpers/cli.js';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const fakePng = (n: number) => Buffer.concat([PNG_MAGIC, Buffer.alloc(n, 7)]);

describe('icoFile', () => {
  it('writes a directory whose entries point at each embedded PNG', () => {
    const pngs = [
      { size: 16, png: fakePng(10) },
      { size: 256, png: fakePng(30) },
    ];
    const ico = icoFile(pngs);
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1);
    expect(ico.readUInt16LE(4)).toBe(2);
    const first = 6;
    expect(ico.readUInt8(first)).toBe(16);
    expect(ico.readUInt8(first + 16)).toBe(0); // 256 is written as 0
    for (let i = 0; i < 2; i++) {
      const e = first + 16 * i;
      const size = ico.readUInt32LE(e + 8);
      const offset = ico.readUInt32LE(e + 12);
      expect(ico.subarray(offset, offset + size).equals(pngs[i]!.png)).toBe(true);
    }
    expect(ico.length).toBe(6 + 32 + 14 + 34);
  });
});

describe('icnsFile', () => {
  it('writes typed big-endian entries after a header with the total length', () => {
    const icns = icnsFile([
      { type: 'icp4', png: fakePng(5) },
      { type: 'ic10', png: fakePng(9) },
    ]);
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    expect(icns.toString('ascii', 8, 12)).toBe('icp4');
    expect(icns.readUInt32BE(12)).toBe(8 + 9);
    expect(icns.toString('ascii', 25, 29)).toBe('ic10');
  });
});

describe('the committed icons', () => {
  it('exist at every size electron-builder and the tray use, as real PNGs', () => {
    for (const size of [16, 32, 256, 512, 1024]) {
      const png = readFileSync(path.join(REPO_ROOT, 'resources', 'icons', `${size}x${size}.png`));
      expect(png.subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
      expect(png.readUInt32BE(16)).toBe(size); // IHDR width
    }
    const ico = readFileSync(path.join(REPO_ROOT, 'resources', 'icon.ico'));
    expect(ico.readUInt16LE(4)).toBe(7);
    const icns = readFileSync(path.join(REPO_ROOT, 'resources', 'icon.icns'));
    expect(icns.readUInt32BE(4)).toBe(icns.length);
  });
});
