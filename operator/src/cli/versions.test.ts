import { describe, expect, it } from '@jest/globals';
import { painter } from './paint.js';
import { formatVersions, imageTag } from './versions.js';

describe('imageTag', () => {
  it.each([
    ['kyc-operator/operator:0.1.0-8b347ccc80', '0.1.0-8b347ccc80'],
    ['registry.local:5000/kyc/operator:1.2.3', '1.2.3'],
    ['registry.local:5000/kyc/operator', undefined],
    ['kyc/operator:1.2.3@sha256:abc', '1.2.3'],
    ['kyc/operator@sha256:abc', undefined],
    [undefined, undefined],
  ])('%s → %s', (image, tag) => {
    expect(imageTag(image)).toBe(tag);
  });
});

describe('formatVersions', () => {
  it("prints the plugin's version and each operator Deployment's", () => {
    expect(
      formatVersions(
        {
          plugin: '0.1.0',
          operators: [
            {
              namespace: 'kyc-system',
              name: 'kyc-operator',
              version: '0.1.0-8b3',
              image: 'kyc-operator/operator:0.1.0-8b3',
              ready: 2,
              desired: 2,
            },
          ],
        },
        painter(false),
      ),
    ).toBe('kubectl-kyc 0.1.0\noperator: 0.1.0-8b3 (kyc-system/kyc-operator, image kyc-operator/operator:0.1.0-8b3, 2/2 ready)\n');
  });

  it('says when no operator Deployment is visible', () => {
    expect(formatVersions({ plugin: '0.1.0', operators: [] }, painter(false))).toContain('operator: not found');
  });
});
