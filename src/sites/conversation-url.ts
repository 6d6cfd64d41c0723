/**
 * A link back to a conversation, for the popup (the injection log, a memory's origin). Each site's
 * URL shape lives in its own folder; a chat that had no id of its own yet (a new chat before its
 * first answer: the adapter's page-local `new-…` id) and the local demo site have none.
 */
import type { SiteId } from '../core/types';
import { chatgptConversationUrl } from './chatgpt/selectors';
import { claudeConversationUrl } from './claude/selectors';
import { deepseekConversationUrl } from './deepseek/selectors';
import { geminiConversationUrl } from './gemini/selectors';
import { grokConversationUrl } from './grok/selectors';
import { perplexityConversationUrl } from './perplexity/selectors';

const URLS: Partial<Record<SiteId, (id: string) => string>> = {
  chatgpt: chatgptConversationUrl,
  claude: claudeConversationUrl,
  gemini: geminiConversationUrl,
  perplexity: perplexityConversationUrl,
  deepseek: deepseekConversationUrl,
  grok: grokConversationUrl,
};

export function conversationUrl(site: SiteId, conversationId: string): string | null {
  // Ids are words, dashes and dots (Perplexity's thread slugs have dots); nothing that could leave the path.
  if (!conversationId || conversationId.startsWith('new-') || !/^[\w.-]{1,200}$/.test(conversationId) || /^\.+$/.test(conversationId)) return null;
  return URLS[site]?.(conversationId) ?? null;
}
