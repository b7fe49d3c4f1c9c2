// The Settings page: the monitoring form, the sampler's health, the data folder, pairing, budgets,
// export, networks, privacy and purge, each a panel of its own component.
import { useState } from 'react';
import { useNetmon, useServices } from '../state/services.js';
import { BudgetsSettings } from './BudgetsSettings.js';
import { DataFolderFacts } from './DataFolderFacts.js';
import { ExportSettings } from './ExportSettings.js';
import { NetworksSettings } from './NetworksSettings.js';
import { PairingSettings } from './PairingSettings.js';
import { PrivacySettings } from './PrivacySettings.js';
import { PurgeSettings } from './PurgeSettings.js';
import { SamplerStatus } from './SamplerStatus.js';
import { SettingsForm } from './SettingsForm.js';
import { StartAtLoginToggle } from './StartAtLoginToggle.js';

/** Settings, pairing, the data folder, the sampler's health, purge and export. */
export function SettingsPage() {
  const { client, now } = useServices();
  const config = useNetmon((s) => s.config);
  const status = useNetmon((s) => s.status);
  const nowS = Math.floor(now() / 1000);
  // Pairing changes what the client may do; this re-renders the page to show it.
  const [, setPairings] = useState(0);
  const canWrite = client.canWrite();
  return (
    <div className="page" data-testid="page-settings" data-ready={config !== null && status !== null ? 'true' : 'false'}>
      <div className="pagehead">
        <h1>Settings</h1>
        <span className="small muted">saved to config.json in the data folder</span>
      </div>
      <div className="grid two">
        <section className="panel" aria-labelledby="h-settings">
          <div className="panelhead">
            <h2 id="h-settings">Monitoring</h2>
          </div>
          {config === null ? <p className="muted">reading settings…</p> : <SettingsForm config={config} canWrite={canWrite} />}
          {client.startAtLogin !== null && <StartAtLoginToggle control={client.startAtLogin} />}
        </section>
        <div className="grid" style={{ alignContent: 'start' }}>
          <section className="panel" aria-labelledby="h-sampler">
            <div className="panelhead">
              <h2 id="h-sampler">Sampler</h2>
            </div>
            {status === null ? <p className="muted">asking netmon…</p> : <SamplerStatus status={status} nowS={nowS} />}
          </section>
          <section className="panel" aria-labelledby="h-data">
            <div className="panelhead">
              <h2 id="h-data">Data folder</h2>
            </div>
            {status !== null && <DataFolderFacts status={status} />}
          </section>
          <section className="panel" aria-labelledby="h-pairing">
            <div className="panelhead">
              <h2 id="h-pairing">Pairing token</h2>
            </div>
            <PairingSettings dataDir={status?.dataDir ?? null} onPaired={() => setPairings((n) => n + 1)} />
          </section>
          <section className="panel" aria-labelledby="h-budgets">
            <div className="panelhead">
              <h2 id="h-budgets">Budgets</h2>
            </div>
            <BudgetsSettings canWrite={canWrite} />
          </section>
          <section className="panel" aria-labelledby="h-export">
            <div className="panelhead">
              <h2 id="h-export">Export</h2>
            </div>
            <ExportSettings />
          </section>
          <section className="panel" aria-labelledby="h-privacy">
            <div className="panelhead">
              <h2 id="h-privacy">Privacy</h2>
              <span className="small muted">per app, domain or network; kept in privacy.json, not in the database</span>
            </div>
            <PrivacySettings canWrite={canWrite} />
          </section>
          <section className="panel" aria-labelledby="h-purge">
            <div className="panelhead">
              <h2 id="h-purge">Purge a range</h2>
              <span className="small muted">usage and browser reports, whole local days</span>
            </div>
            <PurgeSettings canWrite={canWrite} nowS={nowS} />
          </section>
        </div>
      </div>
      <section className="panel" aria-labelledby="h-networks">
        <div className="panelhead">
          <h2 id="h-networks">Networks</h2>
          <span className="small muted">your name and metered mark beat what netmon guessed</span>
        </div>
        <NetworksSettings canWrite={canWrite} nowS={nowS} />
      </section>
    </div>
  );
}
