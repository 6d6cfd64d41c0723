import { useState } from 'preact/hooks';
import type { ControlSettings, InjectionMode } from '../core/control';
import { SETTINGS_SUMMARY_ID } from './control-panel';
import { MODE_CHOICES, type ControlStore } from './control-store';
import { S } from './strings';

/** The first-run choices (Off is left for Settings: a new user wants Engram on). */
const CHOICES = MODE_CHOICES.filter((c) => c.mode !== 'off');

/** The mode a first run starts from: the stored one, review when there is none (or it is off). */
export const initialMode = (settings: ControlSettings | null): InjectionMode => (settings?.mode === 'off' || !settings ? 'review' : settings.mode);

/**
 * The first-run choices, shared by the popup's card and the onboarding tab: how memories are added
 * (review recommended), and whether new memories wait for the user's consent.
 */
export function ModeChoiceFields({
  idPrefix,
  mode,
  onMode,
  ask,
  onAsk,
  askHint,
}: {
  /** Prefixes the inputs' ids (one set per page). */
  idPrefix: string;
  mode: InjectionMode;
  onMode: (mode: InjectionMode) => void;
  ask: boolean;
  onAsk: (ask: boolean) => void;
  askHint: string;
}) {
  return (
    <>
      <fieldset>
        <legend>{S.onboarding.modeLegend}</legend>
        {CHOICES.map((c) => (
          <div class="choice" key={c.mode}>
            <input
              type="radio"
              name={`${idPrefix}-mode`}
              id={`${idPrefix}-${c.mode}`}
              value={c.mode}
              checked={mode === c.mode}
              aria-describedby={`${idPrefix}-${c.mode}-hint`}
              onChange={() => {
                onMode(c.mode);
              }}
            />
            <label for={`${idPrefix}-${c.mode}`}>
              {c.label}
              {c.mode === 'review' ? S.onboarding.recommended : ''}
            </label>
            <p id={`${idPrefix}-${c.mode}-hint`} class="hint">
              {c.hint}
            </p>
          </div>
        ))}
      </fieldset>
      <div class="choice">
        <input
          type="checkbox"
          id={`${idPrefix}-ask`}
          checked={ask}
          aria-describedby={`${idPrefix}-ask-hint`}
          onChange={(e) => {
            onAsk(e.currentTarget.checked);
          }}
        />
        <label for={`${idPrefix}-ask`}>{S.privacy.ask}</label>
        <p id={`${idPrefix}-ask-hint`} class="hint">
          {askHint}
        </p>
      </div>
    </>
  );
}

/**
 * The popup's first-run card: what Engram does, how memories are added to prompts, and whether new
 * memories wait for the user's consent. Shown until the user clicks Done (or went through the
 * onboarding tab).
 */
export function Onboarding({ store }: { store: ControlStore }) {
  const settings = store.settings.value;
  const [mode, setMode] = useState<InjectionMode>(initialMode(settings));
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
      <h2 id="onboarding-title">{S.onboarding.title}</h2>
      <p>{S.onboarding.popupIntro}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void done();
        }}
      >
        <ModeChoiceFields idPrefix="onboarding" mode={mode} onMode={setMode} ask={ask} onAsk={setAsk} askHint={S.onboarding.popupAskHint} />
        <button type="submit" class="primary" disabled={saving}>
          {S.onboarding.done}
        </button>
        <p class="hint">{S.onboarding.changeLater}</p>
      </form>
    </section>
  );
}
