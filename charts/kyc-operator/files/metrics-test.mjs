// The `helm test` check (templates/tests/metrics-test.yaml): GET METRICS_URL until it answers 200 with
// the operator's kyc_operator_leader gauge, for up to 60 s (the Service routes only to ready replicas,
// and a replica is ready once its caches are filled). With METRICS_TOKEN_FILE it sends that token (the
// test pod's ServiceAccount, bound to the metrics-reader ClusterRole) and skips certificate
// verification, as for the operator's self-signed certificate. Exits 0 on success, 1 with the reason.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const url = process.env.METRICS_URL;
const tokenFile = process.env.METRICS_TOKEN_FILE;
const deadline = Date.now() + Number(process.env.METRICS_TIMEOUT_MS ?? 60000);

function get() {
  const headers = tokenFile ? { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` } : {};
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { headers, rejectUnauthorized: false, timeout: 5000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

let reason = 'no attempt';
while (Date.now() < deadline) {
  try {
    const { status, body } = await get();
    if (status === 200 && /^kyc_operator_leader[ {]/m.test(body)) {
      console.log(`${url} answered with the operator's metrics`);
      process.exit(0);
    }
    reason = status === 200 ? 'no kyc_operator_leader in the answer' : `HTTP ${status}`;
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  await new Promise((resolve) => setTimeout(resolve, Math.min(2000, Math.max(0, deadline - Date.now()))));
}
console.error(`${url} did not answer as the operator: ${reason}`);
process.exit(1);
