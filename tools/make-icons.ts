/**
 * Makes the app's icons from resources/icon.svg: PNGs of every size the platforms ask for
 * (resources/icons/NxN.png, 16 to 1024; the tray uses the small ones), a Windows .ico and a
 * macOS .icns, both holding PNGs (each format accepts embedded PNG images). The SVG is
 * drawn by Chromium (playwright-core, the browser the end-to-end tests use), so the PNGs
 * are exactly what a browser shows. Run `npm run icons` after changing the SVG, and commit
 * the results: packaging (electron-builder.yml) and the tray read them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESOURCES = path.join(ROOT, 'resources');
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS entry types holding PNG data, by pixel size (the @2x types share sizes with 1x ones). */
const ICNS_TYPES: readonly [string, number][] = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32],
  ['icp6', 64],
  ['ic12', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic13', 256],
  ['ic09', 512],
  ['ic14', 512],
  ['ic10', 1024],
];
const CHROMIUM = process.env.LANFOLD_CHROMIUM ?? '/usr/bin/chromium';

/** Draws the SVG at each size, on a transparent background. */
async function renderPngs(svg: string): Promise<Map<number, Buffer>> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage();
    const out = new Map<number, Buffer>();
    const dataUrl = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
    for (const size of SIZES) {
      await page.setViewportSize({ width: size, height: size });
      await page.setContent(
        `<html><body style="margin:0;background:transparent"><img src="${dataUrl}" width="${size}" height="${size}" style="display:block"></body></html>`,
      );
      await page.locator('img').evaluate((img) => (img as { decode(): Promise<void> }).decode());
      out.set(size, await page.screenshot({ omitBackground: true, type: 'png' }));
    }
    return out;
  } finally {
    await browser.close();
  }
}

/** A Windows icon: a directory of images, each a PNG (width/height byte 0 means 256). */
export function icoFile(pngs: readonly { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(pngs.length, 4);
  const entries: Buffer[] = [];
  let offset = 6 + 16 * pngs.length;
  for (const { size, png } of pngs) {
    const e = Buffer.alloc(16);
    e.writeUInt8(size >= 256 ? 0 : size, 0);
    e.writeUInt8(size >= 256 ? 0 : size, 1);
    e.writeUInt8(0, 2); // no palette
    e.writeUInt8(0, 3);
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(e);
  }
  return Buffer.concat([header, ...entries, ...pngs.map((p) => p.png)]);
}

/** A macOS icon: 'icns', the total length, then (type, length, PNG) entries, big-endian. */
export function icnsFile(entries: readonly { type: string; png: Buffer }[]): Buffer {
  const parts = entries.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'ascii');
  header.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([header, ...parts]);
}

async function main(): Promise<void> {
  const svg = readFileSync(path.join(RESOURCES, 'icon.svg'), 'utf8');
  const pngs = await renderPngs(svg);
  const dir = path.join(RESOURCES, 'icons');
  mkdirSync(dir, { recursive: true });
  for (const [size, png] of pngs) writeFileSync(path.join(dir, `${size}x${size}.png`), png);
  writeFileSync(path.join(RESOURCES, 'icon.png'), pngs.get(512)!);
  writeFileSync(
    path.join(RESOURCES, 'icon.ico'),
    icoFile(ICO_SIZES.map((size) => ({ size, png: pngs.get(size)! }))),
  );
  writeFileSync(
    path.join(RESOURCES, 'icon.icns'),
    icnsFile(ICNS_TYPES.map(([type, size]) => ({ type, png: pngs.get(size)! }))),
  );
  process.stdout.write(`icons written to ${RESOURCES}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main();
}
