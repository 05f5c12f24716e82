// Which backups retention removes (docs/backup.md, "Retention"): beyond the newest `keep` complete ones,
// and any older than `maxAgeSeconds`, except that the newest complete backup is never removed. A folder
// without a manifest is an unfinished backup (its job failed); it goes once a newer complete one exists.
import type { StoredObject } from './store.js';

export interface RetentionPolicy {
  keep: number;
  maxAgeSeconds?: number | undefined;
}

export interface BackupFolder {
  id: string;
  complete: boolean;
  lastModified: Date;
  keys: string[];
}

export function foldersOf(objects: readonly StoredObject[], idOf: (key: string) => string, manifestName: string): BackupFolder[] {
  const folders = new Map<string, BackupFolder>();
  for (const object of objects) {
    const id = idOf(object.key);
    if (!id) continue;
    const folder = folders.get(id) ?? { id, complete: false, lastModified: object.lastModified, keys: [] };
    folder.keys.push(object.key);
    if (object.key.endsWith(`/${manifestName}`)) folder.complete = true;
    if (object.lastModified > folder.lastModified) folder.lastModified = object.lastModified;
    folders.set(id, folder);
  }
  // Ids are UTC timestamps (main.ts), so their order is their age.
  return [...folders.values()].sort((a, b) => b.id.localeCompare(a.id));
}

export function expired(folders: readonly BackupFolder[], policy: RetentionPolicy, now: Date): BackupFolder[] {
  const complete = folders.filter((folder) => folder.complete);
  const newest = complete[0];
  return folders.filter((folder) => {
    if (folder === newest) return false;
    if (!folder.complete) return newest !== undefined && newest.id > folder.id;
    const tooOld = policy.maxAgeSeconds !== undefined && now.getTime() - folder.lastModified.getTime() > policy.maxAgeSeconds * 1000;
    return complete.indexOf(folder) >= policy.keep || tooOld;
  });
}
