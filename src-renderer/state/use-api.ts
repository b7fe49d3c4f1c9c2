// Asking the engine from a component: the answer, its error and whether a newer one is on its way.
// The last answer stays on screen while a new one loads (a range switch never blanks a page), and
// views that show "now" refresh themselves from the live feed's ticks instead of reloading the page.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiChannel } from '../../src-shared/contract/channels.js';
import type { ApiRequest } from '../../src-shared/contract/schemas.js';
import type { ApiResponses, Result } from '../../src-shared/contract/types.js';
import type { ApiClient } from '../api/client.js';
import { useServices } from './services.js';

/** What a component sees of one query. */
export interface ApiState<T> {
  data: T | null;
  error: { code: string; message: string } | null;
  /** A request is in flight (the shown data, if any, is for an earlier one). */
  loading: boolean;
  /** The request key the shown data answers, so a view can tell stale from current. */
  dataKey: string | null;
  /** The key of the current request. */
  key: string | null;
  reload(): void;
}

interface Inner<T> {
  data: T | null;
  error: { code: string; message: string } | null;
  loading: boolean;
  dataKey: string | null;
}

// Answers asked for before the component that needs them has loaded (see `prefetch`), by request key.
const prefetched = new Map<string, { at: number; answer: Promise<Result<unknown>> }>();
const PREFETCH_FRESH_MS = 10_000;

/**
 * Starts a request now so that `useApi` finds it under way when its component mounts: the overview
 * asks for its data while its code (and the chart library) is still loading. Each answer is used
 * once, and only while fresh.
 */
export function prefetch<K extends ApiChannel>(client: ApiClient, channel: K, request: ApiRequest<K>, now: () => number = Date.now): void {
  prefetched.set(requestKey(channel, request), { at: now(), answer: client.call(channel, request) });
}

function takePrefetched<K extends ApiChannel>(key: string, now: number): Promise<Result<ApiResponses[K]>> | null {
  const hit = prefetched.get(key);
  if (hit === undefined) return null;
  prefetched.delete(key);
  return now - hit.at <= PREFETCH_FRESH_MS ? (hit.answer as Promise<Result<ApiResponses[K]>>) : null;
}

/** A stable key for a request: the channel and its fields in a fixed order. */
export function requestKey(channel: string, request: object): string {
  const entries = Object.entries(request)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${channel} ${JSON.stringify(entries)}`;
}

/**
 * Calls `channel` with `request` (null: not yet) whenever the request changes; with `refreshS`, calls
 * it again quietly once that many seconds of live feed have passed since the last answer.
 */
export function useApi<K extends ApiChannel>(channel: K, request: ApiRequest<K> | null, options: { refreshS?: number } = {}): ApiState<ApiResponses[K]> {
  const { client, store, now } = useServices();
  const key = request === null ? null : requestKey(channel, request);
  const [state, setState] = useState<Inner<ApiResponses[K]>>({ data: null, error: null, loading: request !== null, dataKey: null });
  const requestRef = useRef(request);
  requestRef.current = request;
  const seq = useRef(0);
  const lastAnswerTs = useRef(0);

  const run = useCallback(
    async (quiet: boolean) => {
      const req = requestRef.current;
      if (req === null || key === null) return;
      const mine = ++seq.current;
      if (!quiet) setState((s) => (s.loading ? s : { ...s, loading: true }));
      lastAnswerTs.current = store.getState().liveTs;
      const result = await ((quiet ? null : takePrefetched<K>(key, now())) ?? client.call(channel, req));
      // A slower answer to an older request must not overwrite a newer one.
      if (mine !== seq.current) return;
      if (result.ok) setState({ data: result.value, error: null, loading: false, dataKey: key });
      else setState((s) => ({ ...s, error: result.error, loading: false }));
    },
    [client, store, now, channel, key],
  );

  useEffect(() => {
    if (key === null) return;
    void run(false);
  }, [key, run]);

  const refreshS = options.refreshS;
  useEffect(() => {
    if (refreshS === undefined || key === null) return undefined;
    return store.subscribe((s, prev) => {
      if (s.liveTs !== prev.liveTs && s.liveTs - lastAnswerTs.current >= refreshS) void run(true);
    });
  }, [store, refreshS, key, run]);

  const reload = useCallback(() => void run(false), [run]);
  return { ...state, key, reload };
}
