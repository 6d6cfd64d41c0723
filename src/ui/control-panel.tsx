import type { InjectionMode } from '../core/control';
import type { SiteId } from '../core/types';
import { MODE_CHOICES, modeLabel, SITE_NAMES, type ControlStore } from './control-store';

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
          Pause Engram
        </button>
        <p id="pause-hint" class="hint">
          {paused
            ? 'Paused: no memories are added and nothing is remembered, on every site.'
            : 'Pausing stops adding memories and remembering, on every site.'}
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
  const current = MODE_CHOICES.find((c) => c.mode === settings.mode);
  return (
    <div class="settings" data-testid="settings">
      <details>
        <summary id={SETTINGS_SUMMARY_ID} class="count">
          Settings
        </summary>
        {settings.paused && <p class="hint">Engram is paused. These settings apply again when you resume.</p>}
        <div class="field">
          <label for="mode-default">How memories are added</label>
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
          <legend>On each site</legend>
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
                <option value="">Same as default ({modeLabel(settings.mode)})</option>
                {MODE_CHOICES.map((c) => (
                  <option key={c.mode} value={c.mode}>
                    {c.label}
                  </option>
                ))}
              </select>
            </div>
          ))}
        </fieldset>
        <div class="field check">
          <input
            type="checkbox"
            id="ask-before-remembering"
            aria-describedby="ask-before-remembering-hint"
            checked={settings.askBeforeRemembering}
            onChange={(e) => void store.setAskBeforeRemembering(e.currentTarget.checked)}
          />
          <label for="ask-before-remembering">Ask before remembering</label>
          <p id="ask-before-remembering-hint" class="hint">
            New memories from your chats wait under “Waiting for you” until you accept them.
          </p>
        </div>
      </details>
    </div>
  );
}
