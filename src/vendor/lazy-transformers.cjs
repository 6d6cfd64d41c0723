/**
 * transformers.js loaded on first use (see lazy.cjs for why a CommonJS `require` in a function).
 *
 * Apart from lazy.cjs so that only the contexts that run a downloaded embedding model carry it:
 * Chrome's offscreen document and Firefox's event page. Chrome's service worker does not: even
 * unevaluated, its ~540 KB (with onnxruntime-web's JS) were parsed at every worker start
 * (src/background/hub-embedder.ts chooses per browser at build time). Typed by lazy-transformers.d.cts.
 */
'use strict';

/** @type {unknown} */
let loaded;

/** @huggingface/transformers (its browser build). */
exports.transformers = () => (loaded ??= require('@huggingface/transformers'));
