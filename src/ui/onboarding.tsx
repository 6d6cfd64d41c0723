import { useState } from 'preact/hooks';
import type { InjectionMode } from '../core/control';
import { SETTINGS_SUMMARY_ID } from './control-panel';
import { MODE_CHOICES, type ControlStore } from './control-store';

/** The first-run choices (Off is left for Settings: a new user wants Engram on). */
const CHOICES = MODE_CHOICES.filter((c) => c.mode !== 'off');

/**
 * The first-run card: what Engram does, how memories are added to prompts, and whether new
 * memories wait for the user's consent. Shown until the user clicks Done.
 */
export function Onboarding({ store }: { store: ControlStore }) {
  const settings = store.settings.value;
  const [mode, setMode] = useState<InjectionMode>(settings?.mode === 'off' || !settings ? 'review' : settings.mode);
  const [ask, setAsk] = useState(settings?.askBeforeRemembering ?? false);
  const [saving, setSaving] = useState(false);
  if (!settings || settings.onboarded) return null;

  const done = async (): Promise<void> => {
    setSaving(true);
    const saved = await store.finishOnboarding({ mode, askBeforeRemembering: ask });
    setSaving(false);
    // The card is gone: continue from the settings, where these choices can be changed.
    if (saved) setTimeout(() => document.getElementById(SETTINGS_SUMMARY_ID)?.focus(), 0);
  };

  return (
    <section class="onboarding" aria-labelledby="onboarding-title" data-testid="onboarding">
      <h2 id="onboarding-title">Welcome to Engram</h2>
      <p>
        Engram remembers what you tell ChatGPT and Claude and adds what matters to your next prompts. Everything stays on this
        device only.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void done();
        }}
      >
        <fieldset>
          <legend>How should memories be added to your prompts?</legend>
          {CHOICES.map((c) => (
            <div class="choice" key={c.mode}>
              <input
                type="radio"
                name="onboarding-mode"
                id={`onboarding-${c.mode}`}
                value={c.mode}
                checked={mode === c.mode}
                aria-describedby={`onboarding-${c.mode}-hint`}
                onChange={() => {
                  setMode(c.mode);
                }}
              />
              <label for={`onboarding-${c.mode}`}>
                {c.label}
                {c.mode === 'review' ? ' (recommended)' : ''}
              </label>
              <p id={`onboarding-${c.mode}-hint`} class="hint">
                {c.hint}
              </p>
            </div>
          ))}
        </fieldset>
        <div class="choice">
          <input
            type="checkbox"
            id="onboarding-ask"
            checked={ask}
            aria-describedby="onboarding-ask-hint"
            onChange={(e) => {
              setAsk(e.currentTarget.checked);
            }}
          />
          <label for="onboarding-ask">Ask before remembering</label>
          <p id="onboarding-ask-hint" class="hint">
            New memories from your chats wait here until you accept them.
          </p>
        </div>
        <button type="submit" class="primary" disabled={saving}>
          Done
        </button>
        <p class="hint">You can change these anytime under Settings.</p>
      </form>
    </section>
  );
}
