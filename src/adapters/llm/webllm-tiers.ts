/**
 * The local AI models Engram offers (WebLLM prebuilt models) and the WebGPU capability check.
 * Plain data and navigator.gpu only: no WebLLM import, so the service worker, the popup and an
 * offscreen document can all use it cheaply; webllm.ts re-exports it.
 *
 * Model tiers (numbers from WebLLM 0.2.86's `prebuiltAppConfig`, field `vram_required_MB`, which
 * WebLLM estimates for the model's 4096-token context; the config has no download size, so the
 * sizes are estimates: parameters × ~4.5 bits for q4f16_1 weights with their scales, plus a few
 * MB of tokenizer and WebGPU library):
 *
 * | tier      | model                              | VRAM    | VRAM, q4f32 build | download |
 * |-----------|------------------------------------|---------|-------------------|----------|
 * | `small`   | Qwen2.5-0.5B-Instruct-q4f16_1-MLC  |  945 MB |           1060 MB | ~0.28 GB |
 * | `default` | Llama-3.2-1B-Instruct-q4f16_1-MLC  |  879 MB |           1129 MB | ~0.70 GB |
 * | `quality` | Qwen2.5-1.5B-Instruct-q4f16_1-MLC  | 1630 MB |           1889 MB | ~0.87 GB |
 *
 * The default is the best extractor that stays under ~1 GB of VRAM (Qwen2.5-1.5B follows JSON
 * instructions better but needs 1.6 GB). The small tier is for weak GPUs: half the parameters, so
 * roughly twice the tokens per second, and a 0.28 GB download; WebLLM's VRAM estimate for it is
 * not lower (at this size it is mostly runtime buffers, not weights). Without the WebGPU feature
 * `shader-f16`, each tier uses its q4f32_1 build (`modelIdFor`): more VRAM, about the same quality.
 */

export { WEBLLM_HOST_ORIGINS } from './hosts';


// Declared in core (the protocol shares them); referred to without an import statement, so this
// module stays free of imports (it is loaded by wxt.config.ts and the popup).
export type WebLlmTierId = import('../../core/status').WebLlmTierId;
export type WebGpuSupport = import('../../core/status').WebGpuSupport;

export interface WebLlmTier {
  id: WebLlmTierId;
  label: string;
  /** The q4f16_1 build (needs the WebGPU feature shader-f16). */
  modelId: string;
  /** The q4f32_1 build, for GPUs without shader-f16. */
  f32ModelId: string;
  /** WebLLM's `vram_required_MB` for each build (checked against its config in the tests). */
  vramMB: number;
  f32VramMB: number;
  /** Estimated download in MB (see the module comment); WebLLM's config has no size. */
  approxDownloadMB: number;
}

export const WEBLLM_TIERS: readonly WebLlmTier[] = [
  {
    id: 'small',
    label: 'Small (weak GPUs)',
    modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    f32ModelId: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    vramMB: 944.62,
    f32VramMB: 1060.2,
    approxDownloadMB: 280,
  },
  {
    id: 'default',
    label: 'Balanced',
    modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC',
    f32ModelId: 'Llama-3.2-1B-Instruct-q4f32_1-MLC',
    vramMB: 879.04,
    f32VramMB: 1128.82,
    approxDownloadMB: 700,
  },
  {
    id: 'quality',
    label: 'Best quality (1.6 GB of VRAM)',
    modelId: 'Qwen2.5-1.5B-Instruct-q4f16_1-MLC',
    f32ModelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC',
    vramMB: 1629.75,
    f32VramMB: 1888.97,
    approxDownloadMB: 870,
  },
];

export const DEFAULT_WEBLLM_TIER: WebLlmTierId = 'default';

/** The build of a tier this GPU can run: q4f16, or q4f32 without shader-f16. */
export function modelIdFor(tier: WebLlmTierId, support: { shaderF16: boolean }): string {
  const t = WEBLLM_TIERS.find((x) => x.id === tier) ?? WEBLLM_TIERS.find((x) => x.id === DEFAULT_WEBLLM_TIER)!;
  return support.shaderF16 ? t.modelId : t.f32ModelId;
}

/** WebLLM's VRAM estimate (MB) for one of the tiers' builds, or null for another model. */
export function vramOf(modelId: string): number | null {
  return tierOf(modelId)?.vramMB ?? null;
}

/** The tier and VRAM (MB, WebLLM's estimate) of one of the tiers' builds, or null. */
export function tierOf(modelId: string): { tier: WebLlmTier; vramMB: number } | null {
  for (const tier of WEBLLM_TIERS) {
    if (tier.modelId === modelId) return { tier, vramMB: tier.vramMB };
    if (tier.f32ModelId === modelId) return { tier, vramMB: tier.f32VramMB };
  }
  return null;
}

/** The smallest limits WebLLM asks of a WebGPU adapter (its runtime's checks at load). */
const MIN_LIMITS = {
  maxBufferSize: 256 * 2 ** 20,
  maxStorageBufferBindingSize: 128 * 2 ** 20,
  maxComputeWorkgroupStorageSize: 32 * 2 ** 10,
  maxStorageBuffersPerShaderStage: 10,
} as const;

/** The part of WebGPU `webGpuSupport` uses (TypeScript's DOM library has no WebGPU types). */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<GpuAdapterLike | null>;
}
export interface GpuAdapterLike {
  features: { has(feature: string): boolean };
  limits: Record<keyof typeof MIN_LIMITS, number>;
  info?: { vendor?: string; architecture?: string; description?: string };
}


/**
 * Can this context run WebLLM? navigator.gpu → an adapter → limits at least WebLLM's minimum.
 * When not, `reason` says why in words a user can act on.
 */
export async function webGpuSupport(gpu: GpuLike | undefined = navigatorGpu()): Promise<WebGpuSupport> {
  if (!gpu) {
    return { supported: false, reason: 'WebGPU is not available in this browser (Chrome 124 or newer is needed for it in extensions)' };
  }
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { supported: false, reason: `WebGPU could not find a GPU: ${String(error)}` };
  }
  if (!adapter) {
    return { supported: false, reason: 'WebGPU found no usable GPU (it may be blocklisted, or hardware acceleration is off in the browser settings)' };
  }
  for (const [limit, min] of Object.entries(MIN_LIMITS) as [keyof typeof MIN_LIMITS, number][]) {
    const value = adapter.limits[limit];
    if (value < min) return { supported: false, reason: `the GPU's ${limit} is ${value}; a local AI model needs at least ${min}` };
  }
  const info = adapter.info;
  return {
    supported: true,
    shaderF16: adapter.features.has('shader-f16'),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    adapter: [info?.vendor, info?.architecture].filter(Boolean).join(' ') || 'unknown GPU',
  };
}

function navigatorGpu(): GpuLike | undefined {
  return (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
}
