/** The `lanfold` command line: builds the commander program and turns errors into one clear line and an exit code. */
import { Command, CommanderError } from 'commander';
import { isLanfoldError } from '../engine/errors.js';
import { LANFOLD_VERSION } from '../version.js';
import { registerApprove } from './commands/approve.js';
import { registerDemo } from './commands/demo.js';
import { registerGui } from './commands/gui.js';
import { registerInspect } from './commands/inspect.js';
import { registerLan } from './commands/lan.js';
import { registerPause } from './commands/pause.js';
import { registerPeers } from './commands/peers.js';
import { registerSetup } from './commands/setup.js';
import { registerStart } from './commands/start.js';
import { UsageError } from './context.js';

export function buildProgram(): Command {
  const program = new Command('lanfold')
    .description(
      'Lanfold keeps a folder identical on several machines of a LAN, with numbered versions.',
    )
    .version(LANFOLD_VERSION)
    .option(
      '--state <dir>',
      'state directory of this device (default: $LANFOLD_STATE or the config directory)',
    )
    // Usage errors from commander on one line, like every other error.
    .configureOutput({
      outputError: (text, write) =>
        write(
          `lanfold: ${text
            .replace(/^error: /, '')
            .trim()
            .split(/\s*\n\s*/)
            .join(' ')} (run \`lanfold --help\` for usage)\n`,
        ),
    })
    .exitOverride();
  registerSetup(program);
  registerPeers(program);
  registerDemo(program);
  registerStart(program);
  registerInspect(program);
  registerApprove(program);
  registerGui(program);
  registerLan(program);
  registerPause(program);
  return program;
}

/** Runs the CLI; returns the process exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError) {
      process.stderr.write(`lanfold: ${err.message}\n`);
      return 2;
    }
    if (isLanfoldError(err)) {
      process.stderr.write(`lanfold: ${err.toLine()}\n`);
      return 1;
    }
    process.stderr.write(
      `lanfold: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 70;
  }
}
