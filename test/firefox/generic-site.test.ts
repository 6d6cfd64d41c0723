/**
 * Another chat site, turned on from the popup in Firefox (permissions.request, then
 * scripting.registerContentScripts for that origin only and executeScript into the open tab): a
 * fact told there is remembered and the next related prompt gets it; turned off, neither happens.
 */
import { afterEach, expect, it } from 'vitest';
import { BLOCK_HEADER } from '../../src/inject/memory-block';
import { buttonNamed, FirefoxEngram, OTHER_SITE, waitFor } from './firefox';

const FACT = "I'm vegetarian and I live in Berlin";
const QUESTION = 'Can you suggest a restaurant near me for tonight?';

let firefox: FirefoxEngram | null = null;
afterEach(async () => {
  await firefox?.close();
  firefox = null;
});

it('turned on for another chat site from the popup, Engram remembers and injects there; turned off, neither', async () => {
  const engram = (firefox = await FirefoxEngram.launch());
  const registered = (): Promise<string[][]> => engram.background(async (scope) => (await scope.chrome.scripting.getRegisteredContentScripts()).map((s) => s.matches ?? []));
  const page = await engram.openChat(OTHER_SITE);
  expect(await engram.send(page, OTHER_SITE, 'I have a cat named Tom')).toBe('I have a cat named Tom');

  const popup = await engram.popupWindow();
  await (await buttonNamed(popup, 'Turn on for chat.example.org')).click();
  await buttonNamed(popup, 'Turn off for chat.example.org');
  expect(await registered()).toEqual([['https://chat.example.org/*']]);
  await popup.close();

  // The open page works at once, without a reload.
  await engram.send(page, OTHER_SITE, FACT);
  const memories = await engram.waitForMemories(2);
  expect(memories.join(' ')).not.toContain('Tom'); // said before it was on
  const prompt = await engram.send(await engram.openChat(OTHER_SITE), OTHER_SITE, QUESTION);
  expect(prompt.startsWith(BLOCK_HEADER), prompt).toBe(true);
  expect(prompt).toContain('Berlin');
  expect(prompt.endsWith(QUESTION)).toBe(true);

  // Turned off: the script is gone, and a new page gets nothing.
  const tab = await engram.openChat(OTHER_SITE);
  const again = await engram.popupWindow();
  await (await buttonNamed(again, 'Turn off for chat.example.org')).click();
  await waitFor(async () => (await registered()).length === 0, 'the script to be unregistered');
  await again.close();
  await tab.close();
  expect(await engram.send(await engram.openChat(OTHER_SITE), OTHER_SITE, QUESTION)).toBe(QUESTION);
});
