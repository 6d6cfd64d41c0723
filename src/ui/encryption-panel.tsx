import { useId, useState } from 'preact/hooks';
import { DEFAULT_LOCK_AFTER_MINUTES, LOCK_AFTER_CHOICES, MIN_PASSPHRASE_CHARS, type EncryptionStatus } from '../messaging/lock-protocol';
import { changing, type EncryptionStore } from './encryption-store';
import { formatCount } from './format';
import { S } from './strings';
import { usePolledStore } from './use-store';

function PassphraseField({ id, label, value, onInput, autocomplete, hint }: { id: string; label: string; value: string; onInput: (v: string) => void; autocomplete: string; hint?: string }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="password"
        autocomplete={autocomplete}
        spellcheck={false}
        value={value}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(e) => {
          onInput(e.currentTarget.value);
        }}
      />
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
    </div>
  );
}

function LockAfterSelect({ id, value, onChange, disabled }: { id: string; value: number; onChange: (minutes: number) => void; disabled?: boolean }) {
  return (
    <div class="field">
      <label for={id}>{S.lock.lockAfter}</label>
      <select
        id={id}
        value={String(value)}
        disabled={disabled}
        onChange={(e) => {
          onChange(Number(e.currentTarget.value));
        }}
      >
        {[...new Set([...LOCK_AFTER_CHOICES, value])].map((m) => (
          <option key={m} value={String(m)}>
            {S.lock.lockAfterChoice(m)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Why a new passphrase is not accepted yet, or null. */
function newPassphraseProblem(next: string, again: string): string | null {
  if (next.length < MIN_PASSPHRASE_CHARS) return S.lock.tooShort(MIN_PASSPHRASE_CHARS);
  if (next !== again) return S.lock.mismatch;
  return null;
}

/** The passphrase field that unlocks Engram (the popup, and the options page while locked). */
export function UnlockForm({ store, onUnlocked }: { store: EncryptionStore; onUnlocked?: () => void }) {
  const id = useId();
  const [passphrase, setPassphrase] = useState('');
  return (
    <form
      class="confirm"
      data-testid="unlock-form"
      onSubmit={(e) => {
        e.preventDefault();
        void store.unlock(passphrase).then((ok) => {
          if (!ok) return;
          setPassphrase('');
          onUnlocked?.();
        });
      }}
    >
      <PassphraseField id={`${id}-unlock`} label={S.lock.passphrase} value={passphrase} onInput={setPassphrase} autocomplete="current-password" />
      <div class="confirm-actions">
        <button type="submit" class="primary" disabled={store.busy.value || passphrase === ''}>
          {S.lock.unlock}
        </button>
      </div>
    </form>
  );
}

function ErrorLine({ store }: { store: EncryptionStore }) {
  return store.error.value ? (
    <p role="alert" class="error" data-testid="encryption-error">
      {store.error.value}
    </p>
  ) : null;
}

function Progress({ status }: { status: EncryptionStatus }) {
  if (!changing(status)) return null;
  const what = status.state === 'enabling' ? S.lock.enabling : status.state === 'rotating' ? S.lock.rotating : status.state === 'disabling' ? S.lock.disabling : S.lock.enabling;
  return (
    <p role="status" class="memory-meta" data-testid="encryption-progress">
      {what} {status.progress ? S.lock.progress(formatCount(status.progress.done), formatCount(status.progress.total)) : ''} {S.lock.resumes}
    </p>
  );
}

/** Off: the warning first, then the passphrase twice, the idle time, and the acknowledgement. */
function EnableForm({ store }: { store: EncryptionStore }) {
  const id = useId();
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [minutes, setMinutes] = useState<number>(DEFAULT_LOCK_AFTER_MINUTES);
  const [understood, setUnderstood] = useState(false);
  const problem = newPassphraseProblem(next, again);
  return (
    <form
      class="confirm"
      data-testid="enable-encryption"
      onSubmit={(e) => {
        e.preventDefault();
        if (problem || !understood) return;
        void store.enable(next, minutes).then((ok) => {
          if (!ok) return;
          setNext('');
          setAgain('');
        });
      }}
    >
      <p role="note" data-testid="no-recovery">
        <strong>{S.lock.noRecovery}</strong>
      </p>
      <PassphraseField id={`${id}-new`} label={S.lock.passphrase} value={next} onInput={setNext} autocomplete="new-password" hint={S.lock.passphraseHint(MIN_PASSPHRASE_CHARS)} />
      <PassphraseField id={`${id}-again`} label={S.lock.confirmPassphrase} value={again} onInput={setAgain} autocomplete="new-password" />
      {next !== '' && again !== '' && problem && <p class="hint error">{problem}</p>}
      <LockAfterSelect id={`${id}-after`} value={minutes} onChange={setMinutes} />
      <div class="field check">
        <input
          id={`${id}-understand`}
          type="checkbox"
          checked={understood}
          onChange={(e) => {
            setUnderstood(e.currentTarget.checked);
          }}
        />
        <label for={`${id}-understand`}>{S.lock.understand}</label>
      </div>
      <div class="confirm-actions">
        <button type="submit" class="primary" disabled={store.busy.value || problem !== null || !understood}>
          {S.lock.enable}
        </button>
      </div>
    </form>
  );
}

function ChangeForm({ store }: { store: EncryptionStore }) {
  const id = useId();
  const [old, setOld] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState(false);
  const problem = newPassphraseProblem(next, again);
  return (
    <details>
      <summary>{S.lock.changeTitle}</summary>
      <form
        class="confirm"
        data-testid="change-passphrase"
        onSubmit={(e) => {
          e.preventDefault();
          if (problem || old === '') return;
          setDone(false);
          void store.change(old, next).then((ok) => {
            if (!ok) return;
            setOld('');
            setNext('');
            setAgain('');
            setDone(true);
          });
        }}
      >
        <PassphraseField id={`${id}-old`} label={S.lock.oldPassphrase} value={old} onInput={setOld} autocomplete="current-password" />
        <PassphraseField id={`${id}-next`} label={S.lock.newPassphrase} value={next} onInput={setNext} autocomplete="new-password" hint={S.lock.passphraseHint(MIN_PASSPHRASE_CHARS)} />
        <PassphraseField id={`${id}-again`} label={S.lock.confirmPassphrase} value={again} onInput={setAgain} autocomplete="new-password" />
        {next !== '' && again !== '' && problem && <p class="hint error">{problem}</p>}
        <div class="confirm-actions">
          <button type="submit" class="plain" disabled={store.busy.value || problem !== null || old === ''}>
            {S.lock.change}
          </button>
        </div>
        {done && <p role="status">{S.lock.changed}</p>}
      </form>
    </details>
  );
}

function DisableForm({ store }: { store: EncryptionStore }) {
  const id = useId();
  const [passphrase, setPassphrase] = useState('');
  return (
    <details>
      <summary>{S.lock.disableTitle}</summary>
      <form
        class="confirm"
        data-testid="disable-encryption"
        onSubmit={(e) => {
          e.preventDefault();
          void store.disable(passphrase).then((ok) => {
            if (ok) setPassphrase('');
          });
        }}
      >
        <p class="hint">{S.lock.disableHint}</p>
        <PassphraseField id={`${id}-pass`} label={S.lock.passphrase} value={passphrase} onInput={setPassphrase} autocomplete="current-password" />
        <div class="confirm-actions">
          <button type="submit" class="danger" disabled={store.busy.value || passphrase === ''}>
            {S.lock.disable}
          </button>
        </div>
      </form>
    </details>
  );
}

/**
 * The options page's Lock block (Privacy): turn encryption at rest on (after saying there is no
 * recovery without the passphrase), unlock, lock now, the idle time, change the passphrase, turn
 * it off; and how far a re-encryption got. It says what else the passphrase covers (the settings,
 * and exports: "Your data" asks for it there).
 */
export function EncryptionPanel({ store }: { store: EncryptionStore }) {
  usePolledStore(store);
  const id = useId();
  const status = store.status.value;
  return (
    <section class="encryption" aria-labelledby={`${id}-title`} data-testid="encryption-panel">
      <h3 id={`${id}-title`} class="detail-title">
        {S.lock.title}
      </h3>
      <p class="hint">{S.lock.intro}</p>
      <p class="hint" data-testid="also-encrypted">
        {S.lock.alsoEncrypted}
      </p>
      {status && (
        <p role="status" data-testid="encryption-state" data-state={status.state} data-locked={String(status.locked)}>
          {status.state === 'off'
            ? S.lock.stateOff
            : `${S.lock.stateOn(status.kdf ? S.lock.kdf(status.kdf.name, formatCount(status.kdf.iterations)) : 'PBKDF2')} ${status.locked ? S.lock.stateLocked : S.lock.stateUnlocked}`}
        </p>
      )}
      {status && <Progress status={status} />}
      <ErrorLine store={store} />
      {status?.state === 'off' && <EnableForm store={store} />}
      {status && status.state !== 'off' && status.locked && <UnlockForm store={store} />}
      {status && status.state !== 'off' && !status.locked && (
        <>
          <div class="confirm-actions">
            <button type="button" class="plain" disabled={store.busy.value} onClick={() => void store.lock()}>
              {S.lock.lockNow}
            </button>
          </div>
          <LockAfterSelect id={`${id}-after`} value={status.lockAfterMinutes} disabled={store.busy.value} onChange={(m) => void store.setLockAfter(m)} />
          {status.state === 'on' && !status.migrating && <ChangeForm store={store} />}
          {status.state === 'on' && !status.migrating && <DisableForm store={store} />}
        </>
      )}
    </section>
  );
}

/** The popup, while Engram is locked: says so, and unlocks it. Nothing when unlocked or off. */
export function LockedBanner({ store, onUnlocked }: { store: EncryptionStore; onUnlocked?: () => void }) {
  usePolledStore(store);
  const id = useId();
  const status = store.status.value;
  if (!status?.locked) return null;
  return (
    <section class="glance" aria-labelledby={`${id}-title`} data-testid="locked-banner">
      <h2 id={`${id}-title`} class="count">
        {S.lock.unlockTitle}
      </h2>
      <p class="hint">{S.lock.unlockHint}</p>
      <ErrorLine store={store} />
      <UnlockForm store={store} onUnlocked={onUnlocked} />
    </section>
  );
}
