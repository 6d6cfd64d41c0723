/**
 * Vector index benchmark: HNSW (hnswlib-wasm) vs exact scan, side by side.
 *
 *   npx tsx --import ./scripts/hnswlib/node-loader.ts bench/index-bench.ts [--quick] [--out bench/results.json]
 *
 * Both indexes are filled incrementally with the same clustered synthetic vectors (see
 * test/support/vectors.ts) and measured at each checkpoint n: HNSW insertion is deterministic for a
 * given seed and order, so the index at a checkpoint is the one a fresh build of the first n vectors
 * gives, and `build_ms` is the cumulative upsert time up to n (from capacity 1024, doubling).
 * Merges its keys into the results JSON (other benchmarks own other keys) and writes a markdown
 * section into results.md next to it.
 *
 * Also the scale check of the vector index, moved here from the unit tests (which check 2,500 × 384
 * in a second or two): at every main size, HNSW recall@10 against the exact scan, unfiltered and
 * with a selective filter (1 label in 50 accepted), must reach RECALL_FLOOR, or the bench exits 1
 * (after writing its results).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { ExactIndex, exactIndexFactory } from '../src/adapters/exact-index';
import { HnswIndex, hnswIndexFactory } from '../src/adapters/hnsw-index';
import type { VectorHit, VectorIndex, VectorIndexFactory } from '../src/ports/vector-index';
import { clusteredVectorSpace } from '../test/support/vectors';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outIndex = args.indexOf('--out');
const outPath = outIndex >= 0 && args[outIndex + 1] ? args[outIndex + 1]! : 'bench/results.json';
const mdPath = join(dirname(outPath), 'results.md');

const DIMS = 384;
const QUERIES = 200;
const K = 10;
/** The recall@10 HNSW must reach against the exact scan, with and without a filter. */
const RECALL_FLOOR = 0.95;
/** The selective filter of the check: 1 label in 50 accepted, over the first FILTERED_QUERIES queries. */
const acceptOneIn50 = (label: number): boolean => label % 50 === 3;
const FILTERED_QUERIES = 20;
const MAIN_SIZES = quick ? [1000, 5000] : [1000, 10_000, 100_000];
const CROSSOVER_SIZES = quick ? [100, 200, 300, 500, 1000, 2000, 5000] : [100, 200, 300, 500, 1000, 2000, 5000, 10_000];
const CHECKPOINTS = [...new Set([...MAIN_SIZES, ...CROSSOVER_SIZES])].sort((a, b) => a - b);
const MAX_N = CHECKPOINTS[CHECKPOINTS.length - 1]!;

interface SearchRow {
  n: number;
  method: 'hnsw' | 'exact';
  p50_ms: number;
  p95_ms: number;
  recall_at_10: number;
  /** With the 1-in-50 filter, over the first FILTERED_QUERIES queries. */
  filtered_recall_at_10: number;
}
interface RecallCheck {
  n: number;
  metric: 'recall_at_10' | 'filtered_recall_at_10';
  value: number;
  floor: number;
  ok: boolean;
}
interface IndexRow {
  n: number;
  method: 'hnsw' | 'exact';
  build_ms: number;
  save_ms: number;
  load_ms: number;
  snapshot_bytes: number;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

function percentile(sorted: number[], p: number): number {
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[at]!;
}

function timeQueries(index: VectorIndex, queries: Float32Array[]): { p50: number; p95: number; results: VectorHit[][] } {
  for (const q of queries.slice(0, 10)) index.search(q, K); // warm-up
  const times: number[] = [];
  const results: VectorHit[][] = [];
  for (const q of queries) {
    const t = performance.now();
    results.push(index.search(q, K));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), results };
}

function recall(approx: VectorHit[][], exact: VectorHit[][]): number {
  let sum = 0;
  approx.forEach((hits, i) => {
    const truth = new Set(exact[i]!.map((h) => h.label));
    sum += hits.filter((h) => truth.has(h.label)).length / Math.max(1, truth.size);
  });
  return sum / approx.length;
}

/** Recall@10 of HNSW against the exact scan under the 1-in-50 filter; also checks HNSW returns k accepted hits. */
function filteredRecall(hnsw: VectorIndex, exact: VectorIndex, queries: Float32Array[]): number {
  const approx: VectorHit[][] = [];
  const truth: VectorHit[][] = [];
  for (const q of queries.slice(0, FILTERED_QUERIES)) {
    const hits = hnsw.search(q, K, acceptOneIn50);
    if (hits.length !== K || !hits.every((h) => acceptOneIn50(h.label))) {
      throw new Error(`filtered search returned ${hits.length} hits, or a label the filter rejects`);
    }
    approx.push(hits);
    truth.push(exact.search(q, K, acceptOneIn50));
  }
  return recall(approx, truth);
}

async function saveLoad(index: VectorIndex, factory: VectorIndexFactory): Promise<{ save: number; load: number; bytes: number }> {
  let t = performance.now();
  const snapshot = index.serialize();
  const save = performance.now() - t;
  t = performance.now();
  const restored = await factory.restore(snapshot, DIMS);
  const load = performance.now() - t;
  if (restored.size !== index.size) throw new Error(`restore lost vectors: ${restored.size} != ${index.size}`);
  if (restored instanceof HnswIndex) restored.dispose();
  return { save, load, bytes: snapshot.length };
}

async function main(): Promise<void> {
  const space = clusteredVectorSpace({ dims: DIMS, seed: 42 });
  console.log(`Vectors: ${space.description}`);
  console.log(`Checkpoints: ${CHECKPOINTS.join(', ')}${quick ? ' (quick)' : ''}; ${QUERIES} queries, k=${K}`);
  const t0 = performance.now();
  const points = space.sample(MAX_N, 1);
  const queries = space.sample(QUERIES, 2);

  const hnsw = await HnswIndex.create(DIMS, 1024);
  const exact = new ExactIndex(DIMS, 1024);
  let hnswBuild = 0;
  let exactBuild = 0;
  let filled = 0;

  const search: SearchRow[] = [];
  const checks: RecallCheck[] = [];
  const index: IndexRow[] = [];
  const crossoverPoints: { n: number; hnsw_p50_ms: number; hnsw_p95_ms: number; exact_p50_ms: number; exact_p95_ms: number }[] = [];

  for (const n of CHECKPOINTS) {
    let t = performance.now();
    for (let i = filled; i < n; i++) hnsw.upsert(i, points[i]!);
    hnswBuild += performance.now() - t;
    t = performance.now();
    for (let i = filled; i < n; i++) exact.upsert(i, points[i]!);
    exactBuild += performance.now() - t;
    filled = n;

    const e = timeQueries(exact, queries);
    const h = timeQueries(hnsw, queries);
    const r = recall(h.results, e.results);
    crossoverPoints.push({ n, hnsw_p50_ms: round(h.p50), hnsw_p95_ms: round(h.p95), exact_p50_ms: round(e.p50), exact_p95_ms: round(e.p95) });
    console.log(
      `n=${n}: hnsw p50 ${h.p50.toFixed(3)} / p95 ${h.p95.toFixed(3)} ms, exact p50 ${e.p50.toFixed(3)} / p95 ${e.p95.toFixed(3)} ms, recall@10 ${r.toFixed(4)}, hnsw build ${(hnswBuild / 1000).toFixed(1)} s`,
    );
    if (!MAIN_SIZES.includes(n)) continue;
    const fr = filteredRecall(hnsw, exact, queries);
    console.log(`n=${n}: hnsw recall@10 with a 1-in-50 filter ${fr.toFixed(4)} (${FILTERED_QUERIES} queries)`);
    for (const [metric, value] of [['recall_at_10', r], ['filtered_recall_at_10', fr]] as const) {
      checks.push({ n, metric, value: round(value, 4), floor: RECALL_FLOOR, ok: value >= RECALL_FLOOR });
    }
    search.push({ n, method: 'hnsw', p50_ms: round(h.p50), p95_ms: round(h.p95), recall_at_10: round(r, 4), filtered_recall_at_10: round(fr, 4) });
    search.push({ n, method: 'exact', p50_ms: round(e.p50), p95_ms: round(e.p95), recall_at_10: 1, filtered_recall_at_10: 1 });
    const hs = await saveLoad(hnsw, hnswIndexFactory);
    const es = await saveLoad(exact, exactIndexFactory);
    index.push({ n, method: 'hnsw', build_ms: round(hnswBuild, 1), save_ms: round(hs.save, 1), load_ms: round(hs.load, 1), snapshot_bytes: hs.bytes });
    index.push({ n, method: 'exact', build_ms: round(exactBuild, 1), save_ms: round(es.save, 1), load_ms: round(es.load, 1), snapshot_bytes: es.bytes });
  }
  hnsw.dispose();

  const crossing = crossoverPoints.find((p) => p.hnsw_p95_ms < p.exact_p95_ms);
  const crossover = {
    n: crossing?.n ?? null,
    note: crossing
      ? `smallest measured n (of ${CROSSOVER_SIZES.join(', ')}) where HNSW p95 < exact-scan p95 at k=${K}, d=${DIMS}; below it the engine should use the exact scan (which is also exact).`
      : `HNSW p95 never beat the exact scan up to n=${MAX_N}.`,
    points: crossoverPoints.filter((p) => CROSSOVER_SIZES.includes(p.n)),
  };

  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory_gib: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
  const params = { k: K, queries: QUERIES, dims: DIMS, hnsw: { M: 16, efConstruction: 200, efSearch: 'max(64, 2k)' }, quick };

  let existing: Record<string, unknown> = {};
  if (existsSync(outPath)) {
    try {
      existing = JSON.parse(readFileSync(outPath, 'utf8')) as Record<string, unknown>;
    } catch {
      console.warn(`${outPath} is not valid JSON; rewriting it`);
    }
  }
  const merged = { ...existing, machine, vectors: space.description, index_params: params, search, index, crossover, index_checks: checks };
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, `${JSON.stringify(merged, null, 2)}\n`);

  const md = markdown(machine, space.description, search, index, crossover, checks);
  console.log(`\n${md}`);
  const START = '<!-- index-bench:start -->';
  const END = '<!-- index-bench:end -->';
  const section = `${START}\n${md}\n${END}`;
  let doc = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : '';
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  doc = a >= 0 && b > a ? doc.slice(0, a) + section + doc.slice(b + END.length) : `${doc}${doc && !doc.endsWith('\n') ? '\n' : ''}${doc ? '\n' : ''}${section}\n`;
  writeFileSync(mdPath, doc);
  console.log(`wrote ${outPath} and ${mdPath} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0) {
    for (const c of failed) console.error(`✘ n=${c.n}: HNSW ${c.metric} ${c.value} < ${c.floor}`);
    process.exitCode = 1;
  }
}

function markdown(
  machine: { cpu: string; cores: number; memory_gib: number; node: string; os: string; date: string },
  vectors: string,
  search: SearchRow[],
  index: IndexRow[],
  crossover: { n: number | null; note: string; points: { n: number; hnsw_p95_ms: number; exact_p95_ms: number }[] },
  checks: RecallCheck[],
): string {
  const lines = [
    '## Vector index: HNSW (hnswlib-wasm) vs exact scan',
    '',
    `${machine.cpu}, ${machine.cores} cores, ${machine.memory_gib} GiB, Node ${machine.node}, ${machine.os}, ${machine.date}`,
    '',
    `Vectors: ${vectors}. ${QUERIES} queries, k=${K}. HNSW: M=16, efConstruction=200, efSearch=max(64, 2k). Single thread.`,
    '',
    '| n | method | search p50 (ms) | search p95 (ms) | recall@10 | recall@10, 1-in-50 filter | build (ms) | save (ms) | load (ms) | snapshot (bytes) |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of search) {
    const i = index.find((x) => x.n === s.n && x.method === s.method);
    lines.push(
      `| ${s.n.toLocaleString('en-US')} | ${s.method} | ${s.p50_ms} | ${s.p95_ms} | ${s.recall_at_10} | ${s.filtered_recall_at_10} | ${i?.build_ms ?? ''} | ${i?.save_ms ?? ''} | ${i?.load_ms ?? ''} | ${i ? i.snapshot_bytes.toLocaleString('en-US') : ''} |`,
    );
  }
  const failed = checks.filter((c) => !c.ok);
  lines.push(
    '',
    `Recall check (HNSW vs exact, recall@10 ≥ ${RECALL_FLOOR} over ${QUERIES} queries, and with the filter over ${FILTERED_QUERIES}): ` +
      (failed.length === 0 ? `**passed** at n = ${[...new Set(checks.map((c) => c.n))].map((n) => n.toLocaleString('en-US')).join(', ')}` : `**failed**: ${failed.map((c) => `n=${c.n} ${c.metric} ${c.value}`).join('; ')}`),
  );
  lines.push('', `Crossover: **n = ${crossover.n ?? 'none'}** — ${crossover.note}`, '', '| n | hnsw p95 (ms) | exact p95 (ms) |', '|---:|---:|---:|');
  for (const p of crossover.points) lines.push(`| ${p.n.toLocaleString('en-US')} | ${p.hnsw_p95_ms} | ${p.exact_p95_ms} |`);
  return lines.join('\n');
}

await main();
