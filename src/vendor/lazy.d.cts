import type nlp from 'compromise/two';

/** compromise's `nlp`, loaded (and its lexicon built) on the first call. */
export declare function compromise(): typeof nlp;
