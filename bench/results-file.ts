/** Shared by the benchmarks: bench/results.json keeps one shape; each benchmark owns its keys. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function readResults(outPath: string): Record<string, unknown> {
  return existsSync(outPath) ? (JSON.parse(readFileSync(outPath, 'utf8')) as Record<string, unknown>) : {};
}

/** Replace only `patch`'s keys in the results JSON. */
export function mergeResults(outPath: string, patch: Record<string, unknown>): void {
  writeFileSync(outPath, JSON.stringify({ ...readResults(outPath), ...patch }, null, 2) + '\n');
}

/**
 * Write `name`'s section of results.md next to the JSON, replacing the one a previous run wrote
 * (between <!-- name:start --> and <!-- name:end -->), so each benchmark appears once.
 */
export function writeMarkdownSection(outPath: string, name: string, section: string): void {
  const mdPath = join(dirname(outPath), 'results.md');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${section.trim()}\n${end}`;
  const doc = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : '# Engram benchmarks\n';
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  writeFileSync(mdPath, a >= 0 && b > a ? doc.slice(0, a) + block + doc.slice(b + end.length) : `${doc.trimEnd()}\n\n${block}\n`);
  console.log(section);
}
