/**
 * Which paths belong to a folder: `.lanfoldignore` (gitignore syntax) at the folder root
 * plus defaults for editor droppings and OS metadata. Lanfold's staging folder is always
 * ignored, whatever the patterns say.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { errnoCode } from './errors.js';
import type { RelPath } from './relpath.js';

/** Lanfold's own area inside a synced folder: staged files live here (same filesystem). */
export const STAGING_DIR = '.lanfold-staging';
export const IGNORE_FILE = '.lanfoldignore';

export const DEFAULT_IGNORES: readonly string[] = [
  '.DS_Store',
  '._*',
  'Thumbs.db',
  'ehthumbs.db',
  'desktop.ini',
  '$RECYCLE.BIN/',
  '.Trash-*/',
  '.fuse_hidden*',
  '.nfs*',
  // Editors: vim swap and backup files, emacs lock and autosave files, vim's write test
  // file, LibreOffice and MS Office lock files, partial downloads.
  '*.swp',
  '*.swo',
  '*.swx',
  '*~',
  '.#*',
  '\\#*#', // escaped: a pattern starting with # is a comment
  '4913',
  '.~lock.*#',
  '~$*',
  '*.crdownload',
  '*.part',
];

export class IgnoreRules {
  private readonly matcher: Ignore;
  /** The user's patterns, as read from `.lanfoldignore`. */
  readonly patterns: readonly string[];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns;
    this.matcher = ignore({ allowRelativePaths: false })
      .add([...DEFAULT_IGNORES])
      .add([...patterns]);
  }

  /** Reads `.lanfoldignore` from the folder root; a missing file means no user patterns. */
  static load(root: string): IgnoreRules {
    let text = '';
    try {
      text = readFileSync(path.join(root, IGNORE_FILE), 'utf8');
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'EISDIR') throw err;
    }
    return new IgnoreRules(parsePatterns(text));
  }

  ignores(rel: RelPath, isDir: boolean): boolean {
    if (rel === STAGING_DIR || rel.startsWith(STAGING_DIR + '/')) return true;
    return this.matcher.ignores(isDir ? `${rel}/` : rel);
  }
}

export function parsePatterns(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
