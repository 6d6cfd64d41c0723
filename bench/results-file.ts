/** Shared by the benchmarks: bench/results.json keeps one shape; each benchmark owns its keys. */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function readResults(outPath: string): Record<string, unknown> {
  return existsSync(outPath) ? (JSON.parse(readFileSync(outPath, 'utf8')) as Record<string, unknown>) : {};
}

/** Replace only `patch`'s keys in the results JSON. */
export function mergeResults(outPath: string, patch: Record<string, unknown>): void {
  writeFileSync(outPath, JSON.stringify({ ...readResults(outPath), ...patch }, null, 2) + '\n');
}

/** Append a section to results.md next to the JSON (created with a title if missing). */
export function appendMarkdown(outPath: string, section: string): void {
  const mdPath = join(dirname(outPath), 'results.md');
  if (existsSync(mdPath)) appendFileSync(mdPath, section);
  else writeFileSync(mdPath, `# Engram benchmarks\n${section}`);
  console.log(section);
}
