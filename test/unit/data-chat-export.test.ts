// @vitest-environment node
/**
 * A chat history as the user picks it (src/data/chat-export.ts, zip.ts): the ZIP ChatGPT or
 * Claude sent, or the conversations.json in it, told apart by their content and streamed one
 * conversation at a time; damaged, hostile and wrong files refused with where.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chatExportConversations, parseChatExport, previewChatExport, readChatExport } from '../../src/data/chat-export';
import { parseChatGptExport } from '../../src/data/chatgpt-export';
import { parseClaudeExport } from '../../src/data/claude-export';
import { generateChatGptExport } from '../../src/data/generate-export';
import { ImportError, Warnings } from '../../src/data/import-result';
import { crc32Update, isZip, zipEntries } from '../../src/data/zip';

const read = (path: string): string => readFileSync(new URL(`../fixtures/exports/${path}`, import.meta.url), 'utf8');
const chatgptText = read('chatgpt/conversations.json');
const claudeText = read('claude/conversations.json');
const bytes = (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(new TextEncoder().encode(text));

async function deflate(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

interface ZipFile {
  name: string;
  data: Uint8Array<ArrayBuffer>;
  /** 0: stored; 8: deflated (default). */
  method?: 0 | 8;
  /** Lie about the inflated size (a ZIP bomb declares less than it holds). */
  declaredSize?: number;
  /** Flip a byte of the stored data after the CRC is computed. */
  corrupt?: boolean;
}

/**
 * A ZIP archive (as the sites' exports are), written by hand: local headers, data, central
 * directory, end record; with `zip64`, the sizes and offsets in ZIP64 records as archives over
 * 4 GB have them.
 */
async function zip(files: ZipFile[], { zip64 = false } = {}): Promise<Blob> {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const file of files) {
    const method = file.method ?? 8;
    const name = bytes(file.name);
    const data = method === 8 ? await deflate(file.data) : file.data.slice();
    const crc = (crc32Update(0xffffffff, file.data) ^ 0xffffffff) >>> 0;
    if (file.corrupt) data[Math.floor(data.length / 2)]! ^= 0xff;
    const size = file.declaredSize ?? file.data.length;
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, 0x0800, true);
    local.setUint16(8, method, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, size, true);
    local.setUint16(26, name.length, true);
    parts.push(new Uint8Array(local.buffer), name, data);
    const entry = new DataView(new ArrayBuffer(46));
    entry.setUint32(0, 0x02014b50, true);
    entry.setUint16(4, 45, true);
    entry.setUint16(6, 45, true);
    entry.setUint16(8, 0x0800, true);
    entry.setUint16(10, method, true);
    entry.setUint32(16, crc, true);
    entry.setUint32(20, zip64 ? 0xffffffff : data.length, true);
    entry.setUint32(24, zip64 ? 0xffffffff : size, true);
    entry.setUint16(28, name.length, true);
    entry.setUint16(30, zip64 ? 28 : 0, true);
    entry.setUint32(42, zip64 ? 0xffffffff : offset, true);
    const extra = new DataView(new ArrayBuffer(zip64 ? 28 : 0));
    if (zip64) {
      extra.setUint16(0, 1, true);
      extra.setUint16(2, 24, true);
      extra.setBigUint64(4, BigInt(size), true);
      extra.setBigUint64(12, BigInt(data.length), true);
      extra.setBigUint64(20, BigInt(offset), true);
    }
    central.push(new Uint8Array(entry.buffer), name, new Uint8Array(extra.buffer));
    offset += 30 + name.length + data.length;
  }
  const directorySize = central.reduce((n, p) => n + p.length, 0);
  const records: Uint8Array[] = [];
  if (zip64) {
    const record = new DataView(new ArrayBuffer(56));
    record.setUint32(0, 0x06064b50, true);
    record.setBigUint64(4, 44n, true);
    record.setBigUint64(24, BigInt(files.length), true);
    record.setBigUint64(32, BigInt(files.length), true);
    record.setBigUint64(40, BigInt(directorySize), true);
    record.setBigUint64(48, BigInt(offset), true);
    const locator = new DataView(new ArrayBuffer(20));
    locator.setUint32(0, 0x07064b50, true);
    locator.setBigUint64(8, BigInt(offset + directorySize), true);
    locator.setUint32(16, 1, true);
    records.push(new Uint8Array(record.buffer), new Uint8Array(locator.buffer));
  }
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, zip64 ? 0xffff : files.length, true);
  end.setUint16(10, zip64 ? 0xffff : files.length, true);
  end.setUint32(12, zip64 ? 0xffffffff : directorySize, true);
  end.setUint32(16, zip64 ? 0xffffffff : offset, true);
  return new Blob([...parts, ...central, ...records, new Uint8Array(end.buffer)] as BlobPart[]);
}

describe('picking a chat export', () => {
  it('reads ChatGPT’s conversations.json as the parser does, and says it is ChatGPT’s', async () => {
    const result = await readChatExport(new File([chatgptText], 'conversations.json'));
    expect(result).toEqual({ ...parseChatGptExport(JSON.parse(chatgptText)), source: 'chatgpt', conversations: 3, files: ['conversations.json'] });
  });

  it('reads Claude’s, and tells it apart by its content', async () => {
    const result = await readChatExport(new Blob([claudeText]));
    expect(result).toMatchObject({ ...parseClaudeExport(JSON.parse(claudeText)), source: 'claude', conversations: 3 });
  });

  it('reads the ZIP itself, deflated or stored, and only its conversations', async () => {
    for (const method of [8, 0] as const) {
      const file = await zip([
        { name: 'user.json', data: bytes('{"email":"me@example.com"}'), method },
        { name: 'conversations.json', data: bytes(chatgptText), method },
        { name: 'chat.html', data: bytes('<html></html>'), method },
      ]);
      expect(await isZip(file)).toBe(true);
      const result = await readChatExport(file);
      expect(result.items).toEqual(parseChatGptExport(JSON.parse(chatgptText)).items);
      expect(result.files).toEqual(['conversations.json']);
    }
  });

  it('reads a ZIP64 archive (sizes and offsets in ZIP64 records)', async () => {
    const file = await zip(
      [
        { name: 'user.json', data: bytes('{}') },
        { name: 'conversations.json', data: bytes(claudeText) },
      ],
      { zip64: true },
    );
    expect((await zipEntries(file)).map((e) => [e.name, e.size])).toEqual([
      ['user.json', 2],
      ['conversations.json', bytes(claudeText).length],
    ]);
    expect((await readChatExport(file)).items).toEqual(parseClaudeExport(JSON.parse(claudeText)).items);
  });

  it('reads ChatGPT’s split files (conversations-000.json, …) together, sorted by date', async () => {
    const data = generateChatGptExport({ messages: 60, seed: 5 });
    const file = await zip([
      { name: 'conversations-001.json', data: bytes(JSON.stringify(data.slice(3))) },
      { name: 'conversations-000.json', data: bytes(JSON.stringify(data.slice(0, 3))) },
    ]);
    const result = await readChatExport(file);
    expect(result.files).toEqual(['conversations-000.json', 'conversations-001.json']);
    expect(result.items).toEqual(parseChatGptExport(data).items);
  });

  it('previews a pick: how many messages, the first five, from which site', async () => {
    const preview = await previewChatExport(new Blob([JSON.stringify(generateChatGptExport({ messages: 40, seed: 2 }))]));
    expect(preview).toMatchObject({ count: 40, source: 'chatgpt', warnings: [] });
    expect(preview.sample).toHaveLength(5);
  });

  it('reads an empty export as empty, with a word', async () => {
    expect(await readChatExport(new File(['[]'], 'conversations.json'))).toEqual({ source: null, conversations: 0, files: ['conversations.json'], items: [], warnings: ['conversations.json: has no conversations'] });
  });

  it('yields conversation by conversation as the file streams, and stops when asked', async () => {
    const data = generateChatGptExport({ messages: 100, seed: 9 });
    const controller = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const c of chatExportConversations(new Blob([JSON.stringify(data)]), new Warnings(), { signal: controller.signal })) {
        seen.push(c.conversationId);
        if (seen.length === 2) controller.abort(new Error('stopped by the user'));
      }
    })();
    await expect(reading).rejects.toThrow('stopped by the user');
    expect(seen).toEqual([data[0]!.conversation_id, data[1]!.conversation_id]);
  });

  it('parses an already read conversations.json of either site', () => {
    expect(parseChatExport(JSON.parse(claudeText)).source).toBe('claude');
    expect(parseChatExport(JSON.parse(chatgptText)).source).toBe('chatgpt');
    expect(parseChatExport([])).toEqual({ items: [], warnings: ['conversations.json: has no conversations'], source: null });
    expect(() => parseChatExport([{ hello: 1 }])).toThrow(/neither a ChatGPT nor a Claude export/);
  });
});

describe('a wrong, damaged or hostile pick', () => {
  const fails = async (file: Blob, message: string | RegExp): Promise<ImportError> => {
    const error = await readChatExport(file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).message).toMatch(message);
    return error as ImportError;
  };

  it('refuses a file that is not an export, saying what it expected', async () => {
    await fails(new File(['{"results": []}'], 'mem0.json'), 'mem0.json: expected a JSON list (of conversations) at the start of the file');
    await fails(new File(['[{"title": "x"}]'], 'conversations.json'), /^conversations\.json\[0\]: is neither a ChatGPT conversation .* nor a Claude one/);
    await fails(new File(['["a"]'], 'conversations.json'), /^conversations\.json\[0\]: expected a conversation \(an object\), found a string/);
    await fails(new File([''], 'conversations.json'), 'conversations.json: is empty');
    await fails(await zip([{ name: 'user.json', data: bytes('{}') }]), /^ZIP file: has no conversations\.json/);
  });

  it('refuses invalid JSON, naming the conversation', async () => {
    const text = `[${JSON.stringify(generateChatGptExport({ messages: 3, seed: 1 })[0])}, {"id": "x", "mapping": {"a": tru}}]`;
    await fails(new File([text], 'conversations.json'), /^conversations\.json\[1\]: is not valid JSON/);
  });

  it('refuses a file cut short, and text after the list', async () => {
    const whole = JSON.stringify(generateChatGptExport({ messages: 20, seed: 1 }));
    await fails(new File([whole.slice(0, whole.length / 2)], 'conversations.json'), /the file may be cut short/);
    await fails(new File([`${whole} {}`], 'conversations.json'), /unexpected text after the list/);
  });

  it('refuses nesting deeper than a conversation has, without recursing', async () => {
    const deep = `[{"id": "x", "mapping": {}, "deep": ${'['.repeat(100_000)}${']'.repeat(100_000)}}]`;
    await fails(new File([deep], 'conversations.json'), 'conversations.json[0]: is nested more than 256 levels deep');
  });

  it('skips a conversation larger than the limit, and reads the others', async () => {
    const data = generateChatGptExport({ messages: 30, seed: 4 });
    const sizes = data.map((c) => JSON.stringify(c).length);
    const limit = Math.max(...sizes) - 1;
    const result = await readChatExport(new File([JSON.stringify(data)], 'conversations.json'), { limits: { maxItemChars: limit } });
    const big = sizes.indexOf(limit + 1);
    expect(result.conversations).toBe(data.length - 1);
    expect(result.warnings).toEqual([`conversations.json[${big}]: skipped: the conversation is ${limit + 1} characters long, more than Engram reads of one`]);
  });

  it('refuses a damaged ZIP: cut short, a bad checksum, data that is not deflate', async () => {
    const good = await zip([{ name: 'conversations.json', data: bytes(chatgptText) }]);
    await fails(good.slice(0, good.size - 10), /^ZIP file: has no end/);
    await fails(await zip([{ name: 'conversations.json', data: bytes(chatgptText), method: 0, corrupt: true }]), /conversations\.json: is damaged in the ZIP \(its checksum does not match\)|not valid JSON/);
    await fails(await zip([{ name: 'conversations.json', data: bytes(chatgptText), corrupt: true }]), /^conversations\.json: /);
  });

  it('stops a ZIP bomb: a file that inflates past its declared size', async () => {
    const bomb = bytes(`[${' '.repeat(5_000_000)}]`);
    await fails(await zip([{ name: 'conversations.json', data: bomb, declaredSize: 1000 }]), 'conversations.json: inflates to more than its declared 1000 bytes; the ZIP is damaged or hostile');
  });

  it('refuses an encrypted file or an unknown compression, saying what to do', async () => {
    const file = await zip([{ name: 'conversations.json', data: bytes(chatgptText), method: 0 }]);
    const buffer = new Uint8Array(await file.arrayBuffer());
    const entries = await zipEntries(file);
    const directory = buffer.length - 22 - (46 + 'conversations.json'.length);
    const encrypted = buffer.slice();
    encrypted[directory + 8] = 0x01;
    await fails(new Blob([encrypted]), 'conversations.json: is encrypted in the ZIP; export it again without a password');
    const bzip = buffer.slice();
    bzip[directory + 10] = 12;
    await fails(new Blob([bzip]), /conversations\.json: is compressed with a method Engram cannot read \(12\)/);
    expect(entries.map((e) => e.name)).toEqual(['conversations.json']);
  });
});

describe('a large export', () => {
  it('streams a 50 MB file one conversation at a time', async () => {
    const data = generateChatGptExport({ messages: 33_000, seed: 11 });
    const text = JSON.stringify(data);
    expect(text.length).toBeGreaterThan(50_000_000);
    const file = new Blob([text]);
    let conversations = 0;
    let messages = 0;
    for await (const c of chatExportConversations(file, new Warnings())) {
      conversations++;
      messages += c.messages.length;
    }
    expect(conversations).toBe(data.length);
    expect(messages).toBe(33_000);
  });
});
