/** The small embedding model Engram ships, built from GloVe vectors by scripts/build-model.mjs. */
export const BUNDLED_MODEL = 'engram-glove-30k';
