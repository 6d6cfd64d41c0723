import { useEffect } from 'preact/hooks';

/** A panel's store that polls the background while the panel is shown. */
export interface PolledStore {
  refresh(): Promise<void>;
  dispose(): void;
}

/** Load `store` when the panel mounts and stop its polling when it unmounts. */
export function usePolledStore(store: PolledStore): void {
  useEffect(() => {
    void store.refresh();
    return () => {
      store.dispose();
    };
  }, [store]);
}
