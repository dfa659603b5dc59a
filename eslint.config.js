// Lint rules: typescript-eslint's recommended set, plus the dependency
// direction between the parts (see docs/architecture.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const otherParts = (self) =>
  ['radius-server', 'captive-portal', 'provisioning']
    .filter((p) => p !== self)
    .map((p) => ({ group: [`**/${p}/**`, `../${p}/*`, `../../${p}/*`], message: `${self} must not import ${p}: go through controller's ports.` }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'provisioning/agent/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  ...['radius-server', 'captive-portal', 'provisioning'].map((part) => ({
    files: [`${part}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: otherParts(part) }] },
  })),
  {
    files: ['controller/**/*.ts'],
    ignores: ['controller/main.ts', 'controller/cli/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/radius-server/**', '**/captive-portal/**', '**/provisioning/**'], message: 'Only the composition root (controller/main.ts) and the CLI wire the parts.' }] }],
    },
  },
);
