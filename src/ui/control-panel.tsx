import type { InjectionMode } from '../core/control';
import type { SiteId } from '../core/types';
import { MODE_CHOICES, modeLabel, SITE_NAMES, type ControlStore } from './control-store';
import { S } from './strings';

/** The id of the Settings summary, where focus goes once the first-run choices are made. */
export const SETTINGS_SUMMARY_ID = 'settings-summary';

const ALL_SITES = Object.keys(SITE_NAMES) as SiteId[];

/** "Pause Engram": always at the top of the popup. A toggle button; its name never changes. */
export function PauseSwitch({ store }: { store: ControlStore }) {
  const settings = store.settings.value;
  // Every settings error shows here, at the top, whichever control failed.
  const error = store.error.value ? (
    <p role="alert" class="error">
      {store.error.value}
    </p>
  ) : null;
  if (!settings) return error;
  const paused = settings.paused;
  return (
    <>
      <div class={paused ? 'pause-row paused' : 'pause-row'} data-testid="pause">
        <button
          type="button"
          class="pause"
          aria-pressed={paused}
          aria-describedby="pause-hint"
          onClick={() => void store.setPaused(!paused)}
        >
          <span class="switch-track" aria-hidden="true">
            <span class="switch-thumb" />
          </span>
          {S.pause.label}
        </button>
        <p id="pause-hint" class="hint">
          {paused
            ? S.pause.pausedHint
            : S.pause.hint}
        </p>
      </div>
      {error}
    </>
  );
}

/**
 * The user's choices of how Engram acts: how memories are added (globally and per site), and
 * whether new memories wait for their consent. Collapsed under "Settings" to keep the popup short.
 */
export function ControlPanel({ store, sites = ALL_SITES }: { store: ControlStore; sites?: readonly SiteId[] }) {
  const settings = store.settings.value;
  if (!settings) return null;
  return (
    <div class="settings" data-testid="settings">
      <details>
        <summary id={SETTINGS_SUMMARY_ID} class="count">
          {S.modes.settings}
        </summary>
        <ModeFields store={store} sites={sites} />
        <AskBeforeRemembering store={store} />
      </details>
    </div>
  );
}

/** How memories are added: the default mode, and each site's own (popup Settings, options page). */
export function ModeFields({ store, sites = ALL_SITES }: { store: ControlStore; sites?: readonly SiteId[] }) {
  const settings = store.settings.value;
  if (!settings) return null;
  const current = MODE_CHOICES.find((c) => c.mode === settings.mode);
  return (
    <>
      {settings.paused && <p class="hint">{S.modes.pausedNote}</p>}
      <div class="field">
        <label for="mode-default">{S.modes.global}</label>
        <select
          id="mode-default"
          aria-describedby="mode-default-hint"
          value={settings.mode}
          onChange={(e) => void store.setMode(e.currentTarget.value as InjectionMode)}
        >
          {MODE_CHOICES.map((c) => (
            <option key={c.mode} value={c.mode}>
              {c.label}
            </option>
          ))}
        </select>
        <p id="mode-default-hint" class="hint">
          {current?.hint}
        </p>
      </div>
      <fieldset class="site-modes">
        <legend>{S.modes.perSite}</legend>
        {sites.map((site) => (
          <div class="field site-mode" key={site}>
            <label for={`mode-${site}`}>{SITE_NAMES[site]}</label>
            <select
              id={`mode-${site}`}
              value={settings.sites[site] ?? ''}
              onChange={(e) => {
                const value = e.currentTarget.value;
                void store.setSiteMode(site, value === '' ? null : (value as InjectionMode));
              }}
            >
              <option value="">{S.modes.sameAsDefault(modeLabel(settings.mode))}</option>
              {MODE_CHOICES.map((c) => (
                <option key={c.mode} value={c.mode}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
        ))}
      </fieldset>
    </>
  );
}

/** "Ask before remembering": new memories from chats wait for the user's consent. */
export function AskBeforeRemembering({ store, id = 'ask-before-remembering' }: { store: ControlStore; id?: string }) {
  const settings = store.settings.value;
  if (!settings) return null;
  return (
    <div class="field check">
      <input
        type="checkbox"
        id={id}
        aria-describedby={`${id}-hint`}
        checked={settings.askBeforeRemembering}
        onChange={(e) => void store.setAskBeforeRemembering(e.currentTarget.checked)}
      />
      <label for={id}>{S.privacy.ask}</label>
      <p id={`${id}-hint`} class="hint">
        {S.privacy.askHint}
      </p>
    </div>
  );
}
