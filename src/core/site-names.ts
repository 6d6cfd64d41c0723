import type { SiteId } from './types';

/** Each site's name as the user knows it (the popup, the toolbar's title). A leaf module. */
export const SITE_NAMES: Record<SiteId, string> = {
  chatgpt: 'ChatGPT',
  claude: 'Claude',
  gemini: 'Gemini',
  perplexity: 'Perplexity',
  deepseek: 'DeepSeek',
  grok: 'Grok',
  generic: 'Other sites you turned on',
  demo: 'Demo chat',
};
