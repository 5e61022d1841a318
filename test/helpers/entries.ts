/** Version-log entries and wire messages that tests build by hand. */
import type { FileDigest } from '../../main/engine/chunker.js';
import type { NewEntry } from '../../main/engine/entry.js';
import { toRelPath } from '../../main/engine/relpath.js';
import type { MessageOf } from '../../main/protocol/messages.js';

/** A file added with the content `digest` describes (mode 0o644, mtime 1 unless given). */
export function fileEntry(
  rel: string,
  digest: FileDigest,
  fields: Partial<Pick<NewEntry, 'mtimeMs' | 'mode'>> = {},
): NewEntry {
  return {
    path: toRelPath(rel),
    op: 'add',
    kind: 'file',
    size: digest.size,
    mtimeMs: fields.mtimeMs ?? 1,
    mode: fields.mode ?? 0o644,
    ino: 0,
    hash: digest.hash,
    target: null,
    chunks: digest.chunks,
    movedFrom: null,
  };
}

/** A two-phase prepare of folder `f` whose version (`prior` to `version`) adds the directory `dir`. */
export function prepareAddingDir(
  tx: string,
  prior: number,
  version: number,
  dir: string,
): MessageOf<'prepare'> {
  const now = Date.now();
  return {
    t: 'prepare',
    folder: 'f',
    tx,
    prior,
    version: {
      prior,
      version,
      createdAt: now,
      method: '2pc',
      entries: [
        {
          path: toRelPath(dir),
          op: 'add',
          kind: 'dir',
          size: 0,
          mtimeMs: now,
          mode: 0o755,
          hash: null,
          target: null,
          chunks: null,
          movedFrom: null,
        },
      ],
    },
    inline: [],
  };
}
