/**
 * Text normalisation for storage and comparison: what counts as "the same fact".
 */

/**
 * Invisible characters that change nothing a reader sees: zero-width space, bidi marks,
 * embeddings and isolates, word joiner, BOM. The zero-width (non-)joiners are kept: they join
 * emoji sequences and shape Persian and Indic script.
 */
const INVISIBLE = /[\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** Clean text for storage: NFC, no invisible characters, collapsed white space. */
export function cleanText(text: string): string {
  return text.normalize('NFC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

/** The comparison key of a fact: case- and punctuation-insensitive. */
export function comparisonKey(text: string): string {
  return cleanText(text)
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/[.!?;,:\s]+$/u, '')
    .replace(/\s+/g, ' ');
}

export interface ScopeKey {
  userId: string;
  agentId: string | null;
  runId: string | null;
  space: string | null;
}

/** A stable hash (FNV-1a, 52 bits, hex) of a fact in its scope. */
export function factHash(text: string, scope: ScopeKey): string {
  const input = [comparisonKey(text), scope.userId, scope.agentId ?? '', scope.runId ?? '', scope.space ?? ''].join('\u0000');
  // Two 32-bit FNV-1a lanes with different offsets, for 64 bits of spread.
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h2 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
