import type { ChatModel, ChatModelMessage } from '../../ports/chat-model';

/** How long a model may take for one answer before the fallback is used. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The model took longer than allowed (its generation was interrupted). */
export class ModelTimeoutError extends Error {
  override readonly name = 'ModelTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`the model did not answer within ${timeoutMs} ms`);
  }
}

export interface CompletionOptions {
  schema: string;
  maxTokens: number;
  timeoutMs: number;
  temperature?: number;
  seed?: number;
}

export interface Completion {
  content: string | null;
  /** "length" when cut off at maxTokens. */
  finishReason: string | null;
}

/**
 * One JSON-mode completion, deterministic by default (temperature 0), bounded by `timeoutMs`: on
 * timeout the generation is interrupted (WebLLM's `interruptGenerate`) so it stops using the GPU,
 * and a ModelTimeoutError is thrown. A model that throws, or returns no choice, throws too.
 */
export async function completeJson(
  model: ChatModel,
  messages: ChatModelMessage[],
  options: CompletionOptions,
): Promise<Completion> {
  const request = model.chat.completions.create({
    messages,
    response_format: { type: 'json_object', schema: options.schema },
    temperature: options.temperature ?? 0,
    max_tokens: options.maxTokens,
    stream: false,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new ModelTimeoutError(options.timeoutMs)); // first: the interrupted answer comes too late
      try {
        model.interruptGenerate?.();
      } catch {
        // interrupting is best effort; the timeout stands either way
      }
    }, options.timeoutMs);
  });
  request.catch(() => undefined); // settles after a timeout too; nobody waits for it then
  try {
    const response = await Promise.race([request, timeout]);
    const choice = response.choices[0];
    if (!choice) throw new Error('the model returned no choice');
    if (choice.finish_reason === 'abort') throw new Error('the generation was interrupted');
    return { content: choice.message.content, finishReason: choice.finish_reason };
  } finally {
    clearTimeout(timer);
  }
}

/** A short, single-line reason for the log. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return message.replace(/\s+/g, ' ').slice(0, 600);
}
