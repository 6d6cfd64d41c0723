/**
 * The embedding models Engram can use. The bundled model works offline from the first run; the
 * others are downloaded from the Hugging Face hub only after the user agrees, through optional
 * host permissions asked for at that moment.
 */
import type { EmbeddingModelInfo } from '../core/status';

export type { EmbeddingModelInfo };

/** The small embedding model Engram ships, built from GloVe vectors by scripts/build-model.mjs. */
export const BUNDLED_MODEL = 'engram-glove-30k';

/** Hosts a hub download touches (the hub and the CDNs it redirects to). */
export const HUB_ORIGINS = [
  'https://huggingface.co/*',
  'https://cdn-lfs.huggingface.co/*',
  'https://cdn-lfs.hf.co/*',
  'https://cas-bridge.xethub.hf.co/*',
] as const;

const BGE_QUERY = 'Represent this sentence for searching relevant passages: ';

export const MODELS: readonly EmbeddingModelInfo[] = [
  {
    id: BUNDLED_MODEL,
    label: 'Engram GloVe (built in, offline)',
    source: 'bundled',
    dimensions: 100,
    downloadMB: 0,
    mtebRetrieval: null,
    dtype: 'fp32',
    license: 'PDDL (GloVe 6B)',
    staticTable: true,
  },
  {
    id: 'Snowflake/snowflake-arctic-embed-xs',
    label: 'Snowflake Arctic Embed XS',
    source: 'hub',
    dimensions: 384,
    downloadMB: 23,
    mtebRetrieval: 50.15,
    dtype: 'q8',
    queryPrefix: BGE_QUERY,
    license: 'Apache-2.0',
  },
  {
    id: 'Xenova/bge-small-en-v1.5',
    label: 'BGE small English v1.5',
    source: 'hub',
    dimensions: 384,
    downloadMB: 34,
    mtebRetrieval: 51.68,
    dtype: 'q8',
    queryPrefix: BGE_QUERY,
    license: 'MIT',
  },
];

export function modelInfo(id: string): EmbeddingModelInfo {
  const info = MODELS.find((m) => m.id === id);
  if (!info) throw new Error(`Engram: unknown embedding model "${id}"`);
  return info;
}
