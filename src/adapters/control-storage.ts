/**
 * The user's control settings (core/control.ts) in the extension's local storage, through WXT's
 * storage wrapper (@wxt-dev/storage: typed items, a fallback for a fresh install, and change
 * watching across contexts). The popup writes them; the content scripts and the background read
 * and watch them. Every read is parsed, so a malformed stored value falls back to the defaults.
 */
import { storage } from 'wxt/utils/storage';
import { DEFAULT_CONTROL, parseControl, type ControlSettings } from '../core/control';

/** Defined on first use: defining it touches the extension's storage, absent where this is only imported (unit tests). */
let item: ReturnType<typeof defineControlItem> | null = null;
const defineControlItem = () => storage.defineItem<unknown>('local:control', { fallback: DEFAULT_CONTROL });
const controlItem = () => (item ??= defineControlItem());

export async function readControl(): Promise<ControlSettings> {
  return parseControl(await controlItem().getValue());
}

/**
 * Write the settings in one storage call, started before this returns: a popup that closes right
 * after the user's change (popups close when they lose focus) still saves it.
 */
export function writeControl(settings: ControlSettings): Promise<void> {
  return controlItem().setValue(parseControl(settings));
}

/** Call `onChange` with the new settings whenever any context changes them; returns the unwatch. */
export function watchControl(onChange: (settings: ControlSettings) => void): () => void {
  return controlItem().watch((value) => {
    onChange(parseControl(value));
  });
}

/** Change the settings (read, changed by `change`, written back) and return what was written. */
export async function updateControl(change: (current: ControlSettings) => ControlSettings): Promise<ControlSettings> {
  const next = parseControl(change(await readControl()));
  await writeControl(next);
  return next;
}
