// Electron's entry point (package.json "main": dist/src-main/electron/main.js, an ES module).
// Everything happens in app.ts; this file only gives it where it lives and the environment.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app } from 'electron';
import { createLogger } from '../engine/log.js';
import { runApp } from './app.js';

const log = createLogger('electron:main');

runApp({ mainDir: path.dirname(fileURLToPath(import.meta.url)), env: process.env }).catch((err: unknown) => {
  log.error('netmon failed to start', { error: err });
  app.exit(1);
});
