import { describe, expect, it } from '@jest/globals';
import { formatAffinity, parseAffinity, readCookie } from './affinity.js';

describe('sticky cookie', () => {
  it('reads one cookie among many', () => {
    expect(readCookie('a=1; kyc_affinity=kyc.abc~auth.def; b=2', 'kyc_affinity')).toBe('kyc.abc~auth.def');
    expect(readCookie(undefined, 'x')).toBeUndefined();
  });

  it('round-trips and ignores garbage', () => {
    const map = parseAffinity('kyc.abc~auth.def~<script>~x.y.z');
    expect([...map]).toEqual([
      ['kyc', 'abc'],
      ['auth', 'def'],
    ]);
    expect(formatAffinity(map)).toBe('kyc.abc~auth.def');
  });
});
