/**
 * The popup's first script: a small classic script in its head (popup/index.html), run while the
 * page is parsed, which starts reading the list's first page from IndexedDB
 * (src/db/saved-first-page.ts). The popup's modules take ~50–100 ms to load on a slow machine; the
 * read is done by then, and the service worker, if Chrome had stopped it, is not waited for.
 */
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { startSavedFirstPage } from '../src/db/saved-first-page';
import { HEAD_ROWS } from '../src/db/saved-head';

export default defineUnlistedScript(() => {
  startSavedFirstPage(HEAD_ROWS);
});
