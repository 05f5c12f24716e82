#!/usr/bin/env bash
# shellcheck disable=SC2034 # settings used by the scripts that source this file
# Shared settings of the real node (sourced by hack/node/up.sh, down.sh and status.sh).
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

NODE_NAME=${KYC_NODE_NAME:-kyc-real-node}
# Pod CIDR of the real node: outside the KWOK nodes' 10.244.0.0/20, 10.244.16.0/20 and 10.244.32.0/20.
POD_CIDR=${KYC_NODE_POD_CIDR:-10.244.128.0/20}
# The bridge's address: the pods' gateway and the host address pods use for the API server and deps.
NODE_IP=${POD_CIDR%.0/*}.1
CLUSTER_CIDR=10.244.0.0/16
BRIDGE=${KYC_NODE_BRIDGE:-kyc0}
DNS_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
APISERVER_PORT=${KYC_APISERVER_PORT:-16443}
# Host ports forwarded from the bridge address to the same port on loopback: the API server,
# PostgreSQL, Redis, the port of a Kafka listener for pods (KAFKA_PORT + 2, which Kafka must
# advertise as $NODE_IP:<port>; see docs/real-node.md), and local-kms (hack/deps/kms.sh); the TLS
# ports of Redis (REDIS_PORT + 1) and of Kafka's pod listener (KAFKA_PORT + 4; hack/deps/tls.sh); and
# SeaweedFS's S3 port, for the backup CronJob (hack/up/backup.sh, KYC_UP_BACKUP=On); and Kafka's pod listener
# with a SCRAM principal per service (KAFKA_PORT + 6, hack/deps/kafka-sasl.sh).
KAFKA_POD_PORT=$((${KYC_KAFKA_PORT:-19092} + 2))
KAFKA_POD_TLS_PORT=$((${KYC_KAFKA_PORT:-19092} + 4))
KAFKA_POD_SASL_PORT=$((${KYC_KAFKA_PORT:-19092} + 6))
REDIS_TLS_PORT=$((${KYC_REDIS_PORT:-16379} + 1))
FORWARD_PORTS=${KYC_NODE_FORWARD_PORTS:-"$APISERVER_PORT ${KYC_PG_PORT:-15432} ${KYC_REDIS_PORT:-16379} $KAFKA_POD_PORT ${KYC_KMS_PORT:-14580} ${KYC_MAILPIT_SMTP_PORT:-11025} $REDIS_TLS_PORT $KAFKA_POD_TLS_PORT ${KYC_S3_PORT:-18333} $KAFKA_POD_SASL_PORT"}
COREDNS_VERSION=1.14.7
COREDNS_BIN=$CACHE_DIR/coredns/v$COREDNS_VERSION/bin/coredns
# kube-network-policies (NetworkPolicy enforcement, hack/node/tools/kube-network-policies): the version
# must match that module's go.mod. It takes the first packet of each new pod connection from NFQUEUE
# $KNP_QUEUE and gives the verdict; its metrics listen on 127.0.0.1:$KNP_METRICS_PORT.
KNP_VERSION=0.8.0
KNP_BIN=$CACHE_DIR/kube-network-policies/v$KNP_VERSION/bin/kube-network-policies
KNP_QUEUE=100
KNP_METRICS_PORT=19080
# The chain of the steering rules up.sh adds (iptables, mangle table), removed by down.sh.
KNP_CHAIN=KYC-NETPOL
CATATONIT=/usr/bin/catatonit

CLUSTER_DIR=$RUN_DIR/cluster
CLUSTER_PKI=$CLUSTER_DIR/pki
ADMIN_KUBECONFIG=$CLUSTER_DIR/kubeconfig
NODE_DIR=$RUN_DIR/node
PKI=$NODE_DIR/pki
LOGS=$NODE_DIR/logs
PIDS=$NODE_DIR/pids
CONTAINERD_DIR=$NODE_DIR/containerd
CONTAINERD_SOCK=$CONTAINERD_DIR/containerd.sock
CNI_CONF_DIR=$NODE_DIR/cni/net.d
CNI_BIN_DIR=/usr/lib/cni
IPAM_DIR=$NODE_DIR/cni/ipam
KUBELET_DIR=$NODE_DIR/kubelet
KUBELET_ROOT=$KUBELET_DIR/root
# Labels on the objects this node adds to the cluster (so that node-down removes exactly those).
MANAGED_BY=real-node.kyc.dev

kubectl_() { "$K8S_BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }
ctr_() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

