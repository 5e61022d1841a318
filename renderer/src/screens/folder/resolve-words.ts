/**
 * The words of the keep / revert choices on a replica's local changes and conflict copies:
 * what each change is, and what reverting it will do (said before it is done).
 */

export const changeWords: Record<string, string> = {
  added: 'Added here',
  modified: 'Changed here',
  deleted: 'Deleted here',
};

/** Whether a path is a conflict copy Lanfold made (`notes.conflict-ABCD2345-20261126-091500.txt`). */
export function isConflictCopy(path: string): boolean {
  return /\.conflict-[A-Z2-7]{8}-\d{8}-\d{6}(\.[^/]*)?(-\d+)?$/.test(path);
}

export interface RevertQuestion {
  readonly title: string;
  readonly body: string;
  readonly confirm: string;
  readonly danger: boolean;
}

/** The confirmation before reverting a local change of `kind` at `path`. */
export function revertQuestion(path: string, kind: string): RevertQuestion {
  switch (kind) {
    case 'added':
      return {
        title: `Delete ${path}?`,
        body: `The master does not have ${path}: reverting deletes it from this computer. It cannot be brought back by Lanfold.`,
        confirm: 'Delete it',
        danger: true,
      };
    case 'deleted':
      return {
        title: `Bring back ${path}?`,
        body: `The master’s version of ${path} is put back on this computer.`,
        confirm: 'Bring it back',
        danger: false,
      };
    default:
      return {
        title: `Revert ${path}?`,
        body: `The master’s version of ${path} replaces yours. Your edit is lost; keep a copy elsewhere first if you need it.`,
        confirm: 'Revert to the master’s version',
        danger: true,
      };
  }
}

/** The confirmation before deleting a conflict copy. */
export function discardQuestion(path: string, keptAs: string): RevertQuestion {
  return {
    title: `Delete your copy of ${path}?`,
    body: `${keptAs} holds the version you edited here. Deleting it leaves only the master’s version of ${path}.`,
    confirm: 'Delete my copy',
    danger: true,
  };
}
