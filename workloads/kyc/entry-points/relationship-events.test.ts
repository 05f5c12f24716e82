import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createLogger, memoryDestination, newEvent, type EventEnvelope } from '../../shared/index.js';
import { Erasure } from '../domain/erasure.js';
import { memoryErasureStore } from '../domain/testing/memory-erasure-store.js';
import { handleRelationshipEnded } from './relationship-events.js';

const logs = memoryDestination();
const logger = createLogger({ component: 'test', level: 'info', destination: logs });
const now = new Date('2026-12-05T12:00:00Z');

function world() {
  const memory = memoryErasureStore([
    {
      id: 'ok',
      state: 'approved',
      erasedAt: null,
      retainUntil: null,
      decidedAt: new Date('2025-01-01T00:00:00Z'),
      customerId: 'cust-1',
    },
  ]);
  const erasure = new Erasure(
    memory.store,
    () => 'req-1',
    () => now,
  );
  return { ...memory, erasure };
}

/** What core banking publishes (not a platform event: newEvent knows only those). */
const relationshipEnded = (subject: string, data: Record<string, unknown>, actor?: string): EventEnvelope => ({
  id: randomUUID(),
  type: 'customer.relationship.ended',
  subject,
  occurredAt: now.toISOString(),
  ...(actor !== undefined && { actor }),
  data,
});
const ended = (data: Record<string, unknown>, actor?: string) => relationshipEnded('cust-1', { customerId: 'cust-1', ...data }, actor);

describe('handleRelationshipEnded', () => {
  it("when core banking says the relationship ended, then the approved application is kept five years, audited as the publisher with the event's id", async () => {
    const w = world();
    const event = ended({ endedOn: '2026-11-30', reason: 'account_closed' }, 'core-banking');
    expect(await handleRelationshipEnded(event, w.erasure, logger)).toBe(true);
    expect(w.applications[0]?.retainUntil).toEqual(new Date('2031-12-01T00:00:00Z'));
    expect(w.audit).toEqual([
      expect.objectContaining({
        applicationId: 'ok',
        actorId: 'core-banking',
        actorRole: 'system',
        requestId: event.id,
        action: 'relationship_ended',
      }),
    ]);
    // Redelivered: nothing more.
    expect(await handleRelationshipEnded(event, w.erasure, logger)).toBe(true);
    expect(w.audit).toHaveLength(1);
  });

  it('when the signal is refused (a bad date, no approved application, a subject that is not data.customerId), then dropped with a warning, nothing changed, not retried', async () => {
    const w = world();
    expect(await handleRelationshipEnded(ended({ endedOn: '2026-02-30', reason: 'account_closed' }), w.erasure, logger)).toBe(true);
    const stranger = relationshipEnded('cust-2', { customerId: 'cust-2', endedOn: '2026-11-30', reason: 'other' });
    expect(await handleRelationshipEnded(stranger, w.erasure, logger)).toBe(true);
    const mismatched = relationshipEnded('cust-2', { customerId: 'cust-1', endedOn: '2026-11-30', reason: 'other' });
    expect(await handleRelationshipEnded(mismatched, w.erasure, logger)).toBe(true);
    expect(w.applications[0]?.retainUntil).toBeNull();
    expect(w.audit).toEqual([]);
    expect(logs.lines.filter((l) => /refused|not the event subject/.test(l))).toHaveLength(3);
  });

  it('when the database fails, then it throws (the consumer retries); other events are not its business; an odd actor is audited as system', async () => {
    const w = world();
    const failing = { endRelationship: () => Promise.reject(new Error('connection terminated')) };
    await expect(handleRelationshipEnded(ended({ endedOn: '2026-11-30', reason: 'other' }), failing, logger)).rejects.toThrow('terminated');
    expect(await handleRelationshipEnded(newEvent('customer.rekyc.due', 'cust-1', {}), w.erasure, logger)).toBe(false);
    await handleRelationshipEnded(ended({ endedOn: '2026-11-30', reason: 'other' }, "admin'; DROP"), w.erasure, logger);
    expect(w.audit[0]).toMatchObject({ actorId: 'system', actorRole: 'system' });
  });
});
