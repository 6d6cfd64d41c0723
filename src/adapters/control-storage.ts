/**
 * The user's control settings (core/control.ts) in the extension's local storage, through WXT's
 * storage wrapper (@wxt-dev/storage: typed items, a fallback for a fresh install, and change
 * watching across contexts). The popup writes them; the content scripts and the background read
 * and watch them. Every read is parsed, so a malformed stored value falls back to the defaults.
 */
import { storage } from 'wxt/utils/storage';
import { DEFAULT_CONTROL, parseControl, type ControlSettings } from '../core/control';

const controlItem = storage.defineItem<unknown>('local:control', { fallback: DEFAULT_CONTROL });

export async function readControl(): Promise<ControlSettings> {
  return parseControl(await controlItem.getValue());
}

/** Call `onChange` with the new settings whenever any context changes them; returns the unwatch. */
export function watchControl(onChange: (settings: ControlSettings) => void): () => void {
  return controlItem.watch((value) => {
    onChange(parseControl(value));
  });
}

/** Change the settings (read, changed by `change`, written back) and return what was written. */
export async function updateControl(change: (current: ControlSettings) => ControlSettings): Promise<ControlSettings> {
  const next = parseControl(change(await readControl()));
  await controlItem.setValue(next);
  return next;
}
