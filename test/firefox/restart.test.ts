/**
 * A browser restart in Firefox: Engram installed for good in the profile (as from
 * addons.mozilla.org, not as a temporary add-on), memories told before the restart are kept, listed,
 * and injected after it, with the user's settings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { CHATGPT, CLAUDE, FirefoxEngram } from './firefox';

const FACT = "I'm vegetarian and I live in Berlin";
const QUESTION = 'Can you suggest a restaurant near me for tonight?';

let firefox: FirefoxEngram | null = null;
const profileDir = mkdtempSync(join(tmpdir(), 'engram-firefox-restart-'));
afterEach(async () => {
  await firefox?.close();
  firefox = null;
  rmSync(profileDir, { recursive: true, force: true });
});

it('memories and settings survive a browser restart on the same profile', async () => {
  firefox = await FirefoxEngram.launch({ profileDir, install: 'profile' });
  await firefox.send(await firefox.openChat(CHATGPT), CHATGPT, FACT);
  const before = await firefox.waitForMemories(2);
  await firefox.close();

  // The same profile, its settings as the user left them (nothing set by the test this time).
  firefox = await FirefoxEngram.launch({ profileDir, install: 'profile', control: null });
  expect((await firefox.memories()).sort()).toEqual([...before].sort());
  const control = await firefox.background(async (scope) => (await scope.chrome.storage.local.get<{ control?: { mode?: string; onboarded?: boolean } }>('control')).control);
  expect(control).toMatchObject({ mode: 'automatic', onboarded: true });

  // Told on ChatGPT before the restart, added on Claude after it.
  const prompt = await firefox.send(await firefox.openChat(CLAUDE), CLAUDE, QUESTION);
  expect(prompt).toContain('vegetarian');
  expect(prompt).toContain('Berlin');
  expect(prompt.endsWith(QUESTION)).toBe(true);
});
