import { describe, expect, it } from '@jest/globals';
import { TIME_ZONES } from './time-zones.js';

describe('the time zones a schedule may name (checked by the CRD at admission)', () => {
  it('holds the tz database zones and the old names linked to them, sorted and unique', () => {
    expect(TIME_ZONES).toEqual(
      expect.arrayContaining(['Asia/Kolkata', 'Asia/Calcutta', 'Europe/London', 'America/New_York', 'UTC', 'Etc/UTC']),
    );
    expect([...TIME_ZONES].sort()).toEqual(TIME_ZONES);
    expect(new Set(TIME_ZONES).size).toBe(TIME_ZONES.length);
  });

  it('has only names the operator can compute with, so a zone admitted is a zone the scaler evaluates', () => {
    const unusable = TIME_ZONES.filter((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return false;
      } catch {
        return true;
      }
    });
    expect(unusable).toEqual([]);
  });

  it('leaves out what is not a zone: offsets, invented places and the tz database placeholder', () => {
    for (const name of ['Mars/Olympus_Mons', 'UTC+05:30', 'IST', 'Factory', 'asia/kolkata']) expect(TIME_ZONES).not.toContain(name);
  });
});
