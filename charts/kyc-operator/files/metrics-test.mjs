// The `helm test` check (templates/tests/metrics-test.yaml): GET METRICS_URL until it answers 200 with
// the operator's kyc_operator_leader gauge, for up to 60 s (the Service routes only to ready replicas,
// and a replica is ready once its caches are filled). Exits 0 on success, 1 with the reason otherwise.
const url = process.env.METRICS_URL;
const deadline = Date.now() + Number(process.env.METRICS_TIMEOUT_MS ?? 60000);
let reason = 'no attempt';
while (Date.now() < deadline) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const body = await response.text();
    if (response.status === 200 && /^kyc_operator_leader[ {]/m.test(body)) {
      console.log(`${url} answered with the operator's metrics`);
      process.exit(0);
    }
    reason = response.status === 200 ? 'no kyc_operator_leader in the answer' : `HTTP ${response.status}`;
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  await new Promise((resolve) => setTimeout(resolve, Math.min(2000, Math.max(0, deadline - Date.now()))));
}
console.error(`${url} did not answer as the operator: ${reason}`);
process.exit(1);
