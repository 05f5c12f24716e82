import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { renderServiceAccount } from './serviceaccount.js';

describe('renderServiceAccount', () => {
  it('mounts no token: the services never call the Kubernetes API', () => {
    const sa = renderServiceAccount(platform(), 'kyc');
    expect(sa.metadata.name).toBe('acme-kyc');
    expect(sa.automountServiceAccountToken).toBe(false);
  });
});
