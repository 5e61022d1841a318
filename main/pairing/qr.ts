/**
 * The invite as a QR code: the text it carries (a `lanfold:pair` URI with the code, the
 * inviter's ID and, when known, an address), its modules as rows of 0/1 for a UI to draw,
 * and a terminal rendering with half-block characters (two rows per line).
 */
import QRCode from 'qrcode';

export interface InviteQr {
  readonly text: string;
  readonly size: number;
  /** `size` rows of `size` characters, '1' for a dark module. */
  readonly modules: string[];
}

export function inviteUri(code: string, deviceId: string, address?: string): string {
  const q = new URLSearchParams({ code, id: deviceId });
  if (address) q.set('addr', address);
  return `lanfold:pair?${q.toString()}`;
}

export function inviteQr(text: string): InviteQr {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const modules: string[] = [];
  for (let r = 0; r < size; r++) {
    let row = '';
    for (let c = 0; c < size; c++) row += qr.modules.get(r, c) ? '1' : '0';
    modules.push(row);
  }
  return { text, size, modules };
}

/** Dark modules as dark cells on a light background, with the quiet zone QR readers need. */
export function renderQrForTerminal(qr: InviteQr): string {
  const margin = 2;
  const dark = (r: number, c: number): boolean =>
    r >= 0 && c >= 0 && r < qr.size && c < qr.size && qr.modules[r]!.charAt(c) === '1';
  const lines: string[] = [];
  for (let r = -margin; r < qr.size + margin; r += 2) {
    let line = '';
    for (let c = -margin; c < qr.size + margin; c++) {
      const top = dark(r, c);
      const bottom = dark(r + 1, c);
      // Light is drawn as a block, dark as a space: readable on a dark terminal background.
      line += top ? (bottom ? ' ' : '▄') : bottom ? '▀' : '█';
    }
    lines.push(line);
  }
  return lines.join('\n');
}
