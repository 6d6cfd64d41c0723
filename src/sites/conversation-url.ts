/**
 * A link back to a conversation, for the popup (the injection log, a memory's origin). Each site's
 * URL shape lives in its own folder; a chat that had no id of its own yet (a new chat before its
 * first answer: the adapter's page-local `new-…` id) and the local demo site have none.
 */
import type { SiteId } from '../core/types';
import { chatgptConversationUrl } from './chatgpt/selectors';
import { claudeConversationUrl } from './claude/selectors';

const URLS: Partial<Record<SiteId, (id: string) => string>> = { chatgpt: chatgptConversationUrl, claude: claudeConversationUrl };

export function conversationUrl(site: SiteId, conversationId: string): string | null {
  if (!conversationId || conversationId.startsWith('new-') || !/^[\w-]{1,200}$/.test(conversationId)) return null;
  return URLS[site]?.(conversationId) ?? null;
}
