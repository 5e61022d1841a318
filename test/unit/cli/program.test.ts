import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../main/cli/program.js';

/** Every command that runs something (no subcommands), by its full name. */
function leaves(cmd: Command, prefix = ''): Map<string, Command> {
  const out = new Map<string, Command>();
  for (const sub of cmd.commands) {
    const name = `${prefix}${sub.name()}`;
    if (sub.commands.length > 0) for (const [n, c] of leaves(sub, `${name} `)) out.set(n, c);
    else out.set(name, sub);
  }
  return out;
}

/** Commands that print no data, only a message or a running log, and why. */
const WITHOUT_JSON: Record<string, string> = {
  start: 'runs the daemon in the foreground; prints progress and log lines',
  demo: 'a show of a master and replicas syncing; prints a narration',
  'peer remove': 'prints one line of confirmation',
  'pair cancel': 'prints one line of confirmation',
};

describe('lanfold program', () => {
  it('offers --json on every command that prints data', () => {
    const commands = leaves(buildProgram());
    expect(commands.size).toBeGreaterThan(20);
    const withoutJson = [...commands]
      .filter(([, c]) => !c.options.some((o) => o.long === '--json'))
      .map(([name]) => name)
      .sort();
    expect(withoutJson).toEqual(Object.keys(WITHOUT_JSON).sort());
    // The commands issue 2 names print data, so they must be among those with --json.
    for (const name of ['init', 'folder add', 'status', 'history', 'show', 'diff'])
      expect(
        commands.get(name)?.options.some((o) => o.long === '--json'),
        name,
      ).toBe(true);
  });

  it('takes --state for the state directory on every command', () => {
    const program = buildProgram();
    expect(program.options.find((o) => o.long === '--state')?.required).toBe(true);
    // A global option: every command sees it (commander reads it before the subcommand).
    for (const [name, c] of leaves(program))
      expect(
        c.options.some((o) => o.long === '--state'),
        `${name} must not shadow --state`,
      ).toBe(false);
  });
});
