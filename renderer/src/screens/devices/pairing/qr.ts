/**
 * A QR code as one SVG path: each dark module a unit square, drawn on a grid with a quiet
 * zone of four modules (what scanners expect). Built with qrcode-generator; no canvas, no
 * image data, nothing a strict CSP would refuse.
 */
import qrcode from 'qrcode-generator';

export interface QrPath {
  /** Width and height of the grid in modules, quiet zone included. */
  readonly size: number;
  /** The `d` of a path that fills the dark modules. */
  readonly d: string;
}

const QUIET = 4;

export function qrPath(text: string): QrPath {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  let d = '';
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (qr.isDark(row, col)) d += `M${col + QUIET} ${row + QUIET}h1v1h-1z`;
    }
  }
  return { size: n + 2 * QUIET, d };
}
