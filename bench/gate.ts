/**
 * `npm run bench:gate [-- --set tune|holdout] [--out file]`: the relevance gate on the sets in
 * test/fixtures/gate (src/eval/gate-eval.ts). Writes per-prompt rows to test-results/gate-<set>.json; the
 * held-out set's figures go to bench/results.json as "gate" (the tuning set's beside them).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TransformersEmbedder } from '../src/adapters/transformers-embedder';
import { BUNDLED_MODEL } from '../src/engine/models';
import { gateMarkdown, loadGateSet, runGateEval, type GateResult } from '../src/eval/gate-eval';
import { mergeResults, writeMarkdownSection } from './results-file';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const only = args.includes('--set') ? args[args.indexOf('--set') + 1] : undefined;
const sets = (only ? [only] : ['tune', 'holdout']).map((name) => loadGateSet(resolve(`test/fixtures/gate/${name}.json`)));
// `--model <folder> --models <dir>`: evaluate another model built in transformers.js's layout.
const embedder = new TransformersEmbedder({ modelId: arg('model') ?? BUNDLED_MODEL, localModelPath: resolve(arg('models') ?? 'public/models') + '/' });
const results: GateResult[] = [];
for (const set of sets) {
  const result = await runGateEval(set, embedder, (m) => { console.log(m); });
  writeFileSync(resolve(`test-results/gate-${set.name}.json`), JSON.stringify(result, null, 1) + '\n');
  results.push(result);
}
const byName = new Map(results.map((r) => [r.set, r.scores]));
if (!only) {
  const out = resolve('bench/results.json');
  mergeResults(out, { gate: { ...byName.get('holdout'), model: BUNDLED_MODEL, set: 'holdout', tune: byName.get('tune') } });
  writeMarkdownSection(out, 'gate', gateMarkdown(results));
} else {
  console.log(gateMarkdown(results));
}
