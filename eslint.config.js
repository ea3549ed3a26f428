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
  {
    // Sessions and tensors of onnxruntime come from @oxidizedvision/runtime's ./node and ./web subpaths,
    // the one place that sets threads, providers, profiling and log level and names load errors. Other
    // code may still import onnxruntime's types.
    ignores: ['packages/runtime/src/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^onnxruntime-(node|web|common)(/.*)?$',
              allowTypeImports: true,
              message:
                "create sessions with createNodeRunner/createNodeSession from '@oxidizedvision/runtime/node' (or runtime/web); only `import type` from onnxruntime here",
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/^onnxruntime-(node|web|common)/]',
          message: "load onnxruntime through '@oxidizedvision/runtime/node' or '@oxidizedvision/runtime/web'",
        },
      ],
    },
  },
);
