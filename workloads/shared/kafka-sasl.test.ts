import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config.js';
import { kafkaSaslFromEnv } from './kafka-sasl.js';

describe('kafkaSaslFromEnv', () => {
  it('when both variables are set, then SCRAM-SHA-512 with that principal', () => {
    expect(kafkaSaslFromEnv({ KAFKA_SASL_USERNAME: 'kyc-kyc', KAFKA_SASL_PASSWORD: 's3cret' })).toEqual({
      mechanism: 'scram-sha-512',
      username: 'kyc-kyc',
      password: 's3cret',
    });
  });

  it('when neither is set (or both are empty), then no SASL', () => {
    expect(kafkaSaslFromEnv({})).toBeUndefined();
    expect(kafkaSaslFromEnv({ KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '' })).toBeUndefined();
  });

  it('when only one is set, then a ConfigError naming both, without the password', () => {
    const attempt = () => kafkaSaslFromEnv({ KAFKA_SASL_PASSWORD: 'only-the-password' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD go together');
    try {
      attempt();
    } catch (error) {
      expect((error as ConfigError).variables).toEqual(['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']);
      expect((error as Error).message).not.toContain('only-the-password');
    }
    expect(() => kafkaSaslFromEnv({ KAFKA_SASL_USERNAME: 'kyc-kyc' })).toThrow(ConfigError);
  });
});
