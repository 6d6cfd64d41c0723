/**
 * ChatGPT's data export (Settings → Data controls → Export data): `conversations.json`, a list of
 * conversations — newer exports split it into `conversations-000.json`, `conversations-001.json`, … —
 * each a tree of messages:
 *
 * ```
 * { id | conversation_id, title, create_time (Unix seconds, float), update_time,
 *   current_node: <node id of the leaf the user last saw>,
 *   mapping: { <node id>: { id, parent: <node id> | null, children: [<node id>…],
 *                           message: null | { id, author: { role }, create_time,
 *                                             content: { content_type, parts: [string | object…] },
 *                                             metadata, recipient, channel } } } }
 * ```
 *
 * An edited or regenerated message makes a sibling branch; the conversation as the user last saw
 * it is the path from `current_node` up to the root. On it, the user's messages are those with
 * role `user` and content type `text` or `multimodal_text` (whose parts mix strings and objects:
 * image pointers are skipped, the strings and voice transcriptions taken), except hidden ones
 * (`metadata.is_visually_hidden_from_conversation`, `is_user_system_message`: custom instructions
 * and the like). The assistant's visible answer before each (not tool calls, not reasoning) goes
 * with it as context.
 */
import { at, ImportError, isObject, kindOf, own, plural, previewOf, Warnings, type ImportPreview, type ImportResult } from './import-result';
import { byDate, importKey, MAX_MESSAGE_CHARS, MAX_PREVIOUS_ASSISTANT_CHARS, type ImportedConversation, type ImportedMessage } from './imported';
import { head, idOf, plainText, tail, timeOf } from './text';

/** The most nodes one conversation may have (a long chat has a few thousand). */
export const MAX_NODES = 200_000;
/** The longest title kept. */
const MAX_TITLE_CHARS = 300;
/** How much of a message is read: twice what is kept, so that what cleaning removes still leaves more than is kept when there was more. */
const READ_CHARS = 2 * MAX_MESSAGE_CHARS;

/** Whether a parsed item looks like a ChatGPT conversation. */
export const isChatGptConversation = (value: unknown): boolean => isObject(value) && isObject(own(value, 'mapping'));

/**
 * The conversation at `where` (`conversations.json[3]`), or null when it cannot be read (the
 * reason is added to `warnings`). Never throws on bad input.
 */
export function chatgptConversation(raw: unknown, where: string, warnings: Warnings): ImportedConversation | null {
  if (!isObject(raw)) {
    warnings.add(where, `skipped: expected a conversation (an object), found ${kindOf(raw)}`);
    return null;
  }
  const conversationId = idOf(own(raw, 'conversation_id')) ?? idOf(own(raw, 'id'));
  if (conversationId === null) {
    warnings.add(where, 'skipped: the conversation has no id (conversation_id or id)');
    return null;
  }
  const mapping = own(raw, 'mapping');
  if (!isObject(mapping)) {
    warnings.add(at(where, 'mapping'), `skipped: expected the conversation's messages (an object), found ${kindOf(mapping)}`);
    return null;
  }
  const nodes = new Map<string, Record<string, unknown>>();
  let count = 0;
  for (const key in mapping) {
    if (!Object.prototype.hasOwnProperty.call(mapping, key)) continue;
    if (++count > MAX_NODES) {
      warnings.add(at(where, 'mapping'), `skipped: more than ${MAX_NODES} messages in one conversation`);
      return null;
    }
    const node = mapping[key];
    if (isObject(node)) nodes.set(key, node);
    else warnings.add(at(at(where, 'mapping'), key), `skipped: expected a message node (an object), found ${kindOf(node)}`);
  }
  const title = titleOf(own(raw, 'title'), at(where, 'title'), warnings);
  const started = timeOf(own(raw, 'create_time'));
  const branch = branchOf(nodes, own(raw, 'current_node'), where, warnings);
  const messages: ImportedMessage[] = [];
  let lastTime = started ?? timeOf(own(raw, 'update_time'));
  let previousAssistant: string | undefined;
  for (const nodeId of branch) {
    const node = nodes.get(nodeId)!;
    const message = own(node, 'message');
    if (message === null || message === undefined) continue;
    // Where it is, for a warning (built only then: most messages have none).
    const place = (): string => at(at(at(where, 'mapping'), nodeId), 'message');
    if (!isObject(message)) {
      warnings.add(place(), `skipped: expected a message (an object), found ${kindOf(message)}`);
      continue;
    }
    const role = roleOf(message);
    if (role !== 'user' && role !== 'assistant') continue;
    if (hidden(message)) continue;
    const time = timeOf(own(message, 'create_time'));
    if (time !== undefined) lastTime = time;
    if (role === 'assistant') {
      if (!visibleAnswer(message)) continue;
      const text = textOf(message, place, warnings);
      if (text) previousAssistant = tail(text, MAX_PREVIOUS_ASSISTANT_CHARS);
      continue;
    }
    const text = textOf(message, place, warnings);
    if (!text) continue;
    // Its own time, else the last time seen before it (an earlier message's, or the conversation's).
    const when = time ?? lastTime;
    if (when === undefined) {
      warnings.add(place(), 'skipped: neither the message nor its conversation has a date');
      continue;
    }
    const messageId = idOf(own(message, 'id')) ?? idOf(nodeId) ?? `#${messages.length}`;
    const clipped = head(text, MAX_MESSAGE_CHARS);
    if (clipped.cut) warnings.tally('truncated', (n) => `${plural(n, 'message was', 'messages were')} longer than ${MAX_MESSAGE_CHARS} characters: the first ${MAX_MESSAGE_CHARS} of each were kept`);
    messages.push({
      source: 'chatgpt',
      conversationId,
      title,
      messageId,
      importKey: importKey('chatgpt', conversationId, messageId),
      text: clipped.text,
      at: when,
      index: messages.length,
      ...(previousAssistant ? { previousAssistant } : {}),
      ...(clipped.cut ? { truncated: true } : {}),
    });
    previousAssistant = undefined;
  }
  // An empty conversation has nothing to import; its date only sorts it.
  return { source: 'chatgpt', conversationId, title, at: started ?? messages[0]?.at ?? 0, messages };
}

/**
 * The node ids from the root to `current_node`, walking up the parents (each node once: a cycle
 * ends the walk). Without a usable `current_node`, the newest branch: from the root, always the
 * last child.
 */
function branchOf(nodes: Map<string, Record<string, unknown>>, current: unknown, where: string, warnings: Warnings): string[] {
  const leaf = typeof current === 'string' && nodes.has(current) ? current : null;
  if (leaf === null) {
    if (nodes.size > 0) warnings.add(at(where, 'current_node'), current === undefined || current === null ? 'missing: the latest branch was read' : 'names no message of the conversation: the latest branch was read');
    return latestBranch(nodes);
  }
  const path: string[] = [];
  const seen = new Set<string>();
  for (let id: string | null = leaf; id !== null; ) {
    if (seen.has(id)) {
      warnings.add(at(at(where, 'mapping'), id), 'the messages’ parents loop: the conversation was read from here');
      break;
    }
    seen.add(id);
    path.push(id);
    const parent = own(nodes.get(id)!, 'parent');
    id = typeof parent === 'string' && nodes.has(parent) ? parent : null;
  }
  return path.reverse();
}

function latestBranch(nodes: Map<string, Record<string, unknown>>): string[] {
  const root = [...nodes.keys()].find((id) => {
    const parent = own(nodes.get(id)!, 'parent');
    return typeof parent !== 'string' || !nodes.has(parent);
  });
  const path: string[] = [];
  const seen = new Set<string>();
  for (let id = root; id !== undefined && !seen.has(id); ) {
    seen.add(id);
    path.push(id);
    const children = own(nodes.get(id)!, 'children');
    const kids = Array.isArray(children) ? children.filter((c): c is string => typeof c === 'string' && nodes.has(c)) : [];
    id = kids[kids.length - 1];
  }
  return path;
}

function titleOf(value: unknown, where: string, warnings: Warnings): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') {
    warnings.add(where, `ignored: expected a string, found ${kindOf(value)}`);
    return '';
  }
  return head(plainText(value).replace(/\s+/g, ' '), MAX_TITLE_CHARS).text;
}

function roleOf(message: Record<string, unknown>): unknown {
  const author = own(message, 'author');
  return isObject(author) ? own(author, 'role') : undefined;
}

/** Hidden from the conversation as the user sees it: custom instructions, system context. */
function hidden(message: Record<string, unknown>): boolean {
  const metadata = own(message, 'metadata');
  if (!isObject(metadata)) return false;
  return own(metadata, 'is_visually_hidden_from_conversation') === true || own(metadata, 'is_user_system_message') === true;
}

/** An assistant message the user saw as an answer: addressed to everyone, not reasoning. */
function visibleAnswer(message: Record<string, unknown>): boolean {
  const recipient = own(message, 'recipient');
  const channel = own(message, 'channel');
  return (recipient === undefined || recipient === null || recipient === 'all') && channel !== 'analysis' && channel !== 'commentary';
}

const TEXT_TYPES = new Set(['text', 'multimodal_text']);

/**
 * The text of a message: its string parts (and voice transcriptions) joined by line breaks,
 * read only up to READ_CHARS; '' for other content types.
 */
function textOf(message: Record<string, unknown>, where: () => string, warnings: Warnings): string {
  const content = own(message, 'content');
  if (!isObject(content)) {
    warnings.add(at(where(), 'content'), `skipped: expected the message's content (an object), found ${kindOf(content)}`);
    return '';
  }
  const type = own(content, 'content_type');
  if (typeof type !== 'string' || !TEXT_TYPES.has(type)) return '';
  const parts = own(content, 'parts');
  if (!Array.isArray(parts)) {
    warnings.add(at(at(where(), 'content'), 'parts'), `skipped: expected a list, found ${kindOf(parts)}`);
    return '';
  }
  const texts: string[] = [];
  let length = 0;
  for (const part of parts as unknown[]) {
    const text = typeof part === 'string' ? part : isObject(part) && own(part, 'content_type') === 'audio_transcription' ? own(part, 'text') : undefined;
    if (typeof text !== 'string' || text.trim() === '') continue;
    texts.push(text.length > READ_CHARS ? text.slice(0, READ_CHARS) : text);
    length += text.length;
    if (length > READ_CHARS) break;
  }
  return plainText(texts.join('\n'));
}

/**
 * The conversations of a parsed `conversations.json`, one at a time in the file's order, each
 * built when it is reached (no second copy of the file). A conversation that cannot be read is
 * skipped and reported in `warnings`; conversations with an id seen before are skipped (the
 * first wins). Throws an ImportError when `data` is not a list.
 */
export function* chatgptConversations(data: unknown, warnings: Warnings, where = 'conversations.json'): Generator<ImportedConversation> {
  if (!Array.isArray(data)) throw new ImportError(where, `expected a list of conversations, found ${kindOf(data)}`);
  const seen = new Set<string>();
  for (const [i, raw] of (data as unknown[]).entries()) {
    const conversation = chatgptConversation(raw, at(where, i), warnings);
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
 * Every user message of a parsed ChatGPT `conversations.json`: conversations by date, messages
 * in order. Throws an ImportError when it is not a ChatGPT export.
 *
 * @example
 * const { items, warnings } = parseChatGptExport(JSON.parse(text));
 */
export function parseChatGptExport(data: unknown, where = 'conversations.json'): ImportResult<ImportedMessage> {
  const warnings = new Warnings();
  if (Array.isArray(data) && data.length > 0 && !(data as unknown[]).some(isChatGptConversation)) {
    throw new ImportError(where, 'is not a ChatGPT export: no conversation has a “mapping” of messages');
  }
  const conversations = byDate([...chatgptConversations(data, warnings, where)]);
  return { items: conversations.flatMap((c) => c.messages), warnings: warnings.toArray() };
}

/** What importing a parsed ChatGPT export would add: how many messages, the first five, the warnings. */
export function previewChatGptExport(data: unknown): ImportPreview<ImportedMessage> {
  return previewOf(parseChatGptExport(data));
}
