import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Generated code (protobuf-es) is checked by its generator, not by us.
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/out/**',
      'test-artifacts/**',
      'bench/tmp/**',
      'packages/onnx/src/proto/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        navigator: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // bench/ measures private stages on purpose and may import a package's dist; packages and apps may not.
    files: ['packages/**', 'apps/**'],
    rules: {
      // A package is reached through its name and its exports map only; a path into its src/ or dist/
      // skips its public API and the one-way dependency order that tsc -b builds in.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@oxidizedvision/[^/]+/(src|dist)(/|$)',
              message: 'Import the package by name (and an exports subpath), not its src/ or dist/.',
            },
            {
              regex: '^(\\.\\./)+(runtime|onnx|tools|server|cli|benchmark|demo)/(src|dist)(/|$)',
              message: 'Import another package by its @oxidizedvision/* name, not a path into its source.',
            },
            {
              regex: '(^|/)packages/[^/]+/(src|dist)(/|$)',
              message: 'Import another package by its @oxidizedvision/* name, not a path into its source.',
            },
          ],
        },
      ],
    },
  },
);
