/**
 * Hosts a local AI model talks to, as match patterns for the manifest's
 * `optional_host_permissions` (asked for only when the user turns the feature on). Kept apart
 * from webllm.ts so that wxt.config.ts can import them without loading WebLLM.
 */

/**
 * Where WebLLM downloads from (checked against every URL of its `prebuiltAppConfig` in
 * test/unit/llm-webllm.test.ts): the Hugging Face hub for weights, tokenizer and config, the CDNs
 * the hub redirects file downloads to, and GitHub's raw host for the compiled WebGPU model
 * libraries (`model_lib`, under raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/).
 */
export const WEBLLM_HOST_ORIGINS = [
  'https://huggingface.co/*',
  'https://cdn-lfs.huggingface.co/*',
  'https://cdn-lfs-us-1.huggingface.co/*',
  'https://cdn-lfs.hf.co/*',
  'https://cdn-lfs-us-1.hf.co/*',
  'https://cas-bridge.xethub.hf.co/*',
  'https://raw.githubusercontent.com/*',
] as const;

/**
 * A model server on this device (Ollama, LM Studio, llama.cpp); a pattern covers every port. Not
 * `[::1]`: Chromium's CSP cannot name an IPv6 address, so connect-src could not allow it; a server
 * on ::1 is reached as localhost.
 */
export const LOCAL_SERVER_ORIGINS = ['http://localhost/*', 'http://127.0.0.1/*'] as const;
