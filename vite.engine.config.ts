// Bundles the compiled command line (dist/src-main/cli/main.js, made by `tsc -b` first) and the engine
// under it into a few ESM files in dist/bundle/cli/, which bin/netmon.js runs. One module per command
// instead of ~100 files and their packages' files: less for the ESM loader to hold, and zod's unused
// parts (its locales) are left out — `netmon serve` idles in less memory. better-sqlite3 stays an
// external package: it loads a native addon from its own folder.
import path from 'node:path';
import { builtinModules } from 'node:module';
import { defineConfig, type Plugin } from 'vite';

const dist = path.join(import.meta.dirname, 'dist');

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const IMPORT_LINE = /^import (.+) from "([^"]+)";$/gm;
const ANY_IMPORT = /^(?:import|export)\b[^;]*?\bfrom "([^"]+)";/gm;
const CLAUSE = /^(?:([\w$]+)(?:, )?)?(?:\* as ([\w$]+)|\{ ([\w$, ]+) \})?$/;

/**
 * Rewrites the chunks' `import … from "<node builtin>"` into `process.getBuiltinModule(…)`. An ESM
 * import of a builtin builds its namespace by reading every export, which runs lazy getters that load
 * more of Node (util's pull in diff, colour and worker helpers): ≈ 1 MB resident for an idle
 * `netmon serve`, for nothing it uses. The module object the getter returns is the same one.
 */
function namespaceFreeBuiltins(): Plugin {
  return {
    name: 'netmon:namespace-free-builtins',
    renderChunk(code, chunk) {
      const rewritten = code.replace(IMPORT_LINE, (line, clause: string, id: string) => {
        if (!BUILTINS.has(id)) return line;
        const parsed = CLAUSE.exec(clause);
        if (parsed === null || clause === '') throw new Error(`${chunk.fileName}: cannot rewrite ${line}`);
        const [, defaultName, namespaceName, named] = parsed;
        const value = `process.getBuiltinModule(${JSON.stringify(id)})`;
        const bindings: string[] = [];
        if (defaultName !== undefined) bindings.push(`${defaultName} = ${value}`);
        if (namespaceName !== undefined) bindings.push(`${namespaceName} = ${value}`);
        if (named !== undefined) {
          const names = named.split(', ').map((spec) => spec.replace(/^([\w$]+) as ([\w$]+)$/, '$1: $2'));
          bindings.push(`{ ${names.join(', ')} } = ${value}`);
        }
        // One line for one line, so that the source map stays true.
        return `const ${bindings.join(', ')};`;
      });
      const leftover = [...rewritten.matchAll(ANY_IMPORT)].find(([, id]) => BUILTINS.has(id ?? ''));
      if (leftover !== undefined) throw new Error(`${chunk.fileName}: import left as it was: ${leftover[0]}`);
      return { code: rewritten, map: null };
    },
  };
}

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  plugins: [namespaceFreeBuiltins()],
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
        // V8 keeps each module's source as a string, two bytes per character once one character is
        // outside Latin-1: the comments' "≈" and "→" doubled the chunks serve loads (≈ 0.5 MB). The
        // source maps still lead to the commented code.
        comments: { legal: true, annotation: false, jsdoc: false },
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
