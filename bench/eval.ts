/**
 * `npm run eval -- --data <file> --out <file> [--limit N] [--extractor rule|raw] [--min k=v,…]`
 * Evaluates Engram's retrieval on a file in the LoCoMo layout (see src/eval/run-eval.ts) and
 * writes the JSON result and, next to it, a markdown table. `--min turn_recall_at_10=0.6,…`
 * fails the run (exit 1) when an overall figure falls below its floor: `npm test` uses it on
 * the reduced run, so a retrieval regression on real conversations fails CI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TransformersEmbedder } from '../src/adapters/transformers-embedder';
import { BUNDLED_MODEL } from '../src/engine/models';
import { loadLocomo } from '../src/eval/locomo';
import { markdownOf, runEval } from '../src/eval/run-eval';
import { bounds, enforce } from './floors';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const data = resolve(arg('data') ?? '../shared/data/locomo10.json');
const out = resolve(arg('out') ?? 'bench/locomo.json');
const limit = Number(arg('limit') ?? Infinity);
const extractor = arg('extractor') === 'raw' ? 'raw' : 'rule';

const samples = loadLocomo(data).slice(0, limit);
// `--model <folder> --models <dir>`: evaluate another model built in transformers.js's layout.
const embedder = new TransformersEmbedder({ modelId: arg('model') ?? BUNDLED_MODEL, localModelPath: resolve(arg('models') ?? 'public/models') + '/' });
const started = performance.now();
const result = await runEval({ samples, embedder, extractor, onProgress: (m) => { console.log(m); } });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
const md = markdownOf(result);
writeFileSync(out.replace(/\.json$/, '') + '.md', md);
console.log(`\n${md}\n${((performance.now() - started) / 1000).toFixed(1)} s. Wrote ${out}`);

// Floors and ceilings (bench/floors.ts): a bare key is an overall figure, a dotted one any figure.
enforce([...bounds(result, arg('min'), 'min', 'overall'), ...bounds(result, arg('max'), 'max', 'overall')]);
