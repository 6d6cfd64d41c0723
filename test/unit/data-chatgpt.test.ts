// @vitest-environment node
/**
 * ChatGPT's data export (src/data/chatgpt-export.ts): the user's messages on the branch they
 * last saw, with their dates, conversation and the assistant's words before them; edits left
 * out; the same keys in every import; bad and hostile files skipped or refused with where.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chatgptConversation, chatgptConversations, parseChatGptExport, previewChatGptExport } from '../../src/data/chatgpt-export';
import { generateChatGptExport } from '../../src/data/generate-export';
import { ImportError, Warnings } from '../../src/data/import-result';
import { addManyItemOf, capturedTurnOf, MAX_MESSAGE_CHARS, MAX_PREVIOUS_ASSISTANT_CHARS } from '../../src/data/imported';

const fixture = (): unknown => JSON.parse(readFileSync(new URL('../fixtures/exports/chatgpt/conversations.json', import.meta.url), 'utf8')) as unknown;
const sec = (s: number): number => Math.round(s * 1000);

/** A conversation of one branch: user/assistant turns in order, ids u0/a0, u1/a1… */
function conversation(turns: { user: unknown; assistant?: string; time?: unknown }[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const mapping: Record<string, unknown> = { root: { id: 'root', message: null, parent: null, children: [] } };
  let parent = 'root';
  const link = (id: string, message: unknown): void => {
    mapping[id] = { id, message, parent, children: [] };
    (mapping[parent] as { children: string[] }).children.push(id);
    parent = id;
  };
  turns.forEach((t, i) => {
    link(`u${i}`, { id: `u${i}`, author: { role: 'user' }, create_time: 'time' in t ? t.time : 1_700_000_000 + i * 10, content: { content_type: 'text', parts: [t.user] }, metadata: {}, recipient: 'all' });
    if (t.assistant !== undefined) {
      link(`a${i}`, { id: `a${i}`, author: { role: 'assistant' }, create_time: 1_700_000_005 + i * 10, content: { content_type: 'text', parts: [t.assistant] }, metadata: {}, recipient: 'all' });
    }
  });
  return { id: 'c1', conversation_id: 'c1', title: 'Test', create_time: 1_700_000_000, mapping, current_node: parent, ...extra };
}

describe('a ChatGPT export', () => {
  it('gives the user’s messages on the current branch, conversations by date, with their dates and context', () => {
    const { items, warnings } = parseChatGptExport(fixture());
    expect(warnings).toEqual([]);
    expect(items.map((m) => [m.conversationId, m.text])).toEqual([
      ['conv-lisbon', "I'm moving to Lisbon in June and I work as a nurse."],
      // The edited message as the user left it; its first draft ("I have a cat") is on another branch.
      ['conv-lisbon', 'I have two cats, Tom and Jerry. Is Lisbon pet friendly?'],
      // The image pointer beside the text is skipped; the custom instructions (hidden) are not a message.
      ['conv-porto', 'This is my garden in Porto. What is this plant?'],
      // A voice message: its transcription.
      ['conv-porto', 'Only twice a week, I travel a lot for work.'],
    ]);
    expect(items[0]).toEqual({
      source: 'chatgpt',
      conversationId: 'conv-lisbon',
      title: 'Moving to Lisbon',
      messageId: 'l-u1',
      importKey: 'chatgpt/conv-lisbon/l-u1',
      text: "I'm moving to Lisbon in June and I work as a nurse.",
      at: sec(1709290810.25),
      index: 0,
    });
    expect(items[1]).toMatchObject({ index: 1, at: sec(1709290850), previousAssistant: 'Congratulations on the move! Do you have any pets coming with you?' });
    // The tool call and the tool's output are not the answer the user saw; the voice message has
    // no time of its own and takes the last one before it.
    expect(items[3]).toMatchObject({ previousAssistant: 'It looks like a lemon tree. How often do you water it?', at: sec(1717236020), index: 1 });
  });

  it('yields conversation by conversation in the file’s order, the empty one included', () => {
    const warnings = new Warnings();
    const conversations = [...chatgptConversations(fixture(), warnings)];
    expect(conversations.map((c) => [c.conversationId, c.messages.length, c.at])).toEqual([
      ['conv-porto', 2, sec(1717236000)],
      ['conv-empty', 0, sec(1714557600)],
      ['conv-lisbon', 2, sec(1709290800.5)],
    ]);
    expect(warnings.toArray()).toEqual([]);
  });

  it('gives the same import keys every time the same file is read, one per message', () => {
    const first = parseChatGptExport(fixture()).items.map((m) => m.importKey);
    const second = parseChatGptExport(fixture()).items.map((m) => m.importKey);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });

  it('previews the count, the first five and the warnings', () => {
    const preview = previewChatGptExport(generateChatGptExport({ messages: 12, seed: 3 }));
    expect(preview.count).toBe(12);
    expect(preview.sample).toHaveLength(5);
    expect(preview.warnings).toEqual([]);
  });

  it('maps a message to an addMany item and to a captured turn', () => {
    const message = parseChatGptExport(fixture()).items[1]!;
    expect(addManyItemOf(message)).toEqual({
      messages: [
        { role: 'assistant', content: 'Congratulations on the move! Do you have any pets coming with you?' },
        { role: 'user', content: message.text, id: 'chatgpt/conv-lisbon/l-u2' },
      ],
      saidAt: message.at,
      site: 'chatgpt',
      conversationId: 'conv-lisbon',
      metadata: { importedFrom: 'chatgpt' },
    });
    expect(capturedTurnOf(message)).toEqual({
      site: 'chatgpt',
      conversationId: 'conv-lisbon',
      text: message.text,
      sentAt: message.at,
      replyTo: 'Congratulations on the move! Do you have any pets coming with you?',
    });
  });
});

describe('a malformed ChatGPT export', () => {
  it('is refused, saying where, when it is not a list of ChatGPT conversations', () => {
    expect(() => parseChatGptExport({ conversations: [] })).toThrow(new ImportError('conversations.json', 'expected a list of conversations, found an object'));
    expect(() => parseChatGptExport([{ uuid: 'x', chat_messages: [] }])).toThrow(/not a ChatGPT export/);
    expect(() => parseChatGptExport('[]')).toThrow(ImportError);
  });

  it('skips a conversation it cannot read and says where', () => {
    const { items, warnings } = parseChatGptExport([
      'not a conversation',
      { id: 'c0', mapping: 'nope' },
      { mapping: {} },
      conversation([{ user: 'I play the cello.' }]),
    ]);
    expect(items.map((m) => m.text)).toEqual(['I play the cello.']);
    expect(warnings).toEqual([
      'conversations.json[0]: skipped: expected a conversation (an object), found a string',
      "conversations.json[1].mapping: skipped: expected the conversation's messages (an object), found a string",
      'conversations.json[2]: skipped: the conversation has no id (conversation_id or id)',
    ]);
  });

  it('skips messages of the wrong shape, and ignores a title that is not text', () => {
    const c = conversation([{ user: 'I live in Oslo.', assistant: 'Nice!' }, { user: 'I like skiing.' }], { title: 42 });
    const mapping = c.mapping as Record<string, { message: Record<string, unknown> }>;
    mapping.u0!.message.content = { content_type: 'text', parts: 'I live in Oslo.' };
    mapping.a0!.message.content = 7;
    const { items, warnings } = parseChatGptExport([c]);
    expect(items.map((m) => [m.text, m.title, m.previousAssistant])).toEqual([['I like skiing.', '', undefined]]);
    expect(warnings).toEqual([
      'conversations.json[0].title: ignored: expected a string, found a number',
      'conversations.json[0].mapping.u0.message.content.parts: skipped: expected a list, found a string',
      "conversations.json[0].mapping.a0.message.content: skipped: expected the message's content (an object), found a number",
    ]);
  });

  it('reads the latest branch when current_node is missing or names nothing', () => {
    const c = conversation([{ user: 'First.', assistant: 'ok' }]);
    const mapping = c.mapping as Record<string, Record<string, unknown>>;
    // An edit: a second version of the first message, added last (the newest branch).
    mapping.u0b = { id: 'u0b', parent: 'root', children: [], message: { id: 'u0b', author: { role: 'user' }, create_time: 1_700_000_100, content: { content_type: 'text', parts: ['First, edited.'] } } };
    (mapping.root!.children as string[]).push('u0b');
    for (const current of [undefined, 'nowhere', '__proto__']) {
      const { items, warnings } = parseChatGptExport([{ ...c, current_node: current }]);
      expect(items.map((m) => m.text)).toEqual(['First, edited.']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^conversations\.json\[0\]\.current_node: (missing|names no message)/);
    }
  });

  it('ends a walk whose parents loop', () => {
    const c = conversation([{ user: 'One.', assistant: 'a' }, { user: 'Two.' }]);
    const mapping = c.mapping as Record<string, Record<string, unknown>>;
    mapping.u0!.parent = 'u1'; // u1 → a0 → u0 → u1 → …
    const { items, warnings } = parseChatGptExport([c]);
    expect(items.map((m) => m.text)).toEqual(['One.', 'Two.']);
    expect(warnings).toEqual(['conversations.json[0].mapping.u1: the messages’ parents loop: the conversation was read from here']);
  });

  it('falls back on the conversation’s date, or the last one seen, for a message with a wrong or absent time', () => {
    const { items } = parseChatGptExport([conversation([{ user: 'A.', time: 'yesterday' }, { user: 'B.', time: 1e20 }, { user: 'C.', time: 1_700_000_300 }, { user: 'D.', time: null }])]);
    expect(items.map((m) => m.at)).toEqual([sec(1_700_000_000), sec(1_700_000_000), sec(1_700_000_300), sec(1_700_000_300)]);
  });

  it('keeps the first of two conversations with the same id', () => {
    const { items, warnings } = parseChatGptExport([conversation([{ user: 'Kept.' }]), conversation([{ user: 'Dropped.' }])]);
    expect(items.map((m) => m.text)).toEqual(['Kept.']);
    expect(warnings).toEqual(['conversations.json[1]: skipped: conversation c1 appears twice; the first was kept']);
  });
});

describe('a hostile ChatGPT export', () => {
  it('truncates a huge message to what Engram reads of a turn, and says so once', () => {
    const huge = `I live in Rome. ${'blah '.repeat(200_000)}`;
    const { items, warnings } = parseChatGptExport([conversation([{ user: huge, assistant: 'x'.repeat(50_000) }, { user: huge }])]);
    expect(items.map((m) => [m.text.length <= MAX_MESSAGE_CHARS, m.truncated])).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(items[0]!.text.startsWith('I live in Rome.')).toBe(true);
    expect(items[1]!.previousAssistant).toHaveLength(MAX_PREVIOUS_ASSISTANT_CHARS);
    expect(warnings).toEqual([`2 messages were longer than ${MAX_MESSAGE_CHARS} characters: the first ${MAX_MESSAGE_CHARS} of each were kept`]);
  });

  it('removes control characters and broken UTF-16, keeping line breaks', () => {
    const { items } = parseChatGptExport([conversation([{ user: 'I\u0000 live\u0007 in\r\nBern \uD800and\u202E ski.\u001B[31m' }])]);
    expect(items[0]!.text).toBe('I live in\nBern and\u202E ski.[31m');
  });

  it('drops nothing into a prototype: __proto__ as a node id, a conversation id, a mapping key', () => {
    const c = conversation([{ user: 'Safe.' }], { id: '__proto__', conversation_id: '__proto__' });
    const mapping = c.mapping as Record<string, unknown>;
    Object.defineProperty(mapping, '__proto__', { value: { id: '__proto__', parent: 'u0', children: [], message: { author: { role: 'user' }, content: { content_type: 'text', parts: ['Polluted?'] } } }, enumerable: true });
    const { items } = parseChatGptExport(JSON.parse(JSON.stringify([{ ...c, current_node: '__proto__' }])));
    expect(items.map((m) => [m.conversationId, m.text])).toEqual([
      ['__proto__', 'Safe.'],
      ['__proto__', 'Polluted?'],
    ]);
    expect(({} as Record<string, unknown>).message).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('never recurses into what it does not read: a metadata nested 100,000 levels deep is harmless', () => {
    const c = conversation([{ user: 'Deep but fine.' }]);
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { next: deep };
    (c.mapping as Record<string, { message: Record<string, unknown> }>).u0!.message.metadata = deep;
    expect(parseChatGptExport([c]).items.map((m) => m.text)).toEqual(['Deep but fine.']);
  });

  it('refuses a conversation with more nodes than a conversation has', () => {
    const warnings = new Warnings();
    const mapping: Record<string, unknown> = {};
    for (let i = 0; i < 200_001; i++) mapping[`n${i}`] = { id: `n${i}`, parent: null, children: [], message: null };
    expect(chatgptConversation({ id: 'big', mapping }, 'x[0]', warnings)).toBeNull();
    expect(warnings.toArray()).toEqual(['x[0].mapping: skipped: more than 200000 messages in one conversation']);
  });
});

describe('the generated export', () => {
  it('has exactly the messages asked for, the same every time, drafts left out, by date', () => {
    const data = generateChatGptExport({ messages: 500, seed: 7 });
    expect(generateChatGptExport({ messages: 500, seed: 7 })).toEqual(data);
    const { items, warnings } = parseChatGptExport(data);
    expect(warnings).toEqual([]);
    expect(items).toHaveLength(500);
    expect(items.some((m) => m.text.includes('first draft'))).toBe(false);
    expect(JSON.stringify(data)).toContain('first draft');
    expect(items.every((m, i) => i === 0 || m.at >= items[i - 1]!.at)).toBe(true);
    expect(new Set(items.map((m) => m.importKey)).size).toBe(500);
  });
});
