// One lint setup for every package: type-aware, because the process core is all promises and
// timers and a floating promise there is a lost error or a leaked process.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/dist-types/**',
      '**/node_modules/**',
      'test-artifacts/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['web/vite.config.ts'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='only']", message: 'Do not leave .only in tests.' },
        { selector: "CallExpression[callee.property.name='skip']", message: 'Do not leave .skip in tests.' },
      ],
    },
  },
  {
    // The process core is a library: from outside its folder only its entry may be imported, so what
    // it keeps internal stays internal. Its own unit tests are exempt: they may test an internal
    // module (a parser, the drain timer) directly without making it public.
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['server/src/process/**', 'test/unit/process/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/process/*', '!**/process/index.js', '!**/process/index.ts'],
              message: 'Import the process core from its entry, process/index.js.',
            },
          ],
        },
      ],
    },
  },
);
