import { describe, expect, it } from '@jest/globals';
import { ApiError, causedByConflict, isConflict, isGone, isNotFound, resourcePath } from './kube.js';

describe('resourcePath', () => {
  const deployments = { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true };
  const namespaces = { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };

  it('builds core and group paths, collections and objects', () => {
    expect(resourcePath(deployments, 'team')).toBe('/apis/apps/v1/namespaces/team/deployments');
    expect(resourcePath(deployments, '')).toBe('/apis/apps/v1/deployments');
    expect(resourcePath(deployments, 'team', 'web')).toBe('/apis/apps/v1/namespaces/team/deployments/web');
    expect(resourcePath(namespaces, 'ignored', 'team')).toBe('/api/v1/namespaces/team');
  });

  it('addresses a subresource of one object', () => {
    const platforms = { apiVersion: 'kyc.dev/v1alpha1', kind: 'KycPlatform', plural: 'kycplatforms', namespaced: true };
    expect(resourcePath(platforms, 'team', 'acme', 'status')).toBe('/apis/kyc.dev/v1alpha1/namespaces/team/kycplatforms/acme/status');
  });
});

describe('ApiError helpers', () => {
  it('classify answers by status', () => {
    expect(isNotFound(new ApiError('x', 404))).toBe(true);
    expect(isConflict(new ApiError('x', 409))).toBe(true);
    expect(isGone(new ApiError('x', 410))).toBe(true);
    expect(isNotFound(new Error('x'))).toBe(false);
  });

  it('finds a 409 behind the context an error was wrapped in, and nothing else', () => {
    const conflict = new ApiError('update kycplatforms/acme: 409 the object has been modified', 409, 'Conflict');
    expect(causedByConflict(new Error('apply Deployment kyc-gateway', { cause: conflict }))).toBe(true);
    expect(causedByConflict(conflict)).toBe(true);
    expect(causedByConflict(new Error('apply Deployment kyc-gateway', { cause: new ApiError('x', 422) }))).toBe(false);
    expect(causedByConflict('409')).toBe(false);
  });
});
