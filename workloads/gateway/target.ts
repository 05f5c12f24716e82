// The request target a client may send to the gateway — pure, no I/O. Only origin-form targets
// (RFC 9112 §3.2.1) whose path is already normalised pass. Everything else is refused before routing,
// because routing and forwarding must see the same path the upstream will see: an absolute-form
// target (`http://evil:1234/api/v1/...`) once chose the host to connect to, and a dot-segment
// (`/api/v1/applications/../../../metrics`, also `%2e%2e`) was routed by its `/api/v1/applications`
// prefix and then normalised by `new URL` into an internal path of the upstream. Rather than
// normalising (and guessing what every later parser will make of the result), the gateway refuses
// any target a normaliser would change: no dot-segments, no empty segments, no backslashes, no
// percent-encoded `.` `/` `\` or control characters, no malformed escapes.

export type TargetVerdict = { ok: true; path: string; query: string } | { ok: false; reason: string };

const ASCII_VISIBLE = /^[\x21-\x7e]*$/;
/** Percent escapes that decode to something a path normaliser acts on, or to a control character. */
const DANGEROUS_ESCAPE = /%(?:2e|2f|5c|[01][0-9a-f]|7f)/i;
const MALFORMED_ESCAPE = /%(?![0-9a-f]{2})/i;
/** Longest target accepted; ids and query strings of this API are far shorter. */
export const MAX_TARGET_LENGTH = 2048;

function refuse(reason: string): TargetVerdict {
  return { ok: false, reason };
}

/** Names the form of a target that is not origin-form, for the problem detail. */
function describeForm(target: string): string {
  if (target === '*') return 'an asterisk-form request target (*) is not accepted';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target))
    return 'an absolute-form request target (scheme://host/...) is not accepted: send the path only';
  if (/^[^/?#]+:\d*$/.test(target)) return 'an authority-form request target (host:port) is not accepted';
  return 'the request target must be a path starting with /';
}

/**
 * Accepts `target` (the raw request-target of the request line) when it is an origin-form target
 * whose path is already normalised; otherwise says what is wrong with it.
 */
export function checkRequestTarget(target: string | undefined): TargetVerdict {
  if (target === undefined || target.length === 0) return refuse('the request target is empty');
  if (target.length > MAX_TARGET_LENGTH) return refuse(`the request target is longer than ${MAX_TARGET_LENGTH} characters`);
  if (!target.startsWith('/')) return refuse(describeForm(target));
  if (!ASCII_VISIBLE.test(target)) return refuse('the request target contains a control character, a space or a non-ASCII character');
  if (target.includes('#')) return refuse('the request target contains a fragment (#)');
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = queryAt === -1 ? '' : target.slice(queryAt + 1);
  if (path.includes('\\')) return refuse('the path contains a backslash');
  if (MALFORMED_ESCAPE.test(target)) return refuse('the request target contains a malformed percent escape');
  if (DANGEROUS_ESCAPE.test(path)) return refuse('the path contains a percent-encoded dot, slash, backslash or control character');
  if (/%(?:[01][0-9a-f]|7f)/i.test(query)) return refuse('the query contains a percent-encoded control character');
  // Every segment after the leading slash: an empty one is a double slash (or a trailing slash, which
  // the routes of this API never use), `.` and `..` are dot-segments.
  const segments = path.slice(1).split('/');
  for (const [index, segment] of segments.entries()) {
    if (segment === '.' || segment === '..') return refuse('the path contains a dot-segment (. or ..)');
    if (segment === '' && !(path === '/' && index === 0))
      return refuse(index === segments.length - 1 ? 'the path ends with a slash' : 'the path contains an empty segment (//)');
  }
  return { ok: true, path, query };
}
