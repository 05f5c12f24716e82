import { describe, expect, it } from '@jest/globals';
import { labelValue } from './meta.js';

describe('labelValue', () => {
  it('keeps a normal tag and makes a long or odd-ended tag a valid label value', () => {
    expect(labelValue('1.4.2')).toBe('1.4.2');
    expect(labelValue('_v1-')).toBe('v1');
    const long = labelValue('a'.repeat(100));
    expect(long).toHaveLength(63);
  });
});
