// @vitest-environment node
/**
 * The OpenAI-compatible ChatModel against a real local HTTP server on 127.0.0.1 that speaks
 * /v1/chat/completions (as Ollama and LM Studio do), and the refusal of any non-loopback host.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LlmExtractor } from '../../src/adapters/llm/llm-extractor';
import { NonLocalServerError, checkLocalUrl, openAiCompatibleChatModel } from '../../src/adapters/llm/openai-compatible';
import { EXTRACTION_SCHEMA, EXTRACTION_SCHEMA_JSON } from '../../src/adapters/llm/prompts';
import { RuleBasedExtractor } from '../../src/adapters/rule-based-extractor';

interface Received {
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

let server: Server;
let baseUrl: string;
const received: Received[] = [];
/** What the server does next: answer with this content, fail with a status, or never answer. */
let next: { content: string } | { status: number; text: string } | { hang: true } = { content: '{"facts": []}' };

function handle(req: IncomingMessage, res: ServerResponse): void {
  let raw = '';
  req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
  req.on('end', () => {
    received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(raw) as Record<string, unknown> });
    if ('hang' in next) return; // the client gives up (and aborts)
    if ('status' in next) {
      res.writeHead(next.status, { 'content-type': 'text/plain' }).end(next.text);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 0,
        model: 'qwen2.5:1.5b-instruct',
        choices: [{ index: 0, message: { role: 'assistant', content: next.content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      }),
    );
  });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received.length = 0;
  next = { content: '{"facts": []}' };
});

describe('openAiCompatibleChatModel', () => {
  it('posts a chat completion to /v1/chat/completions and returns its choices', async () => {
    next = { content: '{"facts": [{"text": "I live in Berlin", "category": "place"}]}' };
    const model = openAiCompatibleChatModel({ baseUrl, model: 'qwen2.5:1.5b-instruct' });
    const response = await model.chat.completions.create({
      messages: [{ role: 'user', content: 'I live in Berlin' }],
      response_format: { type: 'json_object', schema: EXTRACTION_SCHEMA_JSON },
      temperature: 0,
      max_tokens: 256,
      seed: 7,
      stream: false,
    });
    expect(response.choices).toEqual([
      { message: { content: '{"facts": [{"text": "I live in Berlin", "category": "place"}]}' }, finish_reason: 'stop' },
    ]);
    expect(received).toHaveLength(1);
    expect(received[0]?.url).toBe('/v1/chat/completions');
    expect(received[0]?.body).toEqual({
      model: 'qwen2.5:1.5b-instruct',
      messages: [{ role: 'user', content: 'I live in Berlin' }],
      stream: false,
      temperature: 0,
      max_tokens: 256,
      seed: 7,
      response_format: { type: 'json_schema', json_schema: { name: 'engram', strict: true, schema: EXTRACTION_SCHEMA } },
    });
  });

  it('can ask for plain JSON mode, and sends an API key when given one', async () => {
    const model = openAiCompatibleChatModel({ baseUrl: `${baseUrl}/`, model: 'm', jsonMode: 'json_object', apiKey: 'lm-studio' });
    await model.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_object', schema: '{}' } });
    expect(received[0]?.url).toBe('/v1/chat/completions');
    expect(received[0]?.body.response_format).toEqual({ type: 'json_object' });
    expect(received[0]?.headers.authorization).toBe('Bearer lm-studio');
  });

  it('reports an error status with the server’s words', async () => {
    next = { status: 404, text: 'model "qwen9" not found, try pulling it first' };
    const model = openAiCompatibleChatModel({ baseUrl, model: 'qwen9' });
    await expect(model.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(
      /answered 404: model "qwen9" not found/,
    );
  });

  it('drives the extractor end to end, and falls back when the server hangs (the request is aborted)', async () => {
    const fallbacks: string[] = [];
    const model = openAiCompatibleChatModel({ baseUrl, model: 'qwen2.5:1.5b-instruct' });
    const extractor = new LlmExtractor({ model, name: 'ollama:qwen2.5', fallback: new RuleBasedExtractor(), timeoutMs: 200, onFallback: (r) => fallbacks.push(r) });

    next = { content: '```json\n{"facts": [{"text": "I have a cat named Tom", "category": "pet"}]}\n```' };
    const out = await extractor.extract([{ role: 'user', content: 'My cat Tom is asleep on my keyboard', id: 'u1' }], { now: Date.now() });
    expect(out).toEqual([
      { text: 'I have a cat named Tom', slot: null, categories: ['pets'], forget: false, sourceTurnIds: ['u1'], context: 'My cat Tom is asleep on my keyboard' },
    ]);

    next = { hang: true };
    const fallback = await extractor.extract([{ role: 'user', content: "I'm vegetarian" }], { now: Date.now() });
    expect(fallback.map((f) => f.text)).toEqual(["I'm vegetarian"]);
    expect(fallbacks[0]).toMatch(/did not answer within 200 ms/);
  });

  it('fails clearly when nothing listens there (Ollama not running)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const model = openAiCompatibleChatModel({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm' });
    await expect(model.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow();
  });
});

describe('loopback only', () => {
  it.each(['http://localhost:11434/v1', 'http://127.0.0.1:1234/v1', 'https://localhost/v1', 'http://LOCALHOST:8080/v1'])('accepts %s', (url) => {
    expect(() => openAiCompatibleChatModel({ baseUrl: url, model: 'm' })).not.toThrow();
  });

  it.each(['http://[::1]:8080/v1', 'http://127.9.0.1/v1', 'http://models.localhost/v1'])(
    'asks for localhost instead of %s, the one name (with 127.0.0.1) the CSP lets through',
    (url) => {
      expect(() => openAiCompatibleChatModel({ baseUrl: url, model: 'm' })).toThrow(/use http:\/\/localhost/);
    },
  );

  it.each([
    'https://api.openai.com/v1',
    'http://192.168.1.20:11434/v1',
    'http://10.0.0.5:1234/v1',
    'http://0.0.0.0:11434/v1',
    'http://localhost.example.com/v1',
    'http://127.0.0.1.nip.io/v1',
    'http://[::ffff:8.8.8.8]/v1',
  ])('refuses %s, saying why', (url) => {
    expect(() => openAiCompatibleChatModel({ baseUrl: url, model: 'm' })).toThrow(NonLocalServerError);
    expect(() => checkLocalUrl(url)).toThrow(/only talks to a model server on this device/);
  });

  it('refuses what is not an http URL', () => {
    expect(() => checkLocalUrl('localhost:11434')).toThrow(NonLocalServerError);
    expect(() => checkLocalUrl('file:///etc/passwd')).toThrow(/not an http\(s\) URL/);
  });

  it('never follows a redirect off the device', async () => {
    let init: RequestInit | undefined;
    const model = openAiCompatibleChatModel({
      baseUrl: 'http://localhost:11434/v1',
      model: 'm',
      fetch: (_url, options) => {
        init = options;
        return Promise.resolve(new Response(JSON.stringify({ choices: [] })));
      },
    });
    await model.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }] });
    expect(init?.redirect).toBe('error');
  });
});
