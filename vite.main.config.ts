// Bundles the Electron main process (dist/src-main/electron/main.js, made by `tsc -b` first) with the
// engine under it into ONE ES module, dist/src-main/electron/main.bundle.js, which package.json's
// "main" names. Inside app.asar, Node's ESM loader then resolves three packages instead of ~100 files
// and their packages' files (loading ESM graphs from asar has regressed in Electron more than once:
// electron#40211, #45896, #46614). Beside the compiled main, so that its paths (the preload, the
// renderer two folders up) stay as they are. Left outside: `electron`; better-sqlite3 (loads its
// native addon from its own folder); menubar (CommonJS that requires electron).
import path from 'node:path';
import { defineConfig } from 'vite';

const dir = path.join(import.meta.dirname, 'dist', 'src-main', 'electron');

/** The packages the bundle imports at run time; the packaging check holds the bundle to these. */
export const MAIN_EXTERNALS = ['electron', 'better-sqlite3', 'menubar'] as const;

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  build: {
    ssr: path.join(dir, 'main.js'),
    outDir: dir,
    // The folder is tsc's output (and the preload's): only this file is ours to write.
    emptyOutDir: false,
    target: 'node22',
    minify: false,
    sourcemap: true,
    reportCompressedSize: false,
    rollupOptions: {
      output: {
        format: 'es',
        entryFileNames: 'main.bundle.js',
        // One file: the engine's few dynamic imports (the packet sniffer) are inlined.
        codeSplitting: false,
      },
    },
  },
  ssr: {
    target: 'node',
    noExternal: true,
    external: [...MAIN_EXTERNALS],
  },
});
