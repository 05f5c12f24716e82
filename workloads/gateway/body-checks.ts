// What the gateway checks in a request body before it forwards it — pure, no I/O. The size is
// bounded by the body reader (GATEWAY_BODY_LIMIT → 413); the nesting of a JSON body is measured here
// with the shared byte scanner (one loop, no recursion), so a body that would overflow a stack in an
// upstream (a 500, and a burst of them opened the circuit breaker for everyone) is refused at the
// edge with a 400 and never reaches an upstream or its breaker.
import { jsonDepthExceededAt } from '../shared/index.js';

/** `application/json` and every `application/<x>+json` (problem+json, merge-patch+json, …). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const essence = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return essence === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(essence);
}

/** Whether `body` is JSON (by its declared type) nested deeper than `maxDepth`. */
export function isJsonTooDeep(contentType: string | undefined, body: Uint8Array, maxDepth: number): boolean {
  return isJsonMediaType(contentType) && jsonDepthExceededAt(body, maxDepth) >= 0;
}
