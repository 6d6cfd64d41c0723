import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { formatCount } from './format';
import { S } from './strings';

/** Whether the user typed the confirmation word (spaces and letter case aside). */
export const confirmed = (typed: string): boolean => typed.trim().toUpperCase() === S.forgetAll.word.toUpperCase();

/**
 * "Forget everything", behind a typed confirmation (the user types FORGET) that says what goes:
 * every memory, its history and any message still waiting to be read. The field has the focus when
 * asked, and the button stays disabled until the word is typed, so nothing is forgotten by accident.
 */
export function ForgetEverything({ count, onForget }: { count: number; onForget: () => Promise<boolean> }) {
  const [asking, setAsking] = useState(false);
  const [done, setDone] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const id = useId();
  useEffect(() => {
    if (asking) field.current?.focus();
  }, [asking]);

  const close = (): void => {
    setAsking(false);
    setTyped('');
    setTimeout(() => opener.current?.focus(), 0);
  };
  const forget = async (): Promise<void> => {
    if (!confirmed(typed) || busy) return;
    setBusy(true);
    const ok = await onForget();
    setBusy(false);
    if (ok) setDone(true);
    close();
  };
  return (
    <section class="forget-all" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} class="count">
        {S.forgetAll.title}
      </h2>
      {done && (
        <p role="status" data-testid="forgotten">
          {S.forgetAll.done}
        </p>
      )}
      {!asking ? (
        <button
          type="button"
          class="danger"
          ref={opener}
          onClick={() => {
            setDone(false);
            setAsking(true);
          }}
        >
          {S.forgetAll.open}
        </button>
      ) : (
        <div role="alertdialog" aria-labelledby={`${id}-question`} aria-describedby={`${id}-detail`} class="confirm">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void forget();
            }}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                close();
              }
            }}
          >
            <p id={`${id}-question`}>
              <strong>{S.forgetAll.question}</strong>
            </p>
            <p id={`${id}-detail`}>{S.forgetAll.detail(count, formatCount(count))}</p>
            <div class="field">
              <label for={`${id}-word`}>{S.forgetAll.typeLabel}</label>
              <input
                id={`${id}-word`}
                ref={field}
                type="text"
                autocomplete="off"
                spellcheck={false}
                value={typed}
                onInput={(e) => {
                  setTyped(e.currentTarget.value);
                }}
              />
            </div>
            <div class="confirm-actions">
              <button type="button" class="plain" onClick={close}>
                {S.forgetAll.cancel}
              </button>
              <button type="submit" class="danger" disabled={!confirmed(typed) || busy}>
                {S.forgetAll.confirm}
              </button>
            </div>
          </form>
        </div>
      )}
    </section>
  );
}
