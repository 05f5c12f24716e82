#!/usr/bin/env bash
# Runs a command with the local cluster's KUBECONFIG and the dependencies' connection settings
# (DATABASE_URL, REDIS_URL, KAFKA_BROKERS) exported; settings already in the environment win.
source "$(dirname "$0")/lib.sh"
export KUBECONFIG=${KUBECONFIG:-$RUN_DIR/cluster/kubeconfig}
env_file=$RUN_DIR/deps/env
if [[ -f $env_file ]]; then
  while IFS='=' read -r key value; do
    [[ -n $key && -z ${!key:-} ]] && export "$key=$value"
  done <"$env_file"
fi
exec "$@"
