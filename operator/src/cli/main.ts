// `kubectl kyc` (docs/kubectl-plugin.md): the process around run.ts — argv, the terminal, Ctrl-C ending
// `status --watch`, and the exit code. operator/bin/kubectl-kyc runs the compiled file.
import { connect } from './cluster.js';
import { run } from './run.js';

const interrupted = new AbortController();
process.once('SIGINT', () => interrupted.abort());
process.exitCode = await run(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env, now: () => new Date(), signal: interrupted.signal },
  connect,
);
