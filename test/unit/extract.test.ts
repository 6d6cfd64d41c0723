/**
 * Rule-based fact extraction: what Engram remembers from a message the user sent.
 */
import { describe, expect, it } from 'vitest';
import { withMemoryBlock } from '../../src/inject/memory-block';
import { extractFacts, MAX_MESSAGE_CHARS } from '../../src/pipeline/extract';

describe('extractFacts', () => {
  it('splits two statements joined by "and" into two facts', () => {
    expect(extractFacts("I'm vegetarian and I live in Berlin")).toEqual(["I'm vegetarian", 'I live in Berlin']);
  });

  it('keeps "and" inside a single statement', () => {
    expect(extractFacts('I love salt and pepper on everything.')).toEqual(['I love salt and pepper on everything']);
  });

  it('keeps the statements of a message and drops its question', () => {
    expect(extractFacts('My dog is called Max. Can you suggest a name for a second dog?')).toEqual([
      'My dog is called Max',
    ]);
  });

  it.each([
    'Can you recommend a restaurant in my area?',
    'Can you help me plan my week',
    'Could you summarise my notes',
    'Please write my cover letter.',
    'Please, tell me what I should cook',
    'What should I make for my dinner?',
    'Help me write an email to my boss.',
  ])('finds no fact in the question or request %j', (message) => {
    expect(extractFacts(message)).toEqual([]);
  });

  it.each(['If I ever moved to Paris…', 'If I ever moved to Paris I would learn French', 'Suppose I was a cat.', 'Imagine I had a boat'])(
    'finds no fact in the hypothetical %j',
    (message) => {
      expect(extractFacts(message)).toEqual([]);
    },
  );

  it('finds no fact in statements that are not about the user', () => {
    expect(extractFacts('The weather is nice. Berlin is big.')).toEqual([]);
  });

  it("never extracts Engram's own memory block", () => {
    const sent = withMemoryBlock(["I'm vegetarian", 'I live in Berlin', 'My dog is called Max'], 'What should I cook tonight?');
    expect(extractFacts(sent)).toEqual([]);
    const withFact = withMemoryBlock(['I live in Berlin'], 'I just adopted a cat.');
    expect(extractFacts(withFact)).toEqual(['I just adopted a cat']);
  });

  it('keeps a fact the user repeats once', () => {
    expect(extractFacts('I like tea. I like tea! i like TEA.\nI like tea')).toEqual(['I like tea']);
  });

  it('returns nothing for an empty or blank message', () => {
    expect(extractFacts('')).toEqual([]);
    expect(extractFacts(' \n\t ')).toEqual([]);
  });

  it('returns for a 1 MB message', () => {
    const message = 'I like tea and my cat is called Tom. What is up? '.repeat(21_000);
    expect(message.length).toBeGreaterThan(1_000_000);
    expect(extractFacts(message)).toEqual(['I like tea', 'my cat is called Tom']);
  });

  it('returns for a 1 MB message without any sentence breaks', () => {
    expect(extractFacts(`I ${'a'.repeat(1_000_000)}`)).toEqual([]);
  });

  it('does not crash on emoji, right-to-left or zero-width characters', () => {
    expect(extractFacts('I love 🍕 and my cat is 🐈‍⬛')).toEqual(['I love 🍕', 'my cat is 🐈‍⬛']);
    expect(extractFacts('אני גר בתל אביב. I live in Tel Aviv.')).toEqual(['I live in Tel Aviv']);
    expect(extractFacts('أنا نباتي\u200F and \u202Bmy name is Sami\u202C')).toEqual(expect.any(Array));
    expect(extractFacts('I\u200Bm vegetarian\u200D\uFEFF')).toEqual(expect.any(Array));
    expect(extractFacts('\u200B\u200C\u200D\uFEFF')).toEqual([]);
    expect(extractFacts('\uD83D I have a lone surrogate \uDE00')).toEqual(expect.any(Array));
  });
  it('stores nothing from a hypothetical, even after its comma', () => {
    expect(extractFacts('If I ever moved to Paris, I would learn French.')).toEqual([]);
  });

  it('removes zero-width and direction marks, so the fact matches its plain twin', () => {
    expect(extractFacts("I\u200B'm vegetarian\u200B. I\u2019m vegetarian")).toHaveLength(1);
    expect(extractFacts('\u202BI live in Berlin\u202C')).toEqual(['I live in Berlin']);
  });

  it('reads every statement of a long message, however many', () => {
    const long = Array.from({ length: 5000 }, (_, i) => `I have visited city number ${i}.`).join(' ');
    const facts = extractFacts(long);
    expect(facts).toHaveLength(5000);
    expect(facts[0]).toBe('I have visited city number 0');
    expect(facts.at(-1)).toBe('I have visited city number 4999');
  });

  it('reads a message up to MAX_MESSAGE_CHARS, and not half a sentence cut there', () => {
    const sentence = 'I like tea and my cat is called Tom. ';
    const message = sentence.repeat(Math.ceil(MAX_MESSAGE_CHARS / sentence.length) + 10) + 'I live in Oslo.';
    expect(extractFacts(message)).toEqual(['I like tea', 'my cat is called Tom']);
  });

  it('keeps the statement a question is asked with, not the question', () => {
    expect(extractFacts("I'm prepping for the half marathon in April, can you build me a 10-week plan?")).toEqual(["I'm prepping for the half marathon in April"]);
    expect(extractFacts("We just moved to Porto - any tips for a good bakery?")).toEqual(['We just moved to Porto']);
    expect(extractFacts('If I move to Leeds, what should I pack?')).toEqual([]);
    expect(extractFacts('Can you explain closures, I never got them?')).toEqual([]);
  });

  it('keeps the clause a fact points back to', () => {
    expect(extractFacts("Joana is back from leave in March, so I report to her again")).toEqual(['Joana is back from leave in March, I report to her again']);
  });

  it('keeps facts about the user and about the people and pets close to them', () => {
    expect(extractFacts('My sister is a doctor. My boss lives in Munich.')).toEqual(['My sister is a doctor', 'My boss lives in Munich']);
    expect(extractFacts('My sister Priya lives in Lisbon.')).toEqual(['My sister Priya lives in Lisbon']);
    expect(extractFacts('the kids renamed the cat: Pickle is Admiral now')).toEqual(['the kids renamed the cat: Pickle is Admiral now']);
    expect(extractFacts('I have a sister named Anna and my sister is vegan.')).toEqual(['I have a sister named Anna', 'my sister is vegan']);
    expect(extractFacts('The capital of France is Paris. The new iPhone has a better camera.')).toEqual([]);
    expect(extractFacts('My wife and I live in Oslo. My best friend is called Jonas.')).toEqual([
      'My wife and I live in Oslo',
      'My best friend is called Jonas',
    ]);
  });

  it('keeps negations and changes, drops chat remarks that merely start with "I"', () => {
    expect(extractFacts("I don't drink coffee anymore. I moved to Amsterdam.")).toEqual(["I don't drink coffee anymore", 'I moved to Amsterdam']);
    expect(extractFacts("I don't know. I think so. I tried that but it didn't work. I'm not sure.")).toEqual([]);
  });

  it('drops jokes, and a fact taken back by "just kidding"', () => {
    expect(extractFacts("I'm the Queen of England lol")).toEqual([]);
    expect(extractFacts('I live in my car now. Just kidding! I live in Leeds.')).toEqual(['I live in Leeds']);
  });

  it('drops assistant text and quotes the user pasted', () => {
    expect(extractFacts('I hope this helps! As an AI, I have no opinions. You said "I recommend Postgres".')).toEqual([]);
  });

  it('reads first-person statements in German, French and Spanish, in their language', () => {
    expect(extractFacts('Ich bin 28 Jahre alt und ich wohne in Köln.')).toEqual(['Ich bin 28 Jahre alt', 'ich wohne in Köln']);
    expect(extractFacts("Je suis végétarienne et j'habite à Nantes.")).toEqual(['Je suis végétarienne', "j'habite à Nantes"]);
    expect(extractFacts('Soy vegetariano y vivo en Sevilla. ¿Qué puedo cocinar?')).toEqual(['Soy vegetariano', 'vivo en Sevilla']);
    expect(extractFacts('Meine Schwester ist Ärztin. Si viviera en París, aprendería francés.')).toEqual(['Meine Schwester ist Ärztin']);
  });

  it.each([
    ['commas', `I ${','.repeat(1_000_000)}x`],
    ['separators', `I am ${'- '.repeat(500_000)}x`],
    ['open quotes', '“a'.repeat(500_000)],
    ['clauses', `I like tea${' and I'.repeat(170_000)}`],
  ])('reads 1 MB of %s without catastrophic backtracking (a quadratic pattern would not finish within the suite)', (_, message) => {
    // No timing is asserted (timings are the benchmarks'): finishing at all is the claim.
    expect(Array.isArray(extractFacts(message))).toBe(true);
  });
  it('leaves out what is said to the listener, and the name of the person spoken to', () => {
    expect(extractFacts("I'm so happy for you, Caroline! I love that you chose pottery.")).toEqual([]);
    expect(extractFacts("I'm thrilled to make a family for kids who need one, Mel!")).toEqual([
      "I'm thrilled to make a family for kids who need one",
    ]);
  });
  it('splits a statement from a wish joined by a dash, keeping the statement', () => {
    expect(extractFacts("I'm keen on counseling or working in mental health - I'd love to support others")).toEqual([
      "I'm keen on counseling or working in mental health",
    ]);
    expect(extractFacts('I live in Berlin – I moved here in 2019')).toEqual(['I live in Berlin', 'I moved here in 2019']);
  });
  it('keeps casual first person without the "I" when the clause is about the user', () => {
    expect(extractFacts('Just finished a painting for my mom.')).toEqual(['Just finished a painting for my mom']);
    expect(extractFacts('Been running more lately to clear my head.')).toEqual(['Been running more lately to clear my head']);
    expect(extractFacts('Looking good!')).toEqual([]);
    expect(extractFacts('Thinking about you!')).toEqual([]);
  });
  it('keeps a statement that names the user after its subject, as people write in casual chat', () => {
    expect(extractFacts('Playing video games and watching movies are my main hobbies.')).toEqual([
      'Playing video games and watching movies are my main hobbies',
    ]);
    expect(extractFacts("That beach is super special to me. It's where I got married.")).toEqual([
      'That beach is super special to me',
      "It's where I got married",
    ]);
    expect(extractFacts('Been real busy tackling a project to support veterans.')).toEqual([
      'Been real busy tackling a project to support veterans',
    ]);
    // A request in the imperative names the user too, but is not a fact.
    expect(extractFacts('Draft a polite reply to my landlord about the heater.')).toEqual([]);
    expect(extractFacts('Thanks for helping me out!')).toEqual([]);
  });
  it('reads past a reaction or a name at the start of the message', () => {
    expect(extractFacts('Yes, tomorrow is my day off.')).toEqual(['tomorrow is my day off']);
    expect(extractFacts('Thanks, Maria! I see them at least once a week.')).toEqual(['I see them at least once a week']);
    expect(extractFacts('Hey Evan, my friends were mocking my weight last Friday.')).toEqual([
      'my friends were mocking my weight last Friday',
    ]);
    expect(extractFacts('I see. I got it!')).toEqual([]);
  });
  it('does not read an English word as a foreign conditional', () => {
    expect(extractFacts('I took this photo at Whispering Falls.')).toEqual(['I took this photo at Whispering Falls']);
  });
  it('splits at a dash even when the next clause is not about the user', () => {
    expect(extractFacts("Roasted chicken is one of my favorites - sure, I'll send you the recipe.")).toEqual([
      'Roasted chicken is one of my favorites',
    ]);
  });
  it('keeps a fronted time phrase with its statement, and never stores the phrase alone', () => {
    expect(extractFacts('Yesterday, I went home early.')).toEqual(['Yesterday, I went home early']);
    expect(extractFacts('You know what? Last week, I got a new Ferrari!')).toEqual(['Last week, I got a new Ferrari']);
    expect(extractFacts('Last week')).toEqual([]);
  });
  it('does not take a greeting for Spanish "yo", nor "we" inside another word', () => {
    expect(extractFacts('Yo Tim! Great to hear from you.')).toEqual([]);
    expect(extractFacts('Yo vivo en Sevilla.')).toEqual(['Yo vivo en Sevilla']);
  });
  it('keeps short quoted titles, and still drops long quoted words of others', () => {
    expect(extractFacts('Just finished "A Dance with Dragons" and loved it.')).toEqual(['Just finished "A Dance with Dragons" and loved it']);
    expect(extractFacts('My boss said "I think I will move everyone to the night shift tomorrow".')).toEqual([]);
  });
  it('keeps a photo the user shows of their own life, not assistant-style "here is" text', () => {
    expect(extractFacts("Here's a picture I took on vacation in Bogota.")).toEqual(["Here's a picture I took on vacation in Bogota"]);
    expect(extractFacts("Here's a summary of the article.")).toEqual([]);
  });
  it('reads "me and my team" and "us" as the user', () => {
    expect(extractFacts('me and my team had a blast at the tournament')).toEqual(['me and my team had a blast at the tournament']);
    expect(extractFacts('Three times a week; it keeps us on track.')).toEqual(['Three times a week; it keeps us on track']);
    expect(extractFacts('I tried making sourdough last month.')).toEqual(['I tried making sourdough last month']);
    expect(extractFacts('I tried that but it did not work.')).toEqual([]);
  });
  it('drops uncertain plans and praise of what the listener said, and splits at ", but"', () => {
    expect(extractFacts("Maybe one day I'll open my own little café.")).toEqual([]);
    expect(extractFacts("That's what I like to hear!")).toEqual([]);
    expect(extractFacts('Cats are great, but dogs are more my thing.')).toEqual(['dogs are more my thing']);
    expect(extractFacts("I'm vegetarian, but I eat fish now and then.")).toEqual(["I'm vegetarian", 'I eat fish now and then']);
  });
});

describe('statementsOf (what a message with no first-person fact states)', () => {
  it('keeps what a short message states, in the user’s words', async () => {
    const { statementsOf } = await import('../../src/pipeline/extract');
    expect(statementsOf('Yeah, the kids loved the beach and the dinosaur exhibit at the museum.')).toBe('the kids loved the beach and the dinosaur exhibit at the museum');
    expect(statementsOf('Renee says the chickpea stew is her new favorite lol')).toBeNull(); // a joke marker
  });

  it('keeps no question, request, greeting, small talk, code or pasted text', async () => {
    const { statementsOf } = await import('../../src/pipeline/extract');
    expect(statementsOf('What do you think about the new library downtown?')).toBeNull();
    expect(statementsOf('Thanks, that helps a lot!')).toBeNull();
    expect(statementsOf('Write a poem about the sea and the old lighthouse keeper.')).toBeNull();
    expect(statementsOf('const x = fetchUsers();\nreturn x.map(u => u.id);')).toBeNull();
    expect(statementsOf('The committee approved the budget for the new bridge. '.repeat(20))).toBeNull();
  });
});

describe('answer preferences', () => {
  it('keeps a standing instruction on how to answer, whole, and not a one-off request', async () => {
    const { extractFacts } = await import('../../src/pipeline/extract');
    expect(extractFacts('When you explain money or tax stuff, keep it skimmable with bullet points.')).toEqual(['When you explain money or tax stuff, keep it skimmable with bullet points']);
    expect(extractFacts('Always give me metric units.')).toEqual(['Always give me metric units']);
    expect(extractFacts('When you get a chance, can you look at this?')).toEqual([]);
    expect(extractFacts("When you're done, send it to me.")).toEqual([]);
  });
});
