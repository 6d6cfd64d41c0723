// @vitest-environment node
/**
 * Secrets are never remembered: the detector (src/pipeline/secrets.ts) on the labelled set and on
 * single cases, and the engine end to end (real Memory on Dexie over fake-indexeddb, the
 * rule-based extractor, a hashing embedder): a password, a key or a card number never becomes a
 * memory, whatever the path, while the look-alikes ("my flight number is LH 123") are kept.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { LlmExtractor } from '../../src/adapters/llm/llm-extractor';
import { RuleBasedExtractor } from '../../src/adapters/rule-based-extractor';
import type { Engine } from '../../src/engine/create-engine';
import type { Memory } from '../../src/engine/memory';
import type { MemoryStore } from '../../src/ports/memory-store';
import {
  REDACTED,
  assertNoSecret,
  containsSecret,
  findSecrets,
  luhn,
  redactSecrets,
  withoutSecrets,
  type SecretKind,
} from '../../src/pipeline/secrets';
import type { ChatModel } from '../../src/ports/chat-model';
import { loadBlindUtterances, loadSecretUtterances, rate, scoreSecrets } from '../fixtures/secrets/score';
import { testEngine } from '../support/engine';
import { HashingEmbedder } from '../support/fake-embedder';

/** Targets of issue 9 (finding 4). */
const SECRET_RECALL = 0.98;
const LOOK_ALIKES_KEPT = 0.95;

const items = loadSecretUtterances();
/** The blind set (test/fixtures/secrets/blind.json), written without reading the detector; see its README. */
const blindItems = loadBlindUtterances();
const KINDS: SecretKind[] = ['password', 'pin', 'one-time-code', 'cvv', 'api-key', 'private-key', 'card-number', 'iban', 'bank-account', 'government-id'];

const engine = (): Engine => testEngine({ embedder: new HashingEmbedder(), hnsw: null });

type Item = (typeof items)[number];

/** Every secret names its kind and its values, as written in the text; look-alikes name none. */
function expectWellFormed(item: Item): void {
  if (!item.secret) {
    expect(item.values, item.text).toBeUndefined();
    return;
  }
  expect(KINDS, item.text).toContain(item.kind);
  expect(item.values?.length, item.text).toBeGreaterThan(0);
  for (const value of item.values ?? []) expect(item.text, value).toContain(value);
}

/** The detector alone meets the targets on `set`; the failures are listed when it does not. */
function expectDetectorTargets(set: readonly Item[]): void {
  const missed = set.filter((i) => i.secret && !containsSecret(i.text)).map((i) => i.text);
  const flagged = set.filter((i) => !i.secret && containsSecret(i.text)).map((i) => i.text);
  const secrets = set.filter((i) => i.secret).length;
  expect(1 - missed.length / secrets, `missed:\n${missed.join('\n')}`).toBeGreaterThanOrEqual(SECRET_RECALL);
  expect(1 - flagged.length / (set.length - secrets), `flagged:\n${flagged.join('\n')}`).toBeGreaterThanOrEqual(LOOK_ALIKES_KEPT);
}

describe('the labelled set', () => {
  it('has at least 150 utterances, about half secrets of every kind, and a held-out part', () => {
    expect(items.length).toBeGreaterThanOrEqual(150);
    const secrets = items.filter((i) => i.secret);
    expect(secrets.length / items.length).toBeGreaterThan(0.4);
    expect(secrets.length / items.length).toBeLessThan(0.6);
    for (const kind of KINDS) expect(secrets.filter((i) => i.kind === kind).length, kind).toBeGreaterThanOrEqual(2);
    expect(items.filter((i) => i.split === 'held-out').length).toBeGreaterThanOrEqual(40);
  });

  it('is well formed: every secret names its kind and its values, as written in the text', () => {
    for (const item of items) {
      expect(['dev', 'held-out'], item.text).toContain(item.split);
      expectWellFormed(item);
    }
    expect(new Set(items.map((i) => i.text)).size).toBe(items.length);
  });

  it(`the detector finds ≥ ${SECRET_RECALL} of the secrets and keeps ≥ ${LOOK_ALIKES_KEPT} of the look-alikes`, () => {
    expectDetectorTargets(items);
  });

  it('through the engine, no secret value is stored and the look-alikes are kept', async () => {
    const { all, bySplit } = await scoreSecrets(items, engine());
    expect(rate(all.secrets), `leaked:\n${all.leaked.join('\n')}`).toBeGreaterThanOrEqual(SECRET_RECALL);
    expect(rate(all.lookAlikes), `dropped:\n${all.dropped.join('\n')}`).toBeGreaterThanOrEqual(LOOK_ALIKES_KEPT);
    expect(rate(bySplit['held-out']!.secrets)).toBeGreaterThanOrEqual(SECRET_RECALL);
    expect(rate(bySplit['held-out']!.lookAlikes)).toBeGreaterThanOrEqual(LOOK_ALIKES_KEPT);
  });
});

describe('the blind set', () => {
  it('has at least 140 utterances, about half secrets of every kind, all marked blind and well formed', () => {
    expect(blindItems.length).toBeGreaterThanOrEqual(140);
    const secrets = blindItems.filter((i) => i.secret);
    expect(secrets.length / blindItems.length).toBeGreaterThan(0.4);
    expect(secrets.length / blindItems.length).toBeLessThan(0.6);
    for (const kind of KINDS) expect(secrets.filter((i) => i.kind === kind).length, kind).toBeGreaterThanOrEqual(2);
    for (const item of blindItems) {
      expect(item.split, item.text).toBe('blind');
      expectWellFormed(item);
    }
    const texts = [...items, ...blindItems].map((i) => i.text);
    expect(new Set(texts).size, 'no utterance of the blind set is in the other').toBe(texts.length);
  });

  it(`the detector finds ≥ ${SECRET_RECALL} of its secrets and keeps ≥ ${LOOK_ALIKES_KEPT} of its look-alikes`, () => {
    expectDetectorTargets(blindItems);
  });

  it('through the engine, no secret value is stored and the look-alikes are kept', async () => {
    const { all } = await scoreSecrets(blindItems, engine());
    expect(rate(all.secrets), `leaked:\n${all.leaked.join('\n')}`).toBeGreaterThanOrEqual(SECRET_RECALL);
    expect(rate(all.lookAlikes), `dropped:\n${all.dropped.join('\n')}`).toBeGreaterThanOrEqual(LOOK_ALIKES_KEPT);
  });
});

const kindOf = (text: string): SecretKind | undefined => containsSecret(text)?.kind;

describe('containsSecret', () => {
  it.each<[string, SecretKind]>([
    ['my password is hunter2', 'password'],
    ["My Apple ID password's still Bluefish88", 'password'],
    ['hunter2 is my password for everything', 'password'],
    ['I changed my gmail password to Summer!2025 yesterday', 'password'],
    ['the password you gave me is Kx8!pq', 'password'],
    ['pw is the same as before: Qwerty!234', 'password'],
    ['Mein WLAN-Passwort ist Katze123', 'password'],
    ['Mon mot de passe est soleil2024', 'password'],
    ['La contraseña de mi wifi es perro2021', 'password'],
    ['{"password": "hunter2"}', 'password'],
    ['postgres://admin:Sup3rS3cret@db.example.com/app', 'password'],
    ['my PIN is 4512', 'pin'],
    ['SIM PIN 1234', 'pin'],
    ['the door code to my building is 4719', 'pin'],
    ['my code is 482913', 'one-time-code'],
    ['the verification code they texted me is 583 920', 'one-time-code'],
    ['el código de verificación es 441908', 'one-time-code'],
    ['cvv is 319', 'cvv'],
    ['the security code on the back is 737', 'cvv'],
    ['sk-proj-4fJ9xQ2mT7vLp0aZ8cR3nW6yK1bH5dEs', 'api-key'],
    ['sk-ant-api03-Xy7Kp2Lm9Qr4Tv6Wz1Bc3Df5Gh8Jk0Mn', 'api-key'],
    ['ghp_8aKfL2mQ9xR4tY7uV1wZ3bN6cD0eH5jS2pA4', 'api-key'],
    ['xoxb-2145678901-3456789012-AbCdEfGhIjKl', 'api-key'],
    ['AKIAIOSFODNN7EXAMPLE', 'api-key'],
    ['sk_live_51HxYzAbCdEfGhIjKlMnOpQr', 'api-key'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV', 'api-key'],
    ['https://api.example.com/v1?api_key=Ab12Cd34Ef56Gh78Ij90&page=2', 'api-key'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----', 'private-key'],
    ['my seed phrase is wrist cabin orange bubble tiger enlist marble fatigue salad recipe lunar ghost', 'private-key'],
    ['my card number is 4111 1111 1111 1111', 'card-number'],
    ['3782 822463 10005', 'card-number'],
    ['4111 1111 1111 1111 12/26', 'card-number'],
    ['my IBAN is DE89 3704 0044 0532 0130 00', 'iban'],
    ['GB29NWBK60161331926819', 'iban'],
    ['my account number is 12345678 and sort code 20-00-00', 'bank-account'],
    ['routing number 021000021', 'bank-account'],
    ['my SSN is 219-09-9999', 'government-id'],
    ['passport number X4829103', 'government-id'],
    ['My NI number is QQ 12 34 56 C', 'government-id'],
    ['mi DNI es 12345678Z', 'government-id'],
    ['Meine Steuer-ID ist 65929970489', 'government-id'],
    ['mon numéro de sécurité sociale est 1 85 05 78 006 084 36', 'government-id'],
    // Forms the blind set found (test/fixtures/secrets/README.md).
    ['the password is literally Sunset99 lol', 'password'],
    ['my pasword is Dragonfly$55', 'password'],
    ['my login is ana.r@mail.com / Tulip#2021', 'password'],
    ['curl -u deploy:Gh7kLp2xQ https://ci.example.org', 'password'],
    ['redis://:s3cr3tPass@cache:6379/0', 'password'],
    ['passphrase: correct horse battery staple', 'password'],
    ['le digicode est 4592B', 'pin'],
    ['gate code is #2580', 'pin'],
    ['the back door takes 9 1 3 7', 'pin'],
    ['authenticator shows 112 358 right now', 'one-time-code'],
    ['the 3 digits on the back? mine are 915', 'cvv'],
    ['key-88bf6ce93f1b74a004d0adcb72b5431b', 'api-key'],
    ['velvet hurdle canoe ozone lizard genuine sketch orbit plunge timber hazard mango', 'private-key'],
    ["the form wants my social, it's 178819890", 'government-id'],
    ['meu CPF é 707.578.982-11', 'government-id'],
  ])('finds the secret in %j', (text, kind) => {
    expect(kindOf(text)).toBe(kind);
  });

  it.each([
    'my flight number is LH 123',
    'my favourite number is 7',
    'my phone model is Pixel 8',
    'I was born in 1990',
    'my zip code is 10115',
    'Mon code postal est 75011',
    'my password manager is Bitwarden',
    'Mein Passwort-Manager ist KeePassXC',
    'I forgot my password yesterday',
    'my password is too short according to the new policy',
    'Mon mot de passe est enregistré dans Firefox',
    'my PIN is the same as my old one',
    'I work on token economics',
    'the key to my success is sleeping 8 hours',
    'my secret ingredient for chili is cinnamon',
    'my API key expired so I need a new one',
    'my employee number is 48213',
    'my order number is 702-3349921-0048265',
    'My ISBN is 978-3-16-148410-0',
    'my phone number is +49 151 23456789',
    'my card ending in 4242 got declined',
    'my loyalty card number is 6009 4300 1234 5678',
    'the reference is 12345678901234567890',
    'I solder pin 13 to ground',
    'the error code is 0x80070005',
    'my last commit hash is 3f2c9a1b7e4d8c6f0a5b2e9d1c7f3a8b4e6d2c0a',
    'https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG',
    'I call getUserAccountBalanceForCustomer2024Report in my code',
    // Look-alikes the blind set found.
    "my phone's IMEI is 353343623457949",
    'ETH address: 0x742d35Cc6634C0532925a3b844Bc454e4438f44e',
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI7GhwAlkWx3sA2MnkiQ+sDjiZFL8zQ3Pv5rDs079GVWS me@laptop',
    '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEjfB+c42hBl409cyCjFXvrCOXTi9ez0ZrbOPyIUpF8L6V\n-----END CERTIFICATE-----',
    'const password = req.body.password;',
    'my account number at the electricity company is 4418 2290 17',
    'spelling list: apple, banana, cherry, garden, window, yellow, puzzle, orange, kitten, rabbit, pencil, rocket',
    'login: username / password',
  ])('keeps %j', (text) => {
    expect(findSecrets(text)).toEqual([]);
  });

  it('checks what has a check: Luhn for cards, mod-97 for IBANs, the letter of a DNI, the digits of a CPF', () => {
    expect(luhn('4111111111111111')).toBe(true);
    expect(containsSecret('707.578.982-12')).toBeNull();
    expect(containsSecret('707.578.982-11')?.kind).toBe('government-id');
    expect(containsSecret('4111 1111 1111 1112')).toBeNull();
    expect(containsSecret('DE89 3704 0044 0532 0130 01')).toBeNull();
    expect(containsSecret('12345678A')).toBeNull();
    expect(containsSecret('12345678Z')?.kind).toBe('government-id');
  });

  it('scans a long pasted text without catastrophic backtracking', () => {
    // Finishing at all is the claim (a quadratic pattern would not, within the suite); no timing asserted.
    const long = 'I live in Berlin and my password is hunter2. '.repeat(20_000) + '1'.repeat(200_000) + 'a'.repeat(200_000);
    expect(findSecrets(long)).toHaveLength(20_000);
  });
});

describe('redactSecrets and withoutSecrets', () => {
  it('replaces only the secret values', () => {
    expect(redactSecrets('I live in Berlin and my password is hunter2')).toBe(`I live in Berlin and my password is ${REDACTED}`);
    expect(redactSecrets('backup codes:\n4821-9930\n7712-0458\nthanks')).toBe(`backup codes:\n${REDACTED}\nthanks`);
    expect(redactSecrets('card 4111 1111 1111 1111, CVV 123, thanks')).toBe(`card ${REDACTED}, CVV ${REDACTED}, thanks`);
    expect(redactSecrets('nothing secret here')).toBe('nothing secret here');
  });

  it('drops facts that state a secret and redacts the context of the others', () => {
    const context = 'I live in Berlin and my password is hunter2';
    const facts = [
      { text: 'I live in Berlin', context },
      { text: 'my password is hunter2', context },
    ];
    expect(withoutSecrets(facts)).toEqual([{ text: 'I live in Berlin', context: `I live in Berlin and my password is ${REDACTED}` }]);
  });

  it('assertNoSecret says what it found', () => {
    expect(() => {
      assertNoSecret('my PIN is 4512');
    }).toThrow(/PIN.*never stored/);
    expect(() => {
      assertNoSecret('I live in Berlin');
    }).not.toThrow();
  });
});

describe('the engine never remembers a secret', () => {
  let memory: Memory;
  let store: MemoryStore;
  beforeEach(() => {
    ({ memory, store } = engine());
  });

  const ME = { user_id: 'me' };
  /** Every stored memory of the user, as stored: text and context. */
  const everything = async (): Promise<string[]> => {
    const { results } = await memory.getAll({ filters: ME, topK: 10_000 });
    return (await store.getMany(results.map((m) => m.id))).flatMap((m) => [m.text, m.context ?? '']);
  };

  it('"my password is hunter2" stores nothing, and "What is my password?" finds nothing', async () => {
    expect((await memory.add('my password is hunter2', { userId: 'me' })).results).toEqual([]);
    expect((await memory.getAll({ filters: ME })).results).toEqual([]);
    expect((await memory.search('What is my password?', { filters: ME, threshold: 0 })).results).toEqual([]);
  });

  it('keeps "I live in Berlin" and drops the password clause, in the fact and its context', async () => {
    const { results } = await memory.add([{ role: 'user', content: 'I live in Berlin and my password is hunter2', id: 't1' }], { userId: 'me' });
    expect(results.map((r) => r.memory)).toEqual(['I live in Berlin']);
    expect((await everything()).join('\n')).not.toContain('hunter2');
    const found = (await memory.search('What is my password?', { filters: ME, threshold: 0 })).results;
    const records = await store.getMany(found.map((r) => r.id));
    expect(found.map((r) => r.memory).join('\n')).not.toContain('hunter2');
    expect(records.map((r) => `${r.text} ${r.context ?? ''}`).join('\n')).not.toContain('hunter2');
  });

  it('stores no verbatim message holding a secret (infer: false)', async () => {
    const { results } = await memory.add(
      [
        { role: 'user', content: 'my card number is 4111 1111 1111 1111' },
        { role: 'user', content: 'I prefer window seats' },
      ],
      { userId: 'me', infer: false },
    );
    expect(results.map((r) => r.memory)).toEqual(['I prefer window seats']);
  });

  it('rejects an edit that writes a secret into a memory, and leaves the memory as it was', async () => {
    const { results } = await memory.add('I live in Berlin', { userId: 'me' });
    const id = results[0]!.id;
    await expect(memory.update(id, 'I live in Berlin, my PIN is 4512')).rejects.toThrow(/looks like a PIN.*never stored/);
    expect((await memory.get(id))?.memory).toBe('I live in Berlin');
    expect((await memory.history(id)).map((h) => h.action)).toEqual(['ADD']);
    await expect(memory.update(id, 'I live in Hamburg')).resolves.toEqual({ message: 'Memory updated successfully!' });
  });

  it('writes no secret into history through a "forget that …" request', async () => {
    await memory.add('I live in Berlin', { userId: 'me' });
    await memory.add('forget that my password is hunter2', { userId: 'me' });
    const [m] = (await memory.getAll({ filters: ME })).results;
    const history = await memory.history(m!.id);
    expect(JSON.stringify(history)).not.toContain('hunter2');
    expect(JSON.stringify(await store.history(m!.id))).not.toContain('hunter2');
  });

  it('filters what a local LLM extracts too', async () => {
    const model: ChatModel = {
      chat: {
        completions: {
          create: () =>
            Promise.resolve({
              choices: [
                {
                  message: {
                    content: JSON.stringify({
                      facts: [
                        { text: 'User lives in Berlin', category: 'place' },
                        { text: "User's password is hunter2", category: 'other' },
                        { text: 'User has an API key sk-proj-4fJ9xQ2mT7vLp0aZ8cR3nW6yK1bH5dEs', category: 'other' },
                      ],
                    }),
                  },
                  finish_reason: 'stop',
                },
              ],
            }),
        },
      },
    };
    memory.useExtraction(new LlmExtractor({ model, name: 'fake-llm', fallback: new RuleBasedExtractor() }));
    const { results } = await memory.add([{ role: 'user', content: 'I live in Berlin and my password is hunter2', id: 't1' }], { userId: 'me' });
    expect(results.map((r) => r.memory)).toEqual(['User lives in Berlin']);
    expect((await everything()).join('\n')).not.toMatch(/hunter2|sk-proj/);
  });
});
