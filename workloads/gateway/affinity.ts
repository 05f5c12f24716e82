// The sticky-session cookie: one cookie (LB_STICKY_COOKIE) holding `upstream.instanceId` pairs
// joined by `~`, e.g. `kyc.Xq3f9aB2cD~auth.Pp0LmN4aZx`.
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

export function parseAffinity(value: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of (value ?? '').split('~').slice(0, 8)) {
    const match = /^([a-z]{1,20})\.([A-Za-z0-9_-]{1,20})$/.exec(pair);
    if (match?.[1] && match[2]) map.set(match[1], match[2]);
  }
  return map;
}

export function formatAffinity(map: Map<string, string>): string {
  return [...map].map(([upstream, id]) => `${upstream}.${id}`).join('~');
}
