import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { BeginResult, IdempotencyStore, StoredResponse } from '../../shared/index.js';
import { parseKeyRing } from '../domain/protection/key-ring.js';
import { KmsUnavailableError } from '../domain/protection/kms.js';
import { SealedIdempotencyStore } from './sealed-idempotency-store.js';

class MemoryStore implements IdempotencyStore {
  readonly saved = new Map<string, StoredResponse>();
  begin(scope: string, key: string): Promise<BeginResult> {
    const response = this.saved.get(`${scope}/${key}`);
    return Promise.resolve(response ? { state: 'done', response } : { state: 'new' });
  }
  complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    this.saved.set(`${scope}/${key}`, response);
    return Promise.resolve();
  }
  abandon(scope: string, key: string): Promise<void> {
    this.saved.delete(`${scope}/${key}`);
    return Promise.resolve();
  }
}

describe('SealedIdempotencyStore', () => {
  const ring = parseKeyRing(`k1:${randomBytes(32).toString('base64')}`);

  it('stores the response body sealed and replays it in clear', async () => {
    const inner = new MemoryStore();
    const store = new SealedIdempotencyStore(inner, ring);
    const response = { status: 200, contentType: 'application/json', body: '{"name":"Kavya Raghunathan"}' };
    await store.complete('user:1', 'k', response, 60);
    expect(inner.saved.get('user:1/k')?.body).not.toContain('Kavya');
    expect(await store.begin('user:1', 'k', 'fp', 60)).toEqual({ state: 'done', response });
  });

  it('when the ring cannot seal now (a KMS that does not answer), then begin refuses before the inner store records the key', async () => {
    const inner = new MemoryStore();
    let begun = 0;
    inner.begin = () => {
      begun++;
      return Promise.resolve({ state: 'new' });
    };
    const refusing = {
      ...ring,
      get current(): never {
        throw new KmsUnavailableError('the KMS is not answering');
      },
    };
    const store = new SealedIdempotencyStore(inner, refusing);
    await expect(store.begin('s', 'k', 'fp', 60)).rejects.toBeInstanceOf(KmsUnavailableError);
    expect(begun).toBe(0);
  });

  it('passes through other states and bodies it did not seal', async () => {
    const inner = new MemoryStore();
    const store = new SealedIdempotencyStore(inner, ring);
    expect(await store.begin('s', 'new', 'fp', 60)).toEqual({ state: 'new' });
    inner.saved.set('s/plain', { status: 201, contentType: undefined, body: 'plain' });
    expect(await store.begin('s', 'plain', 'fp', 60)).toMatchObject({ response: { body: 'plain' } });
    await store.abandon('s', 'plain');
    expect(inner.saved.has('s/plain')).toBe(false);
  });

  it('will not replay a body sealed for another key', async () => {
    const inner = new MemoryStore();
    const store = new SealedIdempotencyStore(inner, ring);
    await store.complete('user:1', 'a', { status: 200, contentType: undefined, body: 'secret' }, 60);
    inner.saved.set('user:2/a', inner.saved.get('user:1/a') as StoredResponse);
    await expect(store.begin('user:2', 'a', 'fp', 60)).rejects.toThrow();
  });
});
