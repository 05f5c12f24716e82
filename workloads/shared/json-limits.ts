// Limits on a JSON request body that are checked on its raw bytes, before JSON.parse. V8's JSON.parse
// itself is iterative, but everything that walks the parsed value afterwards (JSON.stringify, the
// Idempotency-Key fingerprint, zod, loggers) recurses once per level: a 1 MB body of `[[[[…` parses
// fine and then overflows the stack in the first such walk, which was a 500. Measuring the nesting
// here, in one loop over the bytes, keeps every later walk shallow whatever the body looks like.
import { ProblemError } from './problem.js';

/** Deepest nesting of arrays and objects a service accepts (its own bodies need 3 or 4). */
export const DEFAULT_JSON_MAX_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_SQUARE = 0x5b;
const OPEN_CURLY = 0x7b;
const CLOSE_SQUARE = 0x5d;
const CLOSE_CURLY = 0x7d;

/**
 * The byte offset at which the nesting of `bytes` (UTF-8 JSON text) first goes deeper than
 * `maxDepth`, or -1 if it never does. Brackets inside strings do not count. In UTF-8 every byte of a
 * multi-byte character is >= 0x80, so looking at ASCII bytes alone is exact. Malformed text is left
 * to JSON.parse to refuse; this only measures.
 */
export function jsonDepthExceededAt(bytes: Uint8Array, maxDepth: number): number {
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      // Jump to the closing quote (one not escaped by an odd run of backslashes) with indexOf, which
      // is native: a 2 MiB base64 document is one string, and a byte loop over it cost ~10 ms a request.
      let end = i;
      for (;;) {
        end = bytes.indexOf(QUOTE, end + 1);
        if (end < 0) return -1;
        let backslashes = 0;
        while (bytes[end - 1 - backslashes] === BACKSLASH) backslashes++;
        if (backslashes % 2 === 0) break;
      }
      i = end;
    } else if (byte === OPEN_SQUARE || byte === OPEN_CURLY) {
      depth++;
      if (depth > maxDepth) return i;
    } else if (byte === CLOSE_SQUARE || byte === CLOSE_CURLY) {
      depth--;
    }
  }
  return -1;
}

/** The 400 a body nested deeper than `maxDepth` gets. */
export function jsonTooDeep(maxDepth: number): ProblemError {
  return new ProblemError(400, `the request body nests arrays and objects deeper than ${maxDepth} levels; send a flatter document`, {
    type: 'https://kyc.dev/problems/json-too-deep',
    title: 'JSON nested too deeply',
    field: 'body',
  });
}

/**
 * A body-parser `verify` hook: refuses JSON that is not UTF-8 (RFC 8259 §8.1; the byte scan above is
 * exact only for UTF-8) with 415, and JSON nested deeper than `maxDepth` with 400. body-parser keeps a
 * thrown error's own status.
 */
export function verifyJsonBody(maxDepth: number): (req: unknown, res: unknown, buf: Buffer, encoding: string | null) => void {
  return (_req, _res, buf, encoding) => {
    if (encoding !== null && encoding.toLowerCase() !== 'utf-8' && encoding.toLowerCase() !== 'utf8') {
      throw new ProblemError(415, 'JSON bodies must be UTF-8', { field: 'Content-Type' });
    }
    if (jsonDepthExceededAt(buf, maxDepth) >= 0) throw jsonTooDeep(maxDepth);
  };
}
