// Entry point of the renderer: picks the transport (preload bridge or HTTP), creates the live store
// and renders the app. Nothing below this file knows which transport it got.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { pickClient } from './api/pick-client.js';
import { App } from './components/App.js';
import { ServicesContext } from './state/services.js';
import { createNetmonStore } from './state/store.js';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
const services = { client: pickClient(), store: createNetmonStore(), now: () => Date.now() };
createRoot(root).render(
  <StrictMode>
    <ServicesContext value={services}>
      <App />
    </ServicesContext>
  </StrictMode>,
);
