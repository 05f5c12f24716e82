import { describe, expect, it } from '@jest/globals';
import { expired, foldersOf } from './retention.js';
import type { StoredObject } from './store.js';

const DAY = 86_400_000;
const now = new Date('2026-12-05T12:00:00Z');
const idOf = (key: string): string => key.split('/')[1] ?? '';

/** A backup folder under prefix "p" made `daysAgo` days before now, with or without its manifest. */
function backup(daysAgo: number, complete = true): StoredObject[] {
  const at = new Date(now.getTime() - daysAgo * DAY);
  const id = at.toISOString().replace(/[:.]/g, '-');
  const objects = [{ key: `p/${id}/data.kycbak`, bytes: 10, lastModified: at }];
  if (complete) objects.push({ key: `p/${id}/manifest.json`, bytes: 1, lastModified: at });
  return objects;
}

const ages = (objects: StoredObject[][], keep: number, maxAgeDays?: number): number[] => {
  const folders = foldersOf(objects.flat(), idOf, 'manifest.json');
  const gone = expired(folders, { keep, maxAgeSeconds: maxAgeDays && maxAgeDays * 86_400 }, now);
  return gone.map((folder) => Math.round((now.getTime() - folder.lastModified.getTime()) / DAY));
};

describe('backup retention', () => {
  it('when there are more complete backups than the count, then the oldest go', () => {
    expect(ages([backup(0), backup(1), backup(2), backup(3)], 2)).toEqual([2, 3]);
  });

  it('when backups are older than the age, then they go even within the count', () => {
    expect(ages([backup(0), backup(5), backup(10)], 7, 7)).toEqual([10]);
  });

  it('when even the newest is older than the age, then it stays: retention never leaves no backup', () => {
    expect(ages([backup(20), backup(30)], 7, 7)).toEqual([30]);
  });

  it('when a folder has no manifest, then it goes once a newer complete backup exists, and stays while it may be running', () => {
    expect(ages([backup(0), backup(1, false)], 7)).toEqual([1]);
    expect(ages([backup(0, false), backup(1)], 7)).toEqual([]);
  });
});
