/**
 * A QR code as one SVG path: each dark module a unit square, drawn on a grid with a quiet
 * zone of four modules (what scanners expect). The daemon sends an invite's QR code as its
 * module grid (`modulesPath`); `qrPath` makes one from text with qrcode-generator. No
 * canvas, no image data, nothing a strict CSP would refuse.
 */
import qrcode from 'qrcode-generator';

export interface QrPath {
  /** Width and height of the grid in modules, quiet zone included. */
  readonly size: number;
  /** The `d` of a path that fills the dark modules. */
  readonly d: string;
}

const QUIET = 4;

/** A path from rows of '0'/'1' (1 = dark), as the API gives them. */
export function modulesPath(rows: readonly string[]): QrPath {
  const n = rows.length;
  let d = '';
  rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++)
      if (row[x] === '1') d += `M${x + QUIET} ${y + QUIET}h1v1h-1z`;
  });
  return { size: n + 2 * QUIET, d };
}

export function qrPath(text: string): QrPath {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const rows: string[] = [];
  for (let row = 0; row < n; row++) {
    let r = '';
    for (let col = 0; col < n; col++) r += qr.isDark(row, col) ? '1' : '0';
    rows.push(r);
  }
  return modulesPath(rows);
}
