/**
 * A large library loaded on first use, not when the service worker starts.
 *
 * A stopped worker starts again for each recall the user waits on, and evaluating every module of
 * its bundle was most of that start: compromise builds its whole English lexicon on import (about
 * 110 ms, measured with bench/profile-cold-start.ts), and it is not needed to answer a recall (it
 * serves extraction). A service worker cannot `import()`, and bundlers evaluate every ES module at
 * start-up; a CommonJS `require` inside a function is the form they keep lazy (the required module
 * is wrapped in a factory that runs on the first call). Hence this CommonJS file, typed by
 * lazy.d.cts.
 *
 * transformers.js has a lazy file of its own (lazy-transformers.cjs): lazy code is still parsed at
 * every worker start, so it is kept out of Chrome's worker altogether and loaded only where it runs
 * (Chrome's offscreen document, Firefox's event page; see src/background/hub-embedder.ts).
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
