// Keeps the live store current for the whole window: one live-feed subscription, the status asked
// for at start and every 15 s (the feed may also push it), the settings, and the sparkline's past
// filled in from the last hour of stored minutes.
import { useEffect } from 'react';
import { useServices } from './services.js';

const STATUS_EVERY_MS = 15_000;

/** Subscribes the window to the live feed and the engine's status until it unmounts. */
export function useLiveFeed(): void {
  const { client, store } = useServices();
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const { receive, setConnection, setStatus, setConfig, seed } = store.getState();
    const unsubscribe = client.subscribeLive({ onEvent: receive, onConnection: setConnection });

    const pollStatus = async (): Promise<void> => {
      const result = await client.call('status:get', {});
      if (stopped) return;
      if (result.ok) setStatus(result.value);
      timer = setTimeout(() => void pollStatus(), STATUS_EVERY_MS);
    };
    void pollStatus();

    void client.call('config:get', {}).then((result) => {
      if (!stopped && result.ok) setConfig(result.value);
    });

    void client.call('usage:timeline', { range: '1h', bucket: 60 }).then((result) => {
      if (!stopped && result.ok) seed(result.value.points, result.value.bucketS, result.value.until);
    });

    return () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      unsubscribe();
    };
  }, [client, store]);
}
