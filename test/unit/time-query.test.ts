/**
 * The period a query asks about (src/pipeline/time-query.ts).
 */
import { describe, expect, it } from 'vitest';
import { saidWithin, timeWindowOf } from '../../src/pipeline/time-query';

const NOW = Date.UTC(2023, 2, 15, 10); // 15 March 2023
const iso = (t: number): string => new Date(t).toISOString().slice(0, 10);
const span = (q: string): string | null => {
  const w = timeWindowOf(q, NOW);
  return w ? `${w.unit} ${iso(w.from)}..${iso(w.to)}` : null;
};

describe('timeWindowOf', () => {
  it('reads a day, in day-month-year and month-day-year order', () => {
    expect(span('What did I paint on 13 October, 2023?')).toBe('day 2023-10-13..2023-10-14');
    expect(span('What did I cook on October 13th, 2023?')).toBe('day 2023-10-13..2023-10-14');
    expect(span('Was hast du am 3. Juni 2023 gemacht?')).toBe('day 2023-06-03..2023-06-04');
  });
  it('reads a month with its year, and a month alone as the last such month', () => {
    expect(span('Where did I travel in July 2022?')).toBe('month 2022-07-01..2022-08-01');
    expect(span('the beginning of November 2022')).toBe('month 2022-11-01..2022-12-01');
    expect(span('Which spot did I visit in May?')).toBe('month 2022-05-01..2022-06-01');
    expect(span('What did I start in March?')).toBe('month 2023-03-01..2023-04-01');
    expect(span('¿Qué hice en enero de 2023?')).toBe('month 2023-01-01..2023-02-01');
  });
  it('reads every form in capitals too, and finds no time in a prompt that names none', () => {
    // A prompt is only run through the patterns when it has a digit or one of their words: in any case.
    expect(span('WHERE DID I TRAVEL IN JULY 2022?')).toBe('month 2022-07-01..2022-08-01');
    expect(span('Was habe ich im MÄRZ gemacht?')).toBe('month 2023-03-01..2023-04-01');
    expect(span('What did I eat YESTERDAY')).toBe('day 2023-03-14..2023-03-15');
    expect(span('Which film did I see This Month?')).toBe('month 2023-03-01..2023-04-01');
    expect(span('Which café did I like, en Août?')).toBe('month 2022-08-01..2022-09-01');
    for (const q of ['Can you suggest a restaurant near me?', 'Write a status update for the team', 'Qué comida me gusta?', '']) expect(span(q)).toBeNull();
  });
  it('reads a year, and times relative to now', () => {
    expect(span('What books did I read in 2022?')).toBe('year 2022-01-01..2023-01-01');
    expect(span('what did I eat yesterday')).toBe('day 2023-03-14..2023-03-15');
    expect(span('where did I go last week')).toBe('week 2023-03-01..2023-03-15');
    expect(span('what did I buy last month')).toBe('month 2023-02-01..2023-03-01');
    expect(span('three days ago I said something')).toBe('day 2023-03-11..2023-03-14');
  });
  it('does not read "may" the verb, a bare number or a word holding a month as a time', () => {
    expect(span('May I ask what I should cook tonight?')).toBeNull();
    expect(span('I may move to Lisbon')).toBeNull();
    expect(span('I have 12345 photos from the march')).toBeNull();
    expect(span('what is my juniper plant called')).toBeNull();
    expect(span('')).toBeNull();
  });
  it('returns on a 1 MB query', () => {
    expect(timeWindowOf('in '.repeat(350_000), NOW)).toBeNull();
    expect(timeWindowOf(`${'x '.repeat(350_000)}May 2023`, NOW)?.unit).toBe('month');
  });
});

describe('saidWithin', () => {
  it('counts what was said during the period and in the days after it, not before', () => {
    const july = timeWindowOf('in July 2022', NOW)!;
    expect(saidWithin(july, Date.UTC(2022, 6, 20))).toBe(true);
    expect(saidWithin(july, Date.UTC(2022, 7, 5))).toBe(true); // "last week I was in …", early August
    expect(saidWithin(july, Date.UTC(2022, 7, 25))).toBe(false);
    expect(saidWithin(july, Date.UTC(2022, 5, 20))).toBe(false);
    const day = timeWindowOf('on 13 October 2023', NOW)!;
    expect(saidWithin(day, Date.UTC(2023, 9, 13, 18))).toBe(true);
    expect(saidWithin(day, Date.UTC(2023, 9, 20))).toBe(false);
  });
});
