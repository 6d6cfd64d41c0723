/**
 * A ChatModel over a local OpenAI-compatible server: Ollama (http://localhost:11434/v1), LM Studio
 * (http://localhost:1234/v1), llama.cpp's server (http://localhost:8080/v1). Only loopback hosts
 * are accepted, and redirects are refused, so conversations never leave the device.
 */
import type { ChatModel, ChatModelRequest, ChatModelResponse } from '../../ports/chat-model';

export { LOCAL_SERVER_ORIGINS } from './hosts';

export interface OpenAiCompatibleOptions {
  /** e.g. `http://localhost:11434/v1`. */
  baseUrl: string;
  /** The server's model name, e.g. `qwen2.5:1.5b-instruct`. */
  model: string;
  fetch?: typeof fetch;
  /** Some servers want one even locally (LM Studio accepts any). */
  apiKey?: string;
  /**
   * How JSON mode is asked for: `json_schema` (the default; Ollama ≥ 0.5, LM Studio, llama.cpp)
   * sends the schema, `json_object` only asks for JSON, `none` relies on the prompt alone.
   */
  jsonMode?: 'json_schema' | 'json_object' | 'none';
}

export class NonLocalServerError extends Error {
  override readonly name = 'NonLocalServerError';
}

/** The loopback URL of `baseUrl`, or a NonLocalServerError saying why it is refused. */
export function checkLocalUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new NonLocalServerError(`"${baseUrl}" is not a URL; use e.g. http://localhost:11434/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NonLocalServerError(`"${baseUrl}" is not an http(s) URL`);
  }
  if (!isLoopback(url.hostname)) {
    throw new NonLocalServerError(
      `Engram only talks to a model server on this device (localhost or 127.0.0.1), not "${url.hostname}": conversations must not leave the device`,
    );
  }
  // The extension's CSP (connect-src) allows exactly these two names, on any port.
  if (!['localhost', '127.0.0.1'].includes(url.hostname.toLowerCase())) {
    throw new NonLocalServerError(`"${url.hostname}" is on this device, but Engram reaches local servers as localhost: use http://localhost:${url.port || '80'}${url.pathname}`);
  }
  return url;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
  const octets = host.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/**
 * @example
 * const model = openAiCompatibleChatModel({ baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:1.5b-instruct' });
 * const extractor = new LlmExtractor({ model, name: 'ollama:qwen2.5:1.5b-instruct', fallback: new RuleBasedExtractor() });
 */
export function openAiCompatibleChatModel(options: OpenAiCompatibleOptions): ChatModel {
  const base = checkLocalUrl(options.baseUrl);
  const endpoint = new URL(`${base.pathname.replace(/\/+$/, '')}/chat/completions`, base).href;
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const inFlight = new Set<AbortController>();
  const jsonMode = options.jsonMode ?? 'json_schema';

  async function create(request: ChatModelRequest): Promise<ChatModelResponse> {
    const body: Record<string, unknown> = { model: options.model, messages: request.messages, stream: false };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.max_tokens !== undefined) body.max_tokens = request.max_tokens;
    if (request.seed !== undefined) body.seed = request.seed;
    const format = request.response_format;
    if (format && jsonMode !== 'none') {
      body.response_format =
        jsonMode === 'json_schema' && format.schema
          ? { type: 'json_schema', json_schema: { name: 'engram', strict: true, schema: JSON.parse(format.schema) as unknown } }
          : { type: 'json_object' };
    }
    const controller = new AbortController();
    inFlight.add(controller);
    try {
      const response = await doFetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify(body),
        signal: controller.signal,
        redirect: 'error', // a redirect could lead off the device
      });
      const text = await response.text();
      if (!response.ok) {
        throw new Error(`the model server at ${base.host} answered ${response.status}: ${text.slice(0, 300)}`);
      }
      return toResponse(text, base.host);
    } finally {
      inFlight.delete(controller);
    }
  }

  return {
    chat: { completions: { create } },
    interruptGenerate() {
      for (const controller of inFlight) controller.abort();
    },
  };
}

/** The server's JSON, checked down to what Engram reads. */
function toResponse(text: string, host: string): ChatModelResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`the model server at ${host} did not answer JSON: ${text.slice(0, 300)}`);
  }
  const choices = (json as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) throw new Error(`the model server at ${host} answered without choices: ${text.slice(0, 300)}`);
  return {
    choices: choices.map((c: unknown) => {
      const choice = c as { message?: { content?: unknown }; finish_reason?: unknown } | null;
      const content = choice?.message?.content;
      const reason = choice?.finish_reason;
      return {
        message: { content: typeof content === 'string' ? content : null },
        finish_reason: typeof reason === 'string' ? reason : null,
      };
    }),
  };
}
