// The renderer's shared state: what the live feed pushes (rates, status, connection). Query answers
// stay with the components that asked for them (use-api.ts); this store only holds what several
// views share and the stream keeps current. Built on zustand's vanilla store so tests drive it
// without React.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConfigValues } from '../../src-shared/contract/settings.js';
import { assertNever, type LiveEvent, type LiveRate, type StatusInfo, type TimelinePoint } from '../../src-shared/contract/types.js';
import type { LiveConnection } from '../api/client.js';
import { appendRate, seedHistory, type RatePoint } from './live-history.js';

/** What the live feed has told the renderer. */
export interface NetmonState {
  connection: LiveConnection;
  /** The latest rate, or null before the first. */
  latest: LiveRate | null;
  /** Recent rates for the sparkline, oldest first. */
  history: readonly RatePoint[];
  /** The engine's status (from status:get, then from the feed), or null before the first answer. */
  status: StatusInfo | null;
  /** Epoch seconds of the latest live rate, 0 before the first: views refresh their queries on it. */
  liveTs: number;
  /** The settings as last read or saved, or null before the first answer. */
  config: ConfigValues | null;
}

/** How the state changes. */
export interface NetmonActions {
  receive: (message: LiveEvent) => void;
  setConnection: (state: LiveConnection) => void;
  setStatus: (status: StatusInfo) => void;
  setConfig: (config: ConfigValues) => void;
  /** Fills the sparkline's past from stored per-bucket bytes of a timeline ending at `untilS`. */
  seed: (points: readonly TimelinePoint[], bucketS: number, untilS: number) => void;
}

export type NetmonStore = StoreApi<NetmonState & NetmonActions>;

/** The state before anything has been heard. */
export const INITIAL_STATE: NetmonState = { connection: 'connecting', latest: null, history: [], status: null, liveTs: 0, config: null };

/** Creates the store (one per window). */
export function createNetmonStore(): NetmonStore {
  return createStore<NetmonState & NetmonActions>()((set) => ({
    ...INITIAL_STATE,
    receive(message) {
      switch (message.event) {
        case 'rate':
          set((s) => {
            const history = appendRate(s.history, message.data);
            if (history === s.history) return s;
            return { latest: message.data, history, liveTs: message.data.ts };
          });
          return;
        case 'status':
          set({ status: message.data });
          return;
        default:
          assertNever(message, 'live message');
      }
    },
    setConnection(connection) {
      set((s) => (s.connection === connection ? s : { connection }));
    },
    setStatus(status) {
      set({ status });
    },
    setConfig(config) {
      set({ config });
    },
    seed(points, bucketS, untilS) {
      set((s) => ({ history: seedHistory(s.history, points, bucketS, untilS) }));
    },
  }));
}
