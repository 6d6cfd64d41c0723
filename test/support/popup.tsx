import { render } from 'preact';
import { act } from 'preact/test-utils';
import { createMemoryListStore, type MemoryBackend, type MemoryListStore } from '../../src/ui/memory-list-store';
import { PopupApp } from '../../src/ui/popup-app';
import { settle } from './dom';

/** Render the popup over `backend` into `el` and let it load. */
export async function showPopup(el: HTMLElement, backend: MemoryBackend): Promise<MemoryListStore> {
  const store = createMemoryListStore(backend);
  await act(() => {
    render(<PopupApp store={store} />, el);
  });
  await settle();
  return store;
}
