import { defineBackground } from 'wxt/utils/define-background';
import { runDiagnostics } from '../src/background/diagnostics';
import { createExtensionEngine } from '../src/background/extension-engine';
import { maintain } from '../src/background/maintenance';
import { registerHandlers } from '../src/background/register-handlers';
import { mark, timings } from '../src/core/timings';
import { registerToolbar, runCommand } from '../src/background/toolbar';
import { followPermissionRemovals } from '../src/background/generic-sites';
import { registerOnboardingTab } from '../src/background/onboarding-tab';

const DRAIN_ALARM = 'engram-drain-queue';

export default defineBackground({
  type: 'module',
  main() {
    mark('main'); // every module of the worker evaluated
    registerOnboardingTab(); // first: the install event may be what started the worker
    const engine = createExtensionEngine();
    registerHandlers(engine);
    registerToolbar();
    followPermissionRemovals();
    // A safety net for retries with backoff: the worker may be stopped before its timers fire.
    void chrome.alarms.create(DRAIN_ALARM, { periodInMinutes: 1 });
    // One maintenance at a time: at 100,000 memories one outlasts the minute between alarms (a
    // consolidation reads every memory and vector), and each alarm used to start another beside it.
    let maintaining: Promise<void> | null = null;
    chrome.alarms.onAlarm.addListener((alarm) => {
      if (alarm.name !== DRAIN_ALARM || maintaining) return;
      maintaining = engine.ready
        .then(async () => {
          // Locked (encryption at rest): nothing can be read or written until the user unlocks.
          if (engine.lock?.vault.locked) return;
          await maintain(engine);
        })
        .catch((error: unknown) => {
          console.warn('[Engram] maintenance will be tried again at the next alarm', error);
        })
        .finally(() => {
          maintaining = null;
        });
    });
    // For the service worker's DevTools console (and the end-to-end tests): `await engram.memory.search('…')`.
    Object.assign(globalThis, {
      engram: { memory: engine.memory, models: engine.models, queue: engine.queue, diagnostics: () => runDiagnostics(engine), timings, command: runCommand },
    });
  },
});
