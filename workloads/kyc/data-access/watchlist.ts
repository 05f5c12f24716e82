// The sanctions/PEP list shipped as data (data/sanctions.json, a labelled fictional sample) or a file
// named by KYC_WATCHLIST_PATH; validated on load so a broken list stops the service at start-up.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { WatchlistEntry } from '../domain/screening/screening.js';

const entrySchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['sanction', 'pep']),
  source: z.string().min(1),
  type: z.enum(['individual', 'entity']),
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  dateOfBirth: z
    .string()
    .regex(/^\d{4}(-\d{2}-\d{2})?$/)
    .optional(),
  programme: z.string().default(''),
});
const listSchema = z.object({ notice: z.string().optional(), version: z.string(), entries: z.array(entrySchema).min(1) });

export interface Watchlist {
  readonly version: string;
  readonly entries: readonly WatchlistEntry[];
}

/** Where the shipped list is: beside the sources, or (compiled) under dist with the same layout. */
export function defaultWatchlistPath(): string {
  const candidates = [
    fileURLToPath(new URL('../data/sanctions.json', import.meta.url)),
    resolve(process.cwd(), 'workloads/kyc/data/sanctions.json'),
  ];
  return candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);
}

export function loadWatchlist(path: string = defaultWatchlistPath()): Watchlist {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new Error(`cannot read the watchlist ${path}`, { cause });
  }
  const parsed = listSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`the watchlist ${path} is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const entries: WatchlistEntry[] = parsed.data.entries;
  return { version: parsed.data.version, entries };
}
