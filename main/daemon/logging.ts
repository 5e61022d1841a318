/** The daemon's structured log: pino, JSON lines to the state directory's log file (and stderr if asked). */
import { pino, type Logger as PinoLogger } from 'pino';
import type { Logger } from '../engine/logger.js';

export function createLogger(options: {
  file?: string;
  level?: string;
  stderr?: boolean;
}): PinoLogger & Logger {
  const level = options.level ?? process.env.LANFOLD_LOG_LEVEL ?? 'info';
  const targets: pino.DestinationStream[] = [];
  if (options.file) targets.push(pino.destination({ dest: options.file, mkdir: true, sync: true }));
  if (options.stderr) targets.push(pino.destination({ dest: 2, sync: true }));
  if (targets.length === 0) return pino({ level: 'silent' });
  const stream =
    targets.length === 1
      ? targets[0]!
      : pino.multistream(targets.map((s) => ({ stream: s, level: level as pino.Level })));
  return pino({ level, base: { pid: process.pid } }, stream);
}
