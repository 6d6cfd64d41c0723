/**
 * `npm run gate [-- --set tune|holdout] [--no-write] [--min …] [--max …]` (also part of `npm run bench`): the relevance gate on the sets in
 * test/fixtures/gate (src/eval/gate-eval.ts). Writes per-prompt rows to test-results/gate-<set>.json; the
 * held-out set's figures go to bench/results.json as "gate" (the tuning set's beside them).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TransformersEmbedder } from '../src/adapters/transformers-embedder';
import { BUNDLED_MODEL } from '../src/engine/models';
import { gateMarkdown, loadGateSet, runGateEval, type GateResult } from '../src/eval/gate-eval';
import { bounds, enforce } from './floors';
import { mergeResults, writeMarkdownSection } from './results-file';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const only = arg('set');
const sets = (only ? [only] : ['tune', 'tune2', 'tune3', 'holdout']).map((name) => loadGateSet(resolve(`test/fixtures/gate/${name}.json`)));
// `--model <folder> --models <dir>`: evaluate another model built in transformers.js's layout.
const embedder = new TransformersEmbedder({ modelId: arg('model') ?? BUNDLED_MODEL, localModelPath: resolve(arg('models') ?? 'public/models') + '/' });
const results: GateResult[] = [];
mkdirSync(resolve('test-results'), { recursive: true });
for (const set of sets) {
  const result = await runGateEval(set, embedder, (m) => { console.log(m); });
  writeFileSync(resolve(`test-results/gate-${set.name}.json`), JSON.stringify(result, null, 1) + '\n');
  results.push(result);
}
const byName = new Map(results.map((r) => [r.set, r.scores]));
if (!only && !args.includes('--no-write')) {
  const out = resolve('bench/results.json');
  mergeResults(out, { gate: { ...byName.get('holdout'), model: embedder.modelId, set: 'holdout', tune: byName.get('tune'), tune2: byName.get('tune2'), tune3: byName.get('tune3') } });
  writeMarkdownSection(out, 'gate', gateMarkdown(results));
} else {
  console.log(gateMarkdown(results));
}
// `--min holdout.related_hit=0.6 --max holdout.false_injection=0.06`: fail on a regression (npm test).
const bySet = Object.fromEntries(results.map((r) => [r.set, r.scores]));
enforce([...bounds(bySet, arg('min'), 'min'), ...bounds(bySet, arg('max'), 'max')]);
