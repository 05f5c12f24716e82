// Deletes the Kafka topics integration tests left behind (every test namespaces its topics under
// `test-<random>.`, and none needs them after its run). `make deps` calls it when it has just started
// Kafka, so no test is running: without it the topics pile up over runs (4,000 partitions after a day
// of work) and a broker restart — the chaos suite's — outlasts its 90 s start budget loading them.
// Runs on Node 24's type stripping (no build step), hence erasable TypeScript only.
//   node hack/deps/prune-test-topics.ts BROKER
import { Kafka, logLevel } from 'kafkajs';

const broker = process.argv[2];
if (!broker) throw new Error('usage: node hack/deps/prune-test-topics.ts host:port');
const admin = new Kafka({ clientId: 'kyc-deps-prune', brokers: [broker], logLevel: logLevel.NOTHING }).admin();
await admin.connect();
try {
  const stale = (await admin.listTopics()).filter((topic) => topic.startsWith('test-'));
  // In batches: one request naming thousands of topics would outlast the request timeout.
  for (let i = 0; i < stale.length; i += 200) await admin.deleteTopics({ topics: stale.slice(i, i + 200), timeout: 60_000 });
  console.log(`deleted ${stale.length} test topics`);
} finally {
  await admin.disconnect();
}
