/**
 * Reading JSON files: whole (a Mem0 or Engram export), with errors that say where; or, for chat
 * exports that can be hundreds of megabytes, as a stream of the top-level list's items, each
 * parsed on its own, so the file is never held whole as text nor as one parsed tree.
 */
import { ImportError } from './import-result';

/** The largest file read whole (characters). Chat exports are streamed instead. */
export const MAX_JSON_CHARS = 256 * 1024 * 1024;

/**
 * Parse a whole JSON text. A syntax error says where (line and column); input nested too deeply
 * for the engine's parser (a RangeError in Chrome, an InternalError in Firefox) says so.
 */
export function parseJsonText(text: string, where = 'file'): unknown {
  if (text.length > MAX_JSON_CHARS) throw new ImportError(where, `is too large to read (${text.length} characters; at most ${MAX_JSON_CHARS})`);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new ImportError(where, 'is empty');
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw jsonError(error, body, where, 0);
  }
}

/** Read a file whole as text and parse it. */
export async function readJsonFile(file: Blob, where = 'file'): Promise<unknown> {
  if (file.size > MAX_JSON_CHARS * 2) throw new ImportError(where, `is too large to read (${file.size} bytes)`);
  return parseJsonText(await file.text(), where);
}

function jsonError(error: unknown, text: string, where: string, offset: number): ImportError {
  if (error instanceof SyntaxError) {
    const position = /position (\d+)/.exec(error.message);
    const place = position ? ` (${lineAndColumn(text, Number(position[1]), offset)})` : '';
    const detail = error.message.length > 160 ? `${error.message.slice(0, 160)}…` : error.message;
    return new ImportError(where, `is not valid JSON${place}: ${detail}`, { cause: error });
  }
  return new ImportError(where, 'is nested too deeply (or is too large) to read', { cause: error });
}

function lineAndColumn(text: string, position: number, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return offset > 0 ? `character ${offset + position + 1}` : `line ${line}, column ${position - lineStart + 1}`;
}

/** What a streamed list item may be: how deep, how long. */
export interface StreamLimits {
  /** Nesting of one item (a ChatGPT conversation is about 8 levels deep). Default 256. */
  maxDepth?: number;
  /** Characters of one item; a longer item is skipped and reported. Default 64 Mi characters. */
  maxItemChars?: number;
  /** The file's name in errors. */
  where?: string;
}

export interface StreamedItem {
  index: number;
  /** The parsed item, or undefined when it was too large and skipped. */
  value: unknown;
  /** The item's length in characters. */
  chars: number;
}

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/** The characters that end a run of string content. */
const STRING_STOP = /["\\]/g;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The items of a JSON file's top-level list, one by one, each parsed on its own as its text
 * arrives: memory holds one item at a time, never the whole file. Throws an ImportError naming
 * the item (`conversations.json[12]`) when the file is not a list, an item is not valid JSON or
 * is nested deeper than `maxDepth`, or text follows the list. An item longer than `maxItemChars`
 * is yielded with `value: undefined` (the caller reports it) and never held.
 *
 * @example
 * for await (const { index, value } of jsonListItems(textChunks(file))) console.log(index, value);
 */
export async function* jsonListItems(chunks: AsyncIterable<string>, limits: StreamLimits = {}): AsyncGenerator<StreamedItem> {
  const maxDepth = limits.maxDepth ?? 256;
  const maxItemChars = limits.maxItemChars ?? 64 * 1024 * 1024;
  const where = limits.where ?? 'file';
  /** 0: before the list; 1: in the list, between items; 2: after the list. */
  let phase = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let index = 0;
  /** The current item's text so far (pieces of chunks), or null when between items. */
  let pieces: string[] | null = null;
  let itemChars = 0;
  let oversized = false;
  let offset = 0;
  let first = true;
  /** Whether a value was seen since the last comma (to find `[1,,2]` and `[1,]`). */
  let sawItem = false;

  const fail = (reason: string): ImportError => new ImportError(phase === 1 ? `${where}[${index}]` : where, reason);

  function finish(): StreamedItem {
    const text = pieces!.join('');
    pieces = null;
    const item: StreamedItem = { index, value: undefined, chars: itemChars };
    if (!oversized) {
      try {
        item.value = JSON.parse(text) as unknown;
      } catch (error) {
        throw jsonError(error, text, `${where}[${index}]`, 1);
      }
    }
    index++;
    itemChars = 0;
    oversized = false;
    return item;
  }

  for await (const chunk of chunks) {
    let i = 0;
    if (first && chunk.charCodeAt(0) === 0xfeff) i = 1;
    if (chunk.length > 0) first = false;
    /** Where the current item starts in this chunk (when one is open). */
    let start = pieces ? i : -1;
    const items: StreamedItem[] = [];
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (phase === 0) {
        if (isSpace(c)) continue;
        if (c !== OPEN_BRACKET) throw fail('expected a JSON list (of conversations) at the start of the file');
        phase = 1;
        continue;
      }
      if (phase === 2) {
        if (!isSpace(c)) throw fail(`unexpected text after the list (character ${offset + i + 1})`);
        continue;
      }
      if (pieces === null) {
        // Between items: white space, a comma, the end of the list, or an item's first character.
        if (isSpace(c)) continue;
        if (c === COMMA) {
          if (!sawItem) throw fail('is missing (two commas in a row, or a comma right after “[”)');
          sawItem = false;
          continue;
        }
        if (c === CLOSE_BRACKET) {
          if (index > 0 && !sawItem) throw fail('is missing (a comma before “]”)');
          phase = 2;
          continue;
        }
        if (sawItem) throw fail('is not separated from the item before it by a comma');
        pieces = [];
        start = i;
        depth = 0;
      }
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        // Most of a file is inside strings: jump to the next quote or backslash (native search).
        STRING_STOP.lastIndex = i;
        const stop = STRING_STOP.exec(chunk);
        if (stop === null) {
          i = chunk.length - 1;
          continue;
        }
        i = stop.index;
        if (chunk.charCodeAt(i) === BACKSLASH) escaped = true;
        else inString = false;
        continue;
      }
      if (c === QUOTE) {
        inString = true;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++depth > maxDepth) throw fail(`is nested more than ${maxDepth} levels deep`);
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) {
          // A `]` that ends the list right after a scalar item (`[1, 2]`).
          if (c !== CLOSE_BRACKET) throw fail('has an unmatched “}”');
          collect(chunk, start, i);
          items.push(finish());
          sawItem = true;
          phase = 2;
          continue;
        }
        depth--;
        if (depth === 0) {
          collect(chunk, start, i + 1);
          items.push(finish());
          sawItem = true;
          continue;
        }
      } else if (depth === 0 && (c === COMMA || isSpace(c))) {
        // The end of a scalar item (a number, true, null…).
        collect(chunk, start, i);
        items.push(finish());
        sawItem = true;
        if (c === COMMA) sawItem = false;
        continue;
      }
    }
    if (pieces !== null) collect(chunk, start, chunk.length);
    offset += chunk.length;
    yield* items;
  }
  if (phase === 0) throw fail('is empty');
  if (phase === 1) throw fail(pieces === null ? 'ends before the list is closed (the file may be cut short: download it again)' : 'ends in the middle of this item (the file may be cut short: download it again)');

  function collect(chunk: string, from: number, to: number): void {
    if (to <= from) return;
    itemChars += to - from;
    if (itemChars > maxItemChars) {
      oversized = true;
      pieces = [];
      return;
    }
    pieces!.push(chunk.slice(from, to));
  }
}

/** Characters a string source is cut into (a Blob's stream decides its own chunk sizes). */
const STRING_CHUNK = 1024 * 1024;

/**
 * A file, bytes as they stream (a file inflated from a ZIP) or a string, as chunks of text (UTF-8
 * decoded; a bad byte becomes U+FFFD, a leading byte order mark is dropped).
 */
export async function* textChunks(source: Blob | AsyncIterable<Uint8Array> | string): AsyncGenerator<string> {
  if (typeof source === 'string') {
    for (let i = 0; i < source.length; i += STRING_CHUNK) yield source.slice(i, i + STRING_CHUNK);
    return;
  }
  const decoder = new TextDecoder();
  for await (const bytes of source instanceof Blob ? blobBytes(source) : source) {
    const text = decoder.decode(bytes, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

async function* blobBytes(file: Blob): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
