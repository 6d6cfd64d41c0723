/**
 * Secrets are never remembered: a detector for credentials and identity numbers in what the user
 * types, so that "my password is hunter2" never becomes a memory that a later "What is my
 * password?" could bring back into a prompt.
 *
 * Two kinds of evidence:
 * - Formats that are secret by themselves, checked where a check exists: PEM private keys, known
 *   token formats (`sk-…`, `sk-ant-…`, `ghp_…`, `github_pat_…`, `xoxb-…`, `AKIA…`, `AIza…`,
 *   `sk_live_…`, JWTs, …), credentials in a URL (`postgres://user:pass@host`, `redis://:pass@host`)
 *   or a command (`curl -u user:pass`, `mysql -pPass`), a `login: user / password` pair, long
 *   random-looking strings (upper, lower and digits, 32+ characters; not in a public key or
 *   certificate, not an 0x address), twelve or more BIP39 words in a row (a seed phrase), payment
 *   card numbers (13–19 digits, card-like grouping, an issuer's prefix for that length, Luhn),
 *   IBANs (country length and mod-97), Spanish DNI/NIE (check letter), Brazilian CPF (check
 *   digits) and UK National Insurance numbers.
 * - A secret's name followed by a value: "my password is …", "Passwort: …", "mon code PIN est …",
 *   "mi DNI es …", "the verification code they texted me is 583 920", "SSN 219-09-9999", "my
 *   social, it's …", "backup codes (keep safe): …" (every code of the list), "the back door takes
 *   9137", and the other way round ("hunter2 is my password", "use P@ssw0rd as the password"). The value must
 *   look like one for that kind of secret (digits for a PIN, a random-looking string for a key, a
 *   word that is not a description for a password), so "my password manager is Bitwarden", "my
 *   password is too short", "the key to my success is sleep" and "my zip code is 10115" are kept.
 *
 * Decisions (see test/fixtures/secrets/README.md):
 * - Only a secret VALUE is a secret: "I forgot my password yesterday", "my PIN got blocked" and
 *   "my API key expired" are kept (they say nothing anyone could use). A description of a password
 *   ("my password is my dog's name") is not a value either.
 * - Not secrets here: postal codes, phone numbers, e-mail addresses, usernames, employee, customer,
 *   membership, order, tracking, flight, room and meeting numbers, the last four digits of a card,
 *   BIC/SWIFT codes, public wallet addresses, dates, prices, versions, ISBNs.
 * - Secrets: passwords and passphrases, PINs and door/alarm/lock codes, one-time and 2FA codes,
 *   CVV/CVC, API keys, tokens and client secrets, private keys and wallet seed phrases, card
 *   numbers, IBANs, bank account, routing and sort-code numbers, and government identity numbers
 *   (SSN, SIN, passport, national insurance, tax id, driving licence, Personalausweis,
 *   Steuer-ID, numéro de sécurité sociale, DNI/NIE/NIF/NSS…).
 *
 * English, with German, French and Spanish names for the common secrets. Pure, no dependencies;
 * every pattern is bounded, so a long pasted text is scanned in linear time.
 */

export type SecretKind =
  | 'password'
  | 'pin'
  | 'one-time-code'
  | 'cvv'
  | 'api-key'
  | 'private-key'
  | 'card-number'
  | 'iban'
  | 'bank-account'
  | 'government-id';

export interface SecretMatch {
  kind: SecretKind;
  /** Where the secret value is in the text (for redaction). */
  index: number;
  length: number;
  /** The rule that found it, for tests and debugging. */
  rule: string;
}

/** What a secret is called in messages to the user ("this looks like a password"). */
export const SECRET_LABEL: Record<SecretKind, string> = {
  password: 'a password',
  pin: 'a PIN or access code',
  'one-time-code': 'a one-time or verification code',
  cvv: 'a card security code',
  'api-key': 'an API key or token',
  'private-key': 'a private key or recovery phrase',
  'card-number': 'a payment card number',
  iban: 'an IBAN',
  'bank-account': 'a bank account number',
  'government-id': 'an identity number',
};

/** The first secret in `text`, or null. */
export function containsSecret(text: string): SecretMatch | null {
  return findSecrets(text)[0] ?? null;
}

/** Every secret in `text`, in order, not overlapping. */
export function findSecrets(text: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  formatSecrets(text, found);
  namedSecrets(text, found);
  found.sort((a, b) => a.index - b.index || b.length - a.length);
  const out: SecretMatch[] = [];
  let end = -1;
  for (const m of found) {
    if (m.index < end) continue;
    out.push(m);
    end = m.index + m.length;
  }
  return out;
}

export const REDACTED = '[redacted]';

/** `text` with every secret value replaced by [redacted]. */
export function redactSecrets(text: string): string {
  const secrets = findSecrets(text);
  if (secrets.length === 0) return text;
  let out = '';
  let from = 0;
  for (const s of secrets) {
    out += text.slice(from, s.index) + REDACTED;
    from = s.index + s.length;
  }
  return out + text.slice(from);
}

/**
 * Facts as they go into memory: a fact that states a secret is dropped (whatever else it says,
 * and a "forget that …" request too, whose text would be written into history), and the secrets
 * in a fact's context (the message it came from) are redacted.
 */
export function withoutSecrets<F extends { text: string; context?: string }>(facts: readonly F[]): F[] {
  return facts.flatMap((fact) => {
    if (containsSecret(fact.text)) return [];
    if (fact.context === undefined) return [fact];
    const context = redactSecrets(fact.context);
    if (saysWhatWasRedacted(fact.text, context)) return [];
    return [context === fact.context ? fact : { ...fact, context }];
  });
}

/** How much text next to a redacted secret identifies where it stood. */
const REDACTION_NEIGHBOUR = 16;

/**
 * A fact cut from its message without the secret's name ("mine are 915" from "the 3 digits on the
 * back? mine are 915") is no secret by itself, but its context says there was one there: the
 * words just before (or after) a [redacted] in the context are followed (or preceded) in the fact
 * by something else than [redacted].
 */
function saysWhatWasRedacted(text: string, context: string): boolean {
  for (let at = context.indexOf(REDACTED); at >= 0; at = context.indexOf(REDACTED, at + REDACTED.length)) {
    // Whole words of the same sentence: "mine are " in "…on the back? mine are [redacted]".
    const from = Math.max(0, at - REDACTION_NEIGHBOUR);
    const before = context
      .slice(from, at)
      .replace(from > 0 && /\S/.test(context.charAt(from - 1)) ? /^\S*/ : /^/, '')
      .replace(/^[\s\S]*[.!?\n]/, '')
      .trimStart();
    const end = at + REDACTED.length;
    const to = Math.min(context.length, end + REDACTION_NEIGHBOUR);
    const after = context
      .slice(end, to)
      .replace(/\S/.test(context.charAt(to)) ? /\S*$/ : /$/, '')
      .replace(/[.!?\n][\s\S]*$/, '')
      .trimEnd();
    if (before.trim().length >= 4 && !before.includes(REDACTED)) {
      for (let i = text.indexOf(before); i >= 0; i = text.indexOf(before, i + 1)) {
        const next = text.slice(i + before.length);
        if (/^\S/.test(next) && !next.startsWith(REDACTED)) return true;
      }
    }
    if (after.trim().length >= 4 && !after.includes(REDACTED)) {
      for (let i = text.indexOf(after); i >= 0; i = text.indexOf(after, i + 1)) {
        const previous = text.slice(0, i);
        if (/\S$/.test(previous) && !previous.endsWith(REDACTED)) return true;
      }
    }
  }
  return false;
}

/** Throws when `text` states a secret (a memory the user edits is checked like any other). */
export function assertNoSecret(text: string): void {
  const secret = containsSecret(text);
  if (secret) {
    throw new Error(`Engram: this looks like ${SECRET_LABEL[secret.kind]}; secrets are never stored as memories`);
  }
}

// ---------------------------------------------------------------------------------------------
// Formats that are secret by themselves

const push = (found: SecretMatch[], kind: SecretKind, index: number, length: number, rule: string): void => {
  found.push({ kind, index, length, rule });
};

/** Known token formats. Each must start at a word boundary and end where the token does. */
const TOKEN_FORMATS: [string, RegExp][] = [
  ['anthropic', /sk-ant-[A-Za-z0-9_-]{16,}/g],
  ['openai', /sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}/g],
  ['stripe', /(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}/g],
  ['stripe-webhook', /whsec_[A-Za-z0-9]{20,}/g],
  ['github', /(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g],
  ['gitlab', /glpat-[A-Za-z0-9_-]{20,}/g],
  ['slack', /xox[abposre]-[A-Za-z0-9-]{10,}/g],
  ['aws', /(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}/g],
  ['google', /(?:AIza[0-9A-Za-z_-]{35}|ya29\.[0-9A-Za-z_-]{20,}|GOCSPX-[0-9A-Za-z_-]{20,})/g],
  ['jwt', /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g],
  ['huggingface', /hf_[A-Za-z0-9]{30,}/g],
  ['npm', /npm_[A-Za-z0-9]{36}/g],
  ['pypi', /pypi-AgE[A-Za-z0-9_-]{40,}/g],
  ['sendgrid', /SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g],
  ['telegram', /[0-9]{8,10}:AA[A-Za-z0-9_-]{33}/g],
  ['discord', /[MN][A-Za-z0-9]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}/g],
  ['digitalocean', /do[opr]_v1_[a-f0-9]{64}/g],
  ['shopify', /shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}/g],
  ['mailgun', /key-[a-f0-9]{32}/g],
  ['azure-connection', /(?:AccountKey|SharedAccessKey)=[A-Za-z0-9+/]{20,}={0,2}/g],
  ['bearer', /Bearer\s+[A-Za-z0-9._~+/-]{16,}=*/g],
];
/** A token starts after a non-token character and ends before one. */
const TOKEN_CHAR = /[A-Za-z0-9_-]/;

const PEM = /-----BEGIN ((?:[A-Z0-9]+ ){0,4})PRIVATE KEY(?: BLOCK)?-----/g;
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]{1,20}:\/\/([^\s:/@]{0,64}):([^\s/@]{1,128})@/gi;
/** `curl -u user:pass`, `wget --user=… --password=…` is found by its name; the password after the colon. */
const CLI_CREDENTIALS = /\b(?:curl|wget|http|https|httpie|xh)\b[^\n]{0,200}?\s(?:-u|--user)[ =]['"]?[^\s:'"@]{1,64}:([^\s'"@]{1,128})/g;
/** `mysql -u root -pS3cret` (the password glued to -p). */
const MYSQL_PASSWORD = /\bmysql(?:dump|admin)?\b[^\n]{0,120}?\s-p([^\s'"-][^\s'"]{0,127})/g;
/** A public key or certificate: base64 that is meant to be shared, not a key to keep. */
const PUBLIC_BLOCK = /-----BEGIN ((?:[A-Z0-9]+ ){0,4}(?:CERTIFICATE(?: REQUEST)?|PUBLIC KEY(?: BLOCK)?|X509 CRL|SIGNATURE))-----/g;
const SSH_PUBLIC_KEY = /(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp(?:256|384|521)|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)\s+AAAA[A-Za-z0-9+/]{8,8192}={0,3}/g;
/** An AWS secret access key (40 characters) written after its key id: "AKIA… / wJalrXUtnFEMI/K7MDENG/…". */
const AWS_SECRET_AFTER_ID = /(?:AKIA|ASIA)[A-Z0-9]{16}[\s\S]{1,80}?(?<![A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/g;
/** A Brazilian CPF as written, 123.456.789-09 (checked by its two check digits). */
const CPF = /(?<![\d.])(\d{3})\.(\d{3})\.(\d{3})-(\d{2})(?![\d])/g;
/** A long run of characters a key is written in. */
const LONG_RUN = /[A-Za-z0-9+/=_~.-]{32,512}/g;
/** 13–19 digits, each followed by at most one space or dash. */
const CARD_RUN = /(?:\d[ -]?){12,18}\d/g;
const IBAN_START = /\b([A-Z]{2})(\d{2})(?=\s?[A-Z0-9])/gi;
const DNI = /\b(?:([XYZ])[- ]?(\d{7})|(\d{8}))[- ]?([A-Z])\b/g;
const NINO = /\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])\b/g;

function formatSecrets(text: string, found: SecretMatch[]): void {
  for (const [rule, re] of TOKEN_FORMATS) {
    for (const m of text.matchAll(re)) {
      const end = m.index + m[0].length;
      if (m.index > 0 && TOKEN_CHAR.test(text.charAt(m.index - 1))) continue;
      if (end < text.length && rule !== 'bearer' && TOKEN_CHAR.test(text.charAt(end))) continue;
      if (rule === 'openai' && !(/\d/.test(m[0]) && /[A-Za-z]/.test(m[0].slice(3)))) continue;
      push(found, 'api-key', m.index, m[0].length, rule);
    }
  }
  for (const m of text.matchAll(PEM)) {
    // The whole block, to its END line (or to the end of the text when it was cut off).
    const endMarker = text.indexOf('-----END', m.index + m[0].length);
    const close = endMarker >= 0 ? text.indexOf('-----', endMarker + 8) : -1;
    const end = close >= 0 ? close + 5 : text.length;
    push(found, 'private-key', m.index, end - m.index, 'pem');
  }
  for (const m of text.matchAll(URL_CREDENTIALS)) {
    const password = m[2]!;
    if (isPlaceholder(password)) continue;
    const at = m.index + m[0].length - 1 - password.length;
    push(found, 'password', at, password.length, 'url-credentials');
  }
  for (const [re, rule] of [
    [CLI_CREDENTIALS, 'cli-credentials'],
    [MYSQL_PASSWORD, 'mysql-password'],
  ] as const) {
    for (const m of text.matchAll(re)) {
      const raw = m[1]!;
      const value = trimValue(raw);
      // "-u 1000:1000" is a user and a group, "-p3306" a port.
      if (isPlaceholder(value) || /^\d+$/.test(value) || value.length < 3) continue;
      push(found, 'password', m.index + m[0].length - raw.length, raw.length, rule);
    }
  }
  const shared = publicSpans(text);
  for (const m of text.matchAll(LONG_RUN)) {
    if (m.index > 0 && /[A-Za-z0-9+/=_~.-]/.test(text.charAt(m.index - 1))) continue;
    if (shared.some(([from, to]) => m.index >= from && m.index < to)) continue;
    // An Ethereum address (0x and 40 hex digits, mixed case as a checksum) is public.
    if (/^0x[0-9a-fA-F]{40}$/.test(m[0])) continue;
    if (isRandomLooking(m[0]) && !inUrl(text, m.index)) push(found, 'api-key', m.index, m[0].length, 'random-string');
  }
  for (const m of text.matchAll(AWS_SECRET_AFTER_ID)) {
    const key = m[1]!;
    if (/\d/.test(key) && /[A-Z]/.test(key) && /[a-z]/.test(key)) push(found, 'api-key', m.index + m[0].length - key.length, key.length, 'aws-secret');
  }
  seedPhrases(text, found);
  for (const m of text.matchAll(CPF)) {
    if (cpfValid(m.slice(1, 5).join(''))) push(found, 'government-id', m.index, m[0].length, 'cpf');
  }
  for (const m of text.matchAll(CARD_RUN)) {
    // Not a card: part of a longer number or a phone number (+…), a price or a version.
    const before = text.slice(Math.max(0, m.index - 2), m.index);
    if (/[\d+./,]$/.test(before) || /[\d+][ -]$/.test(before)) continue;
    const span = cardSpan(text, m.index, m[0]);
    if (span > 0) push(found, 'card-number', m.index, span, 'luhn');
  }
  for (const m of text.matchAll(IBAN_START)) {
    const length = IBAN_LENGTH[m[1]!.toUpperCase()];
    if (!length) continue;
    const span = ibanSpan(text, m.index, length);
    if (span > 0) push(found, 'iban', m.index, span, 'iban');
  }
  for (const m of text.matchAll(DNI)) {
    const number = m[3] ?? `${'XYZ'.indexOf(m[1] ?? 'X')}${m[2] ?? ''}`;
    if (DNI_LETTERS.charAt(Number(number) % 23) === m[4]) push(found, 'government-id', m.index, m[0].length, 'dni');
  }
  for (const m of text.matchAll(NINO)) {
    if (/^(?:BG|GB|KN|NK|NT|TN|ZZ)$/.test(m[1]!)) continue;
    push(found, 'government-id', m.index, m[0].length, 'nino');
  }
}

/** Where public keys and certificates are: long base64 there is not a secret. */
function publicSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const m of text.matchAll(PUBLIC_BLOCK)) {
    const endMarker = text.indexOf('-----END', m.index + m[0].length);
    const close = endMarker >= 0 ? text.indexOf('-----', endMarker + 8) : -1;
    spans.push([m.index, close >= 0 ? close + 5 : text.length]);
  }
  for (const m of text.matchAll(SSH_PUBLIC_KEY)) spans.push([m.index, m.index + m[0].length]);
  return spans;
}

/** The two check digits of a CPF (11 digits). */
function cpfValid(digits: string): boolean {
  if (/^(\d)\1{10}$/.test(digits)) return false;
  const check = (n: number): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Number(digits.charAt(i)) * (n + 1 - i);
    return ((sum * 10) % 11) % 10;
  };
  return check(9) === Number(digits.charAt(9)) && check(10) === Number(digits.charAt(10));
}

/** A stand-in for a value ("<your key>", "${API_KEY}", "xxxx", "process.env.TOKEN"), not one. */
function isPlaceholder(value: string): boolean {
  if (isCodeReference(value)) return true;
  return /^(?:x+|\*+|•+|\.{2,}|_+|-+|\?+|<[^>]*>|\[[^\]]*\]|\{[^}]*\}|\$\{?[\w.]+\}?|%\w+%?|your[_-][\w-]*|redacted|\[redacted\]|placeholder|n\/a|null|undefined|process\.env\.\w+|os\.environ.*)$/i.test(
    value,
  );
}

/** What code objects are called: `req.body.password` is where a password comes from, not one. */
const CODE_ROOTS =
  /^(?:req|request|res|body|this|self|cls|config|conf|cfg|settings|options|opts|params|args|argv|data|form|env|process|os|secrets|credentials|creds|input|values|props|state|payload|ctx|context|app|window|document|user|auth|vault|keyring|st|flask|django)$/i;

/** A variable, property path or call in code: `req.body.password`, `config.db.pass`, `os.getenv("PW")`, `input()`. */
function isCodeReference(value: string): boolean {
  // (The value may have lost its closing quote and bracket: `os.getenv("PW` from `os.getenv("PW")`.)
  const path = /^([A-Za-z_$][\w$]*)((?:\.[A-Za-z_$][\w$]*)+)(\(.*)?$/.exec(value);
  if (path) return CODE_ROOTS.test(path[1]!) || path[2]!.split('.').length > 2 || path[3] !== undefined;
  return /^(?:input|getpass|prompt|getenv|get_secret|getSecret|readline|read_secret)\(/.test(value);
}

/** Part of a link (a video or document id in a URL is not a key; "?api_key=…" is found by its name). */
function inUrl(text: string, at: number): boolean {
  let start = at;
  while (start > 0 && at - start < 2048 && !/\s/.test(text.charAt(start - 1))) start--;
  return /^(?:[("'<[]*)(?:[a-z][a-z0-9+.-]*:\/\/|www\.)/i.test(text.slice(start, at));
}

/** 32+ characters mixing upper case, lower case and digits, not a URL or a path: a key, not a word. */
function isRandomLooking(run: string): boolean {
  if (/^(?:https?|www\.)/i.test(run) || run.includes('..')) return false;
  const upper = (run.match(/[A-Z]/g) ?? []).length;
  const lower = (run.match(/[a-z]/g) ?? []).length;
  const digits = (run.match(/[0-9]/g) ?? []).length;
  if (upper < 3 || lower < 3 || digits < 2) return false;
  // Words run together (CamelCase names, slugs) have lower-case runs as long as words; a key's are
  // about two characters long.
  const runs = run.match(/[a-z]+/g) ?? [];
  return runs.reduce((sum, r) => sum + r.length, 0) / runs.length <= 3;
}

/**
 * The length of the card number that `run` (at `start`) begins with, or 0: the whole run, or its
 * first groups ("4111 1111 1111 1111 12/26" holds a card and the start of a date), ending where a
 * number ends (not inside a longer number, not before decimals).
 */
function cardSpan(text: string, start: number, run: string): number {
  const ends: number[] = [];
  for (let i = 1; i <= run.length; i++) if (i === run.length || /[ -]/.test(run.charAt(i))) ends.push(i);
  for (let k = ends.length - 1; k >= 0; k--) {
    const end = ends[k]!;
    const next = text.slice(start + end, start + end + 2);
    if (/^\d/.test(next) || /^[.,]\d/.test(next)) continue;
    const candidate = run.slice(0, end).replace(/[ -]+$/, '');
    if (isCardNumber(candidate)) return candidate.length;
  }
  return 0;
}

/** Card-like grouping (none, fours, or the 4-6-5 / 4-6-4 of Amex and Diners), an issuer's first digit, and Luhn. */
function isCardNumber(run: string): boolean {
  const digits = run.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  if (!issuerFits(digits) || /^(\d)\1+$/.test(digits)) return false;
  const groups = run.split(/[ -]/).map((g) => g.length);
  if (groups.length > 1) {
    const fours = groups.slice(0, -1).every((g) => g === 4) && groups.at(-1)! >= 1 && groups.at(-1)! <= 4;
    const amex = groups.length === 3 && groups[0] === 4 && groups[1] === 6 && (groups[2] === 5 || groups[2] === 4);
    if (!fours && !amex) return false;
  }
  return luhn(digits);
}

/**
 * The first digits fit a card of that length: 13 is Visa, 14 Diners, 15 Amex (34, 37); 16–19 Visa,
 * Mastercard (51–55, 2221–2720), Mir (2200–2204), Maestro, Discover, UnionPay, JCB (35), Diners.
 * A Luhn-valid 15-digit IMEI (35…) or microchip number is not a card.
 */
function issuerFits(digits: string): boolean {
  switch (digits.length) {
    case 13:
      return digits.startsWith('4');
    case 14:
      return /^3[0689]/.test(digits);
    case 15:
      return /^3[47]/.test(digits);
    default:
      return /^(?:2[2-7]|3[05689]|4|5|6)/.test(digits);
  }
}

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** IBAN lengths by country (SWIFT registry). */
const IBAN_LENGTH: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24,
  PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/** The length of the IBAN text at `start` (single spaces allowed between characters), or 0 when it is not one. */
function ibanSpan(text: string, start: number, length: number): number {
  let chars = '';
  let i = start;
  while (i < text.length && chars.length < length) {
    const ch = text.charAt(i);
    if (/[A-Za-z0-9]/.test(ch)) {
      chars += ch.toUpperCase();
      i++;
    } else if (ch === ' ' && chars.length >= 4 && /[A-Za-z0-9]/.test(text.charAt(i + 1))) {
      i++;
    } else {
      break;
    }
  }
  if (chars.length !== length || /[A-Za-z0-9]/.test(text.charAt(i))) return 0;
  return mod97(chars.slice(4) + chars.slice(0, 4)) === 1 ? i - start : 0;
}

function mod97(s: string): number {
  let r = 0;
  for (const ch of s) {
    const v = parseInt(ch, 36);
    r = v > 9 ? (r * 100 + v) % 97 : (r * 10 + v) % 97;
  }
  return r;
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

// ---------------------------------------------------------------------------------------------
// Seed phrases without a name: twelve or more BIP39 words in a row

/** A seed is pasted as words separated by spaces or line breaks, maybe numbered ("1. coral 2. dizzy", "#3 bronze"). */
const SEED_SEPARATOR = /^\s+(?:#?\d{1,2}[.):-]?\s*)?$/;
/** The shortest seed phrase (BIP39: 12, 15, 18, 21 or 24 words). */
const SEED_MIN_WORDS = 12;
let bip39: Set<string> | null = null;

/**
 * Twelve or more words of the BIP39 list in a row, as a wallet shows them: "velvet hurdle canoe …".
 * Ordinary text does not do that ("the", "and", "is", "I" are not in the list); a list with commas
 * ("apple, banana, cherry, …") is only a seed when named one ("my seed phrase is …", see NAMED_RULES).
 */
function seedPhrases(text: string, found: SecretMatch[]): void {
  const words = (bip39 ??= new Set(BIP39_WORDS.split(/\s+/).filter(Boolean)));
  let start = 0;
  let end = 0;
  let count = 0;
  const close = (): void => {
    if (count >= SEED_MIN_WORDS) push(found, 'private-key', start, end - start, 'bip39');
    count = 0;
  };
  for (const m of text.matchAll(/[A-Za-z]+/g)) {
    const word = m[0];
    const lower = word.toLowerCase();
    const cased = word === lower || word === word.toUpperCase() || (count === 0 && word.slice(1) === lower.slice(1));
    if (word.length < 3 || word.length > 8 || !cased || !words.has(lower)) {
      close();
      continue;
    }
    if (count > 0 && m.index - end <= 8 && SEED_SEPARATOR.test(text.slice(end, m.index))) {
      count++;
    } else {
      close();
      start = m.index;
      count = 1;
    }
    end = m.index + word.length;
  }
  close();
}

/** The BIP39 English word list (2048 words; SHA-256 of the list as published: 2f5eed53…24dbda). */
const BIP39_WORDS = `
abandon ability able about above absent absorb abstract absurd abuse access accident account accuse achieve
acid acoustic acquire across act action actor actress actual adapt add addict address adjust admit adult
advance advice aerobic affair afford afraid again age agent agree ahead aim air airport aisle alarm album
alcohol alert alien all alley allow almost alone alpha already also alter always amateur amazing among amount
amused analyst anchor ancient anger angle angry animal ankle announce annual another answer antenna antique
anxiety any apart apology appear apple approve april arch arctic area arena argue arm armed armor army around
arrange arrest arrive arrow art artefact artist artwork ask aspect assault asset assist assume asthma athlete
atom attack attend attitude attract auction audit august aunt author auto autumn average avocado avoid awake
aware away awesome awful awkward axis baby bachelor bacon badge bag balance balcony ball bamboo banana banner
bar barely bargain barrel base basic basket battle beach bean beauty because become beef before begin behave
behind believe below belt bench benefit best betray better between beyond bicycle bid bike bind biology bird
birth bitter black blade blame blanket blast bleak bless blind blood blossom blouse blue blur blush board boat
body boil bomb bone bonus book boost border boring borrow boss bottom bounce box boy bracket brain brand brass
brave bread breeze brick bridge brief bright bring brisk broccoli broken bronze broom brother brown brush
bubble buddy budget buffalo build bulb bulk bullet bundle bunker burden burger burst bus business busy butter
buyer buzz cabbage cabin cable cactus cage cake call calm camera camp can canal cancel candy cannon canoe
canvas canyon capable capital captain car carbon card cargo carpet carry cart case cash casino castle casual
cat catalog catch category cattle caught cause caution cave ceiling celery cement census century cereal
certain chair chalk champion change chaos chapter charge chase chat cheap check cheese chef cherry chest
chicken chief child chimney choice choose chronic chuckle chunk churn cigar cinnamon circle citizen city civil
claim clap clarify claw clay clean clerk clever click client cliff climb clinic clip clock clog close cloth
cloud clown club clump cluster clutch coach coast coconut code coffee coil coin collect color column combine
come comfort comic common company concert conduct confirm congress connect consider control convince cook cool
copper copy coral core corn correct cost cotton couch country couple course cousin cover coyote crack cradle
craft cram crane crash crater crawl crazy cream credit creek crew cricket crime crisp critic crop cross crouch
crowd crucial cruel cruise crumble crunch crush cry crystal cube culture cup cupboard curious current curtain
curve cushion custom cute cycle dad damage damp dance danger daring dash daughter dawn day deal debate debris
decade december decide decline decorate decrease deer defense define defy degree delay deliver demand demise
denial dentist deny depart depend deposit depth deputy derive describe desert design desk despair destroy
detail detect develop device devote diagram dial diamond diary dice diesel diet differ digital dignity dilemma
dinner dinosaur direct dirt disagree discover disease dish dismiss disorder display distance divert divide
divorce dizzy doctor document dog doll dolphin domain donate donkey donor door dose double dove draft dragon
drama drastic draw dream dress drift drill drink drip drive drop drum dry duck dumb dune during dust dutch
duty dwarf dynamic eager eagle early earn earth easily east easy echo ecology economy edge edit educate effort
egg eight either elbow elder electric elegant element elephant elevator elite else embark embody embrace
emerge emotion employ empower empty enable enact end endless endorse enemy energy enforce engage engine
enhance enjoy enlist enough enrich enroll ensure enter entire entry envelope episode equal equip era erase
erode erosion error erupt escape essay essence estate eternal ethics evidence evil evoke evolve exact example
excess exchange excite exclude excuse execute exercise exhaust exhibit exile exist exit exotic expand expect
expire explain expose express extend extra eye eyebrow fabric face faculty fade faint faith fall false fame
family famous fan fancy fantasy farm fashion fat fatal father fatigue fault favorite feature february federal
fee feed feel female fence festival fetch fever few fiber fiction field figure file film filter final find
fine finger finish fire firm first fiscal fish fit fitness fix flag flame flash flat flavor flee flight flip
float flock floor flower fluid flush fly foam focus fog foil fold follow food foot force forest forget fork
fortune forum forward fossil foster found fox fragile frame frequent fresh friend fringe frog front frost
frown frozen fruit fuel fun funny furnace fury future gadget gain galaxy gallery game gap garage garbage
garden garlic garment gas gasp gate gather gauge gaze general genius genre gentle genuine gesture ghost giant
gift giggle ginger giraffe girl give glad glance glare glass glide glimpse globe gloom glory glove glow glue
goat goddess gold good goose gorilla gospel gossip govern gown grab grace grain grant grape grass gravity
great green grid grief grit grocery group grow grunt guard guess guide guilt guitar gun gym habit hair half
hammer hamster hand happy harbor hard harsh harvest hat have hawk hazard head health heart heavy hedgehog
height hello helmet help hen hero hidden high hill hint hip hire history hobby hockey hold hole holiday hollow
home honey hood hope horn horror horse hospital host hotel hour hover hub huge human humble humor hundred
hungry hunt hurdle hurry hurt husband hybrid ice icon idea identify idle ignore ill illegal illness image
imitate immense immune impact impose improve impulse inch include income increase index indicate indoor
industry infant inflict inform inhale inherit initial inject injury inmate inner innocent input inquiry insane
insect inside inspire install intact interest into invest invite involve iron island isolate issue item ivory
jacket jaguar jar jazz jealous jeans jelly jewel job join joke journey joy judge juice jump jungle junior junk
just kangaroo keen keep ketchup key kick kid kidney kind kingdom kiss kit kitchen kite kitten kiwi knee knife
knock know lab label labor ladder lady lake lamp language laptop large later latin laugh laundry lava law lawn
lawsuit layer lazy leader leaf learn leave lecture left leg legal legend leisure lemon lend length lens
leopard lesson letter level liar liberty library license life lift light like limb limit link lion liquid list
little live lizard load loan lobster local lock logic lonely long loop lottery loud lounge love loyal lucky
luggage lumber lunar lunch luxury lyrics machine mad magic magnet maid mail main major make mammal man manage
mandate mango mansion manual maple marble march margin marine market marriage mask mass master match material
math matrix matter maximum maze meadow mean measure meat mechanic medal media melody melt member memory
mention menu mercy merge merit merry mesh message metal method middle midnight milk million mimic mind minimum
minor minute miracle mirror misery miss mistake mix mixed mixture mobile model modify mom moment monitor
monkey monster month moon moral more morning mosquito mother motion motor mountain mouse move movie much
muffin mule multiply muscle museum mushroom music must mutual myself mystery myth naive name napkin narrow
nasty nation nature near neck need negative neglect neither nephew nerve nest net network neutral never news
next nice night noble noise nominee noodle normal north nose notable note nothing notice novel now nuclear
number nurse nut oak obey object oblige obscure observe obtain obvious occur ocean october odor off offer
office often oil okay old olive olympic omit once one onion online only open opera opinion oppose option
orange orbit orchard order ordinary organ orient original orphan ostrich other outdoor outer output outside
oval oven over own owner oxygen oyster ozone pact paddle page pair palace palm panda panel panic panther paper
parade parent park parrot party pass patch path patient patrol pattern pause pave payment peace peanut pear
peasant pelican pen penalty pencil people pepper perfect permit person pet phone photo phrase physical piano
picnic picture piece pig pigeon pill pilot pink pioneer pipe pistol pitch pizza place planet plastic plate
play please pledge pluck plug plunge poem poet point polar pole police pond pony pool popular portion position
possible post potato pottery poverty powder power practice praise predict prefer prepare present pretty
prevent price pride primary print priority prison private prize problem process produce profit program project
promote proof property prosper protect proud provide public pudding pull pulp pulse pumpkin punch pupil puppy
purchase purity purpose purse push put puzzle pyramid quality quantum quarter question quick quit quiz quote
rabbit raccoon race rack radar radio rail rain raise rally ramp ranch random range rapid rare rate rather
raven raw razor ready real reason rebel rebuild recall receive recipe record recycle reduce reflect reform
refuse region regret regular reject relax release relief rely remain remember remind remove render renew rent
reopen repair repeat replace report require rescue resemble resist resource response result retire retreat
return reunion reveal review reward rhythm rib ribbon rice rich ride ridge rifle right rigid ring riot ripple
risk ritual rival river road roast robot robust rocket romance roof rookie room rose rotate rough round route
royal rubber rude rug rule run runway rural sad saddle sadness safe sail salad salmon salon salt salute same
sample sand satisfy satoshi sauce sausage save say scale scan scare scatter scene scheme school science
scissors scorpion scout scrap screen script scrub sea search season seat second secret section security seed
seek segment select sell seminar senior sense sentence series service session settle setup seven shadow shaft
shallow share shed shell sheriff shield shift shine ship shiver shock shoe shoot shop short shoulder shove
shrimp shrug shuffle shy sibling sick side siege sight sign silent silk silly silver similar simple since sing
siren sister situate six size skate sketch ski skill skin skirt skull slab slam sleep slender slice slide
slight slim slogan slot slow slush small smart smile smoke smooth snack snake snap sniff snow soap soccer
social sock soda soft solar soldier solid solution solve someone song soon sorry sort soul sound soup source
south space spare spatial spawn speak special speed spell spend sphere spice spider spike spin spirit split
spoil sponsor spoon sport spot spray spread spring spy square squeeze squirrel stable stadium staff stage
stairs stamp stand start state stay steak steel stem step stereo stick still sting stock stomach stone stool
story stove strategy street strike strong struggle student stuff stumble style subject submit subway success
such sudden suffer sugar suggest suit summer sun sunny sunset super supply supreme sure surface surge surprise
surround survey suspect sustain swallow swamp swap swarm swear sweet swift swim swing switch sword symbol
symptom syrup system table tackle tag tail talent talk tank tape target task taste tattoo taxi teach team tell
ten tenant tennis tent term test text thank that theme then theory there they thing this thought three thrive
throw thumb thunder ticket tide tiger tilt timber time tiny tip tired tissue title toast tobacco today toddler
toe together toilet token tomato tomorrow tone tongue tonight tool tooth top topic topple torch tornado
tortoise toss total tourist toward tower town toy track trade traffic tragic train transfer trap trash travel
tray treat tree trend trial tribe trick trigger trim trip trophy trouble truck true truly trumpet trust truth
try tube tuition tumble tuna tunnel turkey turn turtle twelve twenty twice twin twist two type typical ugly
umbrella unable unaware uncle uncover under undo unfair unfold unhappy uniform unique unit universe unknown
unlock until unusual unveil update upgrade uphold upon upper upset urban urge usage use used useful useless
usual utility vacant vacuum vague valid valley valve van vanish vapor various vast vault vehicle velvet vendor
venture venue verb verify version very vessel veteran viable vibrant vicious victory video view village
vintage violin virtual virus visa visit visual vital vivid vocal voice void volcano volume vote voyage wage
wagon wait walk wall walnut want warfare warm warrior wash wasp waste water wave way wealth weapon wear weasel
weather web wedding weekend weird welcome west wet whale what wheat wheel when where whip whisper wide width
wife wild will win window wine wing wink winner winter wire wisdom wise wish witness wolf woman wonder wood
wool word work world worry worth wrap wreck wrestle wrist write wrong yard year yellow you young youth zebra
zero zone zoo
`;

// ---------------------------------------------------------------------------------------------
// A secret's name, then its value

/** What the value of a named secret looks like. */
type ValueShape = 'password' | 'passphrase' | 'key' | 'pin' | 'code' | 'cvv' | 'account' | 'id' | 'ssn' | 'seed';

interface NamedRule {
  kind: SecretKind;
  shape: ValueShape;
  /** The names, as a regex source (matched case-insensitively unless `exactCase`). */
  names: string;
  exactCase?: boolean;
  /** "PIN 4512", "passport number X4829103": the value may follow the name directly. */
  bare?: boolean;
  /** "hunter2 is my password", "use P@ssw0rd as the password". */
  reversed?: boolean;
  /** Its own link instead of "is", ":" and the rest: "the back door takes 9137", "the authenticator shows 112 358". */
  link?: string;
}

/** German compounds: "WLAN-Passwort", "Emailpasswort", "Bestätigungscode". */
const DE = '\\p{L}*';

const NAMED_RULES: NamedRule[] = [
  {
    kind: 'private-key',
    shape: 'seed',
    names: `(?:seed|recovery|backup|secret|mnemonic|wallet|restore)[ -]?(?:phrase|words|sentence)|mnemonic|(?:12|24|twelve|twenty-four)[ -]words|${DE}wiederherstellungs(?:phrase|wörter|satz)|seed-phrase|phrase (?:de (?:récupération|secours)|secrète|mnémonique)|frase (?:semilla|de (?:recuperación|respaldo))`,
  },
  {
    kind: 'private-key',
    shape: 'key',
    names: "private[ _-]?key|priv[ _-]?key|clé privée|clave privada|privater schlüssel|private schlüssel",
    bare: true,
  },
  {
    kind: 'password',
    shape: 'passphrase',
    names: 'pass[ -]?phrase|passphrase',
    bare: true,
    reversed: true,
  },
  {
    kind: 'password',
    shape: 'password',
    names: `passwords?|passwd|pass ?code|pwd|pw|pword|pasword|passwrd|paswrd|passowrd|passwrod|pssword|passord|passwod|passsword|pass(?=\\s*[:=])|${DE}passwort|${DE}kennwort|mot de passe|mdp|contraseña|clave(?! (?:api|secreta|privada|de (?:api|acceso)))|senha`,
    bare: true,
    reversed: true,
  },
  {
    kind: 'api-key',
    shape: 'key',
    names: `api[ _-]?keys?|apikey|access[ _-]?keys?|secret[ _-]?(?:access[ _-]?)?keys?|client[ _-]?secrets?|signing[ _-]?secrets?|auth[ _-]?tokens?|access[ _-]?tokens?|tokens?|secrets?|keys?|clé(?: d['’])?(?: api| secrète)?|jeton(?: d['’]accès)?|${DE}schlüssel|clave (?:api|secreta|de (?:api|acceso))|token de acceso|llave`,
    bare: true,
    reversed: true,
  },
  {
    kind: 'cvv',
    shape: 'cvv',
    names: `cvv2?|cvc2?|cvn|csc|card (?:security|verification) (?:code|value|number)|(?:3|4|three|four)[ -]digit (?:security )?code|(?:3|4|three|four)[ -]digits? (?:on|at|in) the (?:back|front|reverse)(?: of (?:the|my|your) card)?|${DE}prüfnummer|prüfziffer|cryptogramme(?: visuel)?|code (?:cvv|cvc)|código (?:cvv|cvc)`,
    bare: true,
    reversed: true,
  },
  {
    kind: 'pin',
    shape: 'pin',
    names: `pin(?:[ -]?(?:code|number|nummer|nr\\.?|no\\.?))?|pincode|code pin|puk|geheimzahl|(?:door|gate|alarm|lock|garage|safe|entry|building|keypad|lockbox|key ?box|locker|padlock|bike lock|house|front door)[ -]?(?:code|combination|combo|pin)|combination|combo|${DE}(?:tür|tor|alarm|tresor)code|digicode|code (?:de (?:la )?carte(?: bleue| bancaire| de crédit)?|confidentiel|secret)|code (?:de la porte|d['’]entrée|de l['’]immeuble|de l['’]alarme)|código (?:de la puerta|del portal|de la alarma)`,
    bare: true,
    reversed: true,
  },
  // "the back door takes 9 1 3 7", "the lockbox opens with 5580": a lock and what opens it.
  {
    kind: 'pin',
    shape: 'pin',
    names: `(?:front |back |side |garage |main )?door|gate|keypad|lock|lockbox|key ?box|safe|padlock|alarm(?: panel)?|(?:haus|garagen|hof)?(?:tür|tor)|schloss|tresor|porte|portail|cadenas|coffre|puerta|portón|candado|caja fuerte`,
    link: `\\s+(?:takes|opens with|unlocks with|is opened with|is unlocked with|needs|wants|accepts|öffnet (?:sich )?mit|geht (?:auf|mit)|s['’]ouvre avec|se abre con)(?:\\s+(?:the code|code|the combination|combination|den code|le code|el código))?\\s*:?\\s*`,
  },
  {
    kind: 'one-time-code',
    shape: 'code',
    names: `(?:google |microsoft |authy |2fa |mfa )?authenticator(?: app)?|authy|2fa app|authentifizierungs-?app`,
    link: `\\s+(?:shows|showed|is showing|says|said|displays|displayed|gives|gave|generated|zeigt|affiche|muestra)(?:\\s+(?:me|now|right now|jetzt|gerade))*\\s*:?\\s*`,
  },
  {
    kind: 'one-time-code',
    shape: 'code',
    names: `one[ -]time[ -]pass(?:word|code)|(?:one[ -]time|verification|verify|confirmation|security|login|log-in|sign[ -]?in|auth|authentication|authenticator|2fa|two[ -]factor|mfa|sms|text|access|backup|recovery|reset|activation|unlock|otp|totp)[ -]?(?:codes?|pins?)|otp|totp|hotp|${DE}(?:bestätigungs|sicherheits|verifizierungs|einmal|anmelde|zugangs|freigabe|aktivierungs|authentifizierungs)code|tan-nummer|code (?:de (?:vérification|confirmation|sécurité|validation|connexion|déverrouillage|accès)|à usage unique|sms|otp|2fa)|código (?:de (?:verificación|confirmación|seguridad|acceso|un solo uso|validación)|otp|sms|2fa)`,
    bare: true,
    reversed: true,
  },
  // "TAN 839201", "2FA 553201": upper case only (a "tan" is also a colour).
  { kind: 'one-time-code', shape: 'code', names: 'TAN|mTAN|2FA|MFA', exactCase: true, bare: true },
  // "my code is 482913": a code of the user's, by itself; "my zip code" or "the error code" name another code.
  {
    kind: 'one-time-code',
    shape: 'pin',
    names: '(?<=(?<![\\p{L}])(?:my|the|your|this|that|mein|meinen|meine|der|den|dein|deinen|mon|le|ce|ton|mi|el|este|tu) )(?:code|código)',
  },
  {
    kind: 'bank-account',
    shape: 'account',
    names: `(?:bank |checking |savings |current )?account[ -]?(?:number|no\\.?|nr\\.?|#|num)|account|acct(?:[ -]?(?:number|no\\.?|#))?|a/c(?: no\\.?)?|routing(?:[ -]?(?:number|no\\.?|#))?|aba(?: routing)?(?:[ -]?(?:number|no\\.?))?|sort[ -]?code|bsb(?: number)?|transit number|${DE}kontonummer|konto-?nr\\.?|konto|bankleitzahl|blz|numéro de compte(?: bancaire)?|n° de compte|rib|número de (?:la )?cuenta|cuenta(?: bancaria| corriente)?|clabe`,
    bare: true,
    reversed: true,
  },
  {
    kind: 'government-id',
    shape: 'ssn',
    names: 'ssn|social security(?:[ -]?(?:number|no\\.?|#|num))?|social',
    bare: true,
    reversed: true,
  },
  {
    kind: 'government-id',
    shape: 'id',
    names: `passport(?:[ -]?(?:number|no\\.?|#|num|nr\\.?|id))?|passeport|pasaporte|${DE}reisepass(?:nummer)?|passnummer|national insurance(?:[ -]?(?:number|no\\.?))?|ni[ -]?(?:number|no\\.?)|nino|national id(?:entity)?(?: card)?(?:[ -]?(?:number|no\\.?))?|id(?:entity)? card(?:[ -]?(?:number|no\\.?))?|(?:driver['’]?s?|driving)[ -]licen[cs]e(?:[ -]?(?:number|no\\.?|#))?|tax[ -]?(?:id|identification number|number|no\\.?|code|file number|reference)|social insurance(?:[ -]?number)?|steuer-?id|${DE}steuer-?identifikationsnummer|${DE}steuernummer|steuer-nr\\.?|identifikationsnummer|${DE}personalausweis(?:nummer)?|ausweisnummer|ausweis|${DE}sozialversicherungsnummer|${DE}versicherungsnummer|numéro de (?:sécurité sociale|sécu|passeport|carte d['’]identité)|n° de sécurité sociale|numéro fiscal|numéro d['’]identification fiscale|carte d['’]identité|número de (?:la )?seguridad social|número de (?:pasaporte|identificación fiscal)|cédula|aadhaa?r(?: number)?|medicare number|nhs number|health insurance number|personnummer|codice fiscale|pesel`,
    bare: true,
    reversed: true,
  },
  // Acronyms, upper case only ("ein" is German for "a", "nie" for "never", "sin" Spanish for "without").
  { kind: 'government-id', shape: 'id', names: 'SSN|SIN|EIN|ITIN|TIN|TFN|DNI|NIE|NIF|NSS|NIR|CNI|BSN|PAN|CURP|RFC|SVNR|CPF', exactCase: true, bare: true, reversed: true },
  // Spanish ids in lower case, only with a link ("mi dni es …"); German "nie" (never) takes no value.
  { kind: 'government-id', shape: 'id', names: 'dni|nie|cpf' },
];

/** A name must stand as a word: not inside another ("pinned", "keyboard", "Passwort-Manager"). */
const NAME_START = '(?<![\\p{L}\\p{N}])';
const NAME_END = '(?![\\p{L}\\p{N}]|-\\p{L})';

/**
 * The names are written in lower case: matched without the `i` flag on the text in lower case (many
 * times faster; lower-casing keeps every index but İ's, which is replaced first), or with it on the
 * text as written when lower-casing would move an index.
 */
const COMPILED = NAMED_RULES.map((rule) => ({
  rule,
  re: new RegExp(`${NAME_START}(?:${rule.names})${NAME_END}`, 'gu'),
  anyCase: rule.exactCase ? null : new RegExp(`${NAME_START}(?:${rule.names})${NAME_END}`, 'giu'),
  link: rule.link === undefined ? null : new RegExp(rule.link, 'iuy'),
}));

/** `text` in lower case, index for index, or null. */
function lowerCased(text: string): string | null {
  const lower = text.replace(/\u0130/g, 'i').toLowerCase();
  return lower.length === text.length ? lower : null;
}

/** An account that is not at a bank: "my account number at the electricity company", "Kundennummer", "customer account". */
const NOT_A_BANK =
  /(?<![\p{L}])(?:electric(?:ity)?|power|gas|water|energy|utilit(?:y|ies)|phone|mobile|cell(?:ular)?|internet|broadband|cable|tv|insurance|gym|library|customer|client|member(?:ship)?|loyalty|rewards?|frequent flyer|airline|hotel|amazon|netflix|spotify|steam|xbox|playstation|school|student|patient|strom\p{L}*|wasser|handy|versicherung\p{L}*|kunden\p{L}*|mitglieds\p{L}*|électricité|edf|assurance|abonné|luz|agua|seguro|cliente|socio)(?![\p{L}])/iu;
const A_BANK = /(?<![\p{L}])(?:bank\p{L}*|checking|savings|routing|sort[ -]?code|iban|bsb|girokonto|compte (?:bancaire|courant)|banc\p{L}*|cuenta corriente)(?![\p{L}])/iu;

/** "jenny@mail.com / Popcorn#2023" after "login", "username", "Zugangsdaten": a user and a password. */
const LOGIN_PAIR =
  /(?<![\p{L}\p{N}])(?:logins?|log-?in|sign-?in|credentials|creds|username|user ?name|user|zugangsdaten|anmeldedaten|login-daten|identifiants|usuario|utilisateur)(?![\p{L}\p{N}])[^\n/|]{0,40}?[\s:=]([^\s/|]{2,64})(?:\s+\/\s*|\s*\/\s+|\s*\|\s*)([^\s/|]{3,128})/giu;

function loginPairs(text: string, found: SecretMatch[]): void {
  for (const m of text.matchAll(LOGIN_PAIR)) {
    const user = m[1]!;
    const raw = m[2]!;
    const value = trimValue(raw);
    // "login: username / password" names the fields; a real pair has an e-mail or a password that is not a word.
    if (!passwordLike(value, false) || isPlaceholder(value)) continue;
    if (!user.includes('@') && /^\p{L}+$/u.test(value)) continue;
    push(found, 'password', m.index + m[0].length - raw.length, value.length, 'login-pair');
  }
}

/**
 * The link between a name and its value: ":", "=", "is", "'s", "lautet", "est", "c'est", "es"…,
 * maybe after a remark in brackets ("backup codes (keep safe): …"), or as an answer ("my social,
 * it's …", "the 3 digits on the back? mine are …").
 */
const LINK_SOURCE =
  "(?:\\s*\\([^()\\n]{1,30}\\))?" +
  "(?:\\s*[\"']?\\s*(?:[:=]|->|=>)|['’]s(?![\\p{L}])|\\s+[-–—](?=\\s)|\\s+(?:is|was|are|were|will be|would be|should be|ist|lautet|lauten|war|sind|est|c['’]est|sont|était|es|era|son|sería|é)(?![\\p{L}\\p{N}])(?:\\s*:)?" +
  "|[,?!]*\\s+(?:it|mine|that|this|they|ours)(?:['’](?:s|re)|\\s+(?:is|are|was|were))(?![\\p{L}\\p{N}])(?:\\s*:)?)" +
  '(?:\\s+(?:still|now|currently|just|simply|literally|actually|always|basically|probably|also|jetzt|immer noch|noch|auch|toujours|maintenant|aussi|ahora|todavía|también|sigue siendo|the following))*\\s*';
const GAP_WORD = "[\\p{L}\\p{N}'’._@-]+";
const LINK = new RegExp(LINK_SOURCE, 'iuy');
/** What may stand between the name and the link: "for my bank", "to my laptop", "de mi wifi", "für das Firmen-VPN". */
const GAP_LINK = new RegExp(
  `\\s+(?:for|to|of|on|at|in|from|with|de|du|des|del|d['’]|für|von|vom|zum|zur|bei|pour|para|da|do)(?:\\s+${GAP_WORD}){1,4}?${LINK_SOURCE}`,
  'iuy',
);
/** …or a short relative clause: "the code they texted me is …", "the password you gave me is …", "the PIN I chose is …". */
const CLAUSE_GAP_LINK = new RegExp(
  `\\s+(?:(?:that|which)\\s+)?(?:they|you|i|we|he|she|it|u|the\\s+\\p{L}+)(?:\\s+\\p{L}+){1,3}?${LINK_SOURCE}`,
  'iuy',
);
/** …or a name: "clé API Mistral : …", "mot de passe Gmail : …", "password (Netflix): …" (case matters, so its own pattern). */
const NAME_GAP_LINK = new RegExp(`(?:\\s+\\(?(?:\\p{Lu}[\\p{L}\\p{N}._-]*|[\\p{L}._-]*\\p{N}[\\p{L}\\p{N}._-]*)\\)?){1,2}${LINK_SOURCE}`, 'uy');
/** "pw is the same as before: Qwerty!234", "my PIN is as follows: 1234". */
const LINK_COLON = /[^:\n.!?;]{0,30}:\s*/uy;
/** "I changed my gmail password to Summer!2025", "set my PIN to 1234". */
const CHANGE_VERB = /(?:^|[^\p{L}])(?:set|sets|setting|change|changed|changing|reset|resetting|update|updated|updating|switch|switched|make|made|ändere|geändert|gesetzt|changé|cambié|cambiado|mis)(?![\p{L}])[^.!?\n]{0,40}$/iu;
const CHANGE_LINK = new RegExp(
  `(?:\\s+(?:for|of|on|at|in|from|de|für|pour|para)(?:\\s+${GAP_WORD}){1,4}?)?\\s+(?:to|into|auf|en|à|a|por)\\s+`,
  'iuy',
);

/** Words that describe a password rather than being one ("my password is too short"). */
const NOT_A_VALUE = new Set(
  (
    'a an the my your his her our their its this that these those it he she they we i me you not no never none nothing something anything everything ' +
    'same different also just only still now too very so quite really pretty rather kind sort bit little lot much more less most least way ' +
    'in on at for from with without by of to about like as into onto under over above below behind between through via and or but if ' +
    'stored saved kept written hidden encrypted hashed managed synced weak strong long short simple easy hard difficult complicated complex ' +
    'secure insecure safe unsafe wrong incorrect correct right invalid valid expired expiring required needed changed reset locked blocked ' +
    'compromised leaked hacked stolen lost forgotten unknown empty blank missing set being been getting going what which who where when how why ' +
    'whatever secret private personal confidential good fine ok okay bad terrible awful great perfect old new outdated unique random generated ' +
    'mandatory impossible identical literally actually case-sensitive sensitive there here one two three four five six seven eight nine ten ' +
    'twelve twenty characters chars letters digits numbers words required protected shared reused everywhere all both each every ' +
    'zu sehr nicht kein keine mein meine dein sein ihr unser im auf an bei mit ohne für von das der die ein eine einfach schwer stark schwach ' +
    'sicher unsicher falsch richtig lang kurz abgelaufen noch schon gleich geheim neu alt leer immer ' +
    'trop très pas plus le la les un une mon ma mes dans sur avec sans pour de du des faible fort forte longue court courte compliqué ' +
    'incorrect faux bon mauvais nouveau ancien même toujours encore ' +
    'muy demasiado el los las una mi mis en con sin para por del débil fuerte larga largo corta corto fácil difícil igual secreta secreto ' +
    'nueva nuevo vieja viejo incorrecta incorrecto mismo misma todavía aún'
  ).split(' '),
);

function namedSecrets(text: string, found: SecretMatch[]): void {
  const lower = lowerCased(text);
  for (const { rule, re, anyCase, link } of COMPILED) {
    const matches = anyCase === null ? text.matchAll(re) : lower === null ? text.matchAll(anyCase) : lower.matchAll(re);
    for (const m of matches) {
      const end = m.index + m[0].length;
      let hit = valueAfter(text, end, rule, link) ?? (rule.reversed ? valueBefore(text, m.index, end, rule) : null);
      if (!hit) continue;
      if (rule.kind === 'bank-account') {
        const around = text.slice(Math.max(0, Math.min(m.index, hit.index) - 40), Math.max(end, hit.index));
        if (NOT_A_BANK.test(around) && !A_BANK.test(around)) continue;
      }
      // "backup codes: 4821-9930 7712-0458 …": every code of the list.
      if ((rule.shape === 'code' || rule.shape === 'pin') && /s$/i.test(m[0])) hit = withList(text, hit, rule.shape);
      push(found, kindOf(rule, hit.value), hit.index, hit.length, `named:${rule.shape}`);
    }
  }
  loginPairs(text, found);
}

/** `hit` and the values of the same form that follow it, one per line or after a comma: a list of codes. */
function withList(text: string, hit: Hit, shape: ValueShape): Hit {
  const form = (value: string): string => value.replace(/\d/g, '0');
  const want = form(hit.value);
  const separator = /[ \t]*(?:[,;]|\r?\n|[ \t])[ \t\r\n]*/y;
  let end = hit.index + hit.length;
  for (let n = 0; n < 32; n++) {
    const next = sticky(separator, text, end);
    const value = next > 0 ? readValue(text, next, shape, false) : null;
    if (!value || form(value.value) !== want) break;
    end = value.index + value.length;
  }
  return { index: hit.index, length: end - hit.index, value: hit.value };
}

interface Hit {
  index: number;
  length: number;
  value: string;
}

/** "security code 737" is a card's; "security code 482913" a one-time code. */
function kindOf(rule: NamedRule, value: string): SecretKind {
  if (rule.shape === 'code' && value.replace(/\D/g, '').length <= 4 && /^\d{3,4}$/.test(value)) return 'cvv';
  return rule.kind;
}

function sticky(re: RegExp, text: string, at: number): number {
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? at + m[0].length : -1;
}

/** The value after a secret's name, when there is one of the right shape. */
function valueAfter(text: string, at: number, rule: NamedRule, link: RegExp | null): Hit | null {
  if (link) {
    const linked = sticky(link, text, at);
    return linked > 0 ? readValue(text, linked, rule.shape, false) : null;
  }
  const starts: number[] = [];
  for (const re of [LINK, GAP_LINK, NAME_GAP_LINK, CLAUSE_GAP_LINK]) {
    const linked = sticky(re, text, at);
    if (linked < 0) continue;
    starts.push(linked);
    const colon = sticky(LINK_COLON, text, linked);
    if (colon > 0) starts.push(colon);
  }
  if (CHANGE_VERB.test(text.slice(Math.max(0, at - 80), at))) {
    const changed = sticky(CHANGE_LINK, text, at);
    if (changed > 0) starts.push(changed);
  }
  for (const start of starts) {
    const hit = readValue(text, start, rule.shape, false);
    if (hit) return hit;
  }
  if (rule.bare && /^[ \t]+\S/.test(text.slice(at, at + 8))) {
    return readValue(text, at + /^[ \t]+/.exec(text.slice(at, at + 8))![0].length, rule.shape, true);
  }
  return null;
}

/** "hunter2 is my password", "use P@ssw0rd123 as the password for …", "1234 is my PIN". */
const BEFORE_NAME =
  /(?:^|[\s"'(])([^\s"'(]{1,128})\s+(?:is|was|=|are|ist|est|es|as|als|comme|como)\s+(?:(?:my|the|our|your|a|an|mein\p{L}*|dein\p{L}*|unser\p{L}*|das|der|die|mon|ma|le|la|mi|el|tu)\s+)?(?:[\p{L}\p{N}'’-]+\s+){0,2}$/iu;
/** After the name, the sentence goes on or ends: "…is my password for everything", not "…is my password manager". */
const AFTER_NAME = /^(?:\s*(?:$|[,.;:!?)…]|\s(?:for|on|to|at|and|but|so|lol|haha|btw|now|too|as well|here|there|für|pour|para|de|del|und|et|y)(?![\p{L}])))/iu;

function valueBefore(text: string, nameStart: number, nameEnd: number, rule: NamedRule): Hit | null {
  if (!AFTER_NAME.test(text.slice(nameEnd, nameEnd + 12))) return null;
  const window = text.slice(Math.max(0, nameStart - 160), nameStart);
  const m = BEFORE_NAME.exec(window);
  if (!m?.[1]) return null;
  const raw = m[1];
  const offset = nameStart - window.length + m.index + m[0].indexOf(raw);
  const value = trimValue(raw);
  if (!valueFits(value, rule.shape, false)) return null;
  return { index: offset, length: raw.length, value };
}

const OPEN_QUOTES = new Map([
  ['"', '"'],
  ["'", "'"],
  ['`', '`'],
  ['“', '”'],
  ['‘', '’'],
  ['„', '“'],
  ['«', '»'],
]);

/** The value at `start`, in the shape `shape` wants, or null. */
function readValue(text: string, start: number, shape: ValueShape, bare: boolean): Hit | null {
  if (start >= text.length) return null;
  const close = OPEN_QUOTES.get(text.charAt(start));
  if (close) {
    const end = text.indexOf(close, start + 1);
    if (end > start + 1 && end - start <= 200 && !text.slice(start + 1, end).includes('\n')) {
      const value = text.slice(start + 1, end);
      if (shape === 'passphrase' || shape === 'seed' ? value.trim().length >= 3 : valueFits(value, shape, bare)) {
        return { index: start + 1, length: value.length, value };
      }
      return null;
    }
  }
  if (shape === 'seed') return seedWords(text, start);
  if (shape === 'pin' || shape === 'code' || shape === 'cvv' || shape === 'account' || shape === 'id' || shape === 'ssn') {
    // "#2580", "*1234": the key pressed first is not part of the code.
    if (/[#*]/.test(text.charAt(start)) && /\d/.test(text.charAt(start + 1))) start++;
    // The longest run of groups that fits: "1234 I think" is the PIN 1234.
    const ends = numberRun(text, start);
    for (let i = ends.length - 1; i >= 0; i--) {
      const value = text.slice(start, ends[i]);
      if (valueFits(value, shape, bare)) return { index: start, length: value.length, value };
    }
    return null;
  }
  // One token: a password (up to a space), a key (up to a character keys are not written in: "…&page=2").
  const inToken = shape === 'key' ? /[A-Za-z0-9_\-.+/=~:]/ : /\S/;
  let end = start;
  while (end < text.length && end - start < 512 && inToken.test(text.charAt(end))) end++;
  const raw = text.slice(start, end).replace(/[,;.]+$/, '');
  const value = trimValue(raw);
  if (shape === 'passphrase') {
    // The rest of the clause: "my passphrase is purple monkey dishwasher seven".
    let stop = start;
    while (stop < text.length && stop - start < 120 && !/[\n,;.!?]/.test(text.charAt(stop))) stop++;
    return passphraseFits(text, start, stop, value, bare) ? { index: start, length: stop - start, value } : null;
  }
  if (!valueFits(value, shape, bare)) return null;
  return { index: start, length: raw.length, value };
}

/**
 * A passphrase is words, and its first word may be an ordinary one ("correct horse battery
 * staple"): after ":" or "=" three words are one; after "is", four words of which at most one
 * describes ("my passphrase is too long to type" is a description).
 */
function passphraseFits(text: string, start: number, stop: number, first: string, bare: boolean): boolean {
  if (valueFits(first, 'passphrase', bare)) return true;
  const words = text.slice(start, stop).trim().split(/\s+/);
  if (/[:=]\s*$/.test(text.slice(Math.max(0, start - 4), start))) return words.length >= 3;
  return words.length >= 4 && words.filter((w) => NOT_A_VALUE.has(w.toLowerCase())).length <= 1;
}

function trimValue(raw: string): string {
  return raw.replace(/^[("'`“‘„«[]+/, '').replace(/[)"'`”’»\].,;:!?]+$/, '');
}

/**
 * Digits in groups: "4512", "583 920", "219-09-9999", "QQ 12 34 56 C", "L01X00T47",
 * "1 85 05 78 006 084 36". Each group has a digit or is one or two capital letters; groups are
 * one space apart. Returns where the run could end, after each group.
 */
function numberRun(text: string, start: number): number[] {
  const group = /[A-Za-z0-9]+(?:[./-][A-Za-z0-9]+)*/y;
  const ends: number[] = [];
  let at = start;
  while (ends.length < 10) {
    group.lastIndex = at;
    const g = group.exec(text);
    if (!g || !(/\d/.test(g[0]) || /^[A-Z]{1,2}$/.test(g[0]))) break;
    const end = at + g[0].length;
    ends.push(end);
    if (text.charAt(end) !== ' ' || !/[A-Za-z0-9]/.test(text.charAt(end + 1))) break;
    at = end + 1;
  }
  // A run does not start or end with letters alone.
  while (ends.length > 0 && !/\d/.test(text.slice(start, ends[ends.length - 1]))) ends.pop();
  return ends;
}

function seedWords(text: string, start: number): Hit | null {
  const word = /[\p{Ll}]{3,8}(?=[\s,]|$)/uy;
  let at = start;
  let end = start;
  let words = 0;
  while (words < 25) {
    word.lastIndex = at;
    const w = word.exec(text);
    if (!w) break;
    words++;
    end = at + w[0].length;
    const sep = /[\s,]+(?:\d{1,2}[.)]\s*)?/y;
    sep.lastIndex = end;
    const s = sep.exec(text);
    if (!s) break;
    at = end + s[0].length;
  }
  return words >= 8 ? { index: start, length: end - start, value: text.slice(start, end) } : null;
}

function valueFits(value: string, shape: ValueShape, bare: boolean): boolean {
  if (!value || isPlaceholder(value)) return false;
  const digits = value.replace(/\D/g, '').length;
  const onlyDigits = /^\d+(?:[ .-]\d+)*$/.test(value);
  switch (shape) {
    case 'password':
    case 'passphrase':
      return passwordLike(value, bare);
    case 'key':
      return keyLike(value);
    case 'pin':
      // A keypad may have letters: the digicode 4592B.
      return (onlyDigits && digits >= 4 && digits <= 12) || /^[A-D]?\d{4,8}[A-D]?$/i.test(value);
    case 'code':
      return (onlyDigits || /^[A-Z]{1,2}-\d{4,}$/.test(value)) && digits >= 3 && digits <= 10;
    case 'cvv':
      return /^\d{3,4}$/.test(value);
    case 'account':
      return digits >= 6 && digits <= 34 && digits >= value.replace(/[\s./-]/g, '').length - 4;
    case 'ssn':
      return /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(value);
    case 'id':
      return digits >= 4 && value.replace(/[\s./-]/g, '').length >= 5 && value.length <= 40;
    case 'seed':
      return false;
  }
}

/** A password, not a word about one: "hunter2", "sunshine", "Tr0ub4dor&3"; not "too", "stored", "encrypted", "enregistré". */
function passwordLike(value: string, bare: boolean): boolean {
  if (value.length < 3 || value.length > 128) return false;
  const lower = value.toLowerCase();
  if (NOT_A_VALUE.has(lower)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
  // Directly after the name, without "is" or ":", only something that is clearly not a word.
  if (bare) return value.length >= 6 && classes >= 2 && /\d|[^\p{L}]/u.test(value) && !/^\d+$/.test(value);
  if (/^\p{L}+$/u.test(value)) {
    // A participle, an adverb or an adjective describes the password ("encrypted", "randomly", "impossible").
    if (/^\p{Ll}+(?:ed|ing|ly|ful|ble|ous|ive|ic|less)$/u.test(value)) return false;
    if (/^ge\p{Ll}+(?:t|en)$/u.test(value) || /^\p{Ll}+(?:é|ée|és|ées)$/u.test(value) || /^\p{Ll}+(?:ado|ada|ido|ida)s?$/u.test(value)) return false;
  }
  return true;
}

/** A key or token: long, and random-looking rather than a word. */
function keyLike(value: string): boolean {
  if (value.length < 12 || value.length > 512 || !/^[A-Za-z0-9_\-.+/=~:]+$/.test(value)) return false;
  if (!/\d/.test(value) || !/[A-Za-z]/.test(value)) return false;
  if (/^\d+(?:\.\d+)+$/.test(value) || /^v?\d+(?:\.\d+)*(?:-[a-z]+(?:\.\d+)?)?$/i.test(value)) return false;
  return true;
}
