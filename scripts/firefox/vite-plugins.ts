/**
 * Vite plugins for the Firefox build only (wxt.config.ts adds them when `-b firefox`). They change
 * the *shape* of three dependencies' code, never what Engram does, so that addons.mozilla.org's
 * linter (`web-ext lint`, run by `npm run check`) passes with no error and no warning:
 *
 * - `splitInlinedWasm`: WebLLM's single file inlines a 4.6 MB WASM binary as a base64 data URI,
 *   which makes its chunk 6.1 MB; the linter cannot parse a JavaScript file over 5 MB
 *   (FILE_TOO_LARGE, an error). The literal moves, unchanged, into a module of its own, emitted as
 *   its own chunk and imported by WebLLM's, so both files are under the limit and WebLLM reads the
 *   same string. `generateBundle` fails the build if any JavaScript file is still over the limit.
 * - `noHtmlFromStrings`: preact's renderer assigns `innerHTML` for `dangerouslySetInnerHTML`
 *   (UNSAFE_VAR_ASSIGNMENT). Engram never uses that prop (no page renders HTML from a string); the
 *   assignment becomes a throw, so a future use fails loudly instead of opening an HTML sink.
 * - `noRuntimeImport`: onnxruntime-web keeps a helper that `import()`s a URL, for a proxy worker or a
 *   WASM glue file fetched at run time (UNSAFE_VAR_ASSIGNMENT, "Unsafe call to import"). Engram
 *   hands the runtime its WASM bytes and runs it on one thread in the background (see
 *   transformers-embedder.ts), so the helper is never called; it becomes a rejection.
 */
import type { Plugin } from 'vite';

/** addons-linter's MAX_FILE_SIZE_TO_PARSE_MB: larger JavaScript files are an error. */
export const AMO_MAX_JS_BYTES = 5 * 1024 * 1024;

const WEBLLM = /@mlc-ai\/web-llm\/lib\/index\.js$/;
const DATA_URI = /"(data:application\/octet-stream;base64,[A-Za-z0-9+/=]{100000,})"/g;
const VIRTUAL = '\0engram-inlined-wasm:';

export function splitInlinedWasm(): Plugin {
  const literals = new Map<string, string>();
  return {
    name: 'engram:firefox-split-inlined-wasm',
    enforce: 'pre',
    resolveId(id) {
      return id.startsWith(VIRTUAL) ? id : null;
    },
    load(id) {
      const literal = literals.get(id);
      return literal === undefined ? null : { code: `export default ${JSON.stringify(literal)};\n`, map: null };
    },
    transform(code, id) {
      const file = id.split('?')[0] ?? id;
      if (!WEBLLM.test(file)) return null;
      const imports: string[] = [];
      const out = code.replace(DATA_URI, (_match, literal: string) => {
        const n = imports.length;
        const virtualId = `${VIRTUAL}webllm-${n}`;
        literals.set(virtualId, literal);
        imports.push(`import __engramInlinedWasm${n} from ${JSON.stringify(virtualId)};`);
        this.emitFile({ type: 'chunk', id: virtualId, name: `webllm-wasm-${n}` });
        return `__engramInlinedWasm${n}`;
      });
      return imports.length === 0 ? null : { code: `${imports.join('\n')}\n${out}`, map: null };
    },
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        const bytes = Buffer.byteLength(file.code);
        if (bytes > AMO_MAX_JS_BYTES) {
          this.error(`${file.fileName} is ${(bytes / 2 ** 20).toFixed(1)} MB: addons.mozilla.org's linter cannot parse JavaScript over 5 MB (scripts/firefox/vite-plugins.ts)`);
        }
      }
    },
  };
}

const PREACT = /\/preact\/dist\/preact\.mjs$/;
const INNER_HTML = /\((\w+)\.innerHTML=(\w+)\.__html\)/g;

export function noHtmlFromStrings(): Plugin {
  return {
    name: 'engram:firefox-no-html-from-strings',
    enforce: 'pre',
    transform(code, id) {
      const file = id.split('?')[0] ?? id;
      if (!PREACT.test(file)) return null;
      const out = code.replace(INNER_HTML, '(()=>{throw new Error("Engram renders no HTML from strings (dangerouslySetInnerHTML)")})()');
      return out === code ? null : { code: out, map: null };
    },
  };
}

const RUNTIME_IMPORT = /async (\w+)=>\(await import\(\/\*webpackIgnore:true\*\/ ?\/\*@vite-ignore\*\/\1\)\)\.default/g;

export function noRuntimeImport(): Plugin {
  return {
    name: 'engram:firefox-no-runtime-import',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('onnxruntime-web')) return null;
      const out = code.replace(RUNTIME_IMPORT, (_match, url: string) => `async ${url}=>{throw new Error("Engram imports no code from a URL at run time: "+${url})}`);
      return out === code ? null : { code: out, map: null };
    },
  };
}

/** Every plugin above, for `vite.plugins` in the Firefox build. */
export function firefoxPlugins(): Plugin[] {
  return [splitInlinedWasm(), noHtmlFromStrings(), noRuntimeImport()];
}
