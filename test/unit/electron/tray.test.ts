import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createTray } from '../../../main/electron/tray.js';
import { resetFakes, Tray } from './fake-electron.js';

vi.mock('electron', () => import('./fake-electron.js'));

interface Item {
  label?: string;
  type?: string;
  enabled?: boolean;
  click?: () => void;
}

function items(tray: Tray): Item[] {
  return (tray.menu as { template: Item[] }).template.filter((i) => i.type !== 'separator');
}

describe('createTray', () => {
  beforeEach(() => resetFakes());

  function make() {
    const actions = { open: vi.fn(), pauseAll: vi.fn(), resumeAll: vi.fn(), quit: vi.fn() };
    const made = createTray('/app/resources/icons/32x32.png', actions);
    return { actions, made, tray: Tray.created[0]! };
  }

  it('starts with nothing to pause or resume until the daemon answers, and wires Open and Quit', () => {
    const { actions, tray } = make();
    const menu = items(tray);
    expect(menu.map((i) => i.label)).toEqual([
      'Lanfold is not answering',
      'Open Lanfold',
      'Pause syncing',
      'Resume syncing',
      'Quit',
    ]);
    expect(menu.map((i) => i.enabled)).toEqual([false, undefined, false, false, undefined]);
    menu[1]?.click?.();
    menu[4]?.click?.();
    tray.emit('click');
    expect(actions.open).toHaveBeenCalledTimes(2);
    expect(actions.quit).toHaveBeenCalledTimes(1);
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Lanfold: Lanfold is not answering');
  });

  it('redraws the summary and offers pause or resume as the state says', () => {
    const { actions, made, tray } = make();
    made.update({ summary: 'All 2 folders in sync', canPause: true, canResume: false });
    let menu = items(tray);
    expect(menu[0]?.label).toBe('All 2 folders in sync');
    expect(menu[2]).toMatchObject({ label: 'Pause syncing', enabled: true });
    expect(menu[3]).toMatchObject({ label: 'Resume syncing', enabled: false });
    menu[2]?.click?.();
    expect(actions.pauseAll).toHaveBeenCalledTimes(1);
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Lanfold: All 2 folders in sync');

    made.update({ summary: 'Paused (2 folders)', canPause: false, canResume: true });
    menu = items(tray);
    expect(menu[3]).toMatchObject({ label: 'Resume syncing', enabled: true });
    menu[3]?.click?.();
    expect(actions.resumeAll).toHaveBeenCalledTimes(1);
  });
});
