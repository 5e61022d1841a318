import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_IGNORES,
  IGNORE_FILE,
  IgnoreRules,
  parsePatterns,
  STAGING_DIR,
} from '../../../main/engine/ignore-rules.js';
import { toRelPath } from '../../../main/engine/relpath.js';
import { useTempDirs } from '../helpers/temp-dir.js';

describe('IgnoreRules', () => {
  const tempDir = useTempDirs();
  const none = new IgnoreRules([]);

  const defaults: [name: string, path: string, isDir: boolean, ignored: boolean][] = [
    ['macOS metadata', '.DS_Store', false, true],
    ['macOS metadata in a subfolder', 'photos/.DS_Store', false, true],
    ['AppleDouble files', 'docs/._report.pdf', false, true],
    ['Windows thumbnails', 'pics/Thumbs.db', false, true],
    ['desktop.ini', 'desktop.ini', false, true],
    ['the Windows recycle bin', '$RECYCLE.BIN', true, true],
    ['a file in the recycle bin', '$RECYCLE.BIN/x.txt', false, true],
    ['a Linux trash folder', '.Trash-1000', true, true],
    ['a FUSE leftover', '.fuse_hidden0001', false, true],
    ['an NFS leftover', '.nfs000123', false, true],
    ['a vim swap file', 'src/.main.ts.swp', false, true],
    ['a vim backup file', 'notes.txt~', false, true],
    ['vim write test file', 'dir/4913', false, true],
    ['an emacs lock file', '.#notes.org', false, true],
    ['an emacs autosave file', '#notes.org#', false, true],
    ['a LibreOffice lock file', '.~lock.report.odt#', false, true],
    ['an MS Office lock file', '~$report.docx', false, true],
    ['a partial Chrome download', 'big.iso.crdownload', false, true],
    ['a partial Firefox download', 'big.iso.part', false, true],
    ['an ordinary file', 'notes.txt', false, false],
    ['an ordinary folder', 'src', true, false],
    ['a file named like the recycle bin', '$RECYCLE.BIN', false, false],
    ['a name that only contains a tilde', 'a~b.txt', false, false],
    ['a name ending in .swp.txt', 'x.swp.txt', false, false],
    ['a file called 49130', '49130', false, false],
    ['the ignore file itself', IGNORE_FILE, false, false],
  ];
  it.each(defaults)('by default decides on %s', (_name, p, isDir, ignored) => {
    expect(none.ignores(toRelPath(p), isDir)).toBe(ignored);
  });

  it('always ignores the staging folder and what is in it', () => {
    const rules = new IgnoreRules([`!${STAGING_DIR}`, `!${STAGING_DIR}/**`]);
    expect(rules.ignores(toRelPath(STAGING_DIR), true)).toBe(true);
    expect(rules.ignores(toRelPath(STAGING_DIR), false)).toBe(true);
    expect(rules.ignores(toRelPath(`${STAGING_DIR}/tx-1/file`), false)).toBe(true);
    expect(rules.ignores(toRelPath(`${STAGING_DIR}x`), false)).toBe(false);
    expect(rules.ignores(toRelPath(`sub/${STAGING_DIR}`), true)).toBe(false);
  });

  it('keeps the default list as documented', () => {
    expect(DEFAULT_IGNORES).toContain('.DS_Store');
    expect(DEFAULT_IGNORES).toContain('*.swp');
  });

  it('applies directory patterns to directories and what they hold, not to files', () => {
    const rules = new IgnoreRules(['build/', 'cache/']);
    expect(rules.ignores(toRelPath('build'), true)).toBe(true);
    expect(rules.ignores(toRelPath('build'), false)).toBe(false);
    expect(rules.ignores(toRelPath('build/out.js'), false)).toBe(true);
    expect(rules.ignores(toRelPath('pkg/build'), true)).toBe(true);
    expect(rules.ignores(toRelPath('pkg/build/deep/x'), false)).toBe(true);
    expect(rules.ignores(toRelPath('builder'), true)).toBe(false);
  });

  it('anchors patterns with a leading slash to the root', () => {
    const rules = new IgnoreRules(['/tmp', '*.log', '!keep.log']);
    expect(rules.ignores(toRelPath('tmp'), true)).toBe(true);
    expect(rules.ignores(toRelPath('tmp/x'), false)).toBe(true);
    expect(rules.ignores(toRelPath('sub/tmp'), true)).toBe(false);
    expect(rules.ignores(toRelPath('a/b.log'), false)).toBe(true);
    expect(rules.ignores(toRelPath('keep.log'), false)).toBe(false);
  });

  it('lets a user pattern re-include a default', () => {
    const rules = new IgnoreRules(['!*.part']);
    expect(rules.ignores(toRelPath('chapter.part'), false)).toBe(false);
    expect(rules.ignores(toRelPath('.DS_Store'), false)).toBe(true);
  });

  describe('load', () => {
    it('reads the patterns of .lanfoldignore at the root', () => {
      const root = tempDir('ignore');
      writeFileSync(
        path.join(root, IGNORE_FILE),
        '# generated files\nnode_modules/\r\n\n*.tmp   \n  \n!important.tmp\n',
      );
      const rules = IgnoreRules.load(root);
      expect(rules.patterns).toEqual(['node_modules/', '*.tmp', '!important.tmp']);
      expect(rules.ignores(toRelPath('node_modules'), true)).toBe(true);
      expect(rules.ignores(toRelPath('a/node_modules/x/y.js'), false)).toBe(true);
      expect(rules.ignores(toRelPath('scratch.tmp'), false)).toBe(true);
      expect(rules.ignores(toRelPath('important.tmp'), false)).toBe(false);
      expect(rules.ignores(toRelPath('.DS_Store'), false)).toBe(true);
    });

    it('treats a missing ignore file as no user patterns', () => {
      const rules = IgnoreRules.load(tempDir('ignore'));
      expect(rules.patterns).toEqual([]);
      expect(rules.ignores(toRelPath('.DS_Store'), false)).toBe(true);
      expect(rules.ignores(toRelPath('x.tmp'), false)).toBe(false);
    });

    it('treats a directory named like the ignore file as no user patterns', () => {
      const root = tempDir('ignore');
      mkdirSync(path.join(root, IGNORE_FILE));
      expect(IgnoreRules.load(root).patterns).toEqual([]);
    });
  });
});

describe('parsePatterns', () => {
  const cases: [name: string, text: string, patterns: string[]][] = [
    ['an empty file', '', []],
    ['comments and blank lines', '# comment\n\n   \nkept\n', ['kept']],
    ['an indented hash, which is a pattern', '  #x\n', ['  #x']],
    ['CRLF line ends', 'a\r\nb\r\n', ['a', 'b']],
    ['trailing spaces', 'a  \n', ['a']],
    ['a last line without a newline', 'a\nb', ['a', 'b']],
    ['an escaped hash', '\\#file\n', ['\\#file']],
  ];
  it.each(cases)('parses %s', (_name, text, patterns) => {
    expect(parsePatterns(text)).toEqual(patterns);
  });
});
