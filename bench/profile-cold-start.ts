/**
 * Where a cold start's time goes: a CPU profile of the extension's service worker from the moment
 * it starts (stopped, as Chrome does after 30 idle seconds) to the pasted prompt reaching the chat
 * page, with 10,000 memories stored. The DevTools protocol attaches to the worker before its first
 * line runs (browser-level auto-attach, waiting for the debugger), so module evaluation is in it.
 *
 *   ENGRAM_NO_MINIFY=1 npx wxt build --mode development   # readable function names
 *   npx tsx bench/profile-cold-start.ts [--out test-results/cold-start.cpuprofile]
 *
 * Prints self time by script and by function; the .cpuprofile opens in DevTools' Performance panel.
 * A diagnostic, not a benchmark: `npm run bench` gives the figures.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import WebSocket from 'ws';
import { launchWithExtension, SITES, stopServiceWorkers, type ReceivedPrompt } from '../test/e2e/fixtures';
import type { Memory } from '../src/engine/memory';

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: CpuNode[];
  samples: number[];
  timeDeltas: number[];
}
interface CdpMessage {
  id?: number;
  method?: string;
  params?: { sessionId: string; targetInfo: { type: string } };
  result?: unknown;
  error?: unknown;
}

const PORT = 9333;
const outAt = process.argv.indexOf('--out');
const out = outAt > 0 ? process.argv[outAt + 1]! : 'test-results/cold-start.cpuprofile';
const site = SITES[0]!;

const received: ReceivedPrompt[] = [];
const context = await launchWithExtension(mkdtempSync(join(tmpdir(), 'engram-profile-')), received, [], [`--remote-debugging-port=${PORT}`]);
const page = await context.newPage();
await page.goto(site.newChatUrl);
const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
await worker.evaluate(async () => {
  const { memory } = (globalThis as unknown as { engram: { memory: Memory } }).engram;
  const items = Array.from({ length: 10_000 }, (_, i) => ({ messages: `My friend number ${i} lives in city ${i % 300} and likes food ${i % 97}` }));
  await memory.addMany(items, { userId: 'me', infer: false });
  await memory.settled();
});
await page.waitForTimeout(8000); // the index snapshot is saved

const { webSocketDebuggerUrl } = (await (await fetch(`http://127.0.0.1:${PORT}/json/version`)).json()) as { webSocketDebuggerUrl: string };
const socket = new WebSocket(webSocketDebuggerUrl);
await new Promise((resolve) => socket.once('open', resolve));
let nextId = 1;
const pending = new Map<number, (value: unknown) => void>();
const send = <T = unknown>(method: string, params: object = {}, sessionId?: string): Promise<T> => {
  const id = nextId++;
  const reply = new Promise<T>((resolve) => pending.set(id, resolve as (value: unknown) => void));
  socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
  return reply;
};
/** Set from the socket's events: the worker's session, and the profiler being started in it. */
const attached: { session: string | null; profiling: Promise<void> | null } = { session: null, profiling: null };
socket.on('message', (data: WebSocket.RawData) => {
  const message = JSON.parse((data as Buffer).toString('utf8')) as CdpMessage;
  if (message.id !== undefined) {
    pending.get(message.id)?.(message.result ?? message.error);
    pending.delete(message.id);
    return;
  }
  if (message.method !== 'Target.attachedToTarget' || !message.params) return;
  const { sessionId, targetInfo } = message.params;
  if (targetInfo.type !== 'service_worker') {
    void send('Runtime.runIfWaitingForDebugger', {}, sessionId);
    return;
  }
  attached.session = sessionId;
  attached.profiling = (async () => {
    await send('Profiler.enable', {}, sessionId);
    await send('Profiler.setSamplingInterval', { interval: 200 }, sessionId);
    await send('Profiler.start', {}, sessionId);
    await send('Runtime.runIfWaitingForDebugger', {}, sessionId);
  })();
});
await send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true });

await stopServiceWorkers(page);
await page.waitForTimeout(800);
await page.locator(site.composer).click();
await page.keyboard.insertText('Can you suggest a restaurant near me?');
await page.keyboard.press('Enter');
while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
await attached.profiling;
if (!attached.session) throw new Error('the service worker was never attached');
const { profile } = await send<{ profile: CpuProfile }>('Profiler.stop', {}, attached.session);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(profile));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const perFunction = new Map<string, number>();
const perScript = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  const frame = byId.get(id)?.callFrame;
  if (!frame) return;
  const script = frame.url.split('/').pop() || frame.functionName;
  const fn = `${frame.functionName || '(anonymous)'} ${script}:${frame.lineNumber}`;
  perFunction.set(fn, (perFunction.get(fn) ?? 0) + ms);
  perScript.set(script, (perScript.get(script) ?? 0) + ms);
});
const top = (map: Map<string, number>, n: number): string =>
  [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${v.toFixed(1).padStart(7)} ms  ${k}`).join('\n');
console.log(`Self time by script:\n${top(perScript, 10)}\n\nBy function:\n${top(perFunction, 40)}\n\nProfile: ${out}`);
socket.close();
await context.close();
