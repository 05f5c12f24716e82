import { describe, expect, it } from '@jest/globals';
import { nameTokens } from './names.js';

describe('nameTokens', () => {
  it('lower-cases, removes accents, punctuation and titles', () => {
    expect(nameTokens("Dr. José  O'Neil-Smith")).toEqual(['jose', 'oneil', 'smith']);
    expect(nameTokens('Shri  Rámesh   KUMAR')).toEqual(['ramesh', 'kumar']);
    expect(nameTokens('Smt. Lakshmi, Devi')).toEqual(['lakshmi', 'devi']);
  });

  it('keeps non-Latin letters and digits', () => {
    expect(nameTokens('राम शर्मा')).toEqual(['राम', 'शर्मा']);
    expect(nameTokens('Louis XIV 2nd')).toEqual(['louis', 'xiv', '2nd']);
  });

  it('returns nothing for names without letters', () => {
    expect(nameTokens('')).toEqual([]);
    expect(nameTokens(' .,- ')).toEqual([]);
    expect(nameTokens('Mr.')).toEqual([]);
  });
});
