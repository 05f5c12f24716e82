import { describe, expect, it } from '@jest/globals';
import { colorName, duration, painter, relative } from './paint.js';

describe('duration', () => {
  it.each([
    [0, '0s'],
    [44_400, '44s'],
    [89_000, '1m29s'],
    [3_599_000, '59m59s'],
    [3_840_000, '1h04m'],
    [90_061_000, '1d1h'],
    [-5000, '0s'],
  ])('%d ms is %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});

describe('relative', () => {
  const now = new Date('2026-12-05T16:30:41Z');
  it('says ago for the past and in for the future, nothing for a missing or unreadable time', () => {
    expect(relative('2026-12-05T16:29:12Z', now)).toBe('1m29s ago');
    expect(relative('2026-12-05T16:31:05Z', now)).toBe('in 24s');
    expect(relative(undefined, now)).toBeUndefined();
    expect(relative('soon', now)).toBeUndefined();
  });
});

describe('painter', () => {
  it('wraps in ANSI codes only when enabled; blue and green are painted in their colour', () => {
    expect(painter(true)('bad', 'x')).toBe('\x1b[31mx\x1b[0m');
    expect(painter(false)('bad', 'x')).toBe('x');
    expect(colorName(painter(true), 'blue')).toBe('\x1b[34mblue\x1b[0m');
    expect(colorName(painter(true), 'legacy')).toBe('legacy');
  });
});
