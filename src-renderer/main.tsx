// Entry point of the renderer: picks the transport (preload bridge or HTTP), creates the live store
// and renders the app. Nothing below this file knows which transport it got.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { pickClient } from './api/pick-client.js';
import { App } from './components/App.js';
import { overviewPreset, overviewRequests } from './lib/overview-requests.js';
import { parseRoute } from './lib/route.js';
import { ServicesContext } from './state/services.js';
import { createNetmonStore } from './state/store.js';
import { prefetch } from './state/use-api.js';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
const { client, pairingProblem } = await pickClient();
const services = { client, store: createNetmonStore(), now: () => Date.now(), pairingProblem };
const route = parseRoute(window.location.hash);
if (route.page === 'overview' && !(client.pairable && !client.canWrite())) {
  // The overview's data is on its way while its code and the chart library load.
  const requests = overviewRequests({ kind: 'preset', preset: overviewPreset(route.params) });
  prefetch(services.client, 'usage:timeline', requests.timeline);
  prefetch(services.client, 'apps:list', requests.apps);
  prefetch(services.client, 'domains:list', requests.domains);
  prefetch(services.client, 'usage:summary', requests.summary);
}
createRoot(root).render(
  <StrictMode>
    <ServicesContext value={services}>
      <App />
    </ServicesContext>
  </StrictMode>,
);
