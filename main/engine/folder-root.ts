/** The check every folder root passes before Lanfold uses it: it exists, is a directory, and can be read. */
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { errnoCode, LanfoldError } from './errors.js';

/** Checks that `root` is a readable directory; returns its device:inode identity. */
export function checkFolderRoot(root: string): string {
  let st;
  try {
    st = statSync(root);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new LanfoldError(
        'FOLDER_MISSING',
        `Folder ${root} does not exist`,
        'create it, or check the path',
      );
    }
    throw new LanfoldError(
      'FOLDER_UNREADABLE',
      `Folder ${root} cannot be read: ${code ?? String(err)}`,
    );
  }
  if (!st.isDirectory()) throw new LanfoldError('FOLDER_MISSING', `${root} is not a directory`);
  try {
    accessSync(root, fsConstants.R_OK | fsConstants.X_OK);
  } catch (err) {
    throw new LanfoldError(
      'FOLDER_UNREADABLE',
      `Folder ${root} cannot be read: ${errnoCode(err) ?? String(err)}`,
      'give this user read and search permission on it',
    );
  }
  return `${st.dev}:${st.ino}`;
}
