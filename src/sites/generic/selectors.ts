/**
 * Any other chat site, turned on by the user for its origin (the popup asks for that one host's
 * permission). Nothing is known of its page, so the adapter follows the user: the composer is the
 * text field or editable element they are typing in (or the page's only one), and the send button
 * is the form's submit button, or a button near the composer that says it sends; without one, a
 * send is an Enter in the composer, as the user pressed it.
 */

/** Where a composer can be. */
export const GENERIC_EDITABLE = 'textarea, [contenteditable="true"], [contenteditable=""], [contenteditable="plaintext-only"]';

/** Buttons that say they send (labels, test ids and titles in English and a few common words). */
export const GENERIC_SEND_HINT = /\b(send|submit|senden|envoyer|enviar|invia)\b/i;

/** How far up from the composer a send button is looked for (its form, or a few wrappers). */
export const GENERIC_SEARCH_DEPTH = 4;

/** A generic site's conversation: its host and path (there is no known id). */
export function genericConversationId(location: Location): string {
  return `${location.host}${location.pathname}`.slice(0, 200);
}
