// Runs `kubectl kyc` in-process with its output captured: the unit tests (a fake cluster) and the
// integration suite (the real API server) read what a user would see, and the exit code.
import { run, type Connect, type Terminal } from '../run.js';
import { NOW } from './platforms.js';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** `extra` replaces parts of the terminal (clock: NOW unless given; stdout is not a TTY, so no colour). */
export async function runCaptured(argv: readonly string[], connect: Connect, extra: Partial<Terminal> = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const terminal: Terminal = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    now: () => NOW,
    ...extra,
  };
  const code = await run(argv, terminal, connect);
  return { code, stdout, stderr };
}
