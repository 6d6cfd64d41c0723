// @vitest-environment node
/**
 * The LoCoMo evaluation on the project's own small fixture in the LoCoMo layout: the harness
 * runs end to end through the real engine, and its figures are asserted, so a retrieval
 * regression fails CI. (The full benchmark: `npm run eval`.)
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLocomo, parseLocomoDate, sessionsOf } from '../../src/eval/locomo';
import { runEval } from '../../src/eval/run-eval';
import { bundledEmbedder, ROOT } from '../support/model';

const samples = loadLocomo(path.join(ROOT, 'test/fixtures/locomo/mini.json'));

describe('LoCoMo layout', () => {
  it('reads sessions in order with their dates', () => {
    expect(parseLocomoDate('1:56 pm on 8 May, 2023')).toBe(Date.UTC(2023, 4, 8, 13, 56));
    expect(parseLocomoDate('12:05 am on 1 January, 2024')).toBe(Date.UTC(2024, 0, 1, 0, 5));
    expect(sessionsOf(samples[0]!).map((s) => [s.index, s.turns.length])).toEqual([
      [1, 6],
      [2, 7],
      [3, 5],
    ]);
  });
});

describe('runEval on the fixture', () => {
  it('scores the engine and both baselines, per category and per question', async () => {
    const result = await runEval({ samples, embedder: bundledEmbedder() });
    const { overall } = result;
    expect(overall.n).toBe(23);
    expect(overall.turn_recall_at_10).toBeGreaterThanOrEqual(0.7);
    expect(overall.hit_at_10).toBeGreaterThanOrEqual(0.75);
    // 160 until the header framed memories as data, never instructions (issue 9): 20 tokens more a block.
    expect(overall.tokens_at_10).toBeLessThanOrEqual(200);
    expect(overall.turn_recall_at_20).toBeGreaterThanOrEqual(overall.turn_recall_at_10);
    expect(overall.turn_recall_at_10).toBeGreaterThanOrEqual(overall.turn_recall_at_5);
    expect(result.baselines.bm25_turns.turn_recall_at_10).toBeGreaterThan(0.9);
    expect(result.baselines.vector_turns.n).toBe(23);
    expect(Object.keys(result.by_category).sort()).toEqual(['1', '2', '3', '4', '5']);
    // Abstention is reported; LoCoMo's category 5 asks about the other speaker, whose memories
    // are searched too, so the retrieval row cannot abstain on it by design.
    expect(result.by_category['5']?.abstained).toBeTypeOf('number');
    // As injected: what the send would carry, each question asked as the speaker would ask it.
    expect(result.injected.hit).toBeGreaterThanOrEqual(0.6);
    expect(result.injected.tokens).toBeLessThanOrEqual(300);
    expect(result.questions).toHaveLength(23);
    const lisbon = result.questions.find((q) => q.sample_id === 'mini-1' && q.qa_index === 0);
    expect(lisbon).toMatchObject({ category: 4, hit_at_10: 1 });
    expect(lisbon?.sources_at_10).toContain('D1:1');
  });
});

describe('withoutNames', () => {
  it('drops the speakers’ names and short forms from a question, and nothing else', async () => {
    const { withoutNames } = await import('../../src/eval/run-eval');
    expect(withoutNames("What did Mel and Caroline's kids paint?", ['Caroline', 'Melanie'])).toBe('What did and kids paint?');
    expect(withoutNames('Is Melody considering a career in cars?', ['Caroline', 'Melanie'])).toBe('Is Melody considering a career in cars?');
    expect(withoutNames('Caroline?', ['Caroline', 'Melanie'])).toBe('?');
  });
});

describe('asTheUser', () => {
  it('asks a LoCoMo question as the speaker would ask their assistant', async () => {
    const { asTheUser } = await import('../../src/eval/run-eval');
    expect(asTheUser("What is Caroline's identity?", ['Caroline', 'Melanie'])).toBe('What is my identity?');
    expect(asTheUser('When did Melanie paint a sunrise?', ['Caroline', 'Melanie'])).toBe('When did I paint a sunrise?');
    expect(asTheUser('Is Melody considering a career in cars?', ['Caroline', 'Melanie'])).toBe('Is Melody considering a career in cars?');
  });
});
