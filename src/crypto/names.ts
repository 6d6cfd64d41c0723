/**
 * Where encryption at rest leaves its marks in the database: a leaf module, so a page that reads
 * the database directly (src/db/saved-first-page.ts) can tell sealed rows without loading the vault.
 */

/** The field of a stored row that holds its envelope. */
export const ENVELOPE_FIELD = '_enc';

/** Where the keyring is kept (the settings table: not secret). */
export const KEYRING_KEY = 'encryption';

/** The table of settings: encrypted row by row (CLEAR_SETTINGS stay in clear). */
export const SETTINGS_TABLE = 'settings';
