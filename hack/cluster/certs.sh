# shellcheck shell=bash
# The cluster's certificates (hack/pki.sh) and a kubeconfig per client; admin's is the KUBECONFIG that
# `make cluster` prints.

kubeconfig() { # kubeconfig FILE USER
  kubeconfig_yaml "$2" "$PKI" "$PKI/ca.crt" "https://127.0.0.1:$APISERVER_PORT" >"$1"
}

certs_up() {
  "$HACK_DIR/pki.sh" "$PKI"
  mkdir -p "$LOGS" "$PIDS" "$CLUSTER_DIR/etcd"
  local c
  for c in admin controller-manager scheduler kwok metrics-server; do kubeconfig "$CLUSTER_DIR/$c.kubeconfig" "$c"; done
  cp "$CLUSTER_DIR/admin.kubeconfig" "$KUBECONFIG_PATH"
}
