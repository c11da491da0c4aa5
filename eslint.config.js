// Lint enforces the layering (see docs/architecture in the README):
//   src/shared   imports nothing runtime-specific (no Node builtins, electron, react or DOM)
//   src/engine   plain Node: never electron, react or the DOM
//   src/renderer browser only: never Node builtins or electron
//   only src/main and src/preload import electron
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
const electronRule = { name: 'electron', message: 'Only src/main and src/preload may import electron; give the engine a port (interface) instead.' };
const reactPatterns = [{ group: ['react', 'react/*', 'react-dom', 'react-dom/*'], message: 'UI code belongs in src/renderer.' }];

export const layeringRules = [
  {
    files: ['src/engine/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': ['error', { paths: [electronRule], patterns: [...reactPatterns, { group: ['**/renderer/**', '**/main/**', '**/preload/**'], message: 'The engine does not depend on the shell or the UI.' }] }],
      'no-restricted-globals': ['error', { name: 'window', message: 'No DOM in the engine.' }, { name: 'document', message: 'No DOM in the engine.' }, { name: 'navigator', message: 'No DOM in the engine.' }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [electronRule, ...nodeBuiltins.map((name) => ({ name, message: 'src/shared must run anywhere: no Node builtins.' }))], patterns: [...reactPatterns, { group: ['**/engine/**', '**/main/**', '**/renderer/**', '**/preload/**'], message: 'src/shared depends on nothing else in the project.' }] }],
      'no-restricted-globals': ['error', { name: 'window', message: 'No DOM in src/shared.' }, { name: 'document', message: 'No DOM in src/shared.' }, { name: 'process', message: 'No Node globals in src/shared.' }, { name: 'Buffer', message: 'No Node globals in src/shared.' }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { paths: [electronRule, ...nodeBuiltins.map((name) => ({ name, message: 'The renderer is sandboxed: no Node builtins; ask the engine through window.station.' }))], patterns: [{ group: ['**/engine/**', '**/main/**', '**/preload/**'], message: 'The renderer talks to the engine only through the contract (window.station).' }] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'No Node globals in the renderer.' }, { name: 'require', message: 'No Node globals in the renderer.' }, { name: 'Buffer', message: 'No Node globals in the renderer.' }],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'models/**', 'coverage/**', 'test/fixtures/lint/**', 'src/engine/bws/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  ...layeringRules,
);
