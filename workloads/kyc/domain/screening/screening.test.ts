import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { bandFor, nameSimilarity, screenName, type WatchlistEntry } from './screening.js';

const sampleList = (
  JSON.parse(readFileSync(new URL('../../data/sanctions.json', import.meta.url), 'utf8')) as {
    entries: WatchlistEntry[];
  }
).entries;

const entry = (overrides: Partial<WatchlistEntry>): WatchlistEntry => ({
  id: 'T-1',
  kind: 'sanction',
  source: 'test',
  type: 'individual',
  name: 'Tariq Mahmoud Al-Qadiri',
  aliases: [],
  programme: 'test',
  ...overrides,
});

describe('bands', () => {
  it.each([
    [1, 'block'],
    [0.95, 'block'],
    [0.9499, 'manual_review'],
    [0.85, 'manual_review'],
    [0.8499, 'enhanced_due_diligence'],
    [0.7, 'enhanced_due_diligence'],
    [0.6999, 'clear'],
    [0, 'clear'],
  ] as const)('score %d → %s', (score, band) => {
    expect(bandFor(score)).toBe(band);
  });
});

describe('nameSimilarity', () => {
  it('ignores token order, case, accents, punctuation and titles', () => {
    expect(nameSimilarity('Dawood Ibrahim', 'IBRAHIM, Dawood')).toBe(1);
    expect(nameSimilarity('Mr. José Ramírez', 'jose ramirez')).toBe(1);
  });

  it('keeps a one-letter misspelling in the block band', () => {
    expect(nameSimilarity('Dawod Ibrahim', 'Dawood Ibrahim')).toBeGreaterThanOrEqual(0.95);
    expect(nameSimilarity('Tarik Mahmud Al Qadiri', 'Tariq Mahmoud Al-Qadiri')).toBeGreaterThanOrEqual(0.95);
  });

  it('treats spacing variants as the same name', () => {
    expect(nameSimilarity('Abdulrahman Musa', 'Abdul Rahman Musa')).toBe(1);
    expect(nameSimilarity('Ri Chol Myong', 'Ri Cholmyong')).toBe(1);
  });

  it('lowers the score for an extra name element into the review bands', () => {
    const score = nameSimilarity('Mohammed Karim Khan', 'Mohammed Karim');
    expect(bandFor(score)).toBe('manual_review');
    expect(bandFor(nameSimilarity('Ramon Cardenas Villalobos', 'Ramon Esteban Cardenas Villalobos'))).toBe('manual_review');
    expect(bandFor(nameSimilarity('Dawood Ibrahim Kaskar', 'Dawood Ibrahim'))).toBe('enhanced_due_diligence');
  });

  it('does not match names that share only a common first name', () => {
    expect(bandFor(nameSimilarity('Mohammed Khan', 'Mohammed Karim'))).toBe('clear');
    expect(bandFor(nameSimilarity('Kavya Raghunathan', 'Tariq Mahmoud Al-Qadiri'))).toBe('clear');
  });

  it('is symmetric and within 0..1', () => {
    const names = ['Salim Memon', 'Salim Abdul Ghani Memonwala', 'Ivan Zolotaryov', 'Ri Cholmyong', 'A', ''];
    for (const a of names) {
      for (const b of names) {
        const score = nameSimilarity(a, b);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
        expect(score).toBeCloseTo(nameSimilarity(b, a), 12);
      }
    }
  });

  it('is 0 when a name has no letters', () => {
    expect(nameSimilarity('', 'Tariq')).toBe(0);
    expect(nameSimilarity('Dr.', 'Dr.')).toBe(0);
  });
});

describe('screenName against the shipped sample list', () => {
  it('blocks an exact listed name and names the entry', () => {
    const result = screenName('Salim Memonwala', undefined, sampleList);
    expect(result.band).toBe('block');
    expect(result.hits[0]).toMatchObject({ entryId: 'XSDN-40790', matchedName: 'Salim Memonwala', score: 1 });
  });

  it('matches aliases, not only primary names', () => {
    expect(screenName('Hosein Rezai Faramarzy', '1961-04-01', sampleList)).toMatchObject({
      band: 'block',
      hits: [{ entryId: 'XSDN-40502' }],
    });
  });

  it('clears an ordinary applicant', () => {
    expect(screenName('Kavya Raghunathan', '1990-05-17', sampleList)).toEqual({ band: 'clear', hits: [] });
    expect(screenName('Arjun Mehta', '1985-01-01', sampleList)).toEqual({ band: 'clear', hits: [] });
  });

  it('sends a partial match to review and a weaker one to enhanced due diligence', () => {
    expect(screenName('Salim Memon', undefined, sampleList).band).toBe('manual_review');
    expect(screenName('Harbhajan Singh', undefined, sampleList).band).toBe('enhanced_due_diligence');
  });

  it('lowers a block to manual review when the listed date of birth cannot be the applicant', () => {
    const result = screenName('Salim Memonwala', '1999-01-01', sampleList);
    expect(result.band).toBe('manual_review');
    expect(result.hits[0]).toMatchObject({ score: 1, dateOfBirthConflict: true });
    // a year either side is tolerated (lists often publish approximate years)
    expect(screenName('Salim Memonwala', '1967-03-01', sampleList).band).toBe('block');
  });

  it('never blocks on a PEP match', () => {
    const result = screenName('Sudhakar Rao Vemulapalli', '1958-09-22', sampleList);
    expect(result).toMatchObject({ band: 'manual_review', hits: [{ kind: 'pep', score: 1 }] });
  });

  it('does not screen individuals against entities', () => {
    expect(screenName('Nordvale Shipping', undefined, sampleList).band).toBe('clear');
  });

  it('orders hits best first and reports the strongest band', () => {
    const list = [
      entry({ id: 'A', name: 'Tariq Mahmoud' }),
      entry({ id: 'B', name: 'Tariq Mahmoud Al-Qadiri' }),
      entry({ id: 'C', name: 'Unrelated Person' }),
    ];
    const result = screenName('Tariq Mahmoud Al Qadiri', undefined, list);
    expect(result.band).toBe('block');
    expect(result.hits.map((h) => h.entryId)).toEqual(['B', 'A']);
  });
});

describe('the shipped sample list', () => {
  it('is labelled as fictional sample data and well-formed', () => {
    const raw = JSON.parse(readFileSync(new URL('../../data/sanctions.json', import.meta.url), 'utf8')) as {
      notice: string;
    };
    expect(raw.notice).toMatch(/SAMPLE DATA/);
    const ids = sampleList.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of sampleList) {
      expect(['sanction', 'pep']).toContain(e.kind);
      expect(['individual', 'entity']).toContain(e.type);
      expect(e.name.length).toBeGreaterThan(0);
    }
  });
});
