/*
 * A scripted chat assistant for Engram's demo site and test fixtures. It behaves like the chat
 * sites where it matters to Engram:
 * - the composer is a contenteditable editor whose *state* only changes on `input` events, as
 *   ProseMirror's does: text written into the DOM without an input event is lost on send;
 * - Enter without Shift, or a click on the send button, sends the editor state;
 * - the send button is a voice button while the composer is empty (ChatGPT) or disabled (Claude);
 * - each send POSTs the exact prompt to the site's endpoint, then renders the user and assistant
 *   turns in the site's DOM shape, and the first send of a new chat moves to a conversation URL.
 * Configuration comes from <script type="application/json" id="scripted-chat-config">.
 */
(() => {
  const config = JSON.parse(document.getElementById('scripted-chat-config').textContent);
  const composer = document.querySelector(config.composer);
  const sendButton = document.querySelector(config.send);
  const thread = document.querySelector(config.thread);
  let state = '';
  let turn = thread.children.length;
  let conversation = (location.pathname.match(/\/(?:c|chat)\/([\w-]+)/) || [])[1] || null;

  // The editor's document as text: one line per paragraph, and a hard break (Shift+Enter's <br>,
  // not the trailing one an editor keeps at the end of a paragraph) as a line break, as ProseMirror
  // serialises its state.
  const readEditor = () => {
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
    if (config.style === 'chatgpt') {
      sendButton.setAttribute('aria-label', hasText ? 'Send prompt' : 'Start Voice');
      sendButton.dataset.testid = hasText ? 'send-button' : 'composer-speech-button';
    } else {
      sendButton.disabled = !hasText;
    }
  };

  const clearEditor = () => {
    composer.innerHTML = '<p class="is-empty"><br class="ProseMirror-trailingBreak"></p>';
    state = '';
    renderButton();
  };

  const el = (html) => {
    const t = document.createElement('template');
    t.innerHTML = html.trim();
    return t.content.firstElementChild;
  };
  const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

  const renderTurn = (role, text) => {
    turn += 1;
    const id = `msg-${turn}`;
    const body = escapeHtml(text);
    if (config.style === 'chatgpt') {
      const inner =
        role === 'user'
          ? `<div class="whitespace-pre-wrap">${body}</div>`
          : `<div class="markdown prose"><p>${body}</p></div>`;
      thread.append(
        el(`<article data-testid="conversation-turn-${turn}" data-turn="${role}">
          <div data-message-author-role="${role}" data-message-id="${id}"${role === 'assistant' ? ' data-message-model-slug="scripted"' : ''}>${inner}</div>
        </article>`),
      );
    } else if (role === 'user') {
      thread.append(el(`<div class="mb-1 mt-1"><div data-testid="user-message"><p class="whitespace-pre-wrap break-words">${body}</p></div></div>`));
    } else {
      thread.append(el(`<div data-is-streaming="false"><div class="font-claude-response"><p>${body}</p></div></div>`));
    }
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
    renderTurn('user', prompt);
    window.__scriptedChat.prompts.push(prompt);
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
    renderTurn('assistant', text);
  };

  window.__scriptedChat = { prompts: [], sends: [], get state() { return state; } };
  composer.addEventListener('input', () => {
    state = readEditor();
    renderButton();
  });
  composer.addEventListener('keydown', (event) => {
    // As the sites do: Enter that confirms an input method's candidate (composing, keyCode 229) is not a send.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      void send();
    }
  });
  // ChatGPT's composer is a form too: a submission sends, as Enter does.
  composer.closest('form')?.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });
  sendButton.addEventListener('click', () => {
    if (state) void send();
    else if (config.style === 'chatgpt') window.__scriptedChat.voiceStarted = true;
  });
  clearEditor();
})();
