import { BLOCK_FOOTER, BLOCK_HEADER } from '../../src/inject/memory-block';
import {
  expect,
  extensionIdOf,
  launchWithExtension,
  openNewChat,
  popupMemories,
  sendPrompt,
  SITES,
  test,
  type ReceivedPrompt,
} from './fixtures';

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

async function waitForMemories(
  context: Parameters<typeof popupMemories>[0],
  extensionId: string,
  count: number,
): Promise<string[]> {
  let texts: string[] = [];
  await expect
    .poll(async () => (texts = await popupMemories(context, extensionId)).length, { timeout: 20_000 })
    .toBe(count);
  return texts;
}

for (const site of SITES) {
  test.describe(site.name, () => {
    test('a fact told in one chat is in the prompt of the next, once, ahead of the unchanged question', async ({
      context,
      extensionId,
      received,
    }) => {
      const first = await openNewChat(context, site);
      await sendPrompt(first, site, FACT, site.name === 'Claude' ? 'button' : 'enter');
      expect(received.at(-1)?.prompt).toBe(FACT); // nothing to remember yet: sent as typed

      const memories = await waitForMemories(context, extensionId, 2);
      expect(memories.join(' | ')).toContain('vegetarian');
      expect(memories.join(' | ')).toContain('Berlin');
      // Stored with where it was said: this site, and the conversation the page moved to.
      const worker = context.serviceWorkers()[0]!;
      const stored = await worker.evaluate(async () => {
        const { memory } = (globalThis as unknown as { engram: { memory: { getAll(o: object): Promise<{ results: { site: string; conversationId: string }[] }> } } }).engram;
        return (await memory.getAll({ filters: { user_id: 'me' } })).results.map((m) => ({ site: m.site, conversationId: m.conversationId }));
      });
      const siteId = site.name.toLowerCase();
      const conversation = new URL(first.url()).pathname.split('/').filter(Boolean).at(-1);
      expect(stored).toEqual([
        { site: siteId, conversationId: expect.any(String) },
        { site: siteId, conversationId: expect.any(String) },
      ]);
      // The site gave the chat its URL once it answered; the turn was captured before or after that.
      expect(stored.every((m) => m.conversationId === conversation || m.conversationId.startsWith('new-'))).toBe(true);

      const next = await openNewChat(context, site);
      await sendPrompt(next, site, QUESTION);
      const prompt = received.at(-1)?.prompt ?? '';
      const block = blockOf(prompt);
      expect(block, `prompt received:\n${prompt}`).not.toBeNull();
      expect(block).toContain('vegetarian');
      expect(block).toContain('Berlin');
      expect(occurrences(prompt, BLOCK_HEADER)).toBe(1);
      expect(occurrences(prompt, 'vegetarian')).toBe(1);
      expect(prompt.endsWith(`\n${QUESTION}`)).toBe(true);
      expect(prompt.slice(block!.length).trim()).toBe(QUESTION);

      // The injected block was captured back with the question: it must not become memories.
      await next.waitForTimeout(1500);
      expect(await waitForMemories(context, extensionId, 2)).toHaveLength(2);
    });

    test('a message with no relevant memory is sent exactly as typed', async ({ context, extensionId, received }) => {
      const page = await openNewChat(context, site);
      await sendPrompt(page, site, FACT);
      await waitForMemories(context, extensionId, 2);
      await sendPrompt(page, site, UNRELATED);
      expect(received.at(-1)?.prompt).toBe(UNRELATED);
    });
  });
}

test('a world question that shares a word with a memory, a coding question and a statement go out as typed; the same question about the user gets its memory', async ({
  context,
  extensionId,
  received,
}) => {
  const [site] = SITES;
  if (!site) throw new Error('no site');
  const page = await openNewChat(context, site);
  await sendPrompt(page, site, 'I have a greyhound called Biscuit');
  await waitForMemories(context, extensionId, 1);
  for (const typed of ['How long do greyhounds live?', 'Help me fix my regex, it matches Biscuit twice', 'My sister Priya lives in Lisbon.']) {
    await sendPrompt(page, site, typed);
    expect(received.at(-1)?.prompt).toBe(typed);
  }
  await sendPrompt(page, site, 'How long will my greyhound live?');
  expect(blockOf(received.at(-1)?.prompt ?? '')).toContain('Biscuit');
});

/** Tell the first site FACT, wait for its two memories, and open the popup. */
async function popupAfterFact(context: Parameters<typeof popupMemories>[0], extensionId: string) {
  const [site] = SITES;
  if (!site) throw new Error('no site');
  await sendPrompt(await openNewChat(context, site), site, FACT);
  await waitForMemories(context, extensionId, 2);
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  return { site, popup };
}

test('a memory forgotten in the popup is never injected again', async ({ context, extensionId, received }) => {
  const { site, popup } = await popupAfterFact(context, extensionId);
  await expect(popup.getByTestId('memory')).toHaveCount(2);
  const forget = popup.getByRole('button', { name: /^Forget/ });
  await forget.first().click();
  await expect(popup.getByTestId('memory')).toHaveCount(1);
  await forget.first().click();
  await expect(popup.getByTestId('empty')).toBeVisible();
  await popup.reload();
  await expect(popup.getByTestId('empty')).toBeVisible();

  const next = await openNewChat(context, site);
  await sendPrompt(next, site, QUESTION);
  expect(received.at(-1)?.prompt).toBe(QUESTION);
});

test('a memory corrected and pinned in the popup is found by search and injected as corrected', async ({ context, extensionId, received }) => {
  const { site, popup } = await popupAfterFact(context, extensionId);
  await popup.getByRole('button', { name: 'Edit "I live in Berlin"' }).click();
  const field = popup.getByRole('textbox', { name: 'Edit "I live in Berlin"' });
  await expect(field).toBeFocused();
  await field.fill('I live in Munich');
  await field.press('Enter');
  await expect(popup.getByTestId('memory').filter({ hasText: 'I live in Munich' })).toHaveCount(1);
  await popup.getByRole('button', { name: 'Pin "I live in Munich"' }).click();
  await expect(popup.getByRole('button', { name: 'Pin "I live in Munich"' })).toHaveAttribute('aria-pressed', 'true');

  // The background's own search, with the gate a prompt would get.
  await popup.getByRole('searchbox', { name: 'Search memories' }).fill('Which city do I live in?');
  await expect(popup.getByTestId('memory-count')).toContainText('for “Which city do I live in?”');
  await expect(popup.getByTestId('memory').first()).toContainText('I live in Munich');
  await popup.getByRole('searchbox', { name: 'Search memories' }).fill('Explain how photosynthesis works in plants');
  await expect(popup.getByTestId('memory-count')).toHaveText('No memory matches “Explain how photosynthesis works in plants”');

  // Still pinned and corrected after the popup is closed and opened again.
  await popup.reload();
  await expect(popup.getByTestId('memory').first()).toContainText('I live in Munich');
  await expect(popup.getByTestId('memory').first()).toContainText('Pinned');

  const next = await openNewChat(context, site);
  await sendPrompt(next, site, QUESTION);
  const prompt = received.at(-1)?.prompt ?? '';
  expect(blockOf(prompt), prompt).toContain('Munich');
  expect(prompt).not.toContain('Berlin');
});

test('a short answer to the assistant’s question is remembered with what it answers', async ({ context, extensionId, received, replies }) => {
  const [site] = SITES;
  if (!site) throw new Error('no site');
  replies.push('Happy to help you practise. Which language are you learning at the moment?');
  const page = await openNewChat(context, site);
  await sendPrompt(page, site, 'Can you help me practise every day?');
  await expect(page.locator(site.assistantTurn).last()).toContainText('Which language are you learning');
  await sendPrompt(page, site, "Japanese! I've been at it for two years, it's my evening ritual.");
  expect(await waitForMemories(context, extensionId, 1)).toEqual(["Japanese! I've been at it for two years, it's my evening ritual"]);

  // The later prompt shares no word with the answer, only with the question it answered.
  const next = await openNewChat(context, site);
  await sendPrompt(next, site, 'Recommend a podcast for the language I am learning');
  const prompt = received.at(-1)?.prompt ?? '';
  expect(blockOf(prompt), prompt).toContain("Japanese! I've been at it for two years");
});

test('memories survive a browser restart on the same profile', async ({ profileDir }) => {
  const received: ReceivedPrompt[] = [];
  const [site] = SITES;
  if (!site) throw new Error('no site');
  let context = await launchWithExtension(profileDir, received);
  let extensionId = await extensionIdOf(context);
  const page = await openNewChat(context, site);
  await sendPrompt(page, site, FACT);
  const before = await waitForMemories(context, extensionId, 2);
  await context.close();

  context = await launchWithExtension(profileDir, received);
  try {
    extensionId = await extensionIdOf(context);
    expect((await popupMemories(context, extensionId)).sort()).toEqual([...before].sort());
    const next = await openNewChat(context, site);
    await sendPrompt(next, site, QUESTION);
    expect(blockOf(received.at(-1)?.prompt ?? '')).toContain('Berlin');
  } finally {
    await context.close();
  }
});
