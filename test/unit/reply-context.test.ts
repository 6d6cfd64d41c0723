/**
 * What a captured turn carries of the assistant's previous message, and what the rule-based
 * extractor keeps of it: the questions it ended with, as search context for the reply's facts.
 */
import { describe, expect, it } from 'vitest';
import { questionsAskedIn, RuleBasedExtractor } from '../../src/adapters/rule-based-extractor';
import { leadingAnswer } from '../../src/pipeline/extract';
import { lastAssistantText } from '../../src/capture/run-content-script';
import { withMemoryBlock } from '../../src/inject/memory-block';
import { MAX_REPLY_TO_CHARS } from '../../src/messaging/protocol';
import type { PageTurn } from '../../src/sites/site-adapter';

describe('lastAssistantText', () => {
  const page = (turns: PageTurn[]) => ({ readTurns: () => turns });
  it('is the end of the last assistant message on the page', () => {
    expect(
      lastAssistantText(
        page([
          { role: 'user', text: 'Hi' },
          { role: 'assistant', text: 'Hello! How can I help?' },
          { role: 'user', text: 'Plan my week' },
          { role: 'assistant', text: `${'x'.repeat(5000)} How often do you run?` },
        ]),
      ),
    ).toBe(`${'x'.repeat(MAX_REPLY_TO_CHARS - ' How often do you run?'.length)} How often do you run?`);
  });
  it('is null in a new chat, or when the page cannot be read', () => {
    expect(lastAssistantText(page([]))).toBeNull();
    expect(lastAssistantText(page([{ role: 'user', text: 'Hi' }]))).toBeNull();
    expect(
      lastAssistantText({
        readTurns: () => {
          throw new Error('detached');
        },
      }),
    ).toBeNull();
  });
});

describe('questionsAskedIn', () => {
  it('keeps the questions near the end of the message, without Engram’s block', () => {
    expect(questionsAskedIn('Great plan! How often do you go running? And where?')).toBe('How often do you go running? And where?');
    expect(questionsAskedIn(`${'Some long answer. '.repeat(40)}Anything else?`)).toBe('Anything else?');
    expect(questionsAskedIn('Here is your plan.')).toBe('');
    expect(questionsAskedIn(withMemoryBlock(['I live in Berlin'], 'Which city is that?'))).toBe('Which city is that?');
  });
});

describe('RuleBasedExtractor with the assistant message', () => {
  it('keeps the question with each fact of the reply, and takes no fact from the assistant', async () => {
    const facts = await new RuleBasedExtractor().extract([
      { role: 'assistant', content: 'I am glad to help. How often do you go running?' },
      { role: 'user', content: 'Three times a week, it keeps me sane.', id: 't1' },
    ]);
    expect(facts.map((f) => [f.text, f.context])).toEqual([
      ['Three times a week, it keeps me sane', 'Three times a week, it keeps me sane.\nHow often do you go running?'],
    ]);
  });
  it('keeps only the reply as context without an assistant message', async () => {
    const facts = await new RuleBasedExtractor().extract([{ role: 'user', content: 'I live in Berlin.' }]);
    expect(facts[0]?.context).toBe('I live in Berlin.');
  });
});

describe('a bare answer to the assistant’s question', () => {
  it('opens the first fact of the reply, so the fact says what it is about', async () => {
    const facts = await new RuleBasedExtractor().extract([
      { role: 'assistant', content: 'Which language are you learning at the moment?' },
      { role: 'user', content: "Japanese! I've been at it for two years, it's my evening ritual." },
    ]);
    expect(facts.map((f) => f.text)).toEqual(["Japanese! I've been at it for two years, it's my evening ritual"]);
  });
  it('is left alone without a question, and never taken from a reaction, a question or a statement', async () => {
    const alone = await new RuleBasedExtractor().extract([{ role: 'user', content: "Japanese! I've been at it for two years." }]);
    expect(alone.map((f) => f.text)).toEqual(["I've been at it for two years"]);
    expect(leadingAnswer('Yes! I live in Porto.')).toBeNull();
    expect(leadingAnswer('Thanks, Ana! I live in Porto.')).toBeNull();
    expect(leadingAnswer('Why? I live in Porto.')).toBeNull();
    expect(leadingAnswer('I live in Porto. It is sunny.')).toBeNull();
    expect(leadingAnswer('Not really. I prefer tea.')).toBeNull();
    expect(leadingAnswer('Lisbon, Portugal. I moved there in 2019.')).toBe('Lisbon, Portugal');
    expect(leadingAnswer('')).toBeNull();
  });
});

