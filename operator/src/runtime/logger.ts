// JSON logs (pino) for the operator. Logs name objects by namespace/name and never carry Secret data,
// environment values or request bodies: redaction below is a safety net, not the main defence.
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { component: 'kyc-operator' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['*.token', '*.password', '*.data', '*.stringData', '*.env', 'headers.authorization'], censor: '[redacted]' },
    },
    destination ?? process.stdout,
  );
}

/** An error and up to three of its causes, as one line for a log field. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 4) {
    parts.push(current.message);
    current = current.cause;
  }
  return parts.join(': ');
}
