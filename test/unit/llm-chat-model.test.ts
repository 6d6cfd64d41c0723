/**
 * Type-level: WebLLM's engines are ChatModels (and WebLlmEngines), so the extractor can be given
 * one as is. A compile error here means WebLLM's API moved away from ours.
 */
import type { MLCEngine, MLCEngineInterface, WebWorkerMLCEngine, ServiceWorkerMLCEngine } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import type { WebLlmEngine } from '../../src/adapters/llm/webllm';
import type { ChatModel } from '../../src/ports/chat-model';

describe('ChatModel', () => {
  it('is satisfied by WebLLM engines', () => {
    const asChatModel = (engine: MLCEngine): ChatModel => engine;
    const fromInterface = (engine: MLCEngineInterface): ChatModel => engine;
    const fromWorker = (engine: WebWorkerMLCEngine): ChatModel => engine;
    const fromServiceWorker = (engine: ServiceWorkerMLCEngine): ChatModel => engine;
    const loadable = (engine: MLCEngine): WebLlmEngine => engine;
    expect([asChatModel, fromInterface, fromWorker, fromServiceWorker, loadable]).toHaveLength(5);
  });
});
