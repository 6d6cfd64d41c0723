import { expect, test } from './fixtures';

test('the local AI model panel checks WebGPU through an offscreen document started only on demand', async ({
  context,
  extensionId,
}) => {
  const [worker] = context.serviceWorkers();
  if (!worker) throw new Error('no service worker');
  // Nothing of WebLLM runs until the user looks at it.
  expect(await worker.evaluate(() => chrome.offscreen.hasDocument())).toBe(false);

  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  const panel = popup.getByTestId('llm-panel');
  await expect(panel).toBeVisible();
  const webgpu = await panel.getByTestId('webgpu').textContent();
  expect(webgpu).toMatch(/This computer can run one \(WebGPU on .+\)|Not available here: .+\. Engram uses its built-in rules\./);
  expect(await worker.evaluate(() => chrome.offscreen.hasDocument())).toBe(true);
  if (webgpu?.startsWith('This computer')) {
    await expect(panel.getByRole('button', { name: 'Download' })).toHaveCount(3);
    await expect(panel).toContainText('Llama-3.2-1B');
    await expect(panel).toContainText(/Llama-3.2-1B · ~700 MB · (879|1129) MB VRAM/);
  }
  // The extractor in use is still the built-in one, and the popup says so.
  await expect(popup.getByTestId('engine-status')).toContainText('Remembering with built-in rules');
});
