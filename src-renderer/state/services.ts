// What every component reaches through context: the API client (whichever transport), the live
// store and the wall clock (injected so a test page could drive it).
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { ApiClient } from '../api/client.js';
import type { NetmonActions, NetmonState, NetmonStore } from './store.js';

/** The services of one window. */
export interface Services {
  client: ApiClient;
  store: NetmonStore;
  /** Wall clock, epoch milliseconds. */
  now: () => number;
  /** Why a pairing link in the address did not pair this page (shown on the pairing page). */
  pairingProblem?: string | null;
}

/** Provided once, in main.tsx. */
export const ServicesContext = createContext<Services | null>(null);

/** The window's services; throws when a component is rendered outside the provider (a wiring bug). */
export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (services === null) throw new Error('useServices: no ServicesContext provider above this component');
  return services;
}

/** Reads part of the live store and re-renders when that part changes. */
export function useNetmon<T>(selector: (state: NetmonState & NetmonActions) => T): T {
  return useStore(useServices().store, selector);
}
