import { describe, expect, it } from '@jest/globals';
import { applicantContext, documentContext, vaultContext } from './envelope-contexts.js';

describe('envelope contexts', () => {
  it('name an application or document the same whatever the case of its UUID in the request', () => {
    const id = '330a09fa-f2da-49c2-b154-4d1658fd64e4';
    const doc = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
    expect(applicantContext(id.toUpperCase())).toBe(applicantContext(id));
    expect(applicantContext(id)).toBe(`applicant:${id}`);
    expect(documentContext(id.toUpperCase(), doc.toUpperCase())).toBe(`document:${id}:${doc}`);
  });

  it('keep vault tokens as they are (they are case-sensitive base64url)', () => {
    expect(vaultContext('avt_AbC')).toBe('aadhaar-vault:avt_AbC');
  });
});
