// Bundles the compiled command line (dist/src-main/cli/main.js, made by `tsc -b` first) and the engine
// under it into a few ESM files in dist/bundle/cli/, which bin/netmon.js runs. One module per command
// instead of ~100 files and their packages' files: less for the ESM loader to hold, and zod's unused
// parts (its locales) are left out — `netmon serve` idles in less memory. better-sqlite3 stays an
// external package: it loads a native addon from its own folder.
import path from 'node:path';
import { defineConfig } from 'vite';

const dist = path.join(import.meta.dirname, 'dist');

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  build: {
    ssr: path.join(dist, 'src-main', 'cli', 'main.js'),
    // Every file lands two folders below dist/, as the compiled files do, so that serve's
    // `../../renderer` still finds dist/renderer.
    outDir: path.join(dist, 'bundle', 'cli'),
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    sourcemap: true,
    reportCompressedSize: false,
    rollupOptions: {
      output: {
        format: 'es',
        entryFileNames: 'main.js',
        chunkFileNames: '[name]-[hash].js',
      },
    },
  },
  ssr: {
    target: 'node',
    noExternal: true,
    external: ['better-sqlite3'],
  },
});
