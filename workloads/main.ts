// The one entry point of the workloads image: `node dist/workloads/main.js <component>`, or
// `node dist/workloads/main.js migrate <component>` for the migration step (workloads/migrate.ts).
// Each component lives in workloads/<component>/main.ts and exports `main(): Promise<void>`.
import { writeFileSync } from 'node:fs';
const COMPONENTS = ['gateway', 'kyc', 'auth', 'notification', 'analytics', 'frontend'] as const;
type Component = (typeof COMPONENTS)[number];

interface ComponentModule {
  main: () => Promise<void>;
}

/** Kubernetes' default terminationMessagePath: the pod's status then says why it stopped (`lastState.terminated.message`). */
const TERMINATION_LOG = '/dev/termination-log';

function fail(message: string): never {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), msg: message })}\n`);
  // E.g. a migration refused as a contract step (docs/releases.md, "Schema changes: expand/contract"): the
  // reason shows on the preview pod, not only in its log.
  try {
    // r+: only into the file the kubelet mounted, never creating one on a developer's machine.
    writeFileSync(TERMINATION_LOG, message.slice(0, 4000), { flag: 'r+' });
  } catch {
    // not in a pod
  }
  process.exit(2);
}

async function run(): Promise<void> {
  if (process.argv[2] === 'migrate') {
    const { migrateComponent } = await import('./migrate.js');
    await migrateComponent(process.argv[3] ?? process.env.KYC_COMPONENT ?? '');
    return;
  }
  // `main.js backup [run|list|restore <id|latest>]`: the backup CronJob and the restore (docs/backup.md).
  if (process.argv[2] === 'backup') {
    const { main } = await import('./backup/main.js');
    await main(process.argv.slice(3));
    // A command, not a server: done when its work is (an SDK's idle keep-alive socket must not hold the Job open).
    process.exit(0);
  }
  const requested = process.argv[2] ?? process.env.KYC_COMPONENT;
  if (!requested || !(COMPONENTS as readonly string[]).includes(requested)) {
    fail(`usage: main.js <${COMPONENTS.join('|')}> (got ${JSON.stringify(requested ?? null)})`);
  }
  const component = requested as Component;
  process.env.KYC_COMPONENT ??= component;
  // Traces, when an OTLP endpoint is set, from before the component's first request (docs/observability.md, "Traces").
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    const { startTracing, tracingConfigFromEnv } = await import('./shared/tracing.js');
    const config = tracingConfigFromEnv(process.env, component);
    if (config) startTracing(config, { platform: process.env.KYC_PLATFORM, version: process.env.KYC_VERSION });
  }
  // A variable specifier keeps each component's code (and its dependencies) out of the others' start-up.
  const specifier = `./${component}/main.js`;
  const module = (await import(specifier)) as ComponentModule;
  await module.main();
}

run().catch((error: unknown) => {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  fail(`start-up failed: ${detail}`);
});
