import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ConfigError, commonEnv, databaseEnv, kafkaEnv, loadConfig, tokenVerifierEnv } from './config.js';

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const config = loadConfig(commonEnv, {});
    expect(config.PORT).toBe(8080);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.LIVE_SETTINGS_FILE).toBeUndefined();
  });

  it('parses broker lists and the live settings file', () => {
    const config = loadConfig(commonEnv.extend(kafkaEnv.shape), {
      LIVE_SETTINGS_FILE: '/etc/kyc/live/live-settings.json',
      KAFKA_BROKERS: 'h1:9092,h2:9093',
    });
    expect(config.LIVE_SETTINGS_FILE).toBe('/etc/kyc/live/live-settings.json');
    expect(config.KAFKA_BROKERS).toEqual(['h1:9092', 'h2:9093']);
  });

  it('names the bad variable and never echoes its value', () => {
    const schema = commonEnv.extend(databaseEnv.shape).extend(tokenVerifierEnv.shape);
    let error: unknown;
    try {
      loadConfig(schema, {
        PORT: 'eighty',
        DATABASE_URL: 'mysql://secret-value@x/y',
        AUTH_JWKS_URL: 'file:///short-secret',
        REDIS_URL: 'redis://r:6379',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.variables.sort()).toEqual(['AUTH_JWKS_URL', 'DATABASE_URL', 'PORT']);
    expect(configError.message).not.toContain('secret-value');
    expect(configError.message).not.toContain('short-secret');
  });

  it('keeps 8 database connections warm unless told otherwise; 0 turns warming off; a negative or fractional count is refused by name', () => {
    const schema = commonEnv.extend(databaseEnv.shape);
    const url = 'postgres://u:p@db:5432/kyc';
    expect(loadConfig(schema, { DATABASE_URL: url }).DATABASE_POOL_MIN).toBe(8);
    expect(loadConfig(schema, { DATABASE_URL: url, DATABASE_POOL_MIN: '0' }).DATABASE_POOL_MIN).toBe(0);
    for (const bad of ['-1', '2.5', 'four']) {
      let error: unknown;
      try {
        loadConfig(schema, { DATABASE_URL: url, DATABASE_POOL_MIN: bad });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variables).toEqual(['DATABASE_POOL_MIN']);
    }
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig(z.object({ X: z.string().default('d') }), { X: '' }).X).toBe('d');
  });
});
