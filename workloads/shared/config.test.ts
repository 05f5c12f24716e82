import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ConfigError, commonEnv, databaseEnv, kafkaEnv, loadConfig, tokenVerifierEnv } from './config.js';

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const config = loadConfig(commonEnv, {});
    expect(config.PORT).toBe(8080);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.FEATURE_FLAGS).toEqual({});
  });

  it('parses feature flags and broker lists', () => {
    const config = loadConfig(commonEnv.extend(kafkaEnv.shape), { FEATURE_FLAGS: 'a=true, b=false', KAFKA_BROKERS: 'h1:9092,h2:9093' });
    expect(config.FEATURE_FLAGS).toEqual({ a: true, b: false });
    expect(config.KAFKA_BROKERS).toEqual(['h1:9092', 'h2:9093']);
  });

  it('names the bad variable and never echoes its value', () => {
    const schema = commonEnv.extend(databaseEnv.shape).extend(tokenVerifierEnv.shape);
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', DATABASE_URL: 'mysql://secret-value@x/y', AUTH_JWKS_URL: 'file:///short-secret', REDIS_URL: 'redis://r:6379' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.variables.sort()).toEqual(['AUTH_JWKS_URL', 'DATABASE_URL', 'PORT']);
    expect(configError.message).not.toContain('secret-value');
    expect(configError.message).not.toContain('short-secret');
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig(z.object({ X: z.string().default('d') }), { X: '' }).X).toBe('d');
  });

  it('rejects malformed feature flags', () => {
    expect(() => loadConfig(commonEnv, { FEATURE_FLAGS: 'a=maybe' })).toThrow(/FEATURE_FLAGS/);
  });
});
