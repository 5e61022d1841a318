/**
 * The "Add a folder" form's rules, as a pure function of what was typed: the problem of
 * each field in words, or the request to send. The daemon checks everything again (the
 * folder must exist, be readable, not overlap another); this catches typing mistakes first.
 */
import type { AddFolder } from '../../../../main/api/contract';

export interface AddFolderFields {
  readonly role: 'master' | 'replica';
  readonly path: string;
  readonly id: string;
  /** The device a replica follows (its ID). */
  readonly upstream: string;
}

export interface AddFolderCheck {
  readonly problems: { readonly path?: string; readonly id?: string; readonly upstream?: string };
  /** The request, when there is no problem. */
  readonly request?: AddFolder;
}

const FOLDER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

export function checkAddFolder(
  fields: AddFolderFields,
  existingIds: readonly string[],
): AddFolderCheck {
  const path = fields.path.trim();
  const id = fields.id.trim();
  const problems: { path?: string; id?: string; upstream?: string } = {};
  if (path === '') problems.path = 'Choose the folder, or type its full path.';
  else if (!isAbsolute(path))
    problems.path = 'Type the full path, starting at the top (for example /home/ana/Documents).';
  if (id === '' && fields.role === 'replica')
    problems.id = 'Type the folder ID the master shows for this folder.';
  else if (id !== '' && !FOLDER_ID.test(id))
    problems.id =
      'Use 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit.';
  else if (id !== '' && existingIds.includes(id))
    problems.id = `This device already has a folder “${id}”.`;
  if (fields.role === 'replica' && fields.upstream === '')
    problems.upstream = 'Choose the device that is the master of this folder.';
  if (Object.keys(problems).length > 0) return { problems };
  const request: AddFolder =
    fields.role === 'master'
      ? { role: 'master', path, ...(id !== '' ? { id } : {}) }
      : { role: 'replica', path, id, upstreams: [fields.upstream] };
  return { problems, request };
}
