import { describe, expect, it } from '@jest/globals';
import { ID_CURSOR, pageOf } from './paging.js';

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `id-${i}` }));

describe('pageOf', () => {
  it('when the store found no more than asked, then it is the last page: no next', () => {
    expect(pageOf(rows(2), 2)).toEqual({ items: rows(2) });
    expect(pageOf([], 5)).toEqual({ items: [] });
  });

  it('when the store found one row more, then the page stops at the limit and next is its last id', () => {
    expect(pageOf(rows(3), 2)).toEqual({ items: rows(2), next: 'id-1' });
  });
});

describe('ID_CURSOR', () => {
  it('takes a row id and nothing else', () => {
    expect(ID_CURSOR.test('0b6f3c9e-2f4d-4b7a-9a51-6c1f0e8d2a47')).toBe(true);
    expect(ID_CURSOR.test("0b6f3c9e-2f4d-4b7a-9a51-6c1f0e8d2a47' OR 1=1")).toBe(false);
    expect(ID_CURSOR.test('2026-12-05T10:00:00Z')).toBe(false);
  });
});
