// kyc-operator entry point: `node dist/operator/src/main.js [--flag=value ...]` (flags and
// environment variables are listed in operator/src/runtime/config.ts and docs/operator.md; `--help`
// prints them, `--version` the build's version). It reads the configuration and hands it to the
// composition root, manager.ts.
import { runManager } from './manager.js';
import { helpText, loadConfig, type OperatorConfig } from './runtime/config.js';
import { packageVersion } from './version.js';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(helpText('kyc-operator'));
  process.exit(0);
}
if (argv.includes('--version')) {
  process.stdout.write(`kyc-operator ${packageVersion()}\n`);
  process.exit(0);
}

let config: OperatorConfig;
try {
  config = loadConfig(argv, process.env);
} catch (error) {
  process.stderr.write(`kyc-operator: ${(error as Error).message} (--help lists the flags)\n`);
  process.exit(2);
}
runManager(config).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kyc-operator: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
