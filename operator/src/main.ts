// kyc-operator entry point: `node dist/operator/src/main.js [--flag=value ...]` (flags and
// environment variables are listed in operator/src/runtime/config.ts and docs/operator.md). It reads
// the configuration and hands it to the composition root, manager.ts.
import { runManager } from './manager.js';
import { loadConfig, type OperatorConfig } from './runtime/config.js';

let config: OperatorConfig;
try {
  config = loadConfig(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`kyc-operator: ${(error as Error).message}\n`);
  process.exit(2);
}
runManager(config).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kyc-operator: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
