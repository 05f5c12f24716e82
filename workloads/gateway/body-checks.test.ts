import { describe, expect, it } from '@jest/globals';
import { isJsonMediaType, isJsonTooDeep } from './body-checks.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('isJsonMediaType', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    ['application/problem+json', true],
    ['application/merge-patch+json', true],
    ['text/plain', false],
    ['application/jsonx', false],
    ['application/x-www-form-urlencoded', false],
    [undefined, false],
  ])('%s → %s', (type, json) => {
    expect(isJsonMediaType(type)).toBe(json);
  });
});

describe('isJsonTooDeep', () => {
  it('refuses JSON nested deeper than the limit, whatever the JSON media type', () => {
    const deep = bytes(`${'['.repeat(33)}${']'.repeat(33)}`);
    expect(isJsonTooDeep('application/json', deep, 32)).toBe(true);
    expect(isJsonTooDeep('application/merge-patch+json; charset=utf-8', deep, 32)).toBe(true);
    expect(isJsonTooDeep('application/json', bytes(`${'['.repeat(32)}${']'.repeat(32)}`), 32)).toBe(false);
  });

  it('leaves bodies of other types to their upstream (no JSON parser walks them)', () => {
    expect(isJsonTooDeep('text/plain', bytes('['.repeat(100)), 32)).toBe(false);
    expect(isJsonTooDeep(undefined, bytes('['.repeat(100)), 32)).toBe(false);
  });

  it('answers a megabyte of [[[[ in one pass, without a stack overflow', () => {
    const started = performance.now();
    expect(isJsonTooDeep('application/json', Buffer.alloc(1024 * 1024, '['), 32)).toBe(true);
    expect(isJsonTooDeep('application/json', Buffer.concat([bytes('"'), Buffer.alloc(1024 * 1024, '['), bytes('"')]), 32)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
