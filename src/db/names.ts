/**
 * The database's name and its settings keys: a leaf module, so a page that reads the database
 * directly (the popup's first page, src/db/saved-first-page.ts) does not load Dexie and the schema.
 */
export const DB_NAME = 'engram';

/** Settings keys. */
export const SETTING = {
  nextLabel: 'nextLabel',
  revision: 'revision',
  vectorRevision: 'vectorRevision',
  activeModel: 'activeModel',
} as const;
