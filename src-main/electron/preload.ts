// The preload of every window (sandboxed, context-isolated): exposes one object, `window.netmon`,
// and nothing else — no ipcRenderer, no channel names the page could choose. Bundled by
// vite.preload.config.ts into dist/src-main/electron/preload.cjs (a sandboxed preload is CommonJS and
// may require only `electron`).
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.js';
import { BRIDGE_NAME, type NetmonBridge } from '../../src-shared/contract/ipc.js';

const netmon = createBridge(ipcRenderer) satisfies NetmonBridge;
contextBridge.exposeInMainWorld(BRIDGE_NAME, netmon);
