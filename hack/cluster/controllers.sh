# shellcheck shell=bash
# kube-controller-manager (every controller, the HPA's at $HPA_SYNC_PERIOD) and kube-scheduler, on
# loopback, without leader election (one of each).

controllers_start() {
  start controller-manager "$CM_PORT" "$K8S_BIN/kube-controller-manager" \
    --kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$CM_PORT" --leader-elect=false \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --use-service-account-credentials=true --controllers '*' \
    --horizontal-pod-autoscaler-sync-period "$HPA_SYNC_PERIOD" \
    --kube-api-qps 200 --kube-api-burst 400 --concurrent-deployment-syncs 10 --concurrent-replicaset-syncs 10

  start scheduler "$SCHED_PORT" "$K8S_BIN/kube-scheduler" \
    --kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" \
    --authentication-kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" \
    --authorization-kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false \
    --kube-api-qps 200 --kube-api-burst 400
}

controllers_wait() {
  wait_for 30 controller-manager curl -fsSk "https://127.0.0.1:$CM_PORT/healthz" ||
    fail_with_log controller-manager "kube-controller-manager did not become healthy in 30 s"
  wait_for 30 scheduler curl -fsSk "https://127.0.0.1:$SCHED_PORT/healthz" ||
    fail_with_log scheduler "kube-scheduler did not become healthy in 30 s"
}

# The default ServiceAccount must exist before pods can be created in a namespace.
default_serviceaccount_wait() {
  wait_for 30 serviceaccounts kubectl_ -n default get serviceaccount default ||
    fail_with_log controller-manager "the default ServiceAccount was not created in 30 s"
}
