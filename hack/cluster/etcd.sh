# shellcheck shell=bash
# etcd: one member on loopback, plain HTTP (nothing but the API server reaches it).

etcd_up() {
  start etcd "$ETCD_PORT" "$K8S_BIN/etcd" --name kyc-local --data-dir "$CLUSTER_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "kyc-local=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls "" \
    --quota-backend-bytes 4294967296 --snapshot-count 10000
  wait_for 30 etcd curl -fsS "http://127.0.0.1:$ETCD_PORT/health" || fail_with_log etcd "etcd did not become healthy in 30 s"
}
