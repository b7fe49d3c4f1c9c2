// Electron's entry point (package.json "main": dist/main/main.js, the main process bundled into one ES module).
// Everything happens in app.ts; this file only gives it where it lives and the environment, and
// catches what nothing else caught (crash.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app } from 'electron';
import { resolveDataDir } from '../engine/config.js';
import { createLogger } from '../engine/log.js';
import { runApp, showErrorInFront } from './app.js';
import { installCrashHandlers } from './crash.js';

const log = createLogger('electron:main');

installCrashHandlers({
  on: (event, listener) => process.on(event, listener),
  show: showErrorInFront,
  quit: () => app.quit(),
  logsDir: path.join(resolveDataDir(undefined, process.env), 'logs'),
});

runApp({ mainDir: path.dirname(fileURLToPath(import.meta.url)), env: process.env }).catch((err: unknown) => {
  log.error('netmon failed to start', { error: err });
  app.exit(1);
});
