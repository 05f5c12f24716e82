// Connection settings for suites that talk to the local cluster and dependencies.
// `make integration` (through hack/with-env.sh) exports them; a missing one fails loudly.
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite through 'make integration' or 'hack/with-env.sh'`);
  }
  return value;
}

/** A short random suffix so that concurrent runs never share a namespace, table, topic or key. */
export function uniqueSuffix(): string {
  return Math.random().toString(36).slice(2, 8);
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes; returns the value. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
