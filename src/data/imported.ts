/**
 * What the import formats produce, whatever file they came from: user messages of a chat history
 * (ChatGPT, Claude), to run through Engram's extraction, and memories (pasted lists, Mem0), to
 * store as they are. Each has an `importKey` that is the same every time the same file is read,
 * so a second import of it adds nothing twice.
 */
import type { CapturedTurn } from '../core/turns';
import { MAX_REPLY_TO_CHARS, MAX_TURN_CHARS } from '../core/turns';
import type { JsonValue } from '../core/types';
import type { AddManyItem } from '../engine/add-options';
import type { ChatMessage } from '../ports/extractor';

/** The chat sites whose data exports Engram reads. */
export type ChatSource = 'chatgpt' | 'claude';

/** One message the user sent, from a chat site's data export. */
export interface ImportedMessage {
  source: ChatSource;
  conversationId: string;
  /** The conversation's title ('' when it has none). */
  title: string;
  /** The site's id of the message (or `#<index>` when the export gives none). */
  messageId: string;
  /** `source/conversation/message`, each part URI-encoded: the same for the same message in every import. */
  importKey: string;
  /** What the user wrote: control characters removed, line breaks kept, at most MAX_TURN_CHARS. */
  text: string;
  /** When it was sent, ms since epoch (the message's own time, else its conversation's). */
  at: number;
  /** Its order among the conversation's imported messages, from 0. */
  index: number;
  /** The end of the assistant's message just before it (at most MAX_REPLY_TO_CHARS), as a captured turn's `replyTo`. */
  previousAssistant?: string;
  /** The message was longer than MAX_TURN_CHARS and only its beginning was kept (as for a captured turn). */
  truncated?: boolean;
}

/** One conversation of an export, with the user's messages in order. */
export interface ImportedConversation {
  source: ChatSource;
  conversationId: string;
  title: string;
  /** When it started, ms since epoch: it sorts the import. */
  at: number;
  messages: ImportedMessage[];
}

/** How long a message may be: what Engram reads of a captured turn. */
export const MAX_MESSAGE_CHARS = MAX_TURN_CHARS;
/** How much of the previous assistant message travels with a message. */
export const MAX_PREVIOUS_ASSISTANT_CHARS = MAX_REPLY_TO_CHARS;

/** The key of a message: the same for the same message of the same export, in every import. */
export function importKey(source: string, conversationId: string, messageId: string): string {
  return [source, conversationId, messageId].map(encodeURIComponent).join('/');
}

/**
 * Conversations in the order they happened (by start; equal starts keep the file's order), so
 * the import tells Engram things in the order the user said them and a later fact updates an
 * earlier one, never the reverse.
 */
export function byDate<T extends { at: number }>(items: readonly T[]): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => a.item.at - b.item.at || a.i - b.i)
    .map((x) => x.item);
}

/** The messages of conversations sorted by date, in order. */
export function messagesOf(conversations: readonly ImportedConversation[]): ImportedMessage[] {
  return byDate(conversations).flatMap((c) => c.messages);
}

/**
 * A message as an item of `memory.addMany` (infer: true): the assistant's words before it for
 * context, the user's message with its import key as the turn id (the facts' provenance), its
 * date, site and conversation.
 *
 * @example
 * await memory.addMany(messages.map(addManyItemOf), { userId: DEFAULT_USER });
 */
export function addManyItemOf(message: ImportedMessage): AddManyItem {
  const messages: ChatMessage[] = [
    ...(message.previousAssistant ? [{ role: 'assistant' as const, content: message.previousAssistant }] : []),
    { role: 'user', content: message.text, id: message.importKey },
  ];
  return { messages, saidAt: message.at, site: message.source, conversationId: message.conversationId, metadata: { importedFrom: message.source } };
}

/**
 * A message as a captured turn, for the durable turn queue (which processes turns in the
 * background, resumably, and queues the same capture once).
 */
export function capturedTurnOf(message: ImportedMessage): CapturedTurn {
  return {
    site: message.source,
    conversationId: message.conversationId,
    text: message.text,
    sentAt: message.at,
    ...(message.previousAssistant ? { replyTo: message.previousAssistant } : {}),
  };
}

/** Where a memory came from: a pasted list of saved memories, or Mem0 records. */
export type MemorySource = 'saved-memories' | 'mem0';

/** A memory to store as it is (addMany with `infer: false`). */
export interface ImportedMemory {
  source: MemorySource;
  /** One fact, cleaned, at most the engine's MAX_MEMORY_CHARS. */
  text: string;
  /** When it was said or saved, ms since epoch, when the file says. */
  at?: number;
  /** When it last changed (Mem0's `updated_at`), ms since epoch. */
  updatedAt?: number;
  /** The record's own metadata (Mem0), checked to be JSON; scope keys removed. */
  metadata: Record<string, JsonValue>;
  categories?: string[];
  /** Mem0's `expiration_date` (YYYY-MM-DD). */
  expirationDate?: string;
  /** Mem0's scope ids as the record had them (the extension files every memory under its one user). */
  scope?: { userId?: string; agentId?: string; runId?: string };
  /** Engram's provenance, when the record carries it (an Engram memory exported as Mem0). */
  site?: CapturedTurn['site'];
  conversationId?: string;
  space?: string;
  /** Where in the file: `line 3`, `results[4]`. */
  where: string;
  /** The same for the same memory in every import of the file. */
  importKey: string;
}

/**
 * A memory as an item of `memory.addMany` with `infer: false` (stored verbatim, deduplicated by
 * its text in its scope), dated, with its metadata and where it came from.
 */
export function addManyMemoryOf(memory: ImportedMemory): AddManyItem {
  return {
    messages: [{ role: 'user', content: memory.text, id: memory.importKey }],
    ...(memory.at === undefined ? {} : { saidAt: memory.at }),
    ...(memory.site ? { site: memory.site } : {}),
    ...(memory.conversationId ? { conversationId: memory.conversationId } : {}),
    ...(memory.expirationDate ? { expirationDate: memory.expirationDate } : {}),
    metadata: { ...memory.metadata, importedFrom: memory.source },
  };
}
