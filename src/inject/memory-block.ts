/**
 * The memory block Engram puts ahead of a prompt, and its inverse. The block has a fixed header and
 * footer so that capture can always recognise and strip it: a memory system that re-reads its own
 * injected block stores its own output as new "facts".
 */

export const BLOCK_HEADER = '[Engram memory: facts the user shared in earlier chats. Use them only if relevant.]';
export const BLOCK_FOOTER = '[/Engram memory]';

/**
 * Render memories as a block followed by the user's prompt, unchanged.
 *
 * @example
 * withMemoryBlock(['I live in Berlin'], 'Any plans for tonight?');
 * // "[Engram memory: …]\n- I live in Berlin\n[/Engram memory]\n\nAny plans for tonight?"
 */
export function withMemoryBlock(memories: readonly string[], prompt: string): string {
  if (memories.length === 0) return prompt;
  const lines = memories.map((m) => `- ${m.replace(/\s+/g, ' ').trim()}`);
  return [BLOCK_HEADER, ...lines, BLOCK_FOOTER, '', prompt].join('\n');
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const BLOCK_RE = new RegExp(`${escape(BLOCK_HEADER)}[\\s\\S]*?${escape(BLOCK_FOOTER)}\\s*`, 'g');
// A header whose footer was cut off (e.g. the user deleted the end): drop the header and the
// "- fact" lines under it, never the user's own text after them.
const ORPHAN_RE = new RegExp(`${escape(BLOCK_HEADER)}[^\\n]*\\n?(?:- [^\\n]*(?:\\n|$))*\\s*`, 'g');

/** Remove every Engram memory block from `text`, leaving what the user wrote. */
export function stripMemoryBlock(text: string): string {
  return text.replace(BLOCK_RE, '').replace(ORPHAN_RE, '').trim();
}

/** True when `text` holds an Engram memory block. */
export function hasMemoryBlock(text: string): boolean {
  return text.includes(BLOCK_HEADER);
}
