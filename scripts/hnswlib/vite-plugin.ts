import type { Plugin } from 'vite';
import { patchHnswlibGlue } from './patch-glue.ts';

/**
 * Vite plugin: patches hnswlib-wasm's Emscripten glue so it runs under the extension's CSP (no
 * `new Function`) and in Node (vitest), and exposes `Module.FS`. See ./patch-glue.ts.
 */
export function hnswlibCsp(): Plugin {
  return {
    name: 'engram:hnswlib-csp',
    enforce: 'pre',
    transform(code, id) {
      const file = id.split('?')[0] ?? id;
      if (!file.includes('hnswlib-wasm/dist/hnswlib-') || !file.endsWith('.js')) return null;
      return { code: patchHnswlibGlue(code), map: null };
    },
  };
}
