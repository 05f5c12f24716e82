// What a backup holds, written beside the encrypted object as manifest.json (docs/backup.md, "Format").
// A copy of everything but `object` travels inside the envelope as its last frame, so the restore checks
// the plain manifest against an authenticated one.
import { z } from 'zod';

export const MANIFEST_FORMAT = 'kyc-backup/1';

const table = z.object({
  schema: z.string(),
  table: z.string(),
  columns: z.array(z.string()),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const contents = z.object({
  format: z.literal(MANIFEST_FORMAT),
  id: z.string(),
  createdAt: z.string(),
  platform: z.string().optional(),
  imageVersion: z.string().optional(),
  postgresVersion: z.string(),
  encryption: z.object({ algorithm: z.literal('AES-256-GCM'), keyId: z.string() }),
  schemas: z.array(z.object({ schema: z.string(), migrations: z.array(z.number().int()) })),
  tables: z.array(table),
  sequences: z.array(z.object({ schema: z.string(), name: z.string(), value: z.string().nullable() })),
});

export const manifestSchema = contents.extend({
  object: z.object({ key: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
});

export type TableEntry = z.infer<typeof table>;
export type ManifestContents = z.infer<typeof contents>;
export type Manifest = z.infer<typeof manifestSchema>;

export function parseManifest(text: string, where: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not JSON`, { cause: error });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${where} is not a ${MANIFEST_FORMAT} manifest: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

/** The manifest's contents in a stable form (the authenticated copy is compared with it byte for byte). */
export function contentsOf(manifest: ManifestContents | Manifest): string {
  const { object: _object, ...rest } = manifest as Manifest;
  return JSON.stringify(contents.parse(rest));
}
