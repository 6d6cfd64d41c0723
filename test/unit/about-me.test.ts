/**
 * Reading a prompt before any memory is searched: is it about the user's life, or a task or a
 * question about the world that happens to share words with a memory?
 */
import { describe, expect, it } from 'vitest';
import { instructionOf, isTheirs, namesInPrompt, readPrompt } from '../../src/pipeline/about-me';
import { entitiesOf } from '../../src/pipeline/entities';

describe('readPrompt', () => {
  it.each([
    'What should I cook tonight?',
    'Gift ideas for my sister?',
    'Is it safe for me to take ibuprofen?',
    'Plan a weekend away for us',
    'Draft a short bio for my speaker page',
    'Which city am I living in these days?',
    "What's the cat called now?",
    'How do I keep my dog calm during fireworks?',
    'How do I get to work these days?',
    'Any ideas for dinner tonight?',
    'Is it worth moving our event pipeline at work over to NATS?',
  ])('reads %j as about the user', (prompt) => {
    expect(readPrompt(prompt).aboutUser).toBe(true);
  });

  it.each([
    'How long do dogs live?',
    'Help me fix my regex',
    'I need a haiku about rain',
    'How do I reverse a linked list?',
    'my pandas merge drops rows, why?',
    "TypeError: Cannot read properties of undefined (reading 'map'). I get this in React",
    'How do I undo my last git commit but keep the changes?',
    'Who actually wrote The Expanse? I heard James S. A. Corey is not a real person',
    'Can you catch me up on what is happening with microplastics research?',
    'Summarize this article for me:\nThe government said our economy grew 2% and we expect more next year, according to the minister.',
    'Translate "good morning, my friend" into Japanese for me',
  ])('reads %j as not about the user', (prompt) => {
    expect(readPrompt(prompt).aboutUser).toBe(false);
  });

  it('reads only the instruction, not the text pasted after it', () => {
    const pasted = 'Summarize: ' + 'We moved to Leeds and my sister lives with us now. '.repeat(10);
    expect(instructionOf(pasted)).toBe('Summarize:');
    expect(readPrompt(pasted).aboutUser).toBe(false);
    expect(instructionOf('```js\nconst my = 1;\n```\nwhy does this fail?')).not.toContain('my');
  });
});

describe('names the user knows', () => {
  it('finds the names a prompt asks about, not the places it names', () => {
    expect(namesInPrompt('Is Bartek still living in Kraków?', entitiesOf)).toEqual(['bartek']);
    expect(namesInPrompt("What's the history of Gdańsk?", entitiesOf)).toEqual([]);
  });

  it('knows a person or pet the memories introduce from a thing the user likes', () => {
    expect(isTheirs('priya', ['My sister Priya lives in Lisbon'])).toBe(true);
    expect(isTheirs('biscuit', ['We adopted a greyhound called Biscuit'])).toBe(true);
    expect(isTheirs('bramble', ['Bramble, our collie, is three'])).toBe(true);
    expect(isTheirs('renee', ['Renee is my new boss'])).toBe(true);
    expect(isTheirs('manchester', ['I support Manchester City'])).toBe(false);
    expect(isTheirs('expanse', ["I'm reading The Expanse"])).toBe(false);
  });
});

describe('asksSomething', () => {
  it('knows a message that tells from one that asks', async () => {
    const { asksSomething } = await import('../../src/pipeline/extract');
    for (const told of ['My sister Priya lives in Lisbon.', "I've switched my entry from the marathon to the half", 'We just adopted a greyhound called Biscuit!']) {
      expect(asksSomething(told), told).toBe(false);
    }
    for (const asked of ['Gift ideas for my sister', 'Rainy saturday with the little one, what can we do nearby', 'Packing list for our trip pls', 'need a dessert to bring on saturday', 'Plan a weekend away for us', 'My sister lives in Lisbon, what should I see there?']) {
      expect(asksSomething(asked), asked).toBe(true);
    }
  });
});

describe('isTheirs, with people the user does things with', () => {
  it('knows "Bartek and I got married" introduces one of the user’s people', () => {
    expect(isTheirs('bartek', ['Bartek and I got married in March'])).toBe(true);
    expect(isTheirs('jonas', ['me and Jonas went climbing'])).toBe(true);
    expect(isTheirs('rome', ['We went to Rome and I loved it'])).toBe(false);
  });
});

describe('readPrompt, on the asker’s framing', () => {
  it.each([
    "I always mix up 'their', 'there' and 'they're'. Is there an easy way to remember which is which?",
    'We were arguing at the table last night about whether Ireland ever reached a World Cup quarter-final. Did they?',
    "What's the German word for 'glove'? Someone told me it's funny",
    "When is Shakespeare's birthday, and do we actually know it?",
    'How do Korean speech levels work? When do you use -yo?',
    "What's going on with the US–Canada trade fight?",
    'help me understand recursion, every explanation I read goes over my head',
  ])('reads %j as not about the user', (prompt) => {
    expect(readPrompt(prompt).aboutUser).toBe(false);
  });

  it('takes a place after "my parents in" for a place, not one of the user’s people', () => {
    expect(isTheirs('halifax', ["We're spending Christmas with Hannah's parents in Halifax"])).toBe(false);
  });
});

describe('readPrompt, on what the user is learning', () => {
  it('reads a request about what the user is learning as theirs', () => {
    expect(readPrompt('Recommend a podcast for the language I am learning').aboutUser).toBe(true);
    expect(readPrompt("I'm trying to understand closures in JavaScript").aboutUser).toBe(false);
  });
});

describe('isTheirs, things and messages', () => {
  it('takes "an AeroPress and I\'m picky" for a thing, and reads the message a memory came from', () => {
    expect(isTheirs('aeropress', ["I make my coffee with an AeroPress and I'm picky about beans"])).toBe(false);
    expect(isTheirs('wilbur', ["Who will walk Wilbur, that's what I'm fretting about. He's our springer spaniel"])).toBe(true);
  });
});

describe('readPrompt, on fiction, titles, public figures and technical prompts', () => {
  it.each([
    'Why does the house always win at roulette?',
    'How do I get the car out of a skid on an icy road?',
    'Write a short story where the cat knocks a glass off the table and wakes up the whole building.',
    'Who wrote My Brilliant Career?',
    'Translate "Ich habe Hunger" into English.',
    'Our API key got committed to a public GitHub repo. What should we do now?',
    'My app shows a white screen after I updated Expo. What should I check?',
  ])('reads %j as not about the user', (prompt) => {
    expect(readPrompt(prompt).aboutUser).toBe(false);
  });

  it('takes a first name with a surname for someone public, not one of the user’s people', () => {
    expect(namesInPrompt('Who is Lena Meyer-Landrut?', entitiesOf)).not.toContain('lena');
    expect(namesInPrompt('What does Lena think of the flat?', entitiesOf)).toContain('lena');
  });

  it('still reads "terror" as a word, not an error name', () => {
    expect(readPrompt('How do I help my son with night terror episodes?').aboutUser).toBe(true);
  });
});
