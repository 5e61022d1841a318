import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createTray } from '../../../main/electron/tray.js';
import { resetFakes, Tray } from './fake-electron.js';

vi.mock('electron', () => import('./fake-electron.js'));

interface Item {
  label?: string;
  type?: string;
  click?: () => void;
}

describe('createTray', () => {
  beforeEach(() => resetFakes());

  it('offers only Open and Quit (the API has no pause/resume) and wires them', () => {
    const actions = { open: vi.fn(), quit: vi.fn() };
    createTray('/app/resources/icon.png', actions);
    const tray = Tray.created[0]!;
    const items = (tray.menu as { template: Item[] }).template.filter(
      (i) => i.type !== 'separator',
    );
    expect(items.map((i) => i.label)).toEqual(['Open Lanfold', 'Quit']);
    items[0]?.click?.();
    items[1]?.click?.();
    tray.emit('click');
    expect(actions.open).toHaveBeenCalledTimes(2);
    expect(actions.quit).toHaveBeenCalledTimes(1);
  });
});
