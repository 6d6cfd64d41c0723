import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * "Forget everything", behind a confirmation that says what goes: every memory, its history and
 * any message still waiting to be read. Cancel is focused first, so Enter never forgets by accident.
 */
export function ForgetEverything({ count, onForget }: { count: number; onForget: () => Promise<boolean> }) {
  const [asking, setAsking] = useState(false);
  const [done, setDone] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) cancel.current?.focus();
  }, [asking]);

  const close = (): void => {
    setAsking(false);
    setTimeout(() => opener.current?.focus(), 0);
  };
  return (
    <section class="forget-all" aria-labelledby="forget-all-title">
      <h2 id="forget-all-title" class="count">
        Forget everything
      </h2>
      {done && (
        <p role="status" data-testid="forgotten">
          Engram has forgotten everything.
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
          Forget everything…
        </button>
      ) : (
        <div role="alertdialog" aria-labelledby="forget-all-question" aria-describedby="forget-all-detail" class="confirm">
          <p id="forget-all-question">
            <strong>Forget everything Engram knows?</strong>
          </p>
          <p id="forget-all-detail">
            {count === 1 ? '1 memory' : `${count.toLocaleString()} memories`}, their history and any message still waiting to
            be read are deleted from this device. This cannot be undone.
          </p>
          <div class="confirm-actions">
            <button type="button" ref={cancel} onClick={close}>
              Cancel
            </button>
            <button
              type="button"
              class="danger"
              onClick={() =>
                void onForget().then((ok) => {
                  if (ok) setDone(true);
                  close();
                })
              }
            >
              Forget everything
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
