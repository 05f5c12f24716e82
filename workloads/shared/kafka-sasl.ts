// A service's own Kafka principal (docs/security.md, "Kafka"; docs/workload-contract.md): SASL/SCRAM-SHA-512
// with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD, which the operator renders from the Kafka Secret into the
// pods that read Kafka when spec.dependencies.kafka.credentials is PerComponent. Neither set: no SASL (the
// broker's listener then decides who the client is). One without the other is a start-up error naming both.
import { z } from 'zod';
import { ConfigError, loadConfig, type Env } from './config.js';

export interface KafkaSasl {
  mechanism: 'scram-sha-512';
  username: string;
  password: string;
}

const kafkaSaslEnv = z.object({
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
});

export function kafkaSaslFromEnv(env: Env = process.env): KafkaSasl | undefined {
  const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = loadConfig(kafkaSaslEnv, env);
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || password === undefined)
    throw new ConfigError('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD go together: set both or neither', [
      'KAFKA_SASL_USERNAME',
      'KAFKA_SASL_PASSWORD',
    ]);
  return { mechanism: 'scram-sha-512', username, password };
}
