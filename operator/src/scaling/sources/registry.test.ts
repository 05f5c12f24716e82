import { describe, expect, it } from '@jest/globals';
import type { ComponentMetric } from '../../api/metrics.js';
import { PodScrapeSource } from './pod-scrape.js';
import { PrometheusSource } from './prometheus.js';
import { KafkaLagSource } from './kafka-lag.js';
import { buildSource, sourceRegistry } from './registry.js';
import { lagMetric as lag, latencyMetric as latency } from '../../api/testing/metrics.js';

const place = { namespace: 'ns', platform: 'acme', component: 'kyc', kafka: { name: 'kyc-kafka', key: 'brokers' } };
const rate: ComponentMetric = { kind: 'requestRate', name: 'http-requests-per-second', targetType: 'AverageValue', target: 10 };

describe('sourceRegistry', () => {
  it('reads lag from Kafka, and request rate and latency from Prometheus when it has a URL, else from the pods', () => {
    const kafka = { lag: () => Promise.resolve(0), close: () => Promise.resolve() };
    const readSecret = () => Promise.resolve({ brokers: 'kafka:9092' });
    const withPrometheus = sourceRegistry({ readSecret, connectKafka: () => kafka, prometheusUrl: 'http://prom:9090' });
    expect(buildSource(withPrometheus, lag, place)).toBeInstanceOf(KafkaLagSource);
    expect(buildSource(withPrometheus, rate, place)).toBeInstanceOf(PrometheusSource);
    expect(buildSource(withPrometheus, latency, place)).toBeInstanceOf(PrometheusSource);
    const scraping = sourceRegistry({ listPods: () => Promise.resolve([]) });
    expect(buildSource(scraping, rate, place)).toBeInstanceOf(PodScrapeSource);
  });

  it('fails to build a source the operator or the platform has no means for, saying what is missing', () => {
    const none = sourceRegistry({});
    expect(() => buildSource(none, lag, place)).toThrow('Kafka lag is not configured (no Secret reader)');
    const noKafka = sourceRegistry({ readSecret: () => Promise.resolve(undefined) });
    expect(() => buildSource(noKafka, lag, { namespace: 'ns', platform: 'acme', component: 'kyc' })).toThrow(
      'the platform names no Kafka (spec.dependencies.kafka.secretRef)',
    );
    expect(() => buildSource(none, latency, place)).toThrow('pod scraping is not configured');
  });
});
