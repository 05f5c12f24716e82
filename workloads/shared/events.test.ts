import { describe, expect, it } from '@jest/globals';
import { EVENT_TYPES, newEvent, parseEnvelope, topicForEvent } from './events.js';

describe('events', () => {
  it('every event type has a family topic', () => {
    for (const type of EVENT_TYPES) expect(topicForEvent(type, 'p-')).toMatch(/^p-(kyc|customer|consent|notification)\.events$/);
    expect(() => topicForEvent('other.thing')).toThrow();
  });

  it('envelopes round-trip and garbage is rejected', () => {
    const event = newEvent('kyc.application.created', 'app-1', { n: 1 }, 'user-1');
    expect(parseEnvelope(Buffer.from(JSON.stringify(event)))).toEqual(event);
    expect(parseEnvelope(Buffer.from('{"id":1}'))).toBeUndefined();
    expect(parseEnvelope(Buffer.from('not json'))).toBeUndefined();
    expect(parseEnvelope(null)).toBeUndefined();
  });
});
