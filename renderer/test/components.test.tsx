import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ReplicaLag } from '../src/api/types';
import { EmptyState } from '../src/components/EmptyState';
import { ProgressBar } from '../src/components/ProgressBar';
import { ReplicaLagList } from '../src/screens/overview/ReplicaLagList';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

describe('ReplicaLagList', () => {
  const replicas: ReplicaLag[] = [
    {
      deviceId: 'A'.repeat(52),
      name: 'desk',
      connected: true,
      version: 1234,
      connectedAt: 1,
      lag: { versions: 6, files: 3, bytes: 1_200_000 },
    },
    {
      deviceId: 'BCDEFGH'.padEnd(52, 'B'),
      name: '',
      connected: false,
      version: null,
      connectedAt: null,
      lag: null,
    },
  ];

  it('lists each replica with its exact lag, and names unnamed ones by their ID', () => {
    const html = renderToString(<ReplicaLagList replicas={replicas} head={1240} empty="none" />);
    expect(html).toContain('aria-label="Replicas"');
    expect(text(html)).toContain('desk v1,234 of 1,240: 6 versions, 3 files, 1.2 MB behind Behind');
    expect(text(html)).toContain('BCDEFGH Not connected; it catches up when it comes back Offline');
  });

  it('says what to do when the folder is shared with nobody', () => {
    const html = renderToString(
      <ReplicaLagList replicas={[]} head={3} empty={<a href="#/x">Share it</a>} />,
    );
    expect(text(html)).toBe('Share it');
    expect(html).not.toContain('<ul');
  });
});

describe('EmptyState and ProgressBar', () => {
  it('labels the empty state by its title and shows its action', () => {
    const html = renderToString(
      <EmptyState icon="folder" title="No folders yet" action={<button>Add folder</button>}>
        <p>Add one.</p>
      </EmptyState>,
    );
    expect(html).toContain('aria-label="No folders yet"');
    expect(text(html)).toBe('No folders yet Add one. Add folder');
  });

  it('exposes progress to screen readers', () => {
    const html = renderToString(<ProgressBar value={0.25} label="Downloading" />);
    expect(html).toMatch(/role="progressbar"/);
    expect(html).toMatch(/aria-valuenow="25"/);
  });
});
