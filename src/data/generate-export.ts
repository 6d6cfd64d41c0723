/**
 * A synthetic ChatGPT data export of any size, the same for the same options: for the import
 * benchmark (10,000 messages) and for tests. It has what real exports have that the parser must
 * handle: a hidden system message at the root, edited messages (a branch the user left, which must
 * not be imported), multimodal messages (an image pointer beside the text), assistant replies,
 * float-second times, and conversations listed newest first.
 */
import { mulberry32 } from '../engine/random';

/** A message of ChatGPT's export (the fields the parser reads, and a few it does not). */
export interface ChatGptMessageJson {
  id: string;
  author: { role: 'system' | 'user' | 'assistant' | 'tool'; name: string | null; metadata: Record<string, unknown> };
  create_time: number | null;
  update_time: number | null;
  content: { content_type: string; parts: unknown[] };
  status: string;
  end_turn: boolean | null;
  weight: number;
  metadata: Record<string, unknown>;
  recipient: string;
  channel: string | null;
}

export interface ChatGptNodeJson {
  id: string;
  message: ChatGptMessageJson | null;
  parent: string | null;
  children: string[];
}

/** A conversation of ChatGPT's `conversations.json`. */
export interface ChatGptConversationJson {
  title: string;
  create_time: number;
  update_time: number;
  mapping: Record<string, ChatGptNodeJson>;
  current_node: string;
  conversation_id: string;
  id: string;
  default_model_slug: string;
  is_archived: boolean;
}

export interface GenerateOptions {
  /** User messages on the conversations' current branches (what an import reads). */
  messages: number;
  seed?: number;
  /** The average number of user messages per conversation. Default 12. */
  perConversation?: number;
  /** When the first conversation starts (ms). Default 2023-01-01. */
  start?: number;
  /** The span the conversations are spread over (ms). Default two years. */
  span?: number;
}

const CITIES = ['Berlin', 'Lisbon', 'Toronto', 'Osaka', 'Nairobi', 'Lyon', 'Austin', 'Kraków', 'Melbourne', 'Bogotá'];
const PETS = ['Max', 'Luna', 'Pixel', 'Biscuit', 'Nala', 'Otto', 'Mochi', 'Pepper'];
const JOBS = ['a nurse', 'a data engineer', 'a teacher', 'an architect', 'a product manager', 'a carpenter', 'a translator'];
const FOODS = ['peanuts', 'shellfish', 'gluten', 'lactose', 'sesame'];
const HOBBIES = ['bouldering', 'sourdough baking', 'chess', 'trail running', 'birdwatching', 'playing the cello'];
const TOPICS = ['recursion', 'the French revolution', 'compound interest', 'photosynthesis', 'TCP handshakes', 'stoic philosophy'];
const PEOPLE = ['Priya', 'Tomás', 'Aiko', 'Femi', 'Greta', 'Omar'];

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

/** A user message: about half say something about the user, the rest ask for something. */
function userText(rng: Rng): string {
  const templates: ((r: Rng) => string)[] = [
    (r) => `I live in ${pick(r, CITIES)} and I'm looking for a good weekend trip nearby.`,
    (r) => `My dog is called ${pick(r, PETS)}. What should I feed a puppy?`,
    (r) => `I work as ${pick(r, JOBS)}. Can you help me write a short bio?`,
    (r) => `I'm allergic to ${pick(r, FOODS)}, so please suggest a dinner recipe without it.`,
    (r) => `My hobby is ${pick(r, HOBBIES)} and I want to get better at it this year.`,
    (r) => `My sister ${pick(r, PEOPLE)} is visiting next month. Any ideas for a day out?`,
    (r) => `Can you explain ${pick(r, TOPICS)} in simple terms?`,
    (r) => `Summarise the main ideas of ${pick(r, TOPICS)} in three bullet points.`,
    (r) => `Rewrite this so it sounds friendlier: "${pick(r, PEOPLE)}, the report is late again."`,
    (r) =>
      `Here is some context about my project. ${Array.from({ length: 6 }, () => `We use ${pick(r, TOPICS)} as a running example for ${pick(r, HOBBIES)} classes.`).join(' ')} What should I change?`,
  ];
  return pick(rng, templates)(rng);
}

const assistantText = (rng: Rng): string =>
  `${pick(rng, ['Sure!', 'Good question.', 'Here is an idea.', 'Happy to help.'])} ${Array.from({ length: 2 + Math.floor(rng() * 4) }, () => `Consider ${pick(rng, TOPICS)} and ${pick(rng, HOBBIES)}.`).join(' ')} How often do you get to do that?`;

/**
 * A ChatGPT-format export (the parsed `conversations.json`) with exactly `messages` user
 * messages on its conversations' current branches, deterministic for a seed.
 *
 * @example
 * const file = JSON.stringify(generateChatGptExport({ messages: 10_000 }));
 */
export function generateChatGptExport(options: GenerateOptions): ChatGptConversationJson[] {
  const rng = mulberry32(options.seed ?? 1);
  const perConversation = Math.max(1, options.perConversation ?? 12);
  const start = options.start ?? Date.UTC(2023, 0, 1);
  const span = options.span ?? 2 * 365 * 86_400_000;
  let counter = 0;
  const newId = (): string => {
    counter++;
    const hex = (counter * 2654435761 + (options.seed ?? 1)).toString(16).padStart(12, '0').slice(-12);
    return `${(counter >>> 0).toString(16).padStart(8, '0')}-${hex.slice(0, 4)}-4${hex.slice(4, 7)}-8${hex.slice(7, 10)}-${hex.padStart(12, '0')}`;
  };
  const conversations: ChatGptConversationJson[] = [];
  let remaining = Math.max(0, Math.floor(options.messages));
  const count = Math.max(1, Math.ceil(remaining / perConversation));
  for (let c = 0; remaining > 0; c++) {
    const size = Math.min(remaining, 1 + Math.floor(rng() * (2 * perConversation - 1)));
    remaining -= size;
    const started = (start + (span * c) / count + rng() * 3_600_000) / 1000;
    let clock = started;
    const tick = (): number => (clock += 5 + rng() * 120);
    const mapping: Record<string, ChatGptNodeJson> = {};
    const add = (parent: string | null, message: ChatGptMessageJson | null, id = newId()): string => {
      mapping[id] = { id, message, parent, children: [] };
      if (parent !== null) mapping[parent]!.children.push(id);
      return id;
    };
    const message = (role: ChatGptMessageJson['author']['role'], content: ChatGptMessageJson['content'], metadata: Record<string, unknown> = {}): ChatGptMessageJson => ({
      id: newId(),
      author: { role, name: null, metadata: {} },
      create_time: role === 'system' ? null : tick(),
      update_time: null,
      content,
      status: 'finished_successfully',
      end_turn: role === 'assistant' ? true : null,
      weight: role === 'system' ? 0 : 1,
      metadata,
      recipient: 'all',
      channel: null,
    });
    const root = add(null, null);
    let node = add(root, message('system', { content_type: 'text', parts: [''] }, { is_visually_hidden_from_conversation: true }));
    for (let m = 0; m < size; m++) {
      const parent = node;
      if (rng() < 0.12) {
        // An edit: the first version and its answer stay in the tree, off the current branch.
        const abandoned = add(parent, message('user', { content_type: 'text', parts: [`${userText(rng)} (first draft)`] }));
        add(abandoned, message('assistant', { content_type: 'text', parts: [assistantText(rng)] }));
      }
      const text = userText(rng);
      const content =
        rng() < 0.1
          ? { content_type: 'multimodal_text', parts: [{ content_type: 'image_asset_pointer', asset_pointer: `file-service://file-${newId()}`, size_bytes: 123_456, width: 800, height: 600 }, text] }
          : { content_type: 'text', parts: [text] };
      const user = add(parent, message('user', content));
      node = add(user, message('assistant', { content_type: 'text', parts: [assistantText(rng)] }));
    }
    const id = newId();
    conversations.push({
      title: `Chat ${c + 1}`,
      create_time: started,
      update_time: clock,
      mapping,
      current_node: node,
      conversation_id: id,
      id,
      default_model_slug: 'gpt-4o',
      is_archived: false,
    });
  }
  // ChatGPT lists the most recently updated conversation first.
  return conversations.reverse();
}
