// @vitest-environment node
/**
 * Claude's data export (src/data/claude-export.ts): the human messages, their text blocks (not
 * thinking, tools or attachments), the branch ending at the current leaf, dates and keys; bad and
 * hostile files skipped or refused with where.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { claudeConversations, parseClaudeExport, previewClaudeExport } from '../../src/data/claude-export';
import { ImportError, Warnings } from '../../src/data/import-result';
import { MAX_MESSAGE_CHARS } from '../../src/data/imported';

const fixture = (): unknown => JSON.parse(readFileSync(new URL('../fixtures/exports/claude/conversations.json', import.meta.url), 'utf8')) as unknown;

const message = (uuid: string, sender: string, text: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  uuid,
  sender,
  text,
  content: typeof text === 'string' ? [{ type: 'text', text }] : [],
  created_at: '2024-06-01T10:00:00Z',
  ...extra,
});
const conversation = (messages: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  uuid: 'k1',
  name: 'Test',
  created_at: '2024-06-01T09:59:00Z',
  chat_messages: messages,
  ...extra,
});

describe('a Claude export', () => {
  it('gives the human messages on the current branch, conversations by date, with dates and context', () => {
    const { items, warnings } = parseClaudeExport(fixture());
    expect(warnings).toEqual([]);
    expect(items.map((m) => [m.title, m.text])).toEqual([
      ['Recipe ideas', "I'm vegetarian and cooking for four tonight."],
      // The edited message as the user left it ("I don't like lentils" is on the abandoned branch).
      ['Recipe ideas', "My partner doesn't like lentils. Something with chickpeas?"],
      // The attachment's extracted text is not the user's words.
      ['Running plan', "I'm training for a half marathon in October. I run three times a week."],
      // No content blocks: its `text`.
      ['Running plan', 'About 12 km, and my left knee hurts after 15.'],
    ]);
    expect(items[1]).toEqual({
      source: 'claude',
      conversationId: 'c0ffee00-1111-4222-8333-444455556666',
      title: 'Recipe ideas',
      messageId: 'c-h2b',
      importKey: 'claude/c0ffee00-1111-4222-8333-444455556666/c-h2b',
      text: "My partner doesn't like lentils. Something with chickpeas?",
      at: Date.UTC(2024, 0, 15, 19, 32),
      index: 1,
      previousAssistant: 'How about a lentil curry?',
    });
    // The answer's text block only: not its thinking, tool call or tool result.
    expect(items[3]!.previousAssistant).toBe('Great goal! What is your current long run distance?');
  });

  it('yields conversation by conversation in the file’s order, the empty one included', () => {
    const conversations = [...claudeConversations(fixture(), new Warnings())];
    expect(conversations.map((c) => [c.title, c.messages.length, c.at])).toEqual([
      ['Running plan', 2, Date.parse('2024-04-02T08:00:00.123Z')],
      ['Empty', 0, Date.UTC(2024, 4, 1, 10)],
      ['Recipe ideas', 2, Date.UTC(2024, 0, 15, 19, 30)],
    ]);
  });

  it('gives the same import keys every time, one per message, and previews', () => {
    const keys = parseClaudeExport(fixture()).items.map((m) => m.importKey);
    expect(parseClaudeExport(fixture()).items.map((m) => m.importKey)).toEqual(keys);
    expect(new Set(keys).size).toBe(4);
    expect(previewClaudeExport(fixture())).toMatchObject({ count: 4, warnings: [] });
  });

  it('reads the list in order when the messages do not all name their parent', () => {
    const { items } = parseClaudeExport([
      conversation([message('m1', 'human', 'I have a bike.', { parent_message_uuid: 'root' }), message('m2', 'assistant', 'Nice.'), message('m3', 'human', 'It is red.')], {
        current_leaf_message_uuid: 'm3',
      }),
    ]);
    expect(items.map((m) => m.text)).toEqual(['I have a bike.', 'It is red.']);
  });
});

describe('a malformed Claude export', () => {
  it('is refused, saying where, when it is not a list of Claude conversations', () => {
    expect(() => parseClaudeExport({})).toThrow(new ImportError('conversations.json', 'expected a list of conversations, found an object'));
    expect(() => parseClaudeExport([{ id: 'x', mapping: {} }])).toThrow(/not a Claude export/);
  });

  it('skips conversations and messages it cannot read, saying where', () => {
    const { items, warnings } = parseClaudeExport([
      42,
      { uuid: 'k0', chat_messages: {} },
      conversation([null, message('m1', 'robot', 'Beep.'), message('m2', 'human', 5), { uuid: 'm3', text: 'no sender' }, message('m4', 'Human', 'I have a boat.')]),
    ]);
    expect(items.map((m) => m.text)).toEqual(['I have a boat.']);
    expect(warnings).toEqual([
      'conversations.json[0]: skipped: expected a conversation (an object), found a number',
      'conversations.json[1].chat_messages: skipped: expected a list of messages, found an object',
      'conversations.json[2].chat_messages[0]: skipped: expected a message (an object), found null',
      'conversations.json[2].chat_messages[2].text: ignored: expected a string, found a number',
      'conversations.json[2].chat_messages[3].sender: skipped: expected “human” or “assistant”, found undefined',
    ]);
  });

  it('keeps the first of two messages, and of two conversations, with the same id', () => {
    const { items, warnings } = parseClaudeExport([
      conversation([message('m1', 'human', 'First.'), message('m1', 'human', 'Again.')]),
      conversation([message('m9', 'human', 'Other.')]),
    ]);
    expect(items.map((m) => m.text)).toEqual(['First.']);
    expect(warnings).toEqual([
      'conversations.json[0].chat_messages[1]: skipped: message m1 appears twice in the conversation; the first was kept',
      'conversations.json[1]: skipped: conversation k1 appears twice; the first was kept',
    ]);
  });

  it('reads the list in order when the current leaf names no message', () => {
    const { items, warnings } = parseClaudeExport([
      conversation([message('m1', 'human', 'One.', { parent_message_uuid: 'r' }), message('m2', 'human', 'Two.', { parent_message_uuid: 'm1' })], { current_leaf_message_uuid: 'gone' }),
    ]);
    expect(items.map((m) => m.text)).toEqual(['One.', 'Two.']);
    expect(warnings).toEqual(['conversations.json[0].current_leaf_message_uuid: names no message of the conversation: every message was read in order']);
  });

  it('ends a walk whose parents loop', () => {
    const { items, warnings } = parseClaudeExport([
      conversation([message('m1', 'human', 'One.', { parent_message_uuid: 'm2' }), message('m2', 'human', 'Two.', { parent_message_uuid: 'm1' })], { current_leaf_message_uuid: 'm2' }),
    ]);
    expect(items.map((m) => m.text)).toEqual(['One.', 'Two.']);
    expect(warnings).toEqual(['conversations.json[0].chat_messages: the messages’ parents loop: the conversation was read from there']);
  });

  it('dates a message without a date by the last one seen, and skips one when nothing has a date', () => {
    const { items, warnings } = parseClaudeExport([
      conversation([message('m1', 'human', 'Dated by the conversation.', { created_at: 'not a date' })]),
      conversation([message('m2', 'human', 'No date at all.', { created_at: null })], { uuid: 'k2', created_at: 12 }),
    ]);
    expect(items.map((m) => [m.text, m.at])).toEqual([['Dated by the conversation.', Date.UTC(2024, 5, 1, 9, 59)]]);
    expect(warnings).toEqual(['conversations.json[1].chat_messages[0]: skipped: neither the message nor its conversation has a date']);
  });
});

describe('a hostile Claude export', () => {
  it('truncates a huge message and strips control characters', () => {
    const { items, warnings } = parseClaudeExport([conversation([message('m1', 'human', `\u0000I sail.\u0008 ${'x'.repeat(100_000)}`)])]);
    expect(items[0]!.text.startsWith('I sail. x')).toBe(true);
    expect(items[0]!.text.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
    expect(items[0]!.truncated).toBe(true);
    expect(warnings).toHaveLength(1);
  });

  it('is not fooled by __proto__ as an id', () => {
    const data = JSON.parse(JSON.stringify([conversation([message('__proto__', 'human', 'Still me.', { parent_message_uuid: 'constructor' })], { uuid: '__proto__', current_leaf_message_uuid: '__proto__' })])) as unknown;
    expect(parseClaudeExport(data).items.map((m) => [m.conversationId, m.messageId, m.text])).toEqual([['__proto__', '__proto__', 'Still me.']]);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('refuses a conversation with more messages than a conversation has', () => {
    const { items, warnings } = parseClaudeExport([conversation(new Array(200_001).fill(0))]);
    expect(items).toEqual([]);
    expect(warnings).toEqual(['conversations.json[0].chat_messages: skipped: more than 200000 messages in one conversation']);
  });
});
