#!/usr/bin/env bash
# `make down`: removes what `make up` made and stops every process it started — the platform and its
# Secrets (namespace kyc), the operator, its RBAC and the CRD, the real node (its pods, containerd,
# kubelet, kube-proxy, CoreDNS, forwarders), then the control plane and PostgreSQL/Redis/Kafka.
# Kept: caches (images in buildah's storage, npm trees, binaries), data and the generated credentials
# under $RUN_DIR/up, so the next `make up` is warm.
# KYC_DOWN_KEEP_INFRA=1 stops after the real node (leaves the shared control plane and deps running).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
cd "$REPO_DIR" || exit
export PATH=$K8S_BIN:$PATH KUBECONFIG=${KUBECONFIG:-$RUN_DIR/cluster/kubeconfig}
NS=${KYC_UP_NAMESPACE:-kyc}

if kubectl get --raw /readyz >/dev/null 2>&1; then
  log "deleting namespace $NS (the platform, its Secrets and NodePort)"
  # The platform first, while the operator still runs: its owned objects go with it (garbage collector).
  kubectl -n "$NS" delete kycplatforms --all --ignore-not-found --wait=true --timeout=120s >/dev/null 2>&1 || true
  kubectl delete namespace "$NS" --ignore-not-found --wait=true --timeout=180s >/dev/null ||
    log "namespace $NS is still terminating"
  if [[ ${KYC_DOWN_KEEP_INFRA:-} == 1 ]]; then
    # A shared cluster: other users' KycPlatforms need the CRD.
    log "removing the operator and its RBAC (the CRD stays: KYC_DOWN_KEEP_INFRA=1)"
    # Our external metrics APIService first: left pointing at a deleted Service, it would block every
    # namespace deletion in the cluster (kyc-system's included).
    if [[ $(kubectl get apiservice v1beta1.external.metrics.k8s.io -o jsonpath='{.spec.service.namespace}' 2>/dev/null) == kyc-system ]]; then
      kubectl delete apiservice v1beta1.external.metrics.k8s.io --ignore-not-found >/dev/null || true
    fi
    kubectl delete namespace kyc-system --ignore-not-found --wait=true --timeout=180s >/dev/null || true
    kubectl delete clusterrole,clusterrolebinding kyc-operator --ignore-not-found >/dev/null || true
  else
    log "removing the operator, its RBAC and the CRD"
    kubectl delete -k hack/up/operator --ignore-not-found --wait=true --timeout=180s >/dev/null ||
      log "some operator objects are still terminating"
  fi
else
  log "the API server does not answer; skipping the cluster objects"
fi
log "stopping the real node"
hack/node/down.sh
if [[ ${KYC_DOWN_KEEP_INFRA:-} == 1 ]]; then
  log "KYC_DOWN_KEEP_INFRA=1: the control plane and the dependencies keep running"
  exit 0
fi
log "stopping the control plane"
hack/cluster.sh down
log "stopping PostgreSQL, Redis and Kafka"
hack/deps.sh down
log "done: nothing of make up runs any more (caches and data are kept; make up starts again)"
