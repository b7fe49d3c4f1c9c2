// Lint: strict TypeScript, no floating promises, no `any`, and the boundaries between the parts:
// the engine never imports Electron; src-shared imports neither side; the renderer never imports main.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// zod stays out of the renderer's and the extension's bundles: of src-shared, only the contract's
// schemas.ts imports it, and they may take types (never values) from that file.
const schemasTypesOnly = {
  group: ['**/src-shared/contract/schemas', '**/src-shared/contract/schemas.js'],
  allowTypeImports: true,
  message: 'schemas.ts carries zod: import its types only (values come from the other contract files).',
};

const electronOnlyInShell = {
  paths: [{ name: 'electron', message: 'The engine runs under plain Node: Electron belongs in src-main/electron only.' }],
  patterns: [{ group: ['electron/*'], message: 'Electron belongs in src-main/electron only.' }],
};

/** The rule that keeps Electron in the shell and refuses `patterns` besides. */
const restrictImports = (...patterns) => ({ 'no-restricted-imports': ['error', { ...electronOnlyInShell, patterns: [...electronOnlyInShell.patterns, ...patterns] }] });

const sharedPatterns = [
  ...electronOnlyInShell.patterns,
  { group: ['**/src-main/**', '**/src-renderer/**'], message: 'src-shared is the contract: it imports neither side.' },
  { group: ['node:*'], message: 'src-shared runs in the renderer too: no Node built-ins.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'release/**', 'node_modules/**', 'tests/artifacts/**', 'extension/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**'],
    rules: { 'no-restricted-imports': ['error', electronOnlyInShell] },
  },
  {
    // Inside src-main (docs/ARCHITECTURE.md, "Parts and boundaries"): the engine owns every write and
    // figure and knows no transport; api/ translates requests and knows neither HTTP nor the CLI.
    files: ['src-main/engine/**/*.ts'],
    rules: restrictImports({
      group: ['**/api/**', '**/http/**', '**/cli/**', '**/electron/**', '**/runtime.js'],
      message: 'The engine imports no transport: api, http, cli, electron and runtime import the engine, never the reverse.',
    }),
  },
  {
    files: ['src-main/api/**/*.ts'],
    rules: restrictImports({ group: ['**/http/**', '**/cli/**', '**/runtime.js'], message: 'api/ is transport-free: HTTP, IPC and the CLI call it, it calls none of them.' }),
  },
  {
    files: ['src-shared/**/*.ts'],
    ignores: ['src-shared/contract/schemas.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...electronOnlyInShell.paths, { name: 'zod', message: 'Only src-shared/contract/schemas.ts imports zod: the rest of the contract is bundled by the renderer and the extension.' }],
          patterns: sharedPatterns,
        },
      ],
    },
  },
  {
    files: ['src-shared/contract/schemas.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: electronOnlyInShell.paths, patterns: sharedPatterns }] },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronOnlyInShell,
          patterns: [...electronOnlyInShell.patterns, { group: ['**/src-main/**'], message: 'The renderer talks to main only through the typed contract.' }, schemasTypesOnly],
        },
      ],
    },
  },
  {
    // The extension runs in the browser and bundles what it imports: from src-shared the contract's
    // zod-free http.ts and channels.ts as values, anything else as types only.
    files: ['extension/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronOnlyInShell,
          patterns: [
            ...electronOnlyInShell.patterns,
            { group: ['**/src-main/**', '**/src-renderer/**'], message: 'The extension talks to netmon over HTTP only.' },
            { group: ['node:*'], message: 'The extension runs in a browser: no Node built-ins.' },
            {
              regex: 'src-shared/(?!contract/(?:http|channels)\\.js$)',
              allowTypeImports: true,
              message: 'From src-shared the extension takes values of contract/http.ts (and channels.ts) only, types of the rest.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false, program: null, project: false }, globals: { process: 'readonly', console: 'readonly', performance: 'readonly', setTimeout: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['bin/*.js', 'bench/**', 'tests/**', '*.js', '*.ts'],
    rules: { 'no-console': 'off' },
  },
);
