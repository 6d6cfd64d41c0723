/**
 * The little of ZIP an import needs: the list of a data export's files, and one file's bytes,
 * streamed. ChatGPT's and Claude's exports are ZIPs whose `conversations.json` (ChatGPT: also
 * `conversations-000.json`, …) is stored or deflated; deflate is undone by the browser's own
 * `DecompressionStream('deflate-raw')` (Chrome 103+, Firefox 113+, Safari 16.4+, Node 20+),
 * so no library is needed. ZIP64 sizes and offsets are read; encrypted files and other
 * compression methods are refused with a clear error. Every size is checked against what is
 * actually there (a file that inflates past its declared size — a ZIP bomb — stops at once), and
 * each file's CRC-32 is checked as it streams.
 */
import { ImportError } from './import-result';

export interface ZipEntry {
  /** Its path in the archive, `/`-separated. */
  name: string;
  /** 0: stored; 8: deflated. */
  method: number;
  flags: number;
  compressedSize: number;
  /** Its size once inflated, as the archive declares it. */
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** The largest central directory read (a few hundred bytes per file). */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;
const MAX_ENTRIES = 500_000;

async function bytesAt(file: Blob, start: number, length: number): Promise<DataView> {
  const buffer = await file.slice(start, start + length).arrayBuffer();
  if (buffer.byteLength !== length) throw new ImportError('ZIP file', 'is cut short (download the export again)');
  return new DataView(buffer);
}

const u64 = (view: DataView, offset: number): number => view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 2 ** 32;

/** Whether `file` starts as a ZIP archive does. */
export async function isZip(file: Blob): Promise<boolean> {
  if (file.size < 4) return false;
  const head = new DataView(await file.slice(0, 4).arrayBuffer());
  const signature = head.getUint32(0, true);
  return signature === LOCAL || signature === EOCD;
}

/** The files of a ZIP archive, from its central directory. */
export async function zipEntries(file: Blob): Promise<ZipEntry[]> {
  const tailLength = Math.min(file.size, 22 + 0xffff);
  if (tailLength < 22) throw new ImportError('ZIP file', 'is not a ZIP archive');
  const tail = await bytesAt(file, file.size - tailLength, tailLength);
  let eocd = -1;
  for (let p = tailLength - 22; p >= 0; p--) {
    if (tail.getUint32(p, true) === EOCD) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw new ImportError('ZIP file', 'has no end (it may be cut short: download the export again)');
  let count = tail.getUint16(eocd + 10, true);
  let directorySize = tail.getUint32(eocd + 12, true);
  let directoryOffset = tail.getUint32(eocd + 16, true);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.getUint32(locator, true) !== ZIP64_LOCATOR) throw new ImportError('ZIP file', 'has a damaged ZIP64 directory');
    const zip64At = u64(tail, locator + 8);
    if (zip64At + 56 > file.size) throw new ImportError('ZIP file', 'has a damaged ZIP64 directory');
    const zip64 = await bytesAt(file, zip64At, 56);
    if (zip64.getUint32(0, true) !== ZIP64_EOCD) throw new ImportError('ZIP file', 'has a damaged ZIP64 directory');
    count = u64(zip64, 32);
    directorySize = u64(zip64, 40);
    directoryOffset = u64(zip64, 48);
  }
  if (count > MAX_ENTRIES) throw new ImportError('ZIP file', `lists ${count} files; at most ${MAX_ENTRIES} are read`);
  if (directorySize > MAX_DIRECTORY_BYTES || directoryOffset + directorySize > file.size) {
    throw new ImportError('ZIP file', 'has a damaged directory (it may be cut short: download the export again)');
  }
  const directory = await bytesAt(file, directoryOffset, directorySize);
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > directorySize || directory.getUint32(p, true) !== CENTRAL) throw new ImportError('ZIP file', `has a damaged directory (entry ${i + 1})`);
    const nameLength = directory.getUint16(p + 28, true);
    const extraLength = directory.getUint16(p + 30, true);
    const commentLength = directory.getUint16(p + 32, true);
    if (p + 46 + nameLength + extraLength + commentLength > directorySize) throw new ImportError('ZIP file', `has a damaged directory (entry ${i + 1})`);
    const entry: ZipEntry = {
      name: decoder.decode(new Uint8Array(directory.buffer, p + 46, nameLength)).replace(/\\/g, '/'),
      flags: directory.getUint16(p + 8, true),
      method: directory.getUint16(p + 10, true),
      crc32: directory.getUint32(p + 16, true),
      compressedSize: directory.getUint32(p + 20, true),
      size: directory.getUint32(p + 24, true),
      localHeaderOffset: directory.getUint32(p + 42, true),
    };
    readZip64Extra(entry, directory, p + 46 + nameLength, extraLength);
    entries.push(entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** ZIP64 sizes and offset, from the extra field (id 1), for the values the entry marks 0xffffffff. */
function readZip64Extra(entry: ZipEntry, view: DataView, start: number, length: number): void {
  for (let q = start; q + 4 <= start + length; ) {
    const id = view.getUint16(q, true);
    const size = view.getUint16(q + 2, true);
    if (id === 1) {
      let r = q + 4;
      const end = q + 4 + size;
      const next = (): number | undefined => {
        if (r + 8 > end) return undefined;
        const value = u64(view, r);
        r += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = next() ?? entry.size;
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next() ?? entry.compressedSize;
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next() ?? entry.localHeaderOffset;
      return;
    }
    q += 4 + size;
  }
}

/**
 * One file of the archive, inflated, as chunks of bytes. Throws an ImportError naming the file
 * when it is encrypted, compressed another way, damaged (bad deflate data or CRC), or larger than
 * declared or than `maxBytes`.
 */
export async function* zipEntryBytes(file: Blob, entry: ZipEntry, maxBytes = 2 * 1024 * 1024 * 1024): AsyncGenerator<Uint8Array> {
  const where = entry.name;
  if (entry.flags & 1) throw new ImportError(where, 'is encrypted in the ZIP; export it again without a password');
  if (entry.method !== 0 && entry.method !== 8) throw new ImportError(where, `is compressed with a method Engram cannot read (${entry.method}); unzip the export and pick the file itself`);
  if (entry.size > maxBytes) throw new ImportError(where, `is too large to import (${entry.size} bytes)`);
  if (entry.localHeaderOffset + 30 > file.size) throw new ImportError(where, 'is damaged (its header is past the end of the ZIP)');
  const header = await bytesAt(file, entry.localHeaderOffset, 30);
  if (header.getUint32(0, true) !== LOCAL) throw new ImportError(where, 'is damaged (no header where the directory says)');
  const dataStart = entry.localHeaderOffset + 30 + header.getUint16(26, true) + header.getUint16(28, true);
  if (dataStart + entry.compressedSize > file.size) throw new ImportError(where, 'is cut short (download the export again)');
  const raw = file.slice(dataStart, dataStart + entry.compressedSize).stream();
  const stream = entry.method === 8 ? raw.pipeThrough(new DecompressionStream('deflate-raw')) : raw;
  const reader = stream.getReader();
  let total = 0;
  let crc = 0xffffffff;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new ImportError(where, 'is damaged in the ZIP (its compressed data cannot be read)', { cause: error });
      }
      if (chunk.done) break;
      total += chunk.value.length;
      if (total > entry.size) throw new ImportError(where, `inflates to more than its declared ${entry.size} bytes; the ZIP is damaged or hostile`);
      crc = crc32Update(crc, chunk.value);
      yield chunk.value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (total !== entry.size) throw new ImportError(where, `is ${total} bytes, not the ${entry.size} declared (the ZIP is damaged)`);
  if ((crc ^ 0xffffffff) >>> 0 !== entry.crc32) throw new ImportError(where, 'is damaged in the ZIP (its checksum does not match)');
}

let table: Uint32Array | null = null;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32 (the ZIP one) of `bytes` continued from `crc` (start with 0xffffffff; finish with `^ 0xffffffff`). */
export function crc32Update(crc: number, bytes: Uint8Array): number {
  const t = crcTable();
  let c = crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}
