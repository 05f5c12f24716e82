// kyc-operator entry point: `node dist/operator/src/main.js [--flag=value ...]` (flags and
// environment variables are listed in operator/src/runtime/config.ts and docs/operator.md).
import { loadConfig } from './runtime/config.js';
import { createLogger } from './runtime/logger.js';
import { startOperator } from './reconcile/operator.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`kyc-operator: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const operator = await startOperator(config, { logger, processMetrics: true });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // A second signal, or a stop that hangs, ends the process anyway.
    setTimeout(() => process.exit(1), 30_000).unref();
    operator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: (error as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`kyc-operator: ${(error as Error).message}\n`);
  process.exit(1);
});
