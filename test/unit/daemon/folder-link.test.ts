import { describe, expect, it } from 'vitest';
import { FolderLink } from '../../../main/daemon/folder-link.js';
import { memoryLinkPair } from '../../../main/protocol/link.js';
import type { Message } from '../../../main/protocol/messages.js';

const A = { deviceId: 'A'.repeat(52), name: 'a' };
const B = { deviceId: 'B'.repeat(52), name: 'b' };
const ack: Message = { t: 'ack', folder: 'f', version: 3 };

function received(link: { onMessage(h: (m: Message) => void): void }): Message[] {
  const got: Message[] = [];
  link.onMessage((m) => got.push(m));
  return got;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('FolderLink', () => {
  it('passes messages on and names the peer of its connection', async () => {
    const [left, right] = memoryLinkPair(A, B);
    const got = received(right);
    const view = new FolderLink(left);
    expect(view.deviceId).toBe(B.deviceId);
    expect(view.name).toBe('b');
    view.send(ack);
    await tick();
    expect(got).toEqual([ack]);
  });

  it('drops what it sends while its folder is muted, without closing', async () => {
    const [left, right] = memoryLinkPair(A, B);
    const got = received(right);
    let muted = true;
    const view = new FolderLink(left, () => muted);
    view.send(ack);
    await tick();
    expect(got).toEqual([]);
    expect(view.closed).toBe(false);
    muted = false;
    view.send(ack);
    await tick();
    expect(got).toEqual([ack]);
  });

  it('can be cut alone: its close handlers run once, the connection stays open', async () => {
    const [left, right] = memoryLinkPair(A, B);
    const got = received(right);
    const view = new FolderLink(left);
    const other = new FolderLink(left);
    const reasons: string[] = [];
    view.onClose((r) => reasons.push(r));
    view.cut('paused');
    view.cut('again');
    expect(reasons).toEqual(['paused']);
    expect(view.closed).toBe(true);
    expect(left.closed).toBe(false);
    view.send(ack);
    other.send(ack);
    await tick();
    expect(got).toEqual([ack]);
    left.close('network');
    expect(reasons).toEqual(['paused']);
  });

  it('closes when its connection closes', () => {
    const [left] = memoryLinkPair(A, B);
    const view = new FolderLink(left);
    const reasons: string[] = [];
    view.onClose((r) => reasons.push(r));
    left.close('network cut');
    expect(view.closed).toBe(true);
    expect(reasons).toEqual(['network cut']);
  });
});
