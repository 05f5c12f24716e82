// Lint rules for the whole package: typescript-eslint's type-aware recommended set, strict on `any`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'charts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'test/support/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Workloads' layers (STYLE.md, floors): a service's domain imports no framework, driver or
    // data-access module — only its own ports — and of the shared library only the framework-free
    // modules (the barrel index.js loads express, pg, kafkajs and ioredis).
    files: ['workloads/*/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['express', 'express/**', 'pg', 'pg/**', 'ioredis', 'ioredis/**', 'kafkajs', 'kafkajs/**', 'pino', 'pino/**', 'prom-client', 'prom-client/**'],
              message: 'a domain imports no framework or driver: declare a port in domain/ports.ts and implement it in data-access.',
            },
            {
              group: ['**/data-access/**'],
              message: 'a domain imports no data-access module: data-access implements the ports in domain/ports.ts.',
            },
            {
              group: ['**/shared/*', '!**/shared/events.js', '!**/shared/redact.js', '!**/shared/roles.js'],
              message: 'a domain imports only the framework-free shared modules (events.js, redact.js, roles.js), never the barrel index.js.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['*.js', 'test/support/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
