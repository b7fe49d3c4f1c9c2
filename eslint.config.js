// Lint: strict TypeScript, no floating promises, no `any`, and the boundaries between the parts:
// the engine never imports Electron; src-shared imports neither side; the renderer never imports main.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const electronOnlyInShell = {
  paths: [{ name: 'electron', message: 'The engine runs under plain Node: Electron belongs in src-main/electron only.' }],
  patterns: [{ group: ['electron/*'], message: 'Electron belongs in src-main/electron only.' }],
};

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
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronOnlyInShell,
          patterns: [
            ...electronOnlyInShell.patterns,
            { group: ['**/src-main/**', '**/src-renderer/**'], message: 'src-shared is the contract: it imports neither side.' },
            { group: ['node:*'], message: 'src-shared runs in the renderer too: no Node built-ins.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...electronOnlyInShell,
          patterns: [...electronOnlyInShell.patterns, { group: ['**/src-main/**'], message: 'The renderer talks to main only through the typed contract.' }],
        },
      ],
    },
  },
  {
    // The extension runs in the browser and bundles what it imports: from src-shared types only.
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
            { group: ['**/src-shared/**'], allowTypeImports: true, message: 'Import only types from src-shared: its values would bundle zod into the extension.' },
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
