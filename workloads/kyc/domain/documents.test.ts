import { describe, expect, it } from '@jest/globals';
import { MAX_DOCUMENT_BYTES, missingDocuments, validateDocumentUpload } from './documents.js';

const pdf = Buffer.from('%PDF-1.7\n% sample\n').toString('base64');
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]).toString('base64');
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]).toString('base64');

const fields = (body: unknown) => {
  const result = validateDocumentUpload(body);
  return result.ok ? [] : result.errors.map((e) => e.field);
};

describe('document upload validation', () => {
  it.each([
    [{ type: 'passport', contentType: 'application/pdf', content: pdf }],
    [{ type: 'pan_card', contentType: 'image/png', content: png, fileName: 'pan.png' }],
    [{ type: 'voter_id', contentType: 'image/jpeg', content: jpeg }],
    [{ type: 'aadhaar_possession_proof', contentType: 'image/jpeg', content: jpeg, aadhaarRedacted: true }],
  ])('accepts %j', (body) => {
    const result = validateDocumentUpload(body);
    expect(result.ok).toBe(true);
  });

  it('decodes the content', () => {
    const result = validateDocumentUpload({ type: 'passport', contentType: 'application/pdf', content: pdf });
    expect(result.ok && result.value.content.toString()).toBe('%PDF-1.7\n% sample\n');
  });

  it.each([
    [{ type: 'selfie', contentType: 'image/png', content: png }, 'type'],
    [{ type: 'passport', contentType: 'image/gif', content: png }, 'contentType'],
    [{ type: 'passport', contentType: 'application/pdf', content: png }, 'content'],
    [{ type: 'passport', contentType: 'image/png', content: 'not base64!' }, 'content'],
    [{ type: 'passport', contentType: 'image/png', content: '' }, 'content'],
    [{ type: 'passport', contentType: 'image/png', content: 42 }, 'content'],
    [{ type: 'passport', contentType: 'image/png' }, 'content'],
    [{ type: 'aadhaar_possession_proof', contentType: 'image/jpeg', content: jpeg }, 'aadhaarRedacted'],
    [{ type: 'aadhaar_possession_proof', contentType: 'image/jpeg', content: jpeg, aadhaarRedacted: false }, 'aadhaarRedacted'],
    [{ type: 'passport', contentType: 'image/jpeg', content: jpeg, aadhaarRedacted: 'yes' }, 'aadhaarRedacted'],
    [{ type: 'passport', contentType: 'image/jpeg', content: jpeg, fileName: 7 }, 'fileName'],
    [{ type: 'passport', contentType: 'image/jpeg', content: jpeg, owner: 'x' }, 'owner'],
    [null, 'body'],
    [[], 'body'],
  ])('rejects %j naming %s', (body, field) => {
    expect(fields(body)).toContain(field);
  });

  it('rejects content over the size limit', () => {
    const big = Buffer.alloc(MAX_DOCUMENT_BYTES + 3, 0x25);
    big.write('%PDF-');
    expect(fields({ type: 'passport', contentType: 'application/pdf', content: big.toString('base64') })).toEqual(['content']);
    const justFits = Buffer.alloc(MAX_DOCUMENT_BYTES - 2, 0x20);
    justFits.write('%PDF-');
    expect(fields({ type: 'passport', contentType: 'application/pdf', content: justFits.toString('base64') })).toEqual([]);
  });
});

describe('documents required for submission', () => {
  it('needs an officially valid document and the PAN card or Form 60', () => {
    expect(missingDocuments(['passport', 'pan_card'])).toEqual([]);
    expect(missingDocuments(['npr_letter', 'form_60'])).toEqual([]);
    expect(missingDocuments(['pan_card']).map((e) => e.message)).toEqual([expect.stringMatching(/officially valid/)]);
    expect(missingDocuments(['voter_id']).map((e) => e.message)).toEqual(['needs the PAN card or Form 60']);
    expect(missingDocuments([])).toHaveLength(2);
  });
});
