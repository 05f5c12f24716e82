// The one entry point of the workloads image: `node dist/workloads/main.js <component>`.
// Each component lives in workloads/<component>/main.ts and exports `main(): Promise<void>`.
const COMPONENTS = ['gateway', 'kyc', 'auth', 'notification', 'analytics'] as const;
type Component = (typeof COMPONENTS)[number];

interface ComponentModule {
  main: () => Promise<void>;
}

function fail(message: string): never {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), msg: message })}\n`);
  process.exit(2);
}

async function run(): Promise<void> {
  const requested = process.argv[2] ?? process.env.KYC_COMPONENT;
  if (!requested || !(COMPONENTS as readonly string[]).includes(requested)) {
    fail(`usage: main.js <${COMPONENTS.join('|')}> (got ${JSON.stringify(requested ?? null)})`);
  }
  const component = requested as Component;
  process.env.KYC_COMPONENT ??= component;
  // A variable specifier keeps each component's code (and its dependencies) out of the others' start-up.
  const specifier = `./${component}/main.js`;
  const module = (await import(specifier)) as ComponentModule;
  await module.main();
}

run().catch((error: unknown) => {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  fail(`start-up failed: ${detail}`);
});
