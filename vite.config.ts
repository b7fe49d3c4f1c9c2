// Vite builds the renderer (src-renderer) into dist/renderer: the folder `netmon serve` serves and the
// Electron window loads. Relative asset URLs (base './') work under both http:// and file://.
import path from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: path.join(import.meta.dirname, 'src-renderer'),
  base: './',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.join(import.meta.dirname, 'dist', 'renderer'),
    emptyOutDir: true,
    target: 'es2023',
    reportCompressedSize: true,
  },
  server: { host: '127.0.0.1' },
});
