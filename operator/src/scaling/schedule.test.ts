import { describe, expect, it } from '@jest/globals';
import { isKnownTimeZone, isOpen, msUntilNextMinute, scheduleFloor, type Schedule } from './schedule.js';

const at = (iso: string): Date => new Date(iso);
const business: Schedule = {
  name: 'business-hours',
  timezone: 'Asia/Kolkata',
  days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'],
  start: '09:00',
  end: '18:00',
  minReplicas: 6,
};

describe('isOpen', () => {
  it('opens at start and closes at end in the schedule time zone (Asia/Kolkata is UTC+05:30)', () => {
    // Thursday 2026-11-26
    expect(isOpen(business, at('2026-11-26T03:29:00Z'))).toBe(false); // 08:59 IST
    expect(isOpen(business, at('2026-11-26T03:30:00Z'))).toBe(true); // 09:00 IST
    expect(isOpen(business, at('2026-11-26T12:29:59Z'))).toBe(true); // 17:59 IST
    expect(isOpen(business, at('2026-11-26T12:30:00Z'))).toBe(false); // 18:00 IST, end is exclusive
  });

  it('uses the local weekday, not the UTC one', () => {
    // Sunday 2026-11-29 22:00 UTC is Monday 03:30 IST; Friday 20:00 UTC is Saturday 01:30 IST.
    const night: Schedule = { ...business, start: '03:00', end: '04:00' };
    expect(isOpen(night, at('2026-11-29T22:00:00Z'))).toBe(true);
    expect(isOpen({ ...business, start: '01:00', end: '02:00' }, at('2026-11-27T20:00:00Z'))).toBe(false);
  });

  it('skips holidays (local dates)', () => {
    const withHoliday: Schedule = { ...business, holidays: ['2026-11-26'] };
    expect(isOpen(withHoliday, at('2026-11-26T06:00:00Z'))).toBe(false);
    expect(isOpen(withHoliday, at('2026-11-27T06:00:00Z'))).toBe(true);
  });

  it('defaults to UTC and every day', () => {
    const daily: Schedule = { name: 'daily', start: '10:00', end: '11:00', minReplicas: 2 };
    expect(isOpen(daily, at('2026-11-29T10:30:00Z'))).toBe(true);
    expect(isOpen(daily, at('2026-11-29T11:00:00Z'))).toBe(false);
  });

  describe('overnight windows (end before start)', () => {
    const night: Schedule = {
      name: 'batch',
      timezone: 'UTC',
      days: ['Fri'],
      start: '22:00',
      end: '06:00',
      minReplicas: 4,
      holidays: ['2026-12-25'],
    };
    it('is open from start on an opening day until end on the next day', () => {
      expect(isOpen(night, at('2026-11-27T21:59:00Z'))).toBe(false); // Fri
      expect(isOpen(night, at('2026-11-27T22:00:00Z'))).toBe(true); // Fri
      expect(isOpen(night, at('2026-11-28T05:59:00Z'))).toBe(true); // Sat, opened Fri
      expect(isOpen(night, at('2026-11-28T06:00:00Z'))).toBe(false);
      expect(isOpen(night, at('2026-11-28T22:30:00Z'))).toBe(false); // Sat is not an opening day
      expect(isOpen(night, at('2026-11-27T03:00:00Z'))).toBe(false); // Fri morning: Thu did not open
    });
    it('a holiday on the opening day keeps the whole night closed', () => {
      expect(isOpen(night, at('2026-12-25T23:00:00Z'))).toBe(false); // Fri 25 Dec
      expect(isOpen(night, at('2026-12-26T02:00:00Z'))).toBe(false);
    });
    it('handles a month boundary', () => {
      const daily: Schedule = { ...night, days: ['Mon'], holidays: [] };
      // Monday 2026-11-30 22:00 → Tuesday 2026-12-01 05:00
      expect(isOpen(daily, at('2026-12-01T05:00:00Z'))).toBe(true);
    });
  });

  describe('DST in America/New_York', () => {
    const ny: Schedule = { name: 'ny', timezone: 'America/New_York', start: '09:00', end: '17:00', minReplicas: 5 };
    it('follows local 09:00 across the spring-forward change (EST UTC-5 → EDT UTC-4 on 2026-03-08)', () => {
      expect(isOpen(ny, at('2026-03-06T14:00:00Z'))).toBe(true); // Fri 09:00 EST
      expect(isOpen(ny, at('2026-03-06T13:59:00Z'))).toBe(false);
      expect(isOpen(ny, at('2026-03-09T13:00:00Z'))).toBe(true); // Mon 09:00 EDT
      expect(isOpen(ny, at('2026-03-09T12:59:00Z'))).toBe(false);
    });
    it('follows local 09:00 across the fall-back change (EDT → EST on 2026-11-01)', () => {
      expect(isOpen(ny, at('2026-10-30T13:00:00Z'))).toBe(true); // Fri 09:00 EDT
      expect(isOpen(ny, at('2026-11-02T13:30:00Z'))).toBe(false); // Mon 08:30 EST
      expect(isOpen(ny, at('2026-11-02T14:00:00Z'))).toBe(true); // Mon 09:00 EST
    });
    it('a window starting in the skipped hour opens when the clock jumps past its start', () => {
      const gap: Schedule = { name: 'gap', timezone: 'America/New_York', start: '02:30', end: '04:00', minReplicas: 2 };
      expect(isOpen(gap, at('2026-03-08T06:59:00Z'))).toBe(false); // 01:59 EST
      expect(isOpen(gap, at('2026-03-08T07:00:00Z'))).toBe(true); // 03:00 EDT (02:00-02:59 does not exist)
      expect(isOpen(gap, at('2026-03-08T08:00:00Z'))).toBe(false); // 04:00 EDT
    });
    it('the repeated hour of the fall-back night is inside the window both times', () => {
      const repeated: Schedule = { name: 'repeat', timezone: 'America/New_York', start: '01:00', end: '02:00', minReplicas: 2 };
      expect(isOpen(repeated, at('2026-11-01T05:30:00Z'))).toBe(true); // 01:30 EDT
      expect(isOpen(repeated, at('2026-11-01T06:30:00Z'))).toBe(true); // 01:30 EST
      expect(isOpen(repeated, at('2026-11-01T07:00:00Z'))).toBe(false); // 02:00 EST
    });
  });

  it('Asia/Kolkata has no DST: 09:00 IST is 03:30 UTC in January and in July', () => {
    const daily: Schedule = { ...business, days: undefined };
    expect(isOpen(daily, at('2026-01-15T03:30:00Z'))).toBe(true);
    expect(isOpen(daily, at('2026-07-15T03:30:00Z'))).toBe(true);
    expect(isOpen(daily, at('2026-07-15T03:29:00Z'))).toBe(false);
  });
});

describe('scheduleFloor', () => {
  const schedules: Schedule[] = [
    business,
    { name: 'peak', timezone: 'Asia/Kolkata', start: '11:00', end: '13:00', minReplicas: 10, components: ['gateway'] },
    { name: 'broken', timezone: 'Mars/Olympus_Mons', start: '00:00', end: '23:59', minReplicas: 50 },
  ];
  it('takes the highest open window that applies to the component and reports unknown zones', () => {
    const noonIst = at('2026-11-26T06:30:00Z');
    expect(scheduleFloor(schedules, 'gateway', noonIst)).toEqual({
      minReplicas: 10,
      open: ['business-hours', 'peak'],
      invalid: ['schedule broken: unknown time zone "Mars/Olympus_Mons"'],
    });
    expect(scheduleFloor(schedules, 'kyc', noonIst).minReplicas).toBe(6);
    expect(scheduleFloor(schedules, 'kyc', at('2026-11-26T20:00:00Z')).minReplicas).toBeUndefined();
    expect(scheduleFloor(undefined, 'kyc', noonIst)).toEqual({ minReplicas: undefined, open: [], invalid: [] });
  });
});

describe('helpers', () => {
  it('knows IANA zones', () => {
    expect(isKnownTimeZone('Asia/Kolkata')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
  it('waits until just after the next minute', () => {
    expect(msUntilNextMinute(at('2026-11-26T10:00:30.000Z'))).toBe(31_000);
  });
});
