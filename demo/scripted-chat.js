/*
 * A scripted chat assistant for Engram's demo site and test fixtures. It behaves like the chat
 * sites where it matters to Engram:
 * - the composer is the site's kind of editor, with that editor's rules for what it takes
 *   (`config.editor`):
 *   - `prosemirror` (ChatGPT, Claude; the default): a contenteditable whose *state* only changes on
 *     `input` events, as ProseMirror's does: text written into the DOM without an input event is
 *     lost on send;
 *   - `quill` (Gemini): a contenteditable `.ql-editor` whose state follows its DOM (Quill observes
 *     mutations), beside a `.ql-clipboard` paste buffer that is not the composer;
 *   - `lexical` (Perplexity): the editor keeps its own state and renders the DOM from it; it takes
 *     text only from `beforeinput` (typing, `execCommand`) and `paste` events, and puts its own DOM
 *     back over anything written into it directly (Lexical's reconciler), so such a write is lost;
 *   - `textarea` (DeepSeek): a React-controlled textarea, read on `input`;
 * - Enter without Shift (not while an input method composes), or a click on the send button, sends
 *   the editor state;
 * - the send button (`config.button`): `voice` (ChatGPT: a voice button while empty), `disabled`
 *   (Claude, Perplexity) or `aria-disabled` (Gemini) while the composer is empty;
 * - each send POSTs the exact prompt to the site's endpoint, then renders the user and assistant
 *   turns in the site's DOM shape (`config.userTurn` / `assistantTurn` templates, optionally wrapped
 *   per exchange by `config.pair`), and the first send of a new chat moves to a conversation URL.
 * Configuration comes from <script type="application/json" id="scripted-chat-config">; the older
 * `style: "chatgpt" | "claude"` configs stand for the ChatGPT and Claude shapes.
 */
(() => {
  const config = JSON.parse(document.getElementById('scripted-chat-config').textContent);
  const editorKind = config.editor || 'prosemirror';
  const buttonKind = config.button || (config.style === 'chatgpt' ? 'voice' : 'disabled');
  const composer = document.querySelector(config.composer);
  const sendButton = document.querySelector(config.send);
  const thread = document.querySelector(config.thread);
  let state = '';
  let turn = thread.children.length;
  const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let conversation = (location.pathname.match(new RegExp(`${escapeRe(config.chatPath)}([\\w-]+)`)) || [])[1] || null;

  // The editor's document as text: one line per paragraph, and a hard break (Shift+Enter's <br>,
  // not the trailing one an editor keeps at the end of a paragraph) as a line break, as ProseMirror
  // serialises its state.
  const readEditor = () => {
    if (editorKind === 'textarea') return composer.value.trim();
    const paragraphs = [...composer.querySelectorAll(':scope > p, :scope > div')];
    const lineOf = (p) => {
      let text = '';
      for (let n = p.firstChild; n; n = n.nextSibling) {
        if (n.nodeName === 'BR') text += n.nextSibling ? '\n' : '';
        else text += n.textContent;
      }
      return text.replace(/\u00a0/g, ' ');
    };
    return (paragraphs.length ? paragraphs.map(lineOf).join('\n') : lineOf(composer)).trim();
  };

  const renderButton = () => {
    const hasText = state.length > 0;
    if (buttonKind === 'voice') {
      sendButton.setAttribute('aria-label', hasText ? 'Send prompt' : 'Start Voice');
      sendButton.dataset.testid = hasText ? 'send-button' : 'composer-speech-button';
    } else if (buttonKind === 'aria-disabled') {
      sendButton.setAttribute('aria-disabled', String(!hasText));
    } else {
      sendButton.disabled = !hasText;
    }
  };

  // Lexical: the state is the truth, and the DOM is drawn from it.
  const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  let drawing = false;
  const drawLexical = () => {
    drawing = true;
    composer.innerHTML = state
      ? state
          .split('\n')
          .map((line) => (line ? `<p dir="ltr"><span data-lexical-text="true">${escapeHtml(line)}</span></p>` : '<p><br></p>'))
          .join('')
      : '<p><br></p>';
    // The caret goes to the end, as after typing.
    const selection = document.getSelection();
    if (selection && document.activeElement === composer) {
      const range = document.createRange();
      range.selectNodeContents(composer);
      range.collapse(false);
      selection.removeAllRanges();
      selection.addRange(range);
    }
    drawing = false;
  };
  /** Whether the user's selection spans the whole editor (a select-all before typing or pasting). */
  const allSelected = () => {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return false;
    return selection.toString().replace(/\s+/g, '') === composer.textContent.replace(/\s+/g, '') && composer.textContent.trim() !== '';
  };
  const takeLexical = (text, replaceAll) => {
    state = (replaceAll ? '' : state) + text.replace(/\r\n?/g, '\n');
    drawLexical();
    renderButton();
  };

  const clearEditor = () => {
    state = '';
    if (editorKind === 'textarea') composer.value = '';
    else if (editorKind === 'lexical') drawLexical();
    else if (editorKind === 'quill') {
      composer.innerHTML = '<p><br></p>';
      composer.classList.add('ql-blank');
    } else composer.innerHTML = '<p class="is-empty"><br class="ProseMirror-trailingBreak"></p>';
    renderButton();
  };

  const el = (html) => {
    const t = document.createElement('template');
    t.innerHTML = html.trim();
    return t.content.firstElementChild;
  };
  const fill = (template, text) => template.replaceAll('{text}', () => escapeHtml(text)).replaceAll('{n}', String(turn));

  const turnHtml = (role, text) => {
    turn += 1;
    if (config.userTurn && config.assistantTurn) return fill(role === 'user' ? config.userTurn : config.assistantTurn, text);
    const id = `msg-${turn}`;
    const body = escapeHtml(text);
    if (config.style === 'chatgpt') {
      const inner =
        role === 'user'
          ? `<div class="whitespace-pre-wrap">${body}</div>`
          : `<div class="markdown prose"><p>${body}</p></div>`;
      return `<article data-testid="conversation-turn-${turn}" data-turn="${role}">
          <div data-message-author-role="${role}" data-message-id="${id}"${role === 'assistant' ? ' data-message-model-slug="scripted"' : ''}>${inner}</div>
        </article>`;
    }
    return role === 'user'
      ? `<div class="mb-1 mt-1"><div data-testid="user-message"><p class="whitespace-pre-wrap break-words">${body}</p></div></div>`
      : `<div data-is-streaming="false"><div class="font-claude-response"><p>${body}</p></div></div>`;
  };

  const reply = (prompt) => {
    const block = prompt.match(/\[Engram memory[^\]]*\]\n([\s\S]*?)\n\[\/Engram memory\]/);
    if (block) {
      const facts = block[1].split('\n').map((l) => l.replace(/^- /, '')).join('; ');
      return `Engram reminded me of what you told me before (${facts}). With that in mind, here is my answer.`;
    }
    return 'Thanks! I am a scripted demo assistant, so this is all I say.';
  };

  const send = async () => {
    const prompt = state;
    if (!prompt) return;
    clearEditor();
    if (!conversation) {
      conversation = `${Date.now().toString(16)}-${Math.random().toString(16).slice(2, 10)}`;
      history.pushState({}, '', `${config.chatPath}${conversation}`);
    }
    // When the page's send handler ran (benchmarks measure from the user's Enter to here).
    window.__scriptedChat.sends.push(performance.now());
    window.__scriptedChat.prompts.push(prompt);
    const userHtml = turnHtml('user', prompt);
    // A site that groups each exchange (Gemini) shows it once the answer is there.
    if (!config.pair) thread.append(el(userHtml));
    let text = reply(prompt);
    try {
      const response = await fetch(config.endpoint.replace('{id}', conversation), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ conversation_id: conversation, prompt }),
      });
      if (response.ok) text = (await response.json()).reply || text;
    } catch {
      /* offline: keep the scripted reply */
    }
    const assistantHtml = turnHtml('assistant', text);
    thread.append(el(config.pair ? config.pair.replace('{user}', () => userHtml).replace('{assistant}', () => assistantHtml) : assistantHtml));
  };

  window.__scriptedChat = { prompts: [], sends: [], get state() { return state; } };
  if (editorKind === 'lexical') {
    // An input method's composition is the browser's until it ends; then its text is taken.
    let composing = false;
    composer.addEventListener('compositionstart', () => {
      composing = true;
    });
    composer.addEventListener('compositionend', (event) => {
      composing = false;
      takeLexical(event.data || '', false);
    });
    composer.addEventListener('beforeinput', (event) => {
      if (composing || event.isComposing) return;
      event.preventDefault(); // Lexical applies every edit to its state, then redraws
      const replaceAll = allSelected();
      if (event.inputType === 'insertText' || event.inputType === 'insertReplacementText') takeLexical(event.data || '', replaceAll);
      else if (event.inputType === 'insertParagraph' || event.inputType === 'insertLineBreak') takeLexical('\n', replaceAll);
      else if (event.inputType === 'insertFromPaste' || event.inputType === 'insertFromDrop') takeLexical(event.dataTransfer?.getData('text/plain') || '', replaceAll);
      else if (event.inputType.startsWith('delete')) {
        state = replaceAll ? '' : state.slice(0, -1);
        drawLexical();
        renderButton();
      }
    });
    composer.addEventListener('paste', (event) => {
      event.preventDefault();
      takeLexical(event.clipboardData?.getData('text/plain') || '', allSelected());
    });
    // An edit no beforeinput announced (execCommand): Lexical reads the input event's data.
    composer.addEventListener('input', (event) => {
      if (composing || event.isComposing || !event.data || (event.inputType !== 'insertText' && event.inputType !== 'insertReplacementText')) return;
      takeLexical(event.data, readEditor() === event.data.trim());
    });
    // Anything else that changes its DOM (a direct write) is drawn over from the state: lost.
    new MutationObserver(() => {
      if (!drawing && !composing && readEditor() !== state.trim()) drawLexical();
    }).observe(composer, { childList: true, characterData: true, subtree: true });
  } else if (editorKind === 'quill') {
    // Quill follows its DOM: every mutation is read back into its state.
    new MutationObserver(() => {
      state = readEditor();
      composer.classList.toggle('ql-blank', state === '');
      renderButton();
    }).observe(composer, { childList: true, characterData: true, subtree: true });
  } else {
    composer.addEventListener('input', () => {
      state = readEditor();
      renderButton();
    });
  }
  // Quill flushes what its observer has not seen yet before it acts on a key or a click.
  const flush = () => {
    if (editorKind !== 'quill') return;
    state = readEditor();
    renderButton();
  };
  composer.addEventListener('keydown', (event) => {
    // As the sites do: Enter that confirms an input method's candidate (composing, keyCode 229) is not a send.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      flush();
      void send();
    }
  });
  // ChatGPT's composer is a form too: a submission sends, as Enter does.
  composer.closest('form')?.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });
  sendButton.addEventListener('click', () => {
    flush();
    if (state && sendButton.getAttribute('aria-disabled') !== 'true') void send();
    else if (buttonKind === 'voice') window.__scriptedChat.voiceStarted = true;
  });
  clearEditor();
})();
