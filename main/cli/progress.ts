/** A one-line progress bar on stderr, redrawn at most ten times a second; silent when stderr is not a terminal. */
import { formatBytes, formatCount } from './format.js';

export class ProgressLine {
  private lastDraw = 0;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = stream.isTTY;
  }

  update(
    label: string,
    done: number,
    total: number,
    bytes?: { done: number; total: number },
  ): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && done < total) return;
    this.lastDraw = now;
    const width = 24;
    const ratio =
      total > 0
        ? Math.min(1, bytes && bytes.total > 0 ? bytes.done / bytes.total : done / total)
        : 0;
    const bar =
      total > 0
        ? `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] ${String(Math.floor(ratio * 100)).padStart(3)}% `
        : '';
    const counts = total > 0 ? `${formatCount(done)}/${formatCount(total)}` : formatCount(done);
    const size = bytes ? ` ${formatBytes(bytes.done)}/${formatBytes(bytes.total)}` : '';
    this.stream.write(`\r\x1b[2K${label} ${bar}${counts}${size}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
