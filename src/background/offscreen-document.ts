/**
 * Chrome's offscreen document, as the service worker reaches it. Chrome allows an extension one
 * offscreen document, so WebLLM (offscreen-llm-client.ts) and a downloaded embedding model
 * (hub-embedder.chrome.ts) share it: it is created by whichever is used first.
 */
import type { OffscreenReply, OffscreenRequest, OffscreenRequests } from '../messaging/offscreen-protocol';

const OFFSCREEN_URL = 'offscreen.html';
let creating: Promise<void> | null = null;

/** Start the offscreen document, once. */
async function ensureOffscreen(): Promise<void> {
  if (await chrome.offscreen.hasDocument()) return;
  creating ??= chrome.offscreen
    .createDocument({
      url: OFFSCREEN_URL,
      reasons: [chrome.offscreen.Reason.WORKERS],
      justification: 'Runs the local AI models (WebLLM on WebGPU, a downloaded embedding model on WASM) that turn chats into memories and find them, on this device.',
    })
    .catch((error: unknown) => {
      if (!String(error).includes('single offscreen')) throw error;
    })
    .finally(() => {
      creating = null;
    });
  await creating;
}

/** Send one request to the offscreen document (started if need be); its error is thrown here. */
export async function callOffscreen<K extends keyof OffscreenRequests>(type: K, data: OffscreenRequests[K]['data']): Promise<OffscreenRequests[K]['reply']> {
  await ensureOffscreen();
  const request = { target: 'engram-offscreen', type, data } as OffscreenRequest;
  const reply = await chrome.runtime.sendMessage<OffscreenRequest, OffscreenReply<K> | undefined>(request);
  if (!reply) throw new Error('The offscreen document that runs Engram’s local models did not answer');
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

/** A message from the extension's own offscreen document (never from a tab or another extension). */
export function fromOffscreen(sender: chrome.runtime.MessageSender, runtimeId: string = chrome.runtime.id): boolean {
  return sender.id === runtimeId && sender.tab === undefined;
}
