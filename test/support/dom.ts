import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach } from 'vitest';

/** Let pending promises settle and Preact re-render. */
export const settle = (ms = 5) =>
  act(async () => {
    await new Promise((resolve) => setTimeout(resolve, ms));
  });

/** A fresh container in the document for each test, unmounted and removed after it. */
export function useContainer(): { readonly el: HTMLElement } {
  const holder = { el: document.createElement('div') };
  beforeEach(() => {
    holder.el = document.createElement('div');
    document.body.append(holder.el);
  });
  afterEach(() => {
    render(null, holder.el);
    holder.el.remove();
  });
  return holder;
}
