import { describe, expect, it } from '@jest/globals';
import { clientAddress } from './routes.js';

describe('clientAddress', () => {
  it('takes the first forwarded address when it looks like an IP', () => {
    expect(clientAddress('10.1.2.3, 10.0.0.1', '127.0.0.1')).toBe('10.1.2.3');
    expect(clientAddress('::1', undefined)).toBe('::1');
  });

  it('falls back to the socket for garbage', () => {
    expect(clientAddress('<script>', '127.0.0.1')).toBe('127.0.0.1');
    expect(clientAddress(undefined, undefined)).toBe('unknown');
  });
});
