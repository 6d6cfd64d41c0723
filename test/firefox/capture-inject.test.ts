/**
 * Capture → store → inject in Firefox, on the ChatGPT and Claude fixtures served at their real
 * URLs: a fact told in one chat is added to a related prompt in a new chat, in the prompt the site
 * receives; an unrelated prompt goes out as typed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BLOCK_FOOTER, BLOCK_HEADER } from '../../src/inject/memory-block';
import { FirefoxEngram, SITES } from './firefox';

const FACT = "I'm vegetarian and I live in Berlin";
const QUESTION = 'Can you suggest a restaurant near me for tonight?';
const UNRELATED = 'Explain how photosynthesis works in plants';

const occurrences = (text: string, part: string): number => text.split(part).length - 1;

/** The memory block at the head of a prompt, or null. */
function blockOf(prompt: string): string | null {
  const start = prompt.indexOf(BLOCK_HEADER);
  const end = prompt.indexOf(BLOCK_FOOTER);
  return start === 0 && end > start ? prompt.slice(start, end + BLOCK_FOOTER.length) : null;
}

let firefox: FirefoxEngram | null = null;
afterEach(async () => {
  await firefox?.close();
  firefox = null;
});

for (const site of SITES) {
  describe(`${site.name} in Firefox`, () => {
    it('a fact told in one chat is in the prompt of the next, once, ahead of the unchanged question; an unrelated one goes as typed', async () => {
      firefox = await FirefoxEngram.launch();
      const first = await firefox.openChat(site);
      // Nothing to remember yet: sent as typed (Claude's by its send button, ChatGPT's with Enter).
      expect(await firefox.send(first, site, FACT, site.name === 'Claude' ? 'button' : 'enter')).toBe(FACT);

      const memories = await firefox.waitForMemories(2);
      expect(memories.join(' | ')).toContain('vegetarian');
      expect(memories.join(' | ')).toContain('Berlin');
      // Stored with where it was said: this site.
      const stored = await firefox.background(async (scope) => (await scope.engram.memory.getAll({ filters: { user_id: 'me' } })).results.map((m) => m.site));
      expect(stored).toEqual([site.id, site.id]);

      const next = await firefox.openChat(site);
      const prompt = await firefox.send(next, site, QUESTION);
      const block = blockOf(prompt);
      expect(block, `prompt received:\n${prompt}`).not.toBeNull();
      expect(block).toContain('vegetarian');
      expect(block).toContain('Berlin');
      expect(occurrences(prompt, BLOCK_HEADER)).toBe(1);
      expect(occurrences(prompt, 'vegetarian')).toBe(1);
      expect(prompt.slice(block!.length).trim()).toBe(QUESTION);

      expect(await firefox.send(next, site, UNRELATED)).toBe(UNRELATED);
      // The injected block, captured back with the question, did not become memories.
      expect(await firefox.waitForMemories(2)).toHaveLength(2);
    });
  });
}
