// @vitest-environment node
/**
 * The LLM extraction and update steps on an engine double that speaks WebLLM's interface
 * (`reload`, an init progress callback, `chat.completions.create`, `interruptGenerate`) and
 * answers with scripted outputs, good and bad. What is checked is what a user would notice: the
 * facts stored, no crash, no lost turn (the rule-based fallback used, and reported), dates
 * resolved against the conversation's date, Engram's memory block never re-read, and decisions
 * landing on the right memory.
 */
import type { InitProgressCallback } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { LlmDecider } from '../../src/adapters/llm/llm-decider';
import { LlmExtractor } from '../../src/adapters/llm/llm-extractor';
import { DECISION_SCHEMA_JSON, EXTRACTION_SCHEMA_JSON, conversationDate } from '../../src/adapters/llm/prompts';
import { loadWebLlm, type WebLlmEngine } from '../../src/adapters/llm/webllm';
import { RuleBasedExtractor } from '../../src/adapters/rule-based-extractor';
import { createEngine } from '../../src/engine/create-engine';
import { BLOCK_HEADER, withMemoryBlock } from '../../src/inject/memory-block';
import type { Neighbour } from '../../src/pipeline/decide';
import type { ChatModelRequest, ChatModelResponse } from '../../src/ports/chat-model';
import type { ChatMessage, ExtractedFact } from '../../src/ports/extractor';
import { HashingEmbedder } from '../support/fake-embedder';
import { InMemoryStore } from '../../src/adapters/in-memory-store';
import { memoryRecord } from '../support/records';

/** One scripted answer: the text, an error thrown, or a generation that never ends by itself. */
type Answer = string | null | Error | { hang: true } | { text: string; finish: string };

/** A WebLLM engine double: extraction and decision answers are scripted separately. */
class FakeWebLlm implements WebLlmEngine {
  readonly requests: ChatModelRequest[] = [];
  readonly extractions: Answer[] = [];
  readonly decisions: Answer[] = [];
  loaded: string | null = null;
  interrupts = 0;
  #progress: InitProgressCallback | undefined;
  #hanging: ((r: ChatModelResponse) => void) | null = null;

  readonly chat = { completions: { create: (request: ChatModelRequest) => this.#create(request) } };

  setInitProgressCallback(callback: InitProgressCallback): void {
    this.#progress = callback;
  }
  async reload(modelId: string): Promise<void> {
    for (const [i, progress] of [0, 0.5, 1].entries()) {
      this.#progress?.({ progress, timeElapsed: i, text: `Fetching param cache of ${modelId}` });
      await Promise.resolve();
    }
    this.loaded = modelId;
  }
  unload(): Promise<void> {
    this.loaded = null;
    return Promise.resolve();
  }
  /** Like WebLLM: the pending generation stops and resolves with finish_reason "abort". */
  interruptGenerate(): void {
    this.interrupts++;
    this.#hanging?.({ choices: [{ message: { content: '{"facts": [' }, finish_reason: 'abort' }] });
    this.#hanging = null;
  }

  /** The system and user prompt text of the requests for one schema. */
  prompts(schema: string): string[] {
    return this.requests.filter((r) => r.response_format?.schema === schema).map((r) => r.messages.map((m) => m.content).join('\n'));
  }

  #create(request: ChatModelRequest): Promise<ChatModelResponse> {
    if (this.loaded === null) return Promise.reject(new Error('Model not loaded before calling chatCompletion'));
    this.requests.push(request);
    const extraction = request.response_format?.schema === EXTRACTION_SCHEMA_JSON;
    const queue = extraction ? this.extractions : this.decisions;
    const answer = queue.length > 0 ? (queue.shift() as Answer) : extraction ? '{"facts": []}' : '{"event": "ADD"}';
    if (answer instanceof Error) return Promise.reject(answer);
    if (answer !== null && typeof answer === 'object' && 'hang' in answer) {
      return new Promise((resolve) => (this.#hanging = resolve));
    }
    const [content, finish] = answer !== null && typeof answer === 'object' ? [answer.text, answer.finish] : [answer, 'stop'];
    return Promise.resolve({ choices: [{ message: { content }, finish_reason: finish }], usage: { prompt_tokens: 100, completion_tokens: 20 } });
  }
}

const MODEL = 'Llama-3.2-1B-Instruct-q4f16_1-MLC';

async function setup(options: { timeoutMs?: number } = {}) {
  const engine = new FakeWebLlm();
  const progress: number[] = [];
  await loadWebLlm(MODEL, { createEngine: () => engine, onProgress: (p) => progress.push(p.progress), keepAlive: () => undefined });
  const fallbacks: string[] = [];
  const warnings: string[] = [];
  const common = { model: engine, name: `webllm:${MODEL}`, onFallback: (r: string) => fallbacks.push(r), ...options };
  const extractor = new LlmExtractor({ ...common, fallback: new RuleBasedExtractor(), onWarning: (w) => warnings.push(w) });
  const decider = new LlmDecider(common);
  return { engine, progress, fallbacks, warnings, extractor, decider };
}

const facts = (json: unknown): string => JSON.stringify({ facts: json });
const texts = (extracted: readonly ExtractedFact[]): string[] => extracted.map((f) => f.text);
const NOW = new Date(2024, 2, 15, 12).getTime(); // Friday 15 March 2024, noon local time
const user = (content: string, id = 'u1'): ChatMessage => ({ role: 'user', content, id });

describe('loading through loadWebLlm', () => {
  it('reloads the chosen model and reports its progress', async () => {
    const { engine, progress } = await setup();
    expect(engine.loaded).toBe(MODEL);
    expect(progress).toEqual([0, 0.5, 1]);
  });
});

describe('LlmExtractor', () => {
  it('stores the facts of a valid answer, with slot, categories, the user turn as source and search context', async () => {
    const SAID = 'I live in Berlin, and my sister Ana is visiting. I am building a birdhouse.\nHow can I help?';
    const { engine, extractor, fallbacks } = await setup();
    engine.extractions.push(
      facts([
        { text: 'I live in Berlin.', category: 'place' },
        { text: 'I have a sister named Ana', category: 'relationship' },
        { text: 'I am building a birdhouse', category: 'project' },
      ]),
    );
    const out = await extractor.extract(
      [{ role: 'assistant', content: 'Hi! How can I help?', id: 'a0' }, user('I live in Berlin, and my sister Ana is visiting. I am building a birdhouse.')],
      { now: NOW },
    );
    expect(out).toEqual([
      { text: 'I live in Berlin', slot: 'home', categories: ['location'], forget: false, sourceTurnIds: ['u1'], context: SAID },
      { text: 'I have a sister named Ana', slot: null, categories: ['family'], forget: false, sourceTurnIds: ['u1'], context: SAID },
      { text: 'I am building a birdhouse', slot: null, categories: [], forget: false, sourceTurnIds: ['u1'], context: SAID },
    ]);
    expect(fallbacks).toEqual([]);
    expect(extractor.name).toBe(`webllm:${MODEL}`);
  });

  it('asks for JSON explicitly, with the schema, deterministically', async () => {
    const { engine, extractor } = await setup();
    await extractor.extract([user("I'm vegetarian")], { now: NOW });
    const [request] = engine.requests;
    expect(request?.response_format).toEqual({ type: 'json_object', schema: EXTRACTION_SCHEMA_JSON });
    expect(request?.temperature).toBe(0);
    expect(request?.stream).toBe(false);
    expect(engine.prompts(EXTRACTION_SCHEMA_JSON)[0]).toContain('{"facts": [{"text"');
  });

  it.each([
    ['prose around the JSON', `Sure! Here are the facts:\n${facts([{ text: "I'm vegetarian", category: 'preference' }])}\nLet me know if you need more.`],
    ['a ```json fence', `\`\`\`json\n${facts([{ text: "I'm vegetarian", category: 'preference' }])}\n\`\`\``],
    ['a reasoning preamble', `<think>The user says they are vegetarian {maybe}.</think>${facts([{ text: "I'm vegetarian", category: 'preference' }])}`],
    ['a trailing comma', `{"facts": [{"text": "I'm vegetarian", "category": "preference"},]}`],
    ['a bare array of strings', `["I'm vegetarian"]`],
  ])('reads the facts out of %s', async (_, answer) => {
    const { engine, extractor, fallbacks } = await setup();
    engine.extractions.push(answer);
    expect(texts(await extractor.extract([user("I'm vegetarian.")], { now: NOW }))).toEqual(["I'm vegetarian"]);
    expect(fallbacks).toEqual([]);
  });

  it('keeps the complete facts of an answer cut off at the token limit, and says so', async () => {
    const { engine, extractor, fallbacks, warnings } = await setup();
    engine.extractions.push({
      text: '{"facts": [{"text": "I live in Berlin", "category": "place"}, {"text": "I work as a nurse", "category": "work"}, {"text": "I have a cat na',
      finish: 'length',
    });
    const out = await extractor.extract([user('I live in Berlin, I work as a nurse and I have a cat named Tom.')], { now: NOW });
    expect(texts(out)).toEqual(['I live in Berlin', 'I work as a nurse']);
    expect(fallbacks).toEqual([]);
    expect(warnings.join()).toMatch(/cut off/);
  });

  it('drops facts with wrong types and keeps the valid ones', async () => {
    const { engine, extractor, fallbacks, warnings } = await setup();
    engine.extractions.push(
      facts([{ text: 42, category: 'work' }, { category: 'place' }, { text: 'I play the cello', category: 7, forget: 'no' }, null, { text: '   ' }]),
    );
    const out = await extractor.extract([user('I play the cello')], { now: NOW });
    expect(out).toEqual([
      { text: 'I play the cello', slot: 'pref:play:cello', categories: [], forget: false, sourceTurnIds: ['u1'], context: 'I play the cello' },
    ]);
    expect(fallbacks).toEqual([]);
    expect(warnings.join()).toMatch(/dropped 4 invalid/);
  });

  it.each([
    ['an empty answer', '', /no output/],
    ['white space only', '\n\n   \n', /no output/],
    ['a null content', null, /no output/],
    ['prose without JSON', 'I could not find any facts, sorry.', /holds no JSON/],
    ['an answer cut off before its first fact', { text: '{"facts": [{"text": "I\'m veg', finish: 'length' }, /cut off|not valid JSON/],
    ['only invalid facts', facts([{ text: 1 }, { text: ['x'] }]), /none of the 2 facts is valid/],
    ['the wrong shape', '{"memories": ["I\'m vegetarian"]}', /expected \{"facts"/],
    ['a model error', new Error('GPUDeviceLostInfo: device was lost'), /device was lost/],
  ] as const)('falls back to the rule-based extractor on %s, and reports it', async (_, answer, reason) => {
    const { engine, extractor, fallbacks } = await setup();
    engine.extractions.push(answer);
    const out = await extractor.extract([user("I'm vegetarian and I live in Berlin")], { now: NOW });
    expect(texts(out)).toEqual(["I'm vegetarian", 'I live in Berlin']); // the turn is not lost
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatch(reason);
    expect(fallbacks[0]).toMatch(/used rule-based/);
  });

  it('times out a generation that never ends, interrupts it, and falls back', async () => {
    const { engine, extractor, fallbacks } = await setup({ timeoutMs: 40 });
    engine.extractions.push({ hang: true });
    // It returns at all (a generation that never ends would hang the test): no timing asserted.
    const out = await extractor.extract([user("I'm vegetarian")], { now: NOW });
    expect(texts(out)).toEqual(["I'm vegetarian"]);
    expect(engine.interrupts).toBe(1);
    expect(fallbacks[0]).toMatch(/did not answer within 40 ms/);
  });

  it("resolves relative dates against the conversation's date, not today's", async () => {
    const { engine, extractor } = await setup();
    engine.extractions.push(facts([{ text: 'I moved to Amsterdam in the week of 4 March 2024', category: 'place' }]));
    const out = await extractor.extract([user('I moved to Amsterdam last week')], { now: NOW });
    const [prompt] = engine.prompts(EXTRACTION_SCHEMA_JSON);
    expect(prompt).toContain('2024-03-15 (Friday)');
    expect(prompt).toMatch(/relative dates[^\n]*against the date of the conversation/i);
    const today = conversationDate(Date.now()).slice(0, 10);
    expect(prompt).not.toContain(today);
    expect(out[0]).toMatchObject({ text: 'I moved to Amsterdam in the week of 4 March 2024', slot: 'home', categories: ['location'] });
  });

  it("never lets Engram's memory block reach the prompt", async () => {
    const { engine, extractor } = await setup();
    const prompt = withMemoryBlock(['I have a dog named Max', 'I work at Atlas Corp'], 'I started learning Japanese');
    await extractor.extract([user(prompt), { role: 'assistant', content: withMemoryBlock(['I have a dog named Max'], 'Great choice!') }], { now: NOW });
    const [sent] = engine.prompts(EXTRACTION_SCHEMA_JSON);
    expect(sent).toContain('User: I started learning Japanese');
    expect(sent).not.toContain('dog named Max');
    expect(sent).not.toContain('Atlas Corp');
    expect(sent).not.toContain(BLOCK_HEADER);
  });

  it('does not call the model for a message that is only a memory block', async () => {
    const { engine, extractor } = await setup();
    expect(await extractor.extract([user(withMemoryBlock(['I live in Berlin'], ''))], { now: NOW })).toEqual([]);
    expect(engine.requests).toHaveLength(0);
  });

  it('takes facts only from user messages: assistant messages are context, system messages are left out', async () => {
    const { engine, extractor } = await setup();
    engine.extractions.push(
      facts([
        { text: 'I live in Lisbon', category: 'place' },
        { text: 'You should try meditation every morning', category: 'health' },
      ]),
    );
    const out = await extractor.extract(
      [
        { role: 'system', content: 'You are ChatGPT, a large language model.' },
        { role: 'assistant', content: 'Where do you live? You should try meditation every morning.', id: 'a1' },
        user('Lisbon, by the river', 'u2'),
      ],
      { now: NOW },
    );
    // Searched with what it answered ("Lisbon, by the river" says nothing without "Where do you live?").
    expect(out).toEqual([
      {
        text: 'I live in Lisbon',
        slot: 'home',
        categories: ['location'],
        forget: false,
        sourceTurnIds: ['u2'],
        context: 'Lisbon, by the river\nWhere do you live?',
      },
    ]);
    const [sent] = engine.prompts(EXTRACTION_SCHEMA_JSON);
    expect(sent).toContain('Assistant: Where do you live?');
    expect(sent).not.toContain('large language model');
    expect(sent).toMatch(/Only the user's messages are sources of facts/);
    expect(sent).toMatch(/hypotheticals/);
    expect(sent).toMatch(/My sister is vegan/);
  });

  it('stores nothing when the model finds nothing (a hypothetical, a fact about someone else)', async () => {
    const { engine, extractor, fallbacks } = await setup();
    engine.extractions.push('{"facts": []}');
    const out = await extractor.extract([user('If I ever moved to Spain I would learn to surf. My sister is vegan.')], { now: NOW });
    expect(out).toEqual([]);
    expect(fallbacks).toEqual([]);
  });

  it('attributes each fact to the user message it came from', async () => {
    const { engine, extractor } = await setup();
    engine.extractions.push(facts([{ text: 'I have a dog named Max', category: 'pet' }, { text: 'I work as a carpenter', category: 'work' }]));
    const out = await extractor.extract([user('My dog Max is 3', 'u1'), { role: 'assistant', content: 'Nice!' }, user('I work as a carpenter', 'u2')], {
      now: NOW,
    });
    expect(out.map((f) => [f.text, f.sourceTurnIds, f.categories])).toEqual([
      ['I have a dog named Max', ['u1'], ['pets']],
      ['I work as a carpenter', ['u2'], ['work']],
    ]);
  });

  it('turns an explicit forget request into a forget fact, without asking the model', async () => {
    const { engine, extractor } = await setup();
    const out = await extractor.extract([user('Forget that I live in Berlin.')], { now: NOW });
    expect(out).toEqual([{ text: 'I live in Berlin', slot: 'home', categories: ['location'], forget: true, sourceTurnIds: ['u1'] }]);
    expect(engine.requests).toHaveLength(0);
  });

  it('keeps a forget request the model recognised in another language', async () => {
    const { engine, extractor } = await setup();
    engine.extractions.push(facts([{ text: 'Ich wohne in Berlin', category: 'place', forget: true }]));
    const out = await extractor.extract([user('Vergiss bitte, dass ich in Berlin wohne.')], { now: NOW });
    expect(out).toEqual([
      {
        text: 'Ich wohne in Berlin',
        slot: 'home',
        categories: ['location'],
        forget: true,
        sourceTurnIds: ['u1'],
        context: 'Vergiss bitte, dass ich in Berlin wohne.',
      },
    ]);
  });
});

const memory = (id: string, text: string) => memoryRecord(text, { id, hash: id });

const fact = (text: string, forget = false): ExtractedFact => ({ text, slot: null, categories: [], forget, sourceTurnIds: [] });
const near: Neighbour[] = [
  { memory: memory('mem-8f3a', 'I have a dog named Max'), score: 0.8 },
  { memory: memory('mem-c01d', 'I work as a nurse'), score: 0.7 },
  { memory: memory('mem-77aa', 'I live in Berlin'), score: 0.6 },
];

describe('LlmDecider', () => {
  it('shows memories as 0..n-1, nearest first, and maps the answer back to the right memory', async () => {
    const { engine, decider, fallbacks } = await setup();
    engine.decisions.push('{"event": "UPDATE", "id": 1}');
    const decision = await decider.decide(fact('I work as a paramedic now'), near);
    expect(decision.event).toBe('UPDATE');
    expect(decision.target?.id).toBe('mem-c01d');
    const [prompt] = engine.prompts(DECISION_SCHEMA_JSON);
    expect(prompt).toContain('0: I have a dog named Max\n1: I work as a nurse\n2: I live in Berlin');
    expect(prompt).toContain('New fact: "I work as a paramedic now"');
    for (const n of near) expect(prompt).not.toContain(n.memory.id);
    expect(engine.requests[0]?.response_format).toEqual({ type: 'json_object', schema: DECISION_SCHEMA_JSON });
    expect(fallbacks).toEqual([]);
  });

  it('falls back to the rule-based decision for an id it was not shown, and reports it', async () => {
    const { engine, decider, fallbacks } = await setup();
    engine.decisions.push('{"event": "UPDATE", "id": 7}');
    const decision = await decider.decide({ ...fact('I live in Amsterdam'), slot: 'home' }, near);
    expect(decision).toMatchObject({ event: 'UPDATE', target: { id: 'mem-77aa' } }); // the rule: same slot
    expect(fallbacks[0]).toMatch(/unknown memory id 7/);
  });

  it('turns a DELETE of a contradicted memory into an UPDATE, so the new fact is kept', async () => {
    const { engine, decider } = await setup();
    engine.decisions.push('{"event": "DELETE", "id": 2}');
    expect(await decider.decide(fact('I moved to Amsterdam'), near)).toMatchObject({ event: 'UPDATE', target: { id: 'mem-77aa' } });
  });

  it('deletes the memory a forget request names', async () => {
    const { engine, decider } = await setup();
    engine.decisions.push('```json\n{"event": "DELETE", "id": 0}\n```');
    expect(await decider.decide(fact('I have a dog named Max', true), near)).toMatchObject({ event: 'DELETE', target: { id: 'mem-8f3a' } });
    expect(engine.prompts(DECISION_SCHEMA_JSON)[0]).toContain('The user asked to forget: "I have a dog named Max"');
  });

  it('returns NONE with the memory that already says it, and ADD for a new fact', async () => {
    const { engine, decider } = await setup();
    engine.decisions.push('{"event": "NONE", "id": "0"}', 'Answer: {"event": "add"}');
    expect(await decider.decide(fact('I own a dog called Max'), near)).toMatchObject({ event: 'NONE', target: { id: 'mem-8f3a' } });
    expect(await decider.decide(fact('I play chess'), near)).toMatchObject({ event: 'ADD' });
  });

  it('needs no model call when there is nothing to compare with, or the same words are stored', async () => {
    const { engine, decider } = await setup();
    expect(await decider.decide(fact('I play chess'), [])).toMatchObject({ event: 'ADD' });
    expect(await decider.decide(fact('I work as a nurse.'), near)).toMatchObject({ event: 'NONE', target: { id: 'mem-c01d' } });
    expect(engine.requests).toHaveLength(0);
  });

  it.each([
    ['a hang', { hang: true }, /did not answer within/],
    ['an unknown event', '{"event": "MERGE", "id": 0}', /unknown or missing event/],
    ['a fractional id', '{"event": "UPDATE", "id": 0.5}', /not a memory id/],
    ['UPDATE without an id', '{"event": "UPDATE"}', /UPDATE without an id/],
    ['an empty answer', '', /no output/],
    ['a truncated answer', '{"event": "UPD', /not valid JSON/],
  ] as const)('falls back to the rule-based decision on %s', async (_, answer, reason) => {
    const { engine, decider, fallbacks } = await setup({ timeoutMs: 40 });
    engine.decisions.push(answer);
    expect(await decider.decide(fact('I play chess'), near)).toMatchObject({ event: 'ADD' });
    expect(fallbacks[0]).toMatch(reason);
    expect(fallbacks[0]).toMatch(/used rule-based/);
  });
});

describe('in the memory engine', () => {
  async function engramWith(timeoutMs?: number) {
    const llm = await setup(timeoutMs === undefined ? {} : { timeoutMs });
    const engine = createEngine({
      store: new InMemoryStore(),
      embedder: new HashingEmbedder(),
      extractor: llm.extractor,
      decider: llm.decider,
      hnsw: null,
    });
    return { ...llm, memory: engine.memory };
  }

  it('"I live in Berlin" then "I moved to Amsterdam last week": one memory, Berlin kept in history', async () => {
    const { engine, memory, fallbacks } = await engramWith();
    engine.extractions.push(facts([{ text: 'I live in Berlin', category: 'place' }]));
    const first = await memory.add([user('I live in Berlin', 't1')], { userId: 'me', saidAt: new Date(2024, 1, 1, 12).getTime() });
    expect(first.results).toMatchObject([{ event: 'ADD', memory: 'I live in Berlin' }]);

    engine.extractions.push(facts([{ text: 'I moved to Amsterdam in the week of 4 March 2024', category: 'place' }]));
    engine.decisions.push('{"event": "UPDATE", "id": 0, "text": "I moved to Amsterdam in the week of 4 March 2024"}');
    const second = await memory.add([user('I moved to Amsterdam last week', 't2')], { userId: 'me', saidAt: NOW });
    expect(second.results).toMatchObject([
      { event: 'UPDATE', memory: 'I moved to Amsterdam in the week of 4 March 2024', metadata: { previousMemory: 'I live in Berlin' } },
    ]);

    const all = (await memory.getAll({ filters: { user_id: 'me' } })).results;
    expect(all.map((m) => m.memory)).toEqual(['I moved to Amsterdam in the week of 4 March 2024']);
    expect(all[0]?.sourceTurnIds).toEqual(['t1', 't2']);
    const history = await memory.history(all[0]!.id);
    expect(history.map((h) => [h.action, h.previous_value, h.new_value])).toEqual([
      ['UPDATE', 'I live in Berlin', 'I moved to Amsterdam in the week of 4 March 2024'],
      ['ADD', null, 'I live in Berlin'],
    ]);
    expect(engine.prompts(EXTRACTION_SCHEMA_JSON)[1]).toContain('2024-03-15');
    expect(engine.prompts(DECISION_SCHEMA_JSON)).toHaveLength(1); // the first fact had nothing to compare with
    expect(engine.prompts(DECISION_SCHEMA_JSON)[0]).toContain('0: I live in Berlin');
    expect(fallbacks).toEqual([]);
  });

  it('loses no turn when the model hangs: the rule-based extractor stores it', async () => {
    const { engine, memory, fallbacks } = await engramWith(40);
    engine.extractions.push({ hang: true });
    const { results } = await memory.add([user("I'm vegetarian and I live in Berlin")], { userId: 'me', saidAt: NOW });
    expect(results.map((r) => [r.event, r.memory])).toEqual([
      ['ADD', "I'm vegetarian"],
      ['ADD', 'I live in Berlin'],
    ]);
    expect(fallbacks).toHaveLength(1);
    expect(engine.interrupts).toBe(1);
  });
});
