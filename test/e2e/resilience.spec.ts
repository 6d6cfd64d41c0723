/**
 * A site that changed its page is left alone: on each site's fixture, with memories stored, the
 * test removes or duplicates each element the adapter needs (the composer, the send button). The
 * user's send goes out exactly as typed, nothing is remembered from it, the tab's toolbar badge
 * shows "!", and the popup says Engram needs an update for that site, with the reason.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { BLOCK_HEADER } from '../../src/inject/memory-block';
import { expect, openNewChat, popupMemories, sendPrompt, SITES, test, type ChatSite } from './fixtures';

const FACT = "I'm vegetarian and I live in Berlin";
const QUESTION = 'Can you suggest a restaurant near me for tonight?';

/** The toolbar badge of the tab showing `page` (brought to the front: Engram may not read tabs' addresses). */
async function badgeOf(context: BrowserContext, page: Page): Promise<string> {
  await page.bringToFront();
  const worker = context.serviceWorkers()[0]!;
  return worker.evaluate(async () => {
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    return tab?.id === undefined ? '' : chrome.action.getBadgeText({ tabId: tab.id });
  });
}

async function popupSays(context: BrowserContext, extensionId: string): Promise<string> {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await popup.waitForLoadState('networkidle');
  // Every caller expects the notice: it is waited for as long as a busy machine needs (an empty
  // answer only when it never comes; callers poll).
  const text = (await popup.getByTestId('site-issues').textContent({ timeout: 15_000 }).catch(() => '')) ?? '';
  await popup.close();
  return text;
}

type Break = 'second composer' | 'second send button' | 'no send button';
const BREAKS: { name: Break; reason: RegExp }[] = [
  { name: 'second composer', reason: /2 message boxes/ },
  { name: 'second send button', reason: /2 send buttons/ },
  { name: 'no send button', reason: /no send button/ },
];

/** Change the page as a site redesign might: one more of an element, or one fewer. */
function breakPage(page: Page, site: ChatSite, broken: Break): Promise<void> {
  return page.evaluate(
    ({ kind, composer, send }) => {
      const target = document.querySelector(kind === 'second composer' ? composer : send)!;
      if (kind === 'no send button') {
        target.remove();
        return;
      }
      target.after(target.cloneNode(true)); // an exact twin: every selector that finds one finds both
    },
    { kind: broken, composer: site.composer, send: site.sendButton },
  );
}

for (const site of SITES) {
  test.describe(site.name, () => {
    for (const broken of BREAKS) {
      test(`with ${broken.name === 'no send button' ? 'no send button' : `a ${broken.name}`}, a send goes out as typed and Engram says it needs an update`, async ({ context, extensionId, received }) => {
        await sendPrompt(await openNewChat(context, site), site, FACT);
        await expect.poll(async () => (await popupMemories(context, extensionId)).length, { timeout: 20_000 }).toBe(2);

        const page = await openNewChat(context, site);
        await breakPage(page, site, broken.name);
        await page.locator(site.composer).first().click();
        await page.keyboard.type(QUESTION);
        const before = received.length;
        await page.keyboard.press('Enter');
        await expect.poll(() => received.length).toBe(before + 1);
        expect(received.at(-1)?.prompt).toBe(QUESTION);
        expect(received.at(-1)?.prompt).not.toContain(BLOCK_HEADER);

        await expect.poll(() => badgeOf(context, page)).toBe('!');
        await expect.poll(() => popupSays(context, extensionId), { timeout: 45_000 }).toMatch(new RegExp(`^(?=[\\s\\S]*Engram needs an update for ${site.name})(?=[\\s\\S]*${broken.reason.source})`));

        // Nothing said on the broken page is remembered.
        await sendPrompt(page, site, 'I have a cat named Tom').catch(() => undefined);
        await sendPrompt(await openNewChat(context, site), site, 'I work at the library');
        await expect.poll(async () => (await popupMemories(context, extensionId)).length, { timeout: 20_000 }).toBe(3);
        expect((await popupMemories(context, extensionId)).join(' ')).not.toContain('Tom');
      });
    }

    test('a composer the adapter no longer finds: typing in the page says so at once, and the page is left alone', async ({ context, extensionId }) => {
      await sendPrompt(await openNewChat(context, site), site, FACT);
      await expect.poll(async () => (await popupMemories(context, extensionId)).length, { timeout: 20_000 }).toBe(2);
      const page = await openNewChat(context, site);
      // The site renamed its editor: no selector of the adapter matches it any more.
      await page.evaluate((selector) => {
        const composer = document.querySelector(selector)!;
        for (const name of composer.getAttributeNames()) if (name !== 'contenteditable') composer.removeAttribute(name);
        composer.classList.add('renamed-editor');
        // …and moved it out of every container the adapter's structural fallbacks look in.
        const wrapper = document.createElement('section');
        wrapper.append(composer);
        document.body.append(wrapper);
      }, site.composer);
      await page.locator('.renamed-editor').click();
      await page.keyboard.type(QUESTION);
      await expect.poll(() => badgeOf(context, page)).toBe('!');
      await expect.poll(() => popupSays(context, extensionId), { timeout: 45_000 }).toMatch(/no message box/);
    });
  });
}
