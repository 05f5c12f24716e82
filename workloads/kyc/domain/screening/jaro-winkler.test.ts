import { describe, expect, it } from '@jest/globals';
import { jaro, jaroWinkler } from './jaro-winkler.js';

describe('Jaro', () => {
  it.each([
    ['MARTHA', 'MARHTA', 0.9444],
    ['DWAYNE', 'DUANE', 0.8222],
    ['DIXON', 'DICKSONX', 0.7667],
    ['CRATE', 'TRACE', 0.7333],
  ])('jaro(%s, %s) ≈ %d', (a, b, expected) => {
    expect(jaro(a, b)).toBeCloseTo(expected, 4);
  });

  it('is 1 for identical strings (including two empty ones) and 0 with nothing in common', () => {
    expect(jaro('ravi', 'ravi')).toBe(1);
    expect(jaro('', '')).toBe(1);
    expect(jaro('abc', '')).toBe(0);
    expect(jaro('abc', 'xyz')).toBe(0);
  });

  it('is symmetric', () => {
    for (const [a, b] of [
      ['kalonda', 'kalondo'],
      ['memon', 'memonwala'],
      ['qadiri', 'kadiri'],
    ] as const) {
      expect(jaro(a, b)).toBeCloseTo(jaro(b, a), 12);
    }
  });

  it('compares code points, not UTF-16 units', () => {
    expect(jaro('a😀b', 'a😀b')).toBe(1);
    expect(jaro('😀', '😁')).toBe(0);
  });
});

describe('Jaro-Winkler', () => {
  it.each([
    ['MARTHA', 'MARHTA', 0.9611],
    ['DWAYNE', 'DUANE', 0.84],
    ['DIXON', 'DICKSONX', 0.8133],
  ])('jaroWinkler(%s, %s) ≈ %d', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 4);
  });

  it('boosts at most 4 prefix characters', () => {
    const j = jaro('abcdefgh', 'abcdefxy');
    expect(jaroWinkler('abcdefgh', 'abcdefxy')).toBeCloseTo(j + 0.4 * (1 - j), 12);
  });

  it('gives no prefix boost to pairs whose Jaro score is 0.7 or less', () => {
    expect(jaroWinkler('khan', 'karim')).toBe(jaro('khan', 'karim'));
  });

  it('stays within 0..1', () => {
    for (const [a, b] of [
      ['', 'x'],
      ['aaaa', 'aaaa'],
      ['ab', 'ba'],
      ['abcd', 'abdc'],
    ] as const) {
      const score = jaroWinkler(a, b);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
  });
});
