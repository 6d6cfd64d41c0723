import { useEffect, useRef, useState } from 'preact/hooks';
import type { InjectionMode } from '../core/control';
import type { ControlStore } from './control-store';
import { LlmPanel } from './llm-panel';
import type { LlmStore } from './llm-store';
import { ModelPanel } from './model-panel';
import type { ModelStore } from './model-store';
import { initialMode, ModeChoiceFields } from './onboarding';
import { S } from './strings';

/** The onboarding's steps, in order. */
export const ONBOARDING_STEPS = ['what', 'device', 'mode', 'models', 'done'] as const;
type Step = (typeof ONBOARDING_STEPS)[number];

/**
 * The onboarding tab, opened once on install: what Engram does, what stays on the device (and the
 * one thing that may be downloaded, only with consent), how memories are added (review
 * recommended), an optional model set-up or the no-download start, then done, with "Try it on the
 * demo chat" in development builds. "Skip setup" on every step keeps the defaults; finishing or
 * skipping marks the user onboarded, so neither this tab nor the popup's card shows again.
 */
export function OnboardingFlow({
  control,
  models,
  llm,
  demoUrl,
  openOptions,
}: {
  control: ControlStore;
  models?: ModelStore | undefined;
  llm?: LlmStore | undefined;
  /** The demo chat (development builds only). */
  demoUrl?: string | undefined;
  openOptions?: (() => void) | undefined;
}) {
  const settings = control.settings.value;
  const [step, setStep] = useState(0);
  const [mode, setMode] = useState<InjectionMode | null>(null);
  const [ask, setAsk] = useState<boolean | null>(null);
  const [setUp, setSetUp] = useState(false);
  const [ended, setEnded] = useState<'finished' | 'skipped' | null>(null);
  const [saving, setSaving] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);

  useEffect(() => {
    void control.refresh();
    return () => {
      control.dispose();
    };
  }, [control]);
  // Each new step is announced by moving the focus to its heading (not on the first one).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    heading.current?.focus();
  }, [step, ended]);

  const chosenMode = mode ?? initialMode(settings);
  const chosenAsk = ask ?? settings?.askBeforeRemembering ?? false;
  const name: Step = ONBOARDING_STEPS[step] ?? 'done';
  const last = step === ONBOARDING_STEPS.length - 1;

  const finish = async (): Promise<void> => {
    setSaving(true);
    const saved = await control.finishOnboarding({ mode: chosenMode, askBeforeRemembering: chosenAsk });
    setSaving(false);
    if (saved) setEnded('finished');
  };
  const skip = async (): Promise<void> => {
    setSaving(true);
    const saved = await control.skipOnboarding();
    setSaving(false);
    if (saved) setEnded('skipped');
  };

  if (ended) {
    return (
      <main class="engram-page onboarding-page" data-testid="onboarding-flow">
        <h1 ref={heading} tabIndex={-1}>
          {S.onboarding.title}
        </h1>
        <p role="status" data-testid="onboarding-ended">
          {ended === 'finished' ? S.onboarding.finished : S.onboarding.skipped}
        </p>
        <p class="onboarding-links">
          {demoUrl && (
            <a class="button-link primary" href={demoUrl} target="_blank" rel="noreferrer">
              {S.onboarding.tryDemo}
            </a>
          )}
          {openOptions && (
            <button type="button" class="plain" onClick={openOptions}>
              {S.onboarding.openSettings}
            </button>
          )}
        </p>
      </main>
    );
  }

  return (
    <main class="engram-page onboarding-page" data-testid="onboarding-flow">
      <h1>{S.onboarding.title}</h1>
      {control.error.value && (
        <p role="alert" class="error">
          {control.error.value}
        </p>
      )}
      <ol class="steps" aria-label={S.onboarding.progress}>
        {ONBOARDING_STEPS.map((s, i) => (
          <li key={s} class={i === step ? 'current' : i < step ? 'past' : undefined} aria-current={i === step ? 'step' : undefined}>
            {S.onboarding.steps[s]}
          </li>
        ))}
      </ol>
      {/* Not a form: the Models step holds the local-server form of the AI model panel. */}
      <section class="onboarding-step" aria-labelledby="onboarding-step-title">
        <p class="hint">{S.onboarding.step(step + 1, ONBOARDING_STEPS.length)}</p>
        <h2 id="onboarding-step-title" ref={heading} tabIndex={-1}>
          {S.onboarding.steps[name]}
        </h2>
        {name === 'what' && S.onboarding.whatText.map((line) => <p key={line}>{line}</p>)}
        {name === 'device' && S.onboarding.deviceText.map((line) => <p key={line}>{line}</p>)}
        {name === 'mode' && (
          <ModeChoiceFields idPrefix="welcome" mode={chosenMode} onMode={setMode} ask={chosenAsk} onAsk={setAsk} askHint={S.onboarding.askHint} />
        )}
        {name === 'models' && (
          <>
            <fieldset>
              <legend>{S.onboarding.modelsLegend}</legend>
              <div class="choice">
                <input
                  type="radio"
                  name="welcome-models"
                  id="welcome-no-download"
                  checked={!setUp}
                  aria-describedby="welcome-no-download-hint"
                  onChange={() => {
                    setSetUp(false);
                  }}
                />
                <label for="welcome-no-download">{S.onboarding.noDownload}</label>
                <p id="welcome-no-download-hint" class="hint">
                  {S.onboarding.noDownloadHint}
                </p>
              </div>
              <div class="choice">
                <input
                  type="radio"
                  name="welcome-models"
                  id="welcome-set-up"
                  checked={setUp}
                  aria-describedby="welcome-set-up-hint"
                  onChange={() => {
                    setSetUp(true);
                  }}
                />
                <label for="welcome-set-up">{S.onboarding.setUp}</label>
                <p id="welcome-set-up-hint" class="hint">
                  {S.onboarding.setUpHint}
                </p>
              </div>
            </fieldset>
            {setUp && (
              <div class="onboarding-models" data-testid="onboarding-models">
                {models && <ModelPanel store={models} />}
                {llm && <LlmPanel store={llm} />}
              </div>
            )}
          </>
        )}
        {name === 'done' && (
          <>
            <p>{S.onboarding.doneText}</p>
            {demoUrl && (
              <p>
                <a href={demoUrl} target="_blank" rel="noreferrer">
                  {S.onboarding.tryDemo}
                </a>
              </p>
            )}
          </>
        )}
        <div class="step-actions">
          {step > 0 && (
            <button
              type="button"
              class="plain"
              onClick={() => {
                setStep(step - 1);
              }}
            >
              {S.onboarding.back}
            </button>
          )}
          <button
            type="button"
            class="primary"
            disabled={saving}
            onClick={() => {
              if (last) void finish();
              else setStep(step + 1);
            }}
          >
            {last ? S.onboarding.finish : S.onboarding.next}
          </button>
          {!last && (
            <button type="button" class="link skip" disabled={saving} onClick={() => void skip()}>
              {S.onboarding.skip}
            </button>
          )}
        </div>
      </section>
    </main>
  );
}
