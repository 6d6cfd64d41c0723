/**
 * Tolerant parsing of model output, on the cases small models produce.
 */
import { describe, expect, it } from 'vitest';
import { ModelOutputError, RAW_CLIP, parseDecision, parseExtraction, parseModelJson } from '../../src/adapters/llm/parse-json';

describe('parseModelJson', () => {
  it('finds the JSON after prose that has braces of its own', () => {
    expect(parseModelJson('Output {as asked}: {"a": [1, 2]} hope that helps').value).toEqual({ a: [1, 2] });
  });

  it('respects brackets and quotes inside strings', () => {
    expect(parseModelJson('{"facts": [{"text": "I wrote \\"a]b}c\\" once", "category": "other"}]}').value).toEqual({
      facts: [{ text: 'I wrote "a]b}c" once', category: 'other' }],
    });
  });

  it('closes a cut-off answer after its last complete item, at any depth', () => {
    expect(parseModelJson('{"facts": [{"text": "A", "tags": ["x", "y"]}, {"text": "B", "tags": ["z"').value).toEqual({
      facts: [{ text: 'A', tags: ['x', 'y'] }],
    });
    expect(parseModelJson('[{"text": "A"}, {"text": "B"}, {"te').truncated).toBe(true);
  });

  it('keeps the raw output, clipped, in its error', () => {
    const raw = `nothing here ${'x'.repeat(2000)}`;
    const error = (() => {
      try {
        parseModelJson(raw);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ModelOutputError);
    expect((error as ModelOutputError).raw.length).toBeLessThan(RAW_CLIP + 40);
    expect((error as ModelOutputError).raw.startsWith('nothing here')).toBe(true);
  });
});

describe('parseExtraction', () => {
  it('accepts an empty list as "nothing to remember"', () => {
    expect(parseExtraction('{"facts": []}')).toEqual({ facts: [], dropped: 0, truncated: false });
  });

  it('checks every field: unknown categories become "other", over-long facts are dropped', () => {
    const parsed = parseExtraction(
      JSON.stringify({ facts: [{ text: ' I  like tea ', category: 'Beverages' }, { text: 'x'.repeat(400), category: 'other' }] }),
    );
    expect(parsed).toEqual({ facts: [{ text: 'I like tea', category: 'other', forget: false }], dropped: 1, truncated: false });
  });
});

describe('parseDecision', () => {
  it.each([
    ['{"event": "UPDATE", "id": 2, "text": "I live in Amsterdam"}', { event: 'UPDATE', id: 2, text: 'I live in Amsterdam' }],
    ['{"event": "none", "id": " 1 "}', { event: 'NONE', id: 1 }],
    ['{"event": "ADD", "id": null}', { event: 'ADD' }],
  ])('reads %s', (raw, expected) => {
    expect(parseDecision(raw)).toEqual(expected);
  });

  it.each(['{"event": "UPDATE", "id": -1}', '{"event": "UPDATE", "id": "first"}', '{"id": 1}', '[{"event": "ADD"}]', ''])(
    'rejects %s',
    (raw) => {
      expect(() => parseDecision(raw)).toThrow(ModelOutputError);
    },
  );
});
