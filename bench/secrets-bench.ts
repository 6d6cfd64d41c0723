/**
 * Secrets benchmark: does the engine keep secrets out of memory, and the look-alikes in? The
 * labelled set (test/fixtures/secrets/utterances.json) goes through the real engine (Dexie on
 * fake-indexeddb, the bundled model through transformers.js, the rule-based extractor), each
 * utterance added both as a message to extract facts from and verbatim; then what was stored is
 * read back (see test/fixtures/secrets/score.ts for the exact rules). The detector alone is scored
 * too, and the held-out part separately. The blind set (test/fixtures/secrets/blind.json, written
 * without reading the detector) is scored the same way, in an engine of its own, and reported as
 * `secrets.blind`, next to its figures from before the detector was changed for it.
 *
 *   npx tsx --import ./scripts/hnswlib/node-loader.ts bench/secrets-bench.ts [--quick] [--out bench/results.json]
 *
 * The set is small, so --quick runs the same measurement (it only shortens the timing loop).
 * Merges "secrets" into the results JSON and writes its section of results.md.
 */
import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { resolve } from 'node:path';
import { TransformersEmbedder } from '../src/adapters/transformers-embedder';
import { EngramDatabase } from '../src/db/schema';
import { createEngine } from '../src/engine/create-engine';
import { BUNDLED_MODEL } from '../src/engine/models';
import { findSecrets } from '../src/pipeline/secrets';
import { loadBlindUtterances, loadSecretUtterances, rate, scoreSecrets, type SecretScore, type Tally } from '../test/fixtures/secrets/score';
import { mergeResults, writeMarkdownSection } from './results-file';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outIndex = args.indexOf('--out');
const outPath = outIndex >= 0 && args[outIndex + 1] ? args[outIndex + 1]! : 'bench/results.json';
const SET = 'test/fixtures/secrets/utterances.json';
const BLIND_SET = 'test/fixtures/secrets/blind.json';

/** Targets of issue 9 (finding 4). */
const TARGETS = { secret_recall: 0.98, look_alikes_kept: 0.95 };
/** The held-out part, scored once with the detector as first written, before any rule was tuned. */
const HELD_OUT_BEFORE_TUNING = { secrets: { n: 22, ok: 21 }, look_alikes: { n: 22, ok: 22 } };
/**
 * The blind set, scored once by this benchmark (engine with the bundled model, and the detector
 * alone) before the detector was changed for it. Recorded, never to be edited; the misses are
 * listed in test/fixtures/secrets/README.md.
 */
const BLIND_BEFORE_FIXES = {
  engine: { secrets: { n: 121, ok: 103 }, look_alikes: { n: 122, ok: 114 } },
  detector: { secrets: { n: 121, ok: 103 }, look_alikes: { n: 122, ok: 116 } },
};

const round = (x: number): number => Number(x.toFixed(3));
const tally = (t: Tally) => ({ rate: round(rate(t)), ok: t.ok, n: t.n });

function summary(s: SecretScore) {
  return {
    secret_recall: tally(s.secrets),
    look_alikes_kept: tally(s.lookAlikes),
    detector: { secret_recall: tally(s.detector.secrets), look_alikes_kept: tally(s.detector.lookAlikes) },
    secrets_the_extractor_states_as_a_fact: s.extractedSecrets,
    look_alikes_with_extracted_facts: s.extractedLookAlikes,
  };
}

async function main(): Promise<void> {
  const items = loadSecretUtterances();
  const blindItems = loadBlindUtterances();
  const embedder = new TransformersEmbedder({ modelId: BUNDLED_MODEL, localModelPath: resolve('public/models') + '/' });
  await embedder.load();
  /** A fresh engine per set: scoreSecrets numbers its scopes from 0. */
  const engine = (name: string) =>
    createEngine({ db: new EngramDatabase(name, { indexedDB: new IDBFactory(), IDBKeyRange }), embedder, saveDelayMs: 3_600_000 });
  const { all, bySplit } = await scoreSecrets(items, engine('secrets-bench'));
  const { all: blind } = await scoreSecrets(blindItems, engine('secrets-bench-blind'));

  // Detector throughput, for scale: the whole set, repeated.
  const rounds = quick ? 20 : 200;
  const started = performance.now();
  for (let r = 0; r < rounds; r++) for (const item of items) findSecrets(item.text);
  const perS = (rounds * items.length) / ((performance.now() - started) / 1000);

  const heldOut = bySplit['held-out']!;
  const secrets = {
    n: items.length,
    ...summary(all),
    by_kind: Object.fromEntries(Object.entries(all.byKind).map(([kind, t]) => [kind, tally(t)])),
    held_out: {
      ...summary(heldOut),
      before_tuning: {
        secret_recall: tally(HELD_OUT_BEFORE_TUNING.secrets),
        look_alikes_kept: tally(HELD_OUT_BEFORE_TUNING.look_alikes),
      },
    },
    dev: summary(bySplit.dev!),
    blind: {
      n: blindItems.length,
      source: BLIND_SET,
      ...summary(blind),
      by_kind: Object.fromEntries(Object.entries(blind.byKind).map(([kind, t]) => [kind, tally(t)])),
      before_fixes: {
        secret_recall: tally(BLIND_BEFORE_FIXES.engine.secrets),
        look_alikes_kept: tally(BLIND_BEFORE_FIXES.engine.look_alikes),
        detector: {
          secret_recall: tally(BLIND_BEFORE_FIXES.detector.secrets),
          look_alikes_kept: tally(BLIND_BEFORE_FIXES.detector.look_alikes),
        },
      },
      leaked: blind.leaked,
      dropped: blind.dropped,
      missed_by_detector: blind.missed,
      note:
        'written without reading the detector or utterances.json, then scored once (before_fixes); the detector was then changed ' +
        'for its misses, so every figure here but before_fixes is no longer blind.',
    },
    leaked: all.leaked,
    dropped: all.dropped,
    targets: TARGETS,
    utterances_per_s: Math.round(perS),
    source: SET,
    note:
      'engine: each utterance added with the rule-based extractor and verbatim (infer: false), bundled model, Dexie on fake-indexeddb; ' +
      'a secret is caught when none of its values is in any stored memory text or context; a look-alike is kept when stored verbatim and ' +
      'with every extracted fact (context unredacted). The held-out 44 were written before the detector and scored once before tuning ' +
      `(recall ${HELD_OUT_BEFORE_TUNING.secrets.ok}/${HELD_OUT_BEFORE_TUNING.secrets.n}, kept ${HELD_OUT_BEFORE_TUNING.look_alikes.ok}/${HELD_OUT_BEFORE_TUNING.look_alikes.n}); ` +
      'its one miss was then fixed, so held_out now is no longer a blind score.',
  };
  mergeResults(outPath, { secrets });

  const pct = (t: Tally): string => `${(100 * rate(t)).toFixed(1)}% (${t.ok}/${t.n})`;
  const row = (name: string, s: SecretScore): string =>
    `| ${name} | ${pct(s.secrets)} | ${pct(s.lookAlikes)} | ${pct(s.detector.secrets)} | ${pct(s.detector.lookAlikes)} |`;
  const before = HELD_OUT_BEFORE_TUNING;
  const md = [
    '',
    '## Secrets: never remembered',
    '',
    `${items.length} labelled utterances from ${SET} (${all.secrets.n} secrets, ${all.lookAlikes.n} look-alikes). Engine: each added with the rule-based extractor and verbatim; a secret is caught when its value is in no stored memory or context, a look-alike is kept when all of it is stored. Targets: secret recall ≥ ${TARGETS.secret_recall}, look-alikes kept ≥ ${TARGETS.look_alikes_kept}. Detector: ${secrets.utterances_per_s} utterances/s.`,
    '',
    '| part | secret recall (engine) | look-alikes kept (engine) | secret recall (detector) | look-alikes kept (detector) |',
    '|---|---|---|---|---|',
    row('**all**', all),
    row('dev (tuned on)', bySplit.dev!),
    row('held-out, now', heldOut),
    `| held-out, before tuning | — | — | ${pct(before.secrets)} | ${pct(before.look_alikes)} |`,
    '',
    `Blind set: ${blindItems.length} utterances from ${BLIND_SET} (${blind.secrets.n} secrets, ${blind.lookAlikes.n} look-alikes), written without reading the detector or the set above, scored once before the detector was changed for it (test/fixtures/secrets/README.md lists what it missed then). Its figures now are no longer blind.`,
    '',
    '| blind set | secret recall (engine) | look-alikes kept (engine) | secret recall (detector) | look-alikes kept (detector) |',
    '|---|---|---|---|---|',
    `| **before fixes (blind)** | ${pct(BLIND_BEFORE_FIXES.engine.secrets)} | ${pct(BLIND_BEFORE_FIXES.engine.look_alikes)} | ${pct(BLIND_BEFORE_FIXES.detector.secrets)} | ${pct(BLIND_BEFORE_FIXES.detector.look_alikes)} |`,
    row('after fixes (no longer blind)', blind),
    '',
    `Without the filter, every secret would be stored by the verbatim path, and ${all.extractedSecrets} of ${all.secrets.n} by the extractor too (it states them in a fact); ${all.extractedLookAlikes} of ${all.lookAlikes.n} look-alikes give the extractor a fact, so they are kept on both paths.`,
    '',
    '| kind | secrets caught (engine and detector) |',
    '|---|---|',
    ...Object.entries(all.byKind).map(([kind, t]) => `| ${kind} | ${pct(t)} |`),
    '',
  ].join('\n');
  writeMarkdownSection(outPath, 'secrets-bench', md);
  if (all.leaked.length || all.dropped.length) console.log({ leaked: all.leaked, dropped: all.dropped, missed: all.missed });
  if (blind.leaked.length || blind.dropped.length) console.log({ blind: { leaked: blind.leaked, dropped: blind.dropped, missed: blind.missed } });
}

await main();
