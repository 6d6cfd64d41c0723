// @vitest-environment node
/**
 * Switching to a downloaded embedding model: nothing is fetched before the user agrees; then the
 * model downloads with progress from a hub (a local server in the hub's URL layout, serving a
 * model this project builds), every memory is re-embedded, and the choice survives a restart.
 */
import { cpSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { transformers } from '../../src/vendor/lazy-transformers.cjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransformersEmbedder } from '../../src/adapters/transformers-embedder';
import { createEngine } from '../../src/engine/create-engine';
import { ConsentRequiredError, ModelManager } from '../../src/background/model-manager';
import { LockedError } from '../../src/crypto/vault';
import { BUNDLED_MODEL, type EmbeddingModelInfo } from '../../src/engine/models';
import { freshDb } from '../support/engine';
import { bundledEmbedder, MODELS_DIR } from '../support/model';

/** The instance Engram's embedder uses (src/vendor/lazy-transformers.cjs), whose cache directory these tests move. */
const { env } = transformers();

/** Stands in for a hub model: the registry's arctic-embed id, served from our own built files. */
const HUB_ID = 'Snowflake/snowflake-arctic-embed-xs';
const requests: string[] = [];
let server: Server;
let hubUrl: string;
let cacheDir: string;

beforeAll(async () => {
  const hubRoot = mkdtempSync(path.join(tmpdir(), 'engram-hub-'));
  cpSync(path.join(MODELS_DIR, BUNDLED_MODEL), path.join(hubRoot, HUB_ID), { recursive: true });
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    // The hub's layout: /{repo}/resolve/{revision}/{file}
    const match = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(decodeURIComponent(req.url ?? ''));
    const file = match ? path.join(hubRoot, match[1]!, match[2]!.replace('model_quantized', 'model')) : '';
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-length': String(statSync(file).size) }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  hubUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  cacheDir = mkdtempSync(path.join(tmpdir(), 'engram-model-cache-'));
  env.cacheDir = cacheDir;
});

afterAll(() => {
  server.close();
});

function managerFor(db: ReturnType<typeof freshDb>, consent: boolean, host = hubUrl) {
  const engine = createEngine({ db, embedder: bundledEmbedder() });
  const percents: number[] = [];
  const manager = new ModelManager({
    memory: engine.memory,
    store: engine.store,
    hubOrigins: ['https://huggingface.co/*'],
    consent: { granted: () => Promise.resolve(consent) },
    createEmbedder: (info: EmbeddingModelInfo, onProgress) =>
      info.source === 'bundled'
        ? bundledEmbedder()
        : new TransformersEmbedder({
            modelId: info.id,
            localModelPath: path.join(tmpdir(), 'engram-no-local-models') + path.sep,
            remoteHost: host,
            dtype: 'fp32',
            // No query prefix: the stand-in is our GloVe model, which the real one's prefix would skew.
            onProgress: (p) => {
              percents.push(p.percent);
              onProgress?.(p.percent);
            },
          }),
  });
  return { ...engine, manager, percents };
}

describe('ModelManager', () => {
  it('downloads nothing without consent', async () => {
    const { manager } = managerFor(freshDb(), false);
    requests.length = 0;
    await expect(manager.switchTo(HUB_ID)).rejects.toBeInstanceOf(ConsentRequiredError);
    expect(requests).toEqual([]);
    expect((await manager.status()).active).toBe(BUNDLED_MODEL);
  });

  it('with consent: downloads with progress, re-embeds every memory, and keeps the choice across a restart', async () => {
    const db = freshDb();
    const first = managerFor(db, true);
    await first.memory.add("I'm vegetarian and I live in Berlin", { userId: 'me' });
    await first.memory.add('I have a dog named Max', { userId: 'me' });
    await first.manager.switchTo(HUB_ID);
    expect((await first.manager.status()).job).toMatchObject({ model: HUB_ID, phase: 'downloading' });
    await first.manager.settled();
    expect(first.percents.at(-1)).toBe(100);

    const status = await first.manager.status();
    expect(status.active).toBe(HUB_ID);
    expect(status.job).toEqual({ model: HUB_ID, phase: 'done' });
    expect(requests.some((r) => r.includes(`${HUB_ID}/resolve/main/onnx/model`))).toBe(true);
    expect(await db.vectors.where('model').equals(HUB_ID).count()).toBe(3);
    expect(await db.vectors.where('model').equals(BUNDLED_MODEL).count()).toBe(0);
    const { results } = await first.memory.search('Which city do I live in?', { filters: { user_id: 'me' }, topK: 1, threshold: 0 });
    expect(results[0]?.memory).toBe('I live in Berlin');

    // Restart: the chosen model comes back from the cache, with the hub unreachable.
    const restarted = managerFor(db, true, 'http://127.0.0.1:9/');
    await restarted.manager.restore();
    expect((await restarted.manager.status()).active).toBe(HUB_ID);
    expect((await restarted.memory.search('Which city do I live in?', { filters: { user_id: 'me' }, topK: 1, threshold: 0 })).results[0]?.memory).toBe('I live in Berlin');
  });

  it('falls back to the built-in model, losing nothing, when the chosen one cannot load', async () => {
    const db = freshDb();
    const first = managerFor(db, true);
    await first.memory.add('I live in Berlin', { userId: 'me' });
    await first.manager.switchTo(HUB_ID);
    await first.manager.settled();

    env.cacheDir = mkdtempSync(path.join(tmpdir(), 'engram-empty-cache-')); // cache evicted
    const restarted = managerFor(db, true, 'http://127.0.0.1:9/'); // and offline
    await restarted.manager.restore();
    env.cacheDir = cacheDir;
    const status = await restarted.manager.status();
    expect(status.active).toBe(BUNDLED_MODEL);
    expect(status.job).toMatchObject({ phase: 'error', error: expect.stringMatching(/using the built-in model/) as unknown });
    expect((await restarted.memory.search('Which city do I live in?', { filters: { user_id: 'me' }, topK: 1, threshold: 0 })).results[0]?.memory).toBe('I live in Berlin');
  });

  it('keeps the chosen model while Engram is locked, and restores it after the unlock', async () => {
    const db = freshDb();
    const first = managerFor(db, true);
    await first.memory.add('I live in Berlin', { userId: 'me' });
    await first.manager.switchTo(HUB_ID);
    await first.manager.settled();

    // A browser restart with encryption on: the memories cannot be read until the passphrase is given.
    const restarted = managerFor(db, true, 'http://127.0.0.1:9/');
    const reembed = restarted.memory.reembed.bind(restarted.memory);
    let locked = true;
    restarted.memory.reembed = (embedder) => (locked ? Promise.reject(new LockedError()) : reembed(embedder));
    await restarted.manager.restore();
    let status = await restarted.manager.status();
    expect(status.job?.phase).not.toBe('error');
    expect(await db.settings.get('activeModel')).toMatchObject({ value: HUB_ID }); // the choice is not overwritten
    expect(await db.vectors.where('model').equals(HUB_ID).count()).toBe(1); // nor its vectors

    locked = false; // unlocked: the worker restores it again
    await restarted.manager.restore();
    status = await restarted.manager.status();
    expect(status.active).toBe(HUB_ID);
    expect((await restarted.memory.search('Which city do I live in?', { filters: { user_id: 'me' }, topK: 1, threshold: 0 })).results[0]?.memory).toBe('I live in Berlin');
  });
});
