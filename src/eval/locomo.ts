/**
 * The LoCoMo benchmark's layout (Maharana et al., ACL 2024) and what the evaluation needs of it.
 * The data itself is read from where it lives (../shared/data/locomo10.json); never copied here.
 */
import { readFileSync } from 'node:fs';

export interface LocomoTurn {
  speaker: string;
  dia_id: string;
  text: string;
  img_url?: string[];
  blip_caption?: string;
}

export interface LocomoQuestion {
  question: string;
  answer?: string | number;
  adversarial_answer?: string;
  evidence: string[];
  category: number;
}

export interface LocomoSample {
  sample_id: string;
  conversation: Record<string, unknown> & { speaker_a: string; speaker_b: string };
  qa: LocomoQuestion[];
}

export interface LocomoSession {
  index: number;
  /** When the session happened, ms since epoch (UTC). */
  date: number;
  turns: LocomoTurn[];
}

export function loadLocomo(path: string): LocomoSample[] {
  const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (!Array.isArray(data)) throw new Error(`${path}: expected an array of LoCoMo samples`);
  return data as LocomoSample[];
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** "1:56 pm on 8 May, 2023" → ms since epoch (UTC). */
export function parseLocomoDate(text: string): number {
  const m = /(\d{1,2}):(\d{2})\s*(am|pm)\s+on\s+(\d{1,2})\s+([A-Za-z]+),?\s+(\d{4})/i.exec(text);
  if (!m) {
    const fallback = Date.parse(text);
    if (Number.isNaN(fallback)) throw new Error(`Unreadable LoCoMo date: "${text}"`);
    return fallback;
  }
  const [, hh, mm, ampm, day, month, year] = m;
  const monthIndex = MONTHS.indexOf(month!.toLowerCase());
  if (monthIndex < 0) throw new Error(`Unknown month in "${text}"`);
  const hours = (Number(hh) % 12) + (ampm!.toLowerCase() === 'pm' ? 12 : 0);
  return Date.UTC(Number(year), monthIndex, Number(day), hours, Number(mm));
}

/** The sessions of a conversation, in order. */
export function sessionsOf(sample: LocomoSample): LocomoSession[] {
  const sessions: LocomoSession[] = [];
  for (let n = 1; ; n++) {
    const turns = sample.conversation[`session_${n}`] as LocomoTurn[] | undefined;
    if (!turns) break;
    const when = sample.conversation[`session_${n}_date_time`];
    sessions.push({ index: n, date: parseLocomoDate(typeof when === 'string' ? when : ''), turns });
  }
  return sessions;
}

/** A turn's text as a speaker said it, with a shared image described by its caption. */
export function turnText(turn: LocomoTurn): string {
  return turn.blip_caption ? `${turn.text} [shares an image: ${turn.blip_caption}]` : turn.text;
}

/** The session number of a dia_id ("D3:12" → 3). */
export function sessionOfDiaId(diaId: string): number {
  return Number(/^D(\d+):/.exec(diaId)?.[1] ?? NaN);
}
