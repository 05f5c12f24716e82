import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { placeSchema, SourceConfigError, sourceConfig } from './source.js';

describe('sourceConfig', () => {
  const schema = placeSchema.extend({ topics: z.array(z.string().min(1)).optional() });

  it('returns the config when it passes the schema', () => {
    expect(sourceConfig('test', schema, { namespace: 'kyc-test', platform: 'acme', component: 'kyc' })).toEqual({
      namespace: 'kyc-test',
      platform: 'acme',
      component: 'kyc',
    });
  });

  it('when a field is bad, then the error names the source and the field', () => {
    expect(() => sourceConfig('test', schema, { namespace: 'kyc-test', platform: 'a"b', component: 'kyc' })).toThrow(
      new SourceConfigError('test source: platform: must be a lowercase Kubernetes name'),
    );
    expect(() => sourceConfig('test', schema, { namespace: 'kyc-test', platform: 'acme', component: 'kyc', topics: [''] })).toThrow(
      /^test source: topics\.0: /,
    );
    expect(() => sourceConfig('test', schema, { platform: 'acme', component: 'kyc' })).toThrow(/^test source: namespace: /);
  });
});
