import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TransformersEmbedder } from '../../src/adapters/transformers-embedder';
import { BUNDLED_MODEL } from '../../src/engine/models';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MODELS_DIR = path.join(ROOT, 'public/models') + path.sep;

/** Build the bundled model if it is missing or stale (a no-op taking ~0.1 s otherwise). */
export function ensureBundledModel(): void {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-model.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`model build failed:\n${r.stdout}\n${r.stderr}`);
}

/** The real embedder on the bundled model, loaded from disk as in the extension. */
export function bundledEmbedder(): TransformersEmbedder {
  ensureBundledModel();
  return new TransformersEmbedder({ modelId: BUNDLED_MODEL, localModelPath: MODELS_DIR });
}
