// The notification service's part of an erasure request: which record classes go and which stay, which
// events carry a request, and that a request is handed to the store once per event.
import { describe, expect, it } from '@jest/globals';
import { newEvent } from '../../shared/events.js';
import { ERASED_USER, erasureOutcome, erasureRequestOf, handleErasureRequest } from './erasure.js';
import type { NotificationErasureStore } from './erasure.js';

const requestId = '0b6c8a3e-5d2f-4c1a-9e7b-2f4d6a8c0e1f';

describe('the notification part of an erasure request', () => {
  it('erases the contacts and keeps the message log and dead letters pseudonymised, each with its reason', () => {
    expect(erasureOutcome()).toEqual({
      erased: ['contacts'],
      kept: [
        { record: 'message_log', reason: expect.stringContaining('without the customer id') },
        { record: 'dead_letters', reason: expect.stringContaining('without the customer id') },
      ],
    });
  });

  it('reads the request from customer.erasure.requested only, with a request id and a customer id', () => {
    const event = (data: Record<string, unknown>, type = 'customer.erasure.requested') => ({ type, data });
    expect(erasureRequestOf(event({ erasureRequestId: requestId, customerId: 'cust-1' }))).toEqual({
      erasureRequestId: requestId,
      customerId: 'cust-1',
    });
    expect(erasureRequestOf(event({ erasureRequestId: requestId, customerId: 'cust-1' }, 'kyc.application.approved'))).toBeUndefined();
    expect(erasureRequestOf(event({ erasureRequestId: 'not-a-uuid', customerId: 'cust-1' }))).toBeUndefined();
    expect(erasureRequestOf(event({ erasureRequestId: requestId }))).toBeUndefined();
    // The marker of pseudonymised rows is nobody's id: a request for it would touch every erased row.
    expect(erasureRequestOf(event({ erasureRequestId: requestId, customerId: ERASED_USER }))).toBeUndefined();
  });

  it('hands a request to the store with the outcome; any other event is left to the notifier', async () => {
    const calls: unknown[] = [];
    const store: NotificationErasureStore = {
      erase: (request, outcome) => Promise.resolve(calls.push([request, outcome]) === 1),
    };
    const logs: object[] = [];
    const logger = { info: (fields: object) => void logs.push(fields) };
    const request = newEvent('customer.erasure.requested', 'cust-1', { erasureRequestId: requestId, customerId: 'cust-1' });
    expect(await handleErasureRequest(request, store, logger)).toBe(true);
    expect(await handleErasureRequest(request, store, logger)).toBe(true);
    expect(await handleErasureRequest(newEvent('kyc.application.approved', 'a', { ownerId: 'cust-1' }), store, logger)).toBe(false);
    expect(calls).toEqual([
      [{ erasureRequestId: requestId, customerId: 'cust-1' }, erasureOutcome()],
      [{ erasureRequestId: requestId, customerId: 'cust-1' }, erasureOutcome()],
    ]);
    expect(logs).toEqual([
      { erasureRequestId: requestId, handledNow: true },
      { erasureRequestId: requestId, handledNow: false },
    ]);
    // The log line names the request, never the customer.
    expect(JSON.stringify(logs)).not.toContain('cust-1');
  });
});
