/**
 * A chat model Engram can prompt: the small slice of an OpenAI-style chat-completions client that
 * both WebLLM's `MLCEngine` (in the browser, on WebGPU) and a local OpenAI-compatible server
 * (Ollama, LM Studio, llama.cpp; see adapters/llm/openai-compatible.ts) satisfy. A real
 * `MLCEngine` is assignable to it (checked in test/unit/llm-chat-model.test.ts).
 */

export type ChatModelMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string };

export interface ChatModelRequest {
  messages: ChatModelMessage[];
  /**
   * JSON mode. `schema` is a JSON Schema as a string (WebLLM's form); without it WebLLM only
   * constrains the output to some JSON, so the prompt must still spell out the expected shape.
   */
  response_format?: { type: 'json_object'; schema?: string };
  temperature?: number;
  max_tokens?: number;
  /** Engram never streams. */
  stream?: false;
  seed?: number;
}

export interface ChatModelChoice {
  message: { content: string | null };
  /** "stop", "length" (cut off at max_tokens), "abort" (interrupted), … */
  finish_reason: string | null;
}

export interface ChatModelResponse {
  choices: ChatModelChoice[];
  usage?: { prompt_tokens: number; completion_tokens: number };
}

export interface ChatModel {
  chat: {
    completions: {
      create(request: ChatModelRequest): Promise<ChatModelResponse>;
    };
  };
  /** Stop the generation under way (WebLLM); the pending `create` then settles early. */
  interruptGenerate?(): void;
}
