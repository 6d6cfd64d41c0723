/**
 * A chat history the user picked: the ZIP ChatGPT or Claude sent them, or the
 * `conversations.json` inside it. Which site it is from is told by its first conversation
 * (ChatGPT's have a `mapping` of messages, Claude's `chat_messages`). The file is streamed: one
 * conversation is parsed at a time and only the user's messages are kept, so a file of hundreds
 * of megabytes (most of it the assistant's answers) never sits in memory whole.
 */
import { chatgptConversation, isChatGptConversation, parseChatGptExport } from './chatgpt-export';
import { claudeConversation, isClaudeConversation, parseClaudeExport } from './claude-export';
import { at, ImportError, isObject, kindOf, previewOf, Warnings, type ImportPreview, type ImportResult } from './import-result';
import { byDate, type ChatSource, type ImportedConversation, type ImportedMessage } from './imported';
import { jsonListItems, textChunks, type StreamLimits } from './json-text';
import { isZip, zipEntries, zipEntryBytes, type ZipEntry } from './zip';

/** A chat history read: its messages by date, which site it is from, and what was skipped. */
export interface ChatExportResult extends ImportResult<ImportedMessage> {
  /** null when the export has no conversation at all. */
  source: ChatSource | null;
  conversations: number;
  /** The files read (`conversations.json`, or a ZIP's `conversations-000.json`, …). */
  files: string[];
}

export interface ChatExportOptions {
  /** Stops reading between conversations; the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Limits on one conversation (depth, size). */
  limits?: Omit<StreamLimits, 'where'>;
  /** Told after each conversation read. */
  onConversation?: (conversation: ImportedConversation) => void;
}

/** A file of a ZIP that holds conversations: `conversations.json`, or ChatGPT's split `conversations-000.json`, …. */
const CONVERSATIONS_FILE = /(^|\/)conversations(-\d+)?\.json$/i;

/** The files of a pick that hold conversations, each as text chunks. */
async function conversationFiles(file: Blob): Promise<{ name: string; chunks: () => AsyncIterable<string> }[]> {
  if (!(await isZip(file))) {
    const name = 'name' in file && typeof file.name === 'string' && file.name ? file.name : 'conversations.json';
    return [{ name, chunks: () => textChunks(file) }];
  }
  const entries = (await zipEntries(file)).filter((e) => CONVERSATIONS_FILE.test(e.name) && !e.name.startsWith('__MACOSX/'));
  if (entries.length === 0) {
    throw new ImportError('ZIP file', 'has no conversations.json: pick the ZIP of a ChatGPT or Claude data export (or the conversations.json in it)');
  }
  // The shallowest copy of each name (an export may also be zipped inside a folder), in name order.
  const depth = (e: ZipEntry): number => e.name.split('/').length;
  const shallowest = Math.min(...entries.map(depth));
  return entries
    .filter((e) => depth(e) === shallowest)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((entry) => ({ name: entry.name, chunks: () => textChunks(zipEntryBytes(file, entry)) }));
}

/**
 * The conversations of a picked export, one at a time in the files' order, each with the user's
 * messages. Conversations that cannot be read are skipped and reported in `warnings`, as are
 * those of the other site's format and repeats of a conversation id (the first wins). Throws an
 * ImportError (naming the file, and the conversation when it is one) when the pick is not a
 * ChatGPT or Claude export, is not valid JSON, or is damaged.
 *
 * @example
 * for await (const conversation of chatExportConversations(file, new Warnings())) queue(conversation.messages);
 */
export async function* chatExportConversations(
  file: Blob,
  warnings: Warnings,
  options: ChatExportOptions & { onFiles?: (files: string[]) => void; onSource?: (source: ChatSource) => void } = {},
): AsyncGenerator<ImportedConversation> {
  const files = await conversationFiles(file);
  options.onFiles?.(files.map((f) => f.name));
  let source: ChatSource | null = null;
  const seen = new Set<string>();
  for (const { name, chunks } of files) {
    for await (const { index, value, chars } of jsonListItems(chunks(), { ...options.limits, where: name })) {
      options.signal?.throwIfAborted();
      const where = at(name, index);
      if (value === undefined) {
        warnings.add(where, `skipped: the conversation is ${chars} characters long, more than Engram reads of one`);
        continue;
      }
      const kind = isChatGptConversation(value) ? 'chatgpt' : isClaudeConversation(value) ? 'claude' : null;
      if (source === null) {
        if (kind === null) {
          throw new ImportError(
            where,
            isObject(value)
              ? 'is neither a ChatGPT conversation (it has no “mapping”) nor a Claude one (no “chat_messages”): pick a ChatGPT or Claude data export'
              : `expected a conversation (an object), found ${kindOf(value)}: pick a ChatGPT or Claude data export`,
          );
        }
        source = kind;
        options.onSource?.(source);
      } else if (kind !== source) {
        warnings.add(where, `skipped: not a ${source === 'chatgpt' ? 'ChatGPT' : 'Claude'} conversation like the others`);
        continue;
      }
      const conversation = source === 'chatgpt' ? chatgptConversation(value, where, warnings) : claudeConversation(value, where, warnings);
      if (!conversation) continue;
      if (seen.has(conversation.conversationId)) {
        warnings.add(where, `skipped: conversation ${conversation.conversationId} appears twice; the first was kept`);
        continue;
      }
      seen.add(conversation.conversationId);
      options.onConversation?.(conversation);
      yield conversation;
    }
  }
}

/**
 * Read a picked chat export (ZIP or `conversations.json`) whole: every user message,
 * conversations by date and messages in order, ready for a preview and then the import.
 *
 * @example
 * const result = await readChatExport(input.files[0]);
 * showPreview(previewOf(result)); // then, once the user agrees, queue result.items
 */
export async function readChatExport(file: Blob, options: ChatExportOptions = {}): Promise<ChatExportResult> {
  const warnings = new Warnings();
  let source: ChatSource | null = null;
  let files: string[] = [];
  const conversations: ImportedConversation[] = [];
  for await (const conversation of chatExportConversations(file, warnings, {
    ...options,
    onFiles: (names) => {
      files = names;
    },
    onSource: (s) => {
      source = s;
    },
  })) {
    conversations.push(conversation);
  }
  if (conversations.length === 0) warnings.add(files[0] ?? 'file', 'has no conversations');
  return { source, conversations: conversations.length, files, items: byDate(conversations).flatMap((c) => c.messages), warnings: warnings.toArray() };
}

/** What importing a picked chat export would add: how many messages, the first five, the warnings. */
export async function previewChatExport(file: Blob, options: ChatExportOptions = {}): Promise<ImportPreview<ImportedMessage> & { source: ChatSource | null }> {
  const result = await readChatExport(file, options);
  return { ...previewOf(result), source: result.source };
}

/** Every user message of an already parsed `conversations.json` of either site. */
export function parseChatExport(data: unknown, where = 'conversations.json'): ImportResult<ImportedMessage> & { source: ChatSource | null } {
  if (!Array.isArray(data)) throw new ImportError(where, `expected a list of conversations, found ${kindOf(data)}`);
  const items = data as unknown[];
  if (items.some(isChatGptConversation)) return { ...parseChatGptExport(data, where), source: 'chatgpt' };
  if (items.some(isClaudeConversation)) return { ...parseClaudeExport(data, where), source: 'claude' };
  if (items.length === 0) return { items: [], warnings: [`${where}: has no conversations`], source: null };
  throw new ImportError(where, 'is neither a ChatGPT nor a Claude export (no conversation has a “mapping” or “chat_messages”)');
}
