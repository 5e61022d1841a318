/** Summaries of V8 CPU profiles (`node --cpu-prof`): where the time went, by function. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './lib.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  readonly fn: string;
  readonly where: string;
  readonly selfMs: number;
  readonly percent: number;
}

/** Self time per function (same name and location), largest first. */
export function summarizeProfile(
  file: string,
  top = 12,
): { totalMs: number; lines: ProfileLine[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const selfUs = new Map<string, { fn: string; where: string; us: number }>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    totalUs += dt;
    const frame = byId.get(id)?.callFrame;
    const fn = frame ? frame.functionName || '(anonymous)' : '(unknown)';
    const where = frame?.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${fn}\0${where}`;
    const entry = selfUs.get(key) ?? { fn, where, us: 0 };
    entry.us += dt;
    selfUs.set(key, entry);
  });
  const lines = [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({
      fn: e.fn,
      where: e.where,
      selfMs: e.us / 1000,
      percent: totalUs > 0 ? (100 * e.us) / totalUs : 0,
    }));
  return { totalMs: totalUs / 1000, lines };
}

function shortUrl(url: string): string {
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  return file.startsWith(REPO_ROOT) ? path.relative(REPO_ROOT, file) : file;
}
