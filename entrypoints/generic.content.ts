import { defineContentScript } from 'wxt/utils/define-content-script';
import { runContentScript } from '../src/capture/run-content-script';
import { createGenericAdapter } from '../src/sites/generic/adapter';

/**
 * Engram on a site the user turned it on for (the popup). Not in the manifest: the background
 * registers it for that origin only, once the user granted its host permission, and removes it
 * with the permission (src/background/generic-sites.ts).
 */
export default defineContentScript({
  registration: 'runtime',
  matches: [],
  main(ctx) {
    runContentScript(createGenericAdapter(), ctx.signal);
  },
});
