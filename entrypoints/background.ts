import { defineBackground } from 'wxt/utils/define-background';
import { runDiagnostics } from '../src/background/diagnostics';
import { createExtensionEngine } from '../src/background/extension-engine';
import { maintain } from '../src/background/maintenance';
import { registerHandlers } from '../src/background/register-handlers';
import { mark, timings } from '../src/core/timings';
import { registerToolbar, runCommand } from '../src/background/toolbar';
import { followPermissionRemovals } from '../src/background/generic-sites';

const DRAIN_ALARM = 'engram-drain-queue';

export default defineBackground({
  type: 'module',
  main() {
    mark('main'); // every module of the worker evaluated
    const engine = createExtensionEngine();
    registerHandlers(engine);
    registerToolbar();
    followPermissionRemovals();
    // A safety net for retries with backoff: the worker may be stopped before its timers fire.
    void chrome.alarms.create(DRAIN_ALARM, { periodInMinutes: 1 });
    chrome.alarms.onAlarm.addListener((alarm) => {
      if (alarm.name === DRAIN_ALARM) void engine.ready.then(() => maintain(engine));
    });
    // For the service worker's DevTools console (and the end-to-end tests): `await engram.memory.search('…')`.
    Object.assign(globalThis, {
      engram: { memory: engine.memory, models: engine.models, queue: engine.queue, diagnostics: () => runDiagnostics(engine), timings, command: runCommand },
    });
  },
});
