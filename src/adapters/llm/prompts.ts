/**
 * The two prompts Engram gives a local chat model (Mem0's design): fact extraction and the update
 * decision, with the JSON schemas of their answers. The schemas go to WebLLM's JSON mode
 * (`response_format.schema`, a string); the prompts still spell the shape out, because a model in
 * JSON mode that was not told what to write can emit white space until its token limit.
 */
import type { ChatMessage } from '../../ports/extractor';
import type { ChatModelMessage } from '../../ports/chat-model';
import { stripMemoryBlock } from '../../inject/memory-block';
import { cleanText } from '../../pipeline/normalize';

/** Kinds of fact the model labels; mapped onto Engram's categories in llm-extractor.ts. */
export const FACT_CATEGORIES = [
  'preference',
  'personal',
  'plan',
  'work',
  'health',
  'relationship',
  'project',
  'place',
  'pet',
  'other',
] as const;
export type FactCategory = (typeof FACT_CATEGORIES)[number];

export const DECISION_EVENTS = ['ADD', 'UPDATE', 'DELETE', 'NONE'] as const;
export type DecisionEvent = (typeof DECISION_EVENTS)[number];

/** The longest fact the model may write; longer is not "one short sentence". */
export const MAX_FACT_CHARS = 300;
/** User text sent to the model, in all (a pasted document must not overflow the context). */
export const MAX_USER_CHARS = 6000;
/** Of each assistant message only the end is sent: it is context (the question just asked). */
export const MAX_ASSISTANT_CHARS = 800;
/** At most this many existing memories are shown to the decision prompt. */
export const MAX_NEIGHBOURS = 10;

export const EXTRACTION_SCHEMA = {
  type: 'object',
  properties: {
    facts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          text: { type: 'string' },
          category: { type: 'string', enum: [...FACT_CATEGORIES] },
          forget: { type: 'boolean' },
        },
        required: ['text', 'category'],
        additionalProperties: false,
      },
    },
  },
  required: ['facts'],
  additionalProperties: false,
} as const;

export const DECISION_SCHEMA = {
  type: 'object',
  properties: {
    event: { type: 'string', enum: [...DECISION_EVENTS] },
    id: { type: 'integer' },
    text: { type: 'string' },
  },
  required: ['event'],
  additionalProperties: false,
} as const;

/** The schemas as WebLLM's `response_format: { type: 'json_object', schema }` takes them. */
export const EXTRACTION_SCHEMA_JSON = JSON.stringify(EXTRACTION_SCHEMA);
export const DECISION_SCHEMA_JSON = JSON.stringify(DECISION_SCHEMA);

const EXTRACTION_SYSTEM = `You are the memory of a personal assistant. You read a conversation between a user and an AI assistant and write down the facts about the USER that are worth remembering in later conversations.

What to keep: facts the user states about themselves: preferences and dislikes, personal details (name, age, languages), where they live and places that matter to them, work and studies, projects, plans and goals, health and diet, pets, and their relations to people ("I have a sister", "my manager is called Ana").

Rules:
1. Only the user's messages are sources of facts. Assistant messages are context only (for example the question the user is answering); never store anything the assistant said, suggested or assumed.
2. One short sentence per fact, in the first person as the user would say it ("I live in Berlin", "I am allergic to peanuts"). Keep the language the user wrote in: a user writing in German gets facts in German.
3. Resolve relative dates ("yesterday", "last week", "next Friday", "in two months") against the date of the conversation given below, never against today's date, and write the resolved date in the fact.
4. Skip hypotheticals ("if I ever moved to Spain…"), wishes about imaginary situations, jokes, sarcasm, questions, requests to the assistant, greetings and small talk.
5. Facts about other people are not facts about the user. "My sister is vegan" does not mean the user is vegan: keep only what it says about the user ("I have a sister"), or nothing.
6. Text between "[Engram memory" and "[/Engram memory]" is this memory system's own notes, not something the user said: never copy a fact from it.
7. If the user asks to forget something ("forget that I live in Berlin"), write the fact to forget ("I live in Berlin") with "forget": true.
8. Do not invent facts. If there is nothing worth remembering, answer {"facts": []}.

Answer with JSON only, no other text, in exactly this shape:
{"facts": [{"text": "<one short sentence>", "category": "<${FACT_CATEGORIES.join('|')}>"}]}`;

/** The conversation's date as the prompts show it: "2024-03-15 (Friday)", in local time. */
export function conversationDate(now: number): string {
  const d = new Date(now);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const weekday = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][d.getDay()] ?? '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} (${weekday})`;
}

/** The conversation as the extraction prompt shows it, or null when the user said nothing. */
export function renderConversation(messages: readonly ChatMessage[]): string | null {
  let budget = MAX_USER_CHARS;
  const lines: string[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue; // a site's own instructions are neither fact nor context
    const text = cleanText(stripMemoryBlock(m.content));
    if (!text) continue;
    if (m.role === 'assistant') {
      const tail = text.length > MAX_ASSISTANT_CHARS ? `…${text.slice(-MAX_ASSISTANT_CHARS)}` : text;
      lines.push(`Assistant: ${tail}`);
      continue;
    }
    if (budget <= 0) continue;
    const clipped = text.length > budget ? `${text.slice(0, budget)}…` : text;
    budget -= clipped.length;
    lines.push(`User: ${clipped}`);
  }
  return lines.some((l) => l.startsWith('User: ')) ? lines.join('\n') : null;
}

/**
 * The extraction prompt. Engram's memory block is stripped from every message first (and the
 * prompt says to ignore one anyway), so the model never re-reads its own memories as new facts.
 */
export function extractionPrompt(messages: readonly ChatMessage[], now: number): ChatModelMessage[] | null {
  const conversation = renderConversation(messages);
  if (conversation === null) return null;
  return [
    { role: 'system', content: EXTRACTION_SYSTEM },
    {
      role: 'user',
      content: `Date of the conversation: ${conversationDate(now)}\n\nConversation:\n${conversation}\n\nWrite the facts about the user as JSON: {"facts": [{"text": …, "category": …}]}`,
    },
  ];
}

const DECISION_SYSTEM = `You keep a memory of facts about a user. A new fact arrived. Compare it with the existing memories and choose exactly one event:
- "ADD": the new fact is new information that no memory holds.
- "UPDATE": the new fact changes, contradicts or refines one memory (a new city, job, diet, name, a plan that changed, more detail on the same thing). That memory is replaced by the new fact; give its "id".
- "NONE": a memory already says the same thing; give its "id".
- "DELETE": only when the user asked to forget something; give the "id" of the memory to forget.
A contradiction is an UPDATE, never a DELETE: the new fact must be kept. Memory ids are the numbers shown; never use another id.

Answer with JSON only, no other text: {"event": "ADD" | "UPDATE" | "DELETE" | "NONE", "id": <memory id, for UPDATE, DELETE and NONE>}`;

/**
 * The update-decision prompt. Existing memories are shown with ids 0..n-1 in the order given (the
 * nearest first), never with their real ids, so the model cannot invent an id that exists.
 */
export function decisionPrompt(fact: { text: string; forget: boolean }, memories: readonly string[]): ChatModelMessage[] {
  const list = memories.map((text, i) => `${i}: ${text}`).join('\n');
  const ask = fact.forget
    ? `The user asked to forget: "${fact.text}"\nWhich memory is it? Answer DELETE with its id, or NONE if no memory matches.`
    : `New fact: "${fact.text}"`;
  return [
    { role: 'system', content: DECISION_SYSTEM },
    {
      role: 'user',
      content: `Existing memories:\n${list}\n\n${ask}\n\nAnswer as JSON: {"event": …, "id": …}`,
    },
  ];
}
