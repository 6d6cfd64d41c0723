/**
 * Claude's data export (Settings → Privacy → Export data): `conversations.json`, a list of
 * conversations, each with its messages in order:
 *
 * ```
 * { uuid, name, created_at (ISO), updated_at, current_leaf_message_uuid?,
 *   chat_messages: [{ uuid, sender: 'human' | 'assistant', text,
 *                     content: [{ type: 'text', text } | { type: 'thinking' | 'tool_use' | 'tool_result', … }],
 *                     created_at (ISO), parent_message_uuid?, attachments, files }] }
 * ```
 *
 * A message's words are its `text` content blocks joined (else its `text`); thinking and tool
 * blocks and attachments are not the user's words and are skipped. Newer exports name each
 * message's parent and the conversation's current leaf: when every message does, the branch
 * ending at that leaf is read (an edited message's other branches are left out), else the list
 * in order.
 */
import { at, ImportError, isObject, kindOf, own, plural, previewOf, Warnings, type ImportPreview, type ImportResult } from './import-result';
import { byDate, importKey, MAX_MESSAGE_CHARS, MAX_PREVIOUS_ASSISTANT_CHARS, type ImportedConversation, type ImportedMessage } from './imported';
import { head, idOf, plainText, tail, timeOf } from './text';

/** The most messages one conversation may have. */
export const MAX_MESSAGES = 200_000;
const MAX_TITLE_CHARS = 300;
/** How much of a message is read: twice what is kept, so that what cleaning removes still leaves more than is kept when there was more. */
const READ_CHARS = 2 * MAX_MESSAGE_CHARS;

/** Whether a parsed item looks like a Claude conversation. */
export const isClaudeConversation = (value: unknown): boolean => isObject(value) && Array.isArray(own(value, 'chat_messages'));

interface Message {
  raw: Record<string, unknown>;
  where: string;
  id: string | null;
}

/**
 * The conversation at `where` (`conversations.json[3]`), or null when it cannot be read (the
 * reason is added to `warnings`). Never throws on bad input.
 */
export function claudeConversation(raw: unknown, where: string, warnings: Warnings): ImportedConversation | null {
  if (!isObject(raw)) {
    warnings.add(where, `skipped: expected a conversation (an object), found ${kindOf(raw)}`);
    return null;
  }
  const conversationId = idOf(own(raw, 'uuid'));
  if (conversationId === null) {
    warnings.add(where, 'skipped: the conversation has no uuid');
    return null;
  }
  const list = own(raw, 'chat_messages');
  if (!Array.isArray(list)) {
    warnings.add(at(where, 'chat_messages'), `skipped: expected a list of messages, found ${kindOf(list)}`);
    return null;
  }
  if (list.length > MAX_MESSAGES) {
    warnings.add(at(where, 'chat_messages'), `skipped: more than ${MAX_MESSAGES} messages in one conversation`);
    return null;
  }
  const title = titleOf(own(raw, 'name'), at(where, 'name'), warnings);
  const started = timeOf(own(raw, 'created_at'));
  const all: Message[] = [];
  const ids = new Set<string>();
  for (const [i, item] of (list as unknown[]).entries()) {
    const place = at(at(where, 'chat_messages'), i);
    if (!isObject(item)) {
      warnings.add(place, `skipped: expected a message (an object), found ${kindOf(item)}`);
      continue;
    }
    const id = idOf(own(item, 'uuid'));
    if (id !== null && ids.has(id)) {
      warnings.add(place, `skipped: message ${id} appears twice in the conversation; the first was kept`);
      continue;
    }
    if (id !== null) ids.add(id);
    all.push({ raw: item, where: place, id });
  }
  const branch = branchOf(all, own(raw, 'current_leaf_message_uuid'), where, warnings);
  const messages: ImportedMessage[] = [];
  let lastTime = started ?? timeOf(own(raw, 'updated_at'));
  let previousAssistant: string | undefined;
  for (const { raw: message, where: place, id } of branch) {
    const sender = own(message, 'sender');
    const role = typeof sender === 'string' ? sender.toLowerCase() : undefined;
    if (role !== 'human' && role !== 'assistant') {
      if (role === undefined) warnings.add(at(place, 'sender'), `skipped: expected “human” or “assistant”, found ${kindOf(sender)}`);
      continue;
    }
    const time = timeOf(own(message, 'created_at'));
    if (time !== undefined) lastTime = time;
    const text = textOf(message, place, warnings);
    if (role === 'assistant') {
      if (text) previousAssistant = tail(text, MAX_PREVIOUS_ASSISTANT_CHARS);
      continue;
    }
    if (!text) continue;
    const when = time ?? lastTime;
    if (when === undefined) {
      warnings.add(place, 'skipped: neither the message nor its conversation has a date');
      continue;
    }
    const messageId = id ?? `#${messages.length}`;
    const clipped = head(text, MAX_MESSAGE_CHARS);
    if (clipped.cut) warnings.tally('truncated', (n) => `${plural(n, 'message was', 'messages were')} longer than ${MAX_MESSAGE_CHARS} characters: the first ${MAX_MESSAGE_CHARS} of each were kept`);
    messages.push({
      source: 'claude',
      conversationId,
      title,
      messageId,
      importKey: importKey('claude', conversationId, messageId),
      text: clipped.text,
      at: when,
      index: messages.length,
      ...(previousAssistant ? { previousAssistant } : {}),
      ...(clipped.cut ? { truncated: true } : {}),
    });
    previousAssistant = undefined;
  }
  return { source: 'claude', conversationId, title, at: started ?? messages[0]?.at ?? 0, messages };
}

/**
 * The messages on the branch ending at the current leaf (root first), when every message names
 * its parent and the leaf is among them; otherwise all of them in the list's order.
 */
function branchOf(all: Message[], leaf: unknown, where: string, warnings: Warnings): Message[] {
  if (typeof leaf !== 'string' || all.length === 0) return all;
  const byId = new Map(all.flatMap((m) => (m.id === null ? [] : [[m.id, m] as const])));
  const parents = all.map((m) => own(m.raw, 'parent_message_uuid'));
  if (!byId.has(leaf) || byId.size !== all.length || parents.some((p) => typeof p !== 'string')) {
    if (!byId.has(leaf)) warnings.add(at(where, 'current_leaf_message_uuid'), 'names no message of the conversation: every message was read in order');
    return all;
  }
  const path: Message[] = [];
  const seen = new Set<string>();
  for (let id: string | undefined = leaf; id !== undefined; ) {
    if (seen.has(id)) {
      warnings.add(at(where, 'chat_messages'), 'the messages’ parents loop: the conversation was read from there');
      break;
    }
    seen.add(id);
    const message: Message = byId.get(id)!;
    path.push(message);
    const parent = own(message.raw, 'parent_message_uuid');
    id = typeof parent === 'string' && byId.has(parent) ? parent : undefined;
  }
  return path.reverse();
}

function titleOf(value: unknown, where: string, warnings: Warnings): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') {
    warnings.add(where, `ignored: expected a string, found ${kindOf(value)}`);
    return '';
  }
  return head(plainText(value).replace(/\s+/g, ' '), MAX_TITLE_CHARS).text;
}

/** The words of a message: its text blocks joined by blank lines, else its `text`; read up to READ_CHARS. */
function textOf(message: Record<string, unknown>, where: string, warnings: Warnings): string {
  const content = own(message, 'content');
  const texts: string[] = [];
  if (Array.isArray(content)) {
    let length = 0;
    for (const block of content as unknown[]) {
      if (!isObject(block) || own(block, 'type') !== 'text') continue;
      const text = own(block, 'text');
      if (typeof text !== 'string' || text.trim() === '') continue;
      texts.push(text.length > READ_CHARS ? text.slice(0, READ_CHARS) : text);
      length += text.length;
      if (length > READ_CHARS) break;
    }
  } else if (content !== undefined && content !== null) {
    warnings.add(at(where, 'content'), `ignored: expected a list of blocks, found ${kindOf(content)}`);
  }
  if (texts.length === 0) {
    const text = own(message, 'text');
    if (typeof text === 'string') texts.push(text.length > READ_CHARS ? text.slice(0, READ_CHARS) : text);
    else if (text !== undefined && text !== null) warnings.add(at(where, 'text'), `ignored: expected a string, found ${kindOf(text)}`);
  }
  return plainText(texts.join('\n\n'));
}

/**
 * The conversations of a parsed Claude `conversations.json`, one at a time in the file's order.
 * A conversation that cannot be read is skipped and reported; one whose uuid was seen before is
 * skipped (the first wins). Throws an ImportError when `data` is not a list.
 */
export function* claudeConversations(data: unknown, warnings: Warnings, where = 'conversations.json'): Generator<ImportedConversation> {
  if (!Array.isArray(data)) throw new ImportError(where, `expected a list of conversations, found ${kindOf(data)}`);
  const seen = new Set<string>();
  for (const [i, raw] of (data as unknown[]).entries()) {
    const conversation = claudeConversation(raw, at(where, i), warnings);
    if (!conversation) continue;
    if (seen.has(conversation.conversationId)) {
      warnings.add(at(where, i), `skipped: conversation ${conversation.conversationId} appears twice; the first was kept`);
      continue;
    }
    seen.add(conversation.conversationId);
    yield conversation;
  }
}

/**
 * Every user message of a parsed Claude `conversations.json`: conversations by date, messages in
 * order. Throws an ImportError when it is not a Claude export.
 *
 * @example
 * const { items, warnings } = parseClaudeExport(JSON.parse(text));
 */
export function parseClaudeExport(data: unknown, where = 'conversations.json'): ImportResult<ImportedMessage> {
  const warnings = new Warnings();
  if (Array.isArray(data) && data.length > 0 && !(data as unknown[]).some(isClaudeConversation)) {
    throw new ImportError(where, 'is not a Claude export: no conversation has “chat_messages”');
  }
  const conversations = byDate([...claudeConversations(data, warnings, where)]);
  return { items: conversations.flatMap((c) => c.messages), warnings: warnings.toArray() };
}

/** What importing a parsed Claude export would add: how many messages, the first five, the warnings. */
export function previewClaudeExport(data: unknown): ImportPreview<ImportedMessage> {
  return previewOf(parseClaudeExport(data));
}
