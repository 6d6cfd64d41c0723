// Node module-loader hook (registered by ./node-loader.ts): patches hnswlib-wasm's Emscripten glue
// on load, with the same function the Vite plugin uses (./patch-glue.ts, loaded through tsx).
import { patchHnswlibGlue } from './patch-glue.ts';

const GLUE = /\/hnswlib-wasm\/dist\/hnswlib-[^/]+\.js$/;

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  if (!GLUE.test(url.split('?')[0] ?? url)) return result;
  const source = typeof result.source === 'string' ? result.source : new TextDecoder().decode(result.source);
  return { ...result, format: 'module', source: patchHnswlibGlue(source), shortCircuit: true };
}
