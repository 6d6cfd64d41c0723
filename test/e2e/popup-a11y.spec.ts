import AxeBuilder from '@axe-core/playwright';
import { expect, openNewChat, sendPrompt, SITES, test } from './fixtures';

/** WCAG 2.1 A and AA rules, checked by axe-core in the real popup. */
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

test('the popup passes axe-core’s WCAG 2.1 AA checks, empty, with memories and its profile, and while editing', async ({ context, extensionId }) => {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(popup.getByTestId('empty')).toBeVisible();
  const empty = await new AxeBuilder({ page: popup }).withTags(WCAG).analyze();
  expect(empty.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  const [site] = SITES;
  if (!site) throw new Error('no site');
  await sendPrompt(await openNewChat(context, site), site, "I'm vegetarian and I live in Berlin");
  await expect.poll(async () => {
    await popup.reload();
    return popup.getByTestId('memory').count();
  }, { timeout: 20_000 }).toBe(2);
  // "About you": the profile the background keeps, and the entities mentioned.
  await expect(popup.getByTestId('profile').getByRole('listitem')).toHaveCount(2);
  await expect(popup.getByTestId('profile')).toContainText("I'm vegetarian");
  await expect(popup.getByTestId('profile')).toContainText('I live in Berlin');
  await expect(popup.getByRole('button', { name: /^Show memories about Berlin/ })).toBeVisible();
  const listed = await new AxeBuilder({ page: popup }).withTags(WCAG).analyze();
  expect(listed.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  // The rules really ran on the list: labels, names, contrast, list structure.
  expect(listed.passes.map((p) => p.id)).toEqual(expect.arrayContaining(['button-name', 'color-contrast', 'list', 'listitem']));

  await popup.getByRole('button', { name: 'Edit "I live in Berlin"' }).click();
  await popup.getByRole('searchbox', { name: 'Search memories' }).fill('Berlin');
  const editing = await new AxeBuilder({ page: popup }).withTags(WCAG).analyze();
  expect(editing.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});

test.describe('a fresh install', () => {
  test.use({ control: null }); // the profile's own settings: a new install's defaults

  test('onboarding offers the mode and "Ask before remembering"; the popup with its inbox, settings and log passes axe-core', async ({
    context,
    extensionId,
    received,
  }) => {
    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${extensionId}/popup.html`);
    const onboarding = popup.getByTestId('onboarding');
    await expect(onboarding).toBeVisible();
    await expect(onboarding.getByRole('radio', { name: /Review before sending/ })).toBeChecked(); // the default
    const first = await new AxeBuilder({ page: popup }).withTags(WCAG).analyze();
    expect(first.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await onboarding.getByRole('radio', { name: /Automatically/ }).check();
    await onboarding.getByRole('checkbox', { name: 'Ask before remembering' }).check();
    await onboarding.getByRole('button', { name: 'Done' }).click();
    await expect(onboarding).toHaveCount(0);

    // The choice holds: sent automatically, and remembered only once accepted.
    const [site] = SITES;
    if (!site) throw new Error('no site');
    await sendPrompt(await openNewChat(context, site), site, "I'm vegetarian and I live in Berlin");
    await expect.poll(async () => {
      await popup.reload();
      return popup.getByTestId('inbox-item').count();
    }, { timeout: 20_000 }).toBe(2);
    await popup.getByRole('button', { name: /^Accept ".*Berlin/ }).click();
    await sendPrompt(await openNewChat(context, site), site, 'Can you suggest a restaurant near me for tonight?');
    expect(received.at(-1)?.prompt).toContain('Berlin');

    await popup.goto(`chrome-extension://${extensionId}/popup.html#log`);
    await expect(popup.getByTestId('injection')).toHaveCount(1);
    await popup.getByText('Settings', { exact: true }).click();
    await expect(popup.getByLabel('How memories are added')).toHaveValue('automatic');
    await expect(popup.getByRole('checkbox', { name: 'Ask before remembering' })).toBeChecked();
    const full = await new AxeBuilder({ page: popup }).withTags(WCAG).analyze();
    expect(full.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  });
});
