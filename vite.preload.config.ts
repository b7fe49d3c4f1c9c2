// Bundles the Electron preload (src-main/electron/preload.ts and what it imports) into one CommonJS
// file, dist/src-main/electron/preload.cjs, beside the compiled main that points windows at it.
// A sandboxed preload cannot be an ES module and can require only `electron` (and a few Node
// built-ins): everything else must be inside the file. Type-only imports vanish, so the contract's
// schemas (zod) are not in it.
import path from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  build: {
    lib: {
      entry: path.join(import.meta.dirname, 'src-main', 'electron', 'preload.ts'),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    outDir: path.join(import.meta.dirname, 'dist', 'src-main', 'electron'),
    // The folder is tsc's output for the main process too: only this file is ours to write.
    emptyOutDir: false,
    target: 'chrome140',
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: {
      external: ['electron'],
    },
  },
});
