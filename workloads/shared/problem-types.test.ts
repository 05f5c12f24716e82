import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROBLEM_TYPES, problemTypePage, problemTypeUri } from './problem-types.js';
import { PROBLEM_BASE, ProblemError, toProblem } from './problem.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const uris = new Set(PROBLEM_TYPES.map(problemTypeUri));

/** The services' sources (tests left out): where a problem type can be chosen. */
function sources(dir = path.join(REPO, 'workloads')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [file] : [];
  });
}

describe('problem types', () => {
  it('each has its own slug, a page under docs/problems/ and an example', () => {
    expect(new Set(PROBLEM_TYPES.map((type) => type.slug)).size).toBe(PROBLEM_TYPES.length);
    for (const type of PROBLEM_TYPES) {
      expect(type.slug).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(readFileSync(path.join(REPO, problemTypePage(type)), 'utf8')).toContain(`\`${problemTypeUri(type)}\``);
      expect(type.example.detail.length).toBeGreaterThan(0);
    }
  });

  it('every type URI written in the services is listed (and so documented)', () => {
    const written = new Set<string>();
    for (const file of sources()) {
      const text = readFileSync(file, 'utf8');
      for (const [, slug] of text.matchAll(/(?:\$\{PROBLEM_BASE\}|https:\/\/kyc\.dev\/problems\/)([a-z-]+)/g))
        written.add(`${PROBLEM_BASE}${slug}`);
    }
    expect(written.size).toBeGreaterThanOrEqual(8);
    expect([...written].filter((uri) => !uris.has(uri))).toEqual([]);
  });

  it('every title a problem is given without a type of its own names a listed type', () => {
    const titled: string[] = [];
    for (const file of sources()) {
      if (file.endsWith(path.join('gateway', 'openapi.ts')) || file.endsWith('problem-types.ts')) continue;
      for (const [, title] of readFileSync(file, 'utf8').matchAll(/title: '([^']+)'/g)) titled.push(title ?? '');
    }
    expect(titled.length).toBeGreaterThan(3);
    for (const title of titled) {
      const type = new ProblemError(400, 'x', { title }).type;
      const listed = uris.has(type) || PROBLEM_TYPES.some((t) => t.title === title);
      expect([title, listed]).toEqual([title, true]);
    }
  });

  it('the type a status gets by default is listed for every status the services answer', () => {
    const constructed = new Set<number>();
    for (const file of sources())
      for (const [, status] of readFileSync(file, 'utf8').matchAll(/new ProblemError\(\s*(\d{3})/g)) constructed.add(Number(status));
    expect(constructed).toContain(502);
    for (const status of new Set([...constructed, 400, 401, 403, 404, 409, 413, 422, 429, 503])) {
      expect([status, uris.has(new ProblemError(status, 'x').type)]).toEqual([status, true]);
    }
    expect(uris.has(toProblem(new Error('boom')).type)).toBe(true);
  });

  it('a client tells the two 409s of a write apart: a state that forbids it, an Idempotency-Key still running', () => {
    expect(uris).toContain(`${PROBLEM_BASE}invalid-state-transition`);
    expect(uris).toContain(`${PROBLEM_BASE}idempotency-key-in-progress`);
    const conflicts = PROBLEM_TYPES.filter((type) => type.status === 409).map((type) => type.slug);
    expect(conflicts).toEqual(
      expect.arrayContaining(['invalid-state-transition', 'idempotency-key-in-progress', 'limit-reached', 'conflict']),
    );
  });
});
