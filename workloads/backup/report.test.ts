import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportMessage, writeTerminationReport } from './report.js';

const report = {
  id: '2026-12-05T02-30-00-123Z',
  bucket: 'kyc-backups',
  key: 'acme/2026-12-05T02-30-00-123Z/data.kycbak',
  bytes: 69_600_000,
  tables: 21,
  rows: 173_927,
};

describe('the backup report in the termination message', () => {
  it('when a backup finished, then the message is one JSON object under "backup" with its key and size, far below 4 KiB', () => {
    const message = reportMessage({ ...report, extra: 'not reported' } as typeof report);
    expect(JSON.parse(message)).toEqual({ backup: report });
    expect(Buffer.byteLength(message)).toBeLessThan(4096);
  });

  it('when the kubelet mounted the file, then it is written; when there is none (a developer machine), then nothing is created', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kyc-report-'));
    try {
      const mounted = join(dir, 'termination-log');
      await writeFile(mounted, '');
      expect(writeTerminationReport(report, mounted)).toBe(true);
      expect(JSON.parse(await readFile(mounted, 'utf8'))).toEqual({ backup: report });
      const absent = join(dir, 'absent');
      expect(writeTerminationReport(report, absent)).toBe(false);
      await expect(readFile(absent)).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
