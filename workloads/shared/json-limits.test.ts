import { describe, expect, it } from '@jest/globals';
import type { ProblemError } from './problem.js';
import { jsonDepthExceededAt, verifyJsonBody } from './json-limits.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('jsonDepthExceededAt', () => {
  it('accepts nesting up to the limit and names the offset of the first level past it', () => {
    expect(jsonDepthExceededAt(bytes('{"a":[{"b":[]}]}'), 4)).toBe(-1);
    expect(jsonDepthExceededAt(bytes('{"a":[{"b":[]}]}'), 3)).toBe(11);
    expect(jsonDepthExceededAt(bytes('1'), 0)).toBe(-1);
    expect(jsonDepthExceededAt(bytes('[]'), 0)).toBe(0);
  });

  it('counts depth, not the number of brackets: siblings do not add up', () => {
    expect(jsonDepthExceededAt(bytes(`[${'[],'.repeat(10_000)}[]]`), 2)).toBe(-1);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceededAt(bytes(`{"a":"[[[[{{{{","b":"\\"[[[[","c":"\\\\"}`), 1)).toBe(-1);
    expect(jsonDepthExceededAt(bytes(`["\\\\",[[]]]`), 2)).toBe(7);
  });

  it('finds the end of a string past escaped quotes and runs of backslashes', () => {
    // ["a\\\"[[[[",[[]]] — three backslashes escape the quote, so the string ends at offset 11.
    expect(jsonDepthExceededAt(bytes(String.raw`["a\\\"[[[[",[[]]]`), 2)).toBe(14);
    expect(jsonDepthExceededAt(bytes(`{"a":"${'\\"'.repeat(1000)}[[["}`), 1)).toBe(-1);
    // An unterminated string hides nothing: JSON.parse refuses the body anyway.
    expect(jsonDepthExceededAt(bytes('["[[[[[['), 1)).toBe(-1);
  });

  it('scans a 2 MiB base64 document in well under a millisecond per MiB', () => {
    const doc = bytes(JSON.stringify({ type: 'passport', content: Buffer.alloc(2 << 20, 7).toString('base64') }));
    const started = process.hrtime.bigint();
    for (let i = 0; i < 10; i++) expect(jsonDepthExceededAt(doc, 32)).toBe(-1);
    expect(Number(process.hrtime.bigint() - started) / 10 / 1e6).toBeLessThan(5);
  });

  it('ignores multi-byte UTF-8 characters', () => {
    expect(jsonDepthExceededAt(bytes('{"name":"कव्या 孛 ☃","x":[]}'), 2)).toBe(-1);
  });

  it('when 1 MB of [ arrives, then it answers in one pass without recursion', () => {
    const body = Buffer.alloc(1 << 20, '[');
    const started = Date.now();
    expect(jsonDepthExceededAt(body, 32)).toBe(32);
    expect(jsonDepthExceededAt(body, 2_000_000)).toBe(-1);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('verifyJsonBody', () => {
  const verify = verifyJsonBody(32);
  const thrown = (buf: Buffer, encoding: string | null): ProblemError | undefined => {
    try {
      verify({}, {}, buf, encoding);
      return undefined;
    } catch (error) {
      return error as ProblemError;
    }
  };

  it('refuses a body nested too deep with 400 naming the body, and lets a normal one through', () => {
    const error = thrown(bytes(`${'['.repeat(33)}${']'.repeat(33)}`), 'utf-8');
    expect([error?.status, error?.field, error?.type]).toEqual([400, 'body', 'https://kyc.dev/problems/json-too-deep']);
    expect(thrown(bytes(`${'['.repeat(32)}${']'.repeat(32)}`), 'utf-8')).toBeUndefined();
  });

  it('refuses JSON in another charset than UTF-8 with 415', () => {
    expect(thrown(bytes('{}'), 'utf-16le')?.status).toBe(415);
    expect(thrown(bytes('{}'), 'UTF-8')).toBeUndefined();
  });
});
