/**
 * Slots: which facts hold the same single-valued attribute, so a new one UPDATEs the old one —
 * including a habit and its negation ("I drink coffee" → "I don't drink coffee anymore").
 */
import { describe, expect, it } from 'vitest';
import { RuleBasedExtractor } from '../../src/adapters/rule-based-extractor';
import { decide, type Neighbour } from '../../src/pipeline/decide';
import { slotOf } from '../../src/pipeline/slots';
import type { ExtractedFact } from '../../src/ports/extractor';
import { memoryRecord } from '../support/records';

const record = (text: string) => memoryRecord(text);

/** The rule-based extractor's fact for a message (one fact expected). */
async function factOf(message: string): Promise<ExtractedFact> {
  const facts = await new RuleBasedExtractor().extract([{ role: 'user', content: message }]);
  expect(facts, message).toHaveLength(1);
  return facts[0]!;
}

/** What the update step does with `newer` when `older` is stored (and close, as the index would find it). */
async function eventFor(older: string, newer: string): Promise<string> {
  const neighbours: Neighbour[] = [{ memory: record(older), score: 0.8 }];
  return decide(await factOf(newer), neighbours).event;
}

describe('slotOf', () => {
  it.each([
    ['I live in Berlin', 'home'],
    ['I moved to Amsterdam', 'home'],
    ["I'm based in Nairobi", 'home'],
    ['Ich wohne in München', 'home'],
    ["J'habite à Lyon", 'home'],
    ['Vivo en Madrid', 'home'],
    ['Me mudé a Valencia', 'home'],
    ['I work as a nurse', 'job'],
    ["I'm a software engineer at Siemens", 'job'],
    ['Ich arbeite als Krankenpfleger', 'job'],
    ['Trabajo como profesora', 'job'],
    ["I'm vegetarian", 'diet'],
    ["I'm not vegetarian anymore", 'diet'],
    ['I no longer eat meat', 'diet'],
    ['Ich bin Vegetarierin', 'diet'],
    ['Ya no como carne', 'diet'],
    ['My name is Priya', 'name'],
    ['Call me Sam', 'name'],
    ["Je m'appelle Claire", 'name'],
    ['Me llamo Lucía', 'name'],
    ["I'm 34", 'age'],
    ["J'ai 41 ans", 'age'],
    ['My favourite colour is green', 'favourite:colour'],
  ])('%j fills %s', (fact, slot) => {
    expect(slotOf(fact)).toBe(slot);
  });

  it.each([
    ['I drink coffee', "I don't drink coffee anymore", 'pref:drink:coffee'],
    ['I drink black coffee every morning', 'I no longer drink coffee', 'pref:drink:coffee'],
    ['I drink coffee', 'I stopped drinking coffee', 'pref:drink:coffee'],
    ['I smoke', 'I quit smoking', 'pref:smoke'],
    ['I smoke', "I don't smoke", 'pref:smoke'],
    ['I love hiking', 'I hate hiking', 'pref:like:hiking'],
    ['I like horror movies', "I don't like horror movies", 'pref:like:movies'],
    ['I love jazz', "I can't stand jazz", 'pref:like:jazz'],
    ['I use TypeScript at work', "I don't use TypeScript anymore", 'pref:use:typescript'],
    ['Ich trinke Kaffee', 'Ich trinke keinen Kaffee mehr', 'pref:drink:kaffee'],
    ["Je bois de l'alcool", "Je ne bois plus d'alcool", 'pref:drink:alcool'],
    ['Bebo café', 'Ya no bebo café', 'pref:drink:café'],
  ])('%j and %j share the slot %s', (positive, negative, slot) => {
    expect(slotOf(positive)).toBe(slot);
    expect(slotOf(negative)).toBe(slot);
  });

  it('gives different habits different slots', () => {
    expect(slotOf('I drink tea')).not.toBe(slotOf("I don't drink coffee"));
    expect(slotOf('I love hiking')).not.toBe(slotOf('I love jazz'));
  });

  it.each([
    'I live in a flat in Kreuzberg',
    'I live with my parents in Lyon',
    'My home is in Lisbon',
    "I've lived in Berlin for five years",
    'I no longer live in Berlin',
    'I live on Main Street',
    'We live on a farm',
    'I live near Munich',
    'I live just outside Boston',
    'I moved from Berlin to Hamburg',
    'I recently moved into a new apartment',
    'I am based out of Chicago',
    'Seit März wohne ich in Berlin',
    'Vivo con mi novia en Sevilla',
  ])('%j is where the user lives (home)', (fact) => {
    expect(slotOf(fact)).toBe('home');
  });

  // Living with someone, alone, for something or on a budget is not where one lives; nor is a past
  // home, or the surroundings of the home ("near the park" is true alongside "in Berlin").
  it.each([
    'I live with three roommates',
    'I live alone',
    'I live for the weekends',
    'I live on a budget',
    'I live on my own',
    'I live near the park',
    'I live next to a bakery',
    'I live close to work',
    'I live in fear of spiders',
    'I live with three roommates at the moment',
    'I lived in Tokyo for two years',
    'I used to live in Paris',
    'I moved the couch',
    'I moved to a new team',
    'I moved in with my girlfriend',
    'Ich wohne mit zwei Mitbewohnern',
    'Je vis avec ma copine',
    'Vivo con mis padres',
    'Me mudé con mi novia',
  ])('%j is not a home', (fact) => {
    expect(slotOf(fact)).not.toBe('home');
  });

  it('reads "Ich lebe vegan" and "I live on a vegan diet" as a diet, not a home', () => {
    expect(slotOf('Ich lebe vegan')).toBe('diet');
    expect(slotOf('I live on a vegan diet')).toBe('diet');
  });

  it.each(['I have a dog named Max', 'I have a cat named Tom', 'I have a sister named Anna', "I'm allergic to peanuts", 'I love 🍕', ''])(
    'gives %j no slot (a user has many of those)',
    (fact) => {
      expect(slotOf(fact)).toBeNull();
    },
  );

  it('reads a very long fact without catastrophic backtracking', () => {
    // Finishing at all is the claim; no timing asserted (timings are the benchmarks').
    const slots = [slotOf(`I like ${'very '.repeat(200_000)}much tea`), slotOf(`I ${'a'.repeat(1_000_000)}`)];
    expect(slots).toHaveLength(2);
  });
});

describe('decide with slots', () => {
  it.each([
    ['I drink coffee', "I don't drink coffee anymore"],
    ['I live in Berlin', 'I moved to Amsterdam'],
    ['I live in Berlin', 'I live in a flat in Kreuzberg'],
    ['I live in Berlin', 'I live near Munich'],
    ["I'm vegetarian", "I'm not vegetarian anymore"],
    ['I love hiking', 'I hate hiking'],
    ['I smoke', 'I quit smoking'],
    ['Ich trinke Kaffee', 'Ich trinke keinen Kaffee mehr'],
    ['I work as a nurse', "I'm a software engineer at Siemens"],
  ])('UPDATEs %j with %j', async (older, newer) => {
    expect(await eventFor(older, newer)).toBe('UPDATE');
  });

  it.each([
    ['I have a dog named Max', 'I have a cat named Tom'],
    ['I have a dog named Max', 'I have a dog named Rex'],
    ['I drink tea', "I don't drink coffee"],
    ['I live in Berlin', "I'm allergic to peanuts"],
    ['I live in Berlin', 'I live with three roommates'],
    ['I live in Berlin', 'I live alone'],
    ['I live in Berlin', 'I live near the park'],
    ['I live in Berlin', 'I live on a budget'],
  ])('ADDs %j next to %j', async (older, newer) => {
    expect(await eventFor(older, newer)).toBe('ADD');
  });

  it('keeps what the user says of someone close to them beside their own fact, never in its place', async () => {
    const facts = await new RuleBasedExtractor().extract([{ role: 'user', content: 'My sister is vegan' }]);
    expect(facts.map((f) => f.text)).toEqual(['My sister is vegan']);
    expect(await eventFor("I'm vegan", 'My sister is vegan')).toBe('ADD');
    expect(await eventFor('I live in Berlin', 'My sister lives in Lisbon')).toBe('ADD');
  });
});
