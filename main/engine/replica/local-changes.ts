/**
 * Finds local edits in a replica folder: paths whose disk state differs from what the
 * replica last applied (modified, added, deleted). They are reported, never recorded as
 * versions: a replica is a mirror, and the next master version that touches such a path
 * keeps the local copy as a conflict file first.
 */
import type { Entry } from '../entry.js';
import { IgnoreRules } from '../ignore-rules.js';
import type { RelPath } from '../relpath.js';
import { diffState, inScope, type Scope } from '../scan/plan.js';
import { statPath, walk } from '../scan/walk.js';

export type LocalChangeKind = 'modified' | 'added' | 'deleted';

export interface LocalChange {
  readonly path: RelPath;
  readonly kind: LocalChangeKind;
}

/**
 * The local changes within `scope`. `sameContent` settles files whose metadata moved but
 * whose content may not have (a touch, a copy-back).
 */
export async function findLocalChanges(
  root: string,
  index: ReadonlyMap<string, Entry>,
  scope: Scope,
  sameContent: (rel: RelPath, known: Entry) => boolean,
): Promise<LocalChange[]> {
  const rules = IgnoreRules.load(root);
  let observed;
  if (scope.all) {
    observed = await walk(root, rules);
  } else {
    observed = [];
    for (const r of scope.roots) {
      const st = statPath(root, r);
      if (!st || rules.ignores(r, st.kind === 'dir')) continue;
      observed.push(st);
      if (st.kind === 'dir') observed.push(...(await walk(root, rules, r)));
    }
  }
  const diff = diffState(
    index,
    observed.filter((s) => inScope(s.path, scope)),
    scope,
  );
  const out: LocalChange[] = [];
  for (const { stat, prev } of diff.changed) {
    if (!prev) {
      out.push({ path: stat.path, kind: 'added' });
      continue;
    }
    if (stat.kind === 'dir' && prev.kind === 'dir') continue; // directory modes are not worth a warning
    if (
      stat.kind === 'file' &&
      prev.kind === 'file' &&
      stat.mode === prev.mode &&
      stat.size === prev.size &&
      sameContent(stat.path, prev)
    )
      continue;
    out.push({ path: stat.path, kind: 'modified' });
  }
  for (const d of diff.deleted) out.push({ path: d.path, kind: 'deleted' });
  return out;
}
