import { useEffect, useId, useState } from 'preact/hooks';
import type { SiteId } from '../core/types';
import { ModeFields } from './control-panel';
import type { InjectionSettings as Injection } from '../core/control';
import { CALIBRATED_THRESHOLD, DEFAULT_INJECTION, INJECTION_LIMITS, injectionOf, type ControlStore } from './control-store';
import { S } from './strings';

const numbers = new Intl.NumberFormat(undefined, { maximumFractionDigits: 3 });

/**
 * A number setting, written when the user leaves the field or presses Enter: refused (with why)
 * when it is not a number in range. `emptyMeans`: what an empty field writes (the threshold's
 * calibrated default); without it an empty field is refused.
 */
function NumberSetting({
  label,
  hint,
  value,
  min,
  max,
  step,
  integer,
  emptyMeans,
  placeholder,
  onCommit,
}: {
  label: string;
  hint: string;
  value: number | null;
  min: number;
  max: number;
  step: number;
  integer: boolean;
  emptyMeans?: null;
  placeholder?: string;
  onCommit: (value: number | null) => Promise<boolean>;
}) {
  const id = useId();
  const [draft, setDraft] = useState(value === null ? '' : String(value));
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setDraft(value === null ? '' : String(value));
  }, [value]);

  /** Write the field's text (read from the field: the draft state may not have caught up). */
  const commit = async (typed: string): Promise<void> => {
    const text = typed.trim();
    if (text === '' && emptyMeans === null) {
      setProblem(null);
      if (value !== null) await onCommit(null);
      return;
    }
    const n = Number(text);
    if (text === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      setProblem(S.injection.outOfRange(label, min, max));
      return;
    }
    setProblem(null);
    if (n !== value) await onCommit(n);
  };

  return (
    <div class="field number-setting">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode={integer ? 'numeric' : 'decimal'}
        min={min}
        max={max}
        step={step}
        value={draft}
        placeholder={placeholder}
        aria-describedby={problem ? `${id}-hint ${id}-problem` : `${id}-hint`}
        aria-invalid={problem ? true : undefined}
        onInput={(e) => {
          setDraft(e.currentTarget.value);
        }}
        onChange={(e) => void commit(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void commit(e.currentTarget.value);
          }
        }}
      />
      <p id={`${id}-hint`} class="hint">
        {hint}
      </p>
      {problem && (
        <p id={`${id}-problem`} role="alert" class="error">
          {problem}
        </p>
      )}
    </div>
  );
}

/**
 * The options page's "Adding memories to prompts": the mode, globally and per site; how many
 * memories go into a prompt; the relevance threshold (the calibrated default shown, and a way back
 * to it); the token budget of the memory block.
 */
export function InjectionSettings({ store, sites }: { store: ControlStore; sites?: readonly SiteId[] }) {
  const settings = store.settings.value;
  if (!settings) return null;
  const tuning = injectionOf(settings);
  const calibrated = numbers.format(CALIBRATED_THRESHOLD);
  const write = (change: Partial<Injection>) => store.setInjection(change);

  return (
    <div class="injection-settings" data-testid="injection-settings">
      <p class="hint">{S.injection.intro}</p>
      <ModeFields store={store} sites={sites} />
      <NumberSetting
        label={S.injection.topK}
        hint={S.injection.topKHint(DEFAULT_INJECTION.topK)}
        value={tuning.topK}
        {...INJECTION_LIMITS.topK}
        step={1}
        integer
        onCommit={(topK) => write({ topK: topK ?? DEFAULT_INJECTION.topK })}
      />
      <NumberSetting
        label={S.injection.threshold}
        hint={S.injection.thresholdHint(calibrated)}
        value={tuning.threshold}
        {...INJECTION_LIMITS.threshold}
        step={0.005}
        integer={false}
        emptyMeans={null}
        placeholder={S.injection.thresholdDefault(calibrated)}
        onCommit={(threshold) => write({ threshold })}
      />
      <div class="threshold-default">
        <p class="hint" aria-live="polite" data-testid="threshold-state">
          {tuning.threshold === null ? S.injection.usingDefault(calibrated) : ''}
        </p>
        <button type="button" class="plain" disabled={tuning.threshold === null} onClick={() => void write({ threshold: null })}>
          {S.injection.resetThreshold}
        </button>
      </div>
      <NumberSetting
        label={S.injection.budget}
        hint={S.injection.budgetHint(DEFAULT_INJECTION.budgetTokens)}
        value={tuning.budgetTokens}
        {...INJECTION_LIMITS.budgetTokens}
        step={10}
        integer
        onCommit={(budgetTokens) => write({ budgetTokens: budgetTokens ?? DEFAULT_INJECTION.budgetTokens })}
      />
    </div>
  );
}
