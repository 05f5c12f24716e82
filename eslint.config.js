// Lint rules for the whole package: typescript-eslint's type-aware recommended set, strict on `any`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The operator's floors (docs/development.md, "Layers"): api → render → release/scaling (decisions) → reconcile
// (cluster I/O) → manager.ts, the composition root; runtime (client, informers, queue, leader election) is
// the ground the I/O floors stand on and metrics-api is an I/O server. A folder never imports a folder
// above it: one config object per floor folder, naming the sibling folders it must not import.
const OPERATOR_FLOORS = {
  api: {
    above: ['render', 'release', 'scaling', 'metrics-api', 'reconcile', 'runtime', 'cli'],
    why: 'api is the bottom floor (types, schema, defaults, vocabulary): it imports no other folder of the operator',
  },
  render: {
    above: ['release', 'scaling', 'metrics-api', 'reconcile', 'runtime', 'cli'],
    io: true,
    why: 'render holds pure builders: it imports only api',
  },
  release: {
    above: ['scaling', 'metrics-api', 'reconcile', 'cli'],
    typesOnly: ['runtime'],
    why: 'release decides: it imports api and render, and of runtime only types (the client and informers are injected)',
  },
  scaling: {
    above: ['release', 'metrics-api', 'reconcile', 'cli'],
    typesOnly: ['runtime'],
    why: 'scaling decides: it imports api and render, and of runtime only types (the wiring lives in reconcile/scaling.ts)',
  },
  'metrics-api': {
    above: ['render', 'release', 'scaling', 'reconcile', 'cli'],
    why: 'metrics-api is an I/O server on api and runtime: the scaling engine is handed to it as its MetricValues port',
  },
  runtime: {
    above: ['render', 'release', 'scaling', 'metrics-api', 'reconcile', 'cli'],
    why: 'runtime is the ground (client, informers, queue, leader election): it knows no floor above api',
  },
  reconcile: { above: ['cli'], why: 'reconcile is cluster I/O: only the composition root imports it' },
  cli: {
    above: ['reconcile', 'metrics-api'],
    why: 'cli is the kubectl plugin, a program of its own beside main.ts: it reads the vocabulary and the pure decisions, never the controller',
  },
};
const folderImport = (folders) => [...folders.map((f) => `^\\.\\./${f}/`), '^\\.\\./(?:main|manager)\\.js$'].join('|');
const restrictImports = (patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });
// Clients of the cluster, Kafka, the network and the metrics registry: what a pure builder never loads.
const IO_PACKAGES = '^(?:kafkajs|@kubernetes/client-node|prom-client|pg|ioredis|node:(?:http|https|net))(?:/|$)';
const operatorFloors = Object.entries(OPERATOR_FLOORS).flatMap(([folder, { above, typesOnly = [], io = false, why }]) => {
  const wrongWay = { regex: io ? `${folderImport(above)}|${IO_PACKAGES}` : folderImport(above), message: `wrong-way import: ${why}.` };
  if (typesOnly.length === 0) return [{ files: [`operator/src/${folder}/**/*.ts`], rules: restrictImports([wrongWay]) }];
  const typeOnly = { regex: `^\\.\\./(?:${typesOnly.join('|')})/`, allowTypeImports: true, message: `wrong-way import: ${why}.` };
  return [
    { files: [`operator/src/${folder}/**/*.ts`], ignores: ['**/*.test.ts'], rules: restrictImports([wrongWay, typeOnly]) },
    // A unit test wires its unit with real runtime pieces (a logger, a fake client's types).
    { files: [`operator/src/${folder}/**/*.test.ts`], rules: restrictImports([wrongWay]) },
  ];
});

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
    // Workloads' layers (docs/development.md, "Layers"): a service's domain imports no framework, driver or
    // data-access module — only its own ports — and of the shared library only the framework-free
    // modules (the barrel index.js loads express, pg, kafkajs and ioredis).
    files: ['workloads/*/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'express',
                'express/**',
                'pg',
                'pg/**',
                'ioredis',
                'ioredis/**',
                'kafkajs',
                'kafkajs/**',
                'pino',
                'pino/**',
                'prom-client',
                'prom-client/**',
              ],
              message: 'a domain imports no framework or driver: declare a port in domain/ports.ts and implement it in data-access.',
            },
            {
              group: ['**/data-access/**', '**/entry-points/**'],
              message:
                'a domain imports no data-access or entry-points module: data-access implements the ports in domain/ports.ts, entry-points call the domain.',
            },
            {
              group: ['**/shared/*', '!**/shared/events.js', '!**/shared/paging.js', '!**/shared/redact.js', '!**/shared/roles.js'],
              message:
                'a domain imports only the framework-free shared modules (events.js, paging.js, redact.js, roles.js), never the barrel index.js.',
            },
          ],
        },
      ],
    },
  },
  {
    // Routes and consumers reach storage only through the domain's ports (main.ts hands them the stores).
    files: ['workloads/*/entry-points/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/data-access/**'], message: "entry-points take the domain's ports (domain/ports.ts), not a data-access module." },
          ],
        },
      ],
    },
  },
  {
    // Data-access implements the domain's ports; it knows nothing of HTTP routes or consumers.
    files: ['workloads/*/data-access/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/entry-points/**'], message: "data-access implements the domain's ports and imports no entry-points module." },
          ],
        },
      ],
    },
  },
  ...operatorFloors,
  {
    files: ['*.js', 'test/support/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
