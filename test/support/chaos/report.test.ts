import { describe, expect, it } from '@jest/globals';
import { machineLine, markdownTable } from './report.js';
import type { FaultFigures } from './report.js';

const postgres: FaultFigures = {
  fault: 'PostgreSQL killed 20 s',
  faultSeconds: 20.4,
  total: { requests: 500, ok: 430, failures: { 'HTTP 503': 65, 'HTTP 500': 5 }, violations: { 'HTTP 500': 5 }, maxLatencyMs: 3120 },
  during: { requests: 90, ok: 20, failures: { 'HTTP 503': 65, 'HTTP 500': 5 }, violations: { 'HTTP 500': 5 }, maxLatencyMs: 3120 },
  recoverySeconds: 7.25,
  writesBackSeconds: 1.5,
  accepted: { applications: 140, cancellations: 139 },
  lost: 0,
  notDeliveredOnce: 0,
  said: ['Degraded/DependencyDown'],
  problems: ['5 requests answered 500'],
};

describe('markdownTable', () => {
  it('when faults were measured, then each is a row with its figures, failures by code in order and the machine on top', () => {
    const apiserver: FaultFigures = {
      ...postgres,
      fault: 'kube-apiserver killed 20 s',
      total: { ...postgres.total, violations: {} },
      during: { ...postgres.during, failures: {} },
      recoverySeconds: null,
    };
    const table = markdownTable({ date: '2026-12-05', machine: '4 × CPU', faults: [postgres, apiserver] }).split('\n');
    expect(table[0]).toBe('Machine: 4 × CPU. Date: 2026-12-05.');
    expect(table[4]).toBe('| PostgreSQL killed 20 s | 500 (90) | 5× 500, 65× 503 | 5× 500 | 3.12 s | 1.5 s | 7.3 s | 140 / 139 | 0 / 0 |');
    expect(table[5]).toContain('| kube-apiserver killed 20 s | 500 (90) | — | — |');
    expect(table[5]).toContain('| not within the bound |');
  });
});

describe('machineLine', () => {
  it('names the CPUs, the memory and the kernel', () => {
    expect(machineLine()).toMatch(/^\d+ × .+, \d+ GiB, \w+ .+$/);
  });
});
