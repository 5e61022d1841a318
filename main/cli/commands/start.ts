/** `lanfold start`: runs the daemon in the foreground until SIGINT or SIGTERM, then stops it cleanly. */
import type { Command } from 'commander';
import { isLoopbackHost } from '../../daemon/api/access.js';
import { splitHostPort } from '../../daemon/config.js';
import { Daemon } from '../../daemon/daemon.js';
import { createLogger } from '../../daemon/logging.js';
import { statePaths } from '../../daemon/state-dir.js';
import { formatBytes } from '../format.js';
import { ProgressLine } from '../progress.js';
import { print, stateDirOf, UsageError } from '../context.js';

/** A loopback HOST:PORT: the only kind of address the control API listens on. */
function isGuiAddress(raw: string): boolean {
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(raw)) return false;
  const { host, port } = splitHostPort(raw);
  return port <= 65535 && isLoopbackHost(host);
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the daemon in the foreground (Ctrl-C stops it cleanly)')
    .option('--quiet', 'print nothing but errors')
    .option('--log-stderr', 'also write the structured log to stderr')
    .option('--listen <host:port>', 'listen for devices here instead of the address set at init')
    .option(
      '--gui <host:port>',
      'serve the control API and UI here (loopback) instead of the address set at init',
    )
    .action(
      async (
        opts: { quiet?: boolean; logStderr?: boolean; listen?: string; gui?: string },
        cmd: Command,
      ) => {
        if (
          opts.listen !== undefined &&
          !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(opts.listen)
        ) {
          throw new UsageError(`--listen must be HOST:PORT, not "${opts.listen}"`);
        }
        if (opts.gui !== undefined && !isGuiAddress(opts.gui)) {
          throw new UsageError(
            `--gui must be a loopback HOST:PORT such as 127.0.0.1:47211, not "${opts.gui}"`,
          );
        }
        const dir = stateDirOf(cmd);
        const logger = createLogger({
          file: statePaths(dir).logFile,
          stderr: opts.logStderr ?? false,
        });
        const progress = new ProgressLine();
        const say = (text: string) => {
          if (opts.quiet) return;
          progress.clear();
          print(text);
        };
        const daemon = await Daemon.start(
          dir,
          logger,
          {
            onVersion: (folder, v) =>
              say(
                `${folder}: v${v.seq} recorded, ${v.changes} change${v.changes === 1 ? '' : 's'}${v.bytes ? `, ${formatBytes(v.bytes)} new` : ''} (${v.method})`,
              ),
            onProgress: (folder, p) => {
              if (opts.quiet) return;
              if (p.phase === 'walking') progress.update(`${folder}: reading folder`, p.files, 0);
              else
                progress.update(`${folder}: hashing`, p.files, p.totalFiles, {
                  done: p.bytes,
                  total: p.totalBytes,
                });
            },
            onFolderError: (folder, message) => {
              progress.clear();
              process.stderr.write(`lanfold: folder ${folder}: ${message}\n`);
            },
            onConflict: (folder, path, keptAs) =>
              say(`${folder}: local change to ${path} kept as ${keptAs}`),
          },
          {
            ...(opts.listen ? { listen: opts.listen } : {}),
            ...(opts.gui ? { gui: opts.gui } : {}),
          },
        );
        progress.clear();
        say(
          `Lanfold running as "${daemon.state.device.name}" with ${daemon.state.folders.length} folder(s). Press Ctrl-C to stop.`,
        );
        say(`Listening for devices on port ${daemon.listenPort}.`);
        if (daemon.guiAddress)
          say(
            `Control API and UI on http://${daemon.guiAddress} (\`lanfold gui-url\` prints a signed-in address).`,
          );
        else
          process.stderr.write(
            `lanfold: the control API is not running: ${daemon.guiError ?? 'unknown reason'}\n`,
          );
        // The handlers go in before READY is printed: whoever waits for READY may signal at
        // once, and a signal that came before them would kill the process unstopped (a test
        // under load saw exit 130 that way).
        const stopped = new Promise<void>((resolve) => {
          let stopping = false;
          const stop = (signal: NodeJS.Signals) => {
            if (stopping) {
              process.stderr.write('lanfold: stopping now\n');
              process.exit(130);
            }
            stopping = true;
            say(`Stopping (${signal})...`);
            daemon.stop().then(resolve, (err: unknown) => {
              process.stderr.write(`lanfold: stopping failed: ${String(err)}\n`);
              resolve();
            });
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        print('READY');
        await stopped;
        logger.flush();
      },
    );
}
