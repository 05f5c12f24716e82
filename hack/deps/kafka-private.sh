#!/usr/bin/env bash
# A private Kafka with make deps' configuration (hack/deps.sh start_kafka, hack/deps/kafka-sasl.sh), for the
# tests of the SCRAM users and ACLs (test/integration/foundation/kafka-acl.test.ts) and for trying a change
# to them without restarting the shared broker that every other test uses. Its own ports (29092..29098), CA,
# passwords and data under $RUN_DIR/deps/kafka-private/deps.
#
#   hack/deps/kafka-private.sh up     start it (formatted on first use), users and ACLs set
#   hack/deps/kafka-private.sh down   stop it
#   hack/deps/kafka-private.sh dir    print its deps directory (passwords kafka-<user>.password, tls/ca.crt)
source "$(dirname "$0")/../lib.sh"
export KYC_RUN_DIR=$RUN_DIR/deps/kafka-private KYC_KAFKA_PORT=${KYC_PRIVATE_KAFKA_PORT:-29092} KYC_KAFKA_ACCESS_ON_START=1
case ${1:-} in
  up) exec "$HACK_DIR/deps.sh" start kafka ;;
  down) exec "$HACK_DIR/deps.sh" stop kafka ;;
  dir) echo "$KYC_RUN_DIR/deps" ;;
  *) die "usage: $0 up|down|dir" ;;
esac
