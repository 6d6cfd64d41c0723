/**
 * Large libraries loaded on first use, not when the service worker starts.
 *
 * A stopped worker starts again for each recall the user waits on, and evaluating every module of
 * its bundle was most of that start: compromise builds its whole English lexicon on import (about
 * 110 ms, measured with bench/profile-cold-start.ts), transformers.js sets up ONNX Runtime (about
 * 50 ms), and neither is needed to answer a recall (compromise serves extraction; transformers.js
 * only a downloaded embedding model). A service worker cannot `import()`, and bundlers evaluate
 * every ES module at start-up; a CommonJS `require` inside a function is the form they keep lazy
 * (the required module is wrapped in a factory that runs on the first call). Hence this one
 * CommonJS file, typed by lazy.d.cts.
 */
'use strict';

/** @type {Map<string, unknown>} */
const loaded = new Map();

/** @param {string} name @param {() => unknown} load */
function once(name, load) {
  if (!loaded.has(name)) loaded.set(name, load());
  return loaded.get(name);
}

/** compromise's `nlp` (its "two" build: tokenizer, tagger, match syntax). */
exports.compromise = () => once('compromise', () => require('compromise/two'));

/** @huggingface/transformers (its browser build). */
exports.transformers = () => once('transformers', () => require('@huggingface/transformers'));
