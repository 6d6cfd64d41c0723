/**
 * The toolbar button: "Pause Engram" in its context menu, a badge while paused, and the extension
 * command that inserts memories in manual mode (sent to the tab the user pressed it on).
 */
import { readControl, updateControl, watchControl } from '../adapters/control-storage';
import { INSERT_MEMORIES_COMMAND, type ControlSettings } from '../core/control';
import { sendToTab } from '../messaging/protocol';

const PAUSE_MENU = 'engram-pause';

function showPaused(settings: ControlSettings): void {
  void chrome.action.setBadgeText({ text: settings.paused ? 'II' : '' });
  void chrome.action.setBadgeBackgroundColor({ color: '#4b5563' });
  void chrome.action.setTitle({ title: settings.paused ? 'Engram is paused: no memories are added or remembered' : 'Engram memories' });
  chrome.contextMenus.update(PAUSE_MENU, { checked: settings.paused }, () => {
    if (chrome.runtime.lastError) return; // the menu is created on install; nothing to update before
  });
}

export function registerToolbar(): void {
  chrome.runtime.onInstalled.addListener(() => {
    chrome.contextMenus.create({ id: PAUSE_MENU, title: 'Pause Engram', type: 'checkbox', contexts: ['action'] }, () => {
      if (chrome.runtime.lastError) console.warn('[Engram] the pause menu:', chrome.runtime.lastError.message); // already there after an update
      void readControl().then(showPaused);
    });
  });
  chrome.contextMenus.onClicked.addListener((info) => {
    if (info.menuItemId !== PAUSE_MENU) return;
    void updateControl((c) => ({ ...c, paused: info.checked === true }));
  });
  watchControl(showPaused);
  void readControl().then(showPaused);
  chrome.commands.onCommand.addListener((command, tab) => {
    void runCommand(command, tab);
  });
}

/** What an extension command does (the browser calls it on the user's shortcut). */
export async function runCommand(command: string, tab?: chrome.tabs.Tab): Promise<void> {
  if (command !== INSERT_MEMORIES_COMMAND || tab?.id === undefined) return;
  await sendToTab('insertMemories', undefined, tab.id).catch(() => undefined); // not a chat page: nothing to do
}
