# shellcheck shell=bash
# Least privilege on Kafka for `make deps` (sourced by hack/deps.sh; docs/security.md, "Kafka"): a SCRAM-SHA-512
# user per service and a read-only one for the operator's queue-lag reader, each with the ACLs of what the
# service really produces and consumes (workloads/*: the outbox's event families, the consumers' groups and
# topics; workloads/shared/events.ts). The broker authorises every request (StandardAuthorizer, nothing allowed
# without an ACL; hack/deps/kafka-server.properties) and serves the users on two SASL_SSL listeners:
#   SASL       KAFKA_PORT + 5, advertised on 127.0.0.1 (this host's clients, the integration tests)
#   PODS_SASL  KAFKA_PORT + 6, advertised on the bridge address (the pods; hack/node forwards it)
# The users live in the cluster's metadata, so a broker formatted before this change gets them too: they and
# their ACLs are set through the Admin API on the loopback admin listener after every start (KafkaAccess.java,
# one JVM), to the passwords kept in $DEPS_DIR/kafka-<user>.password (made once, never printed).
KAFKA_SASL_PORT=$((KAFKA_PORT + 5))
KAFKA_POD_SASL_PORT=$((KAFKA_PORT + 6))
# The principals: User:kyc-<name>.
KAFKA_USERS=(kyc notification analytics lag-reader)

# kafka_acls PREFIX: the `acl` lines of KafkaAccess.java for topics and groups under a topic prefix
# (KAFKA_TOPIC_PREFIX: empty on a platform, `<run>.` in the tests). Topics are matched by family prefix
# (`kyc.` covers kyc.events); every service may create the topics it ensures at start (ensureTopics);
# groups are the consumers' own, literal, so a service cannot consume with another's group.
kafka_acls() {
  local p=$1 f
  # kyc: writes kyc, customer and consent events (its outbox); its checks consumer reads kyc events,
  # notification's erasure outcomes and core banking's inbound topic (docs/retention.md, "When the relationship ends").
  for f in kyc customer consent; do kafka_acl_ops kyc "$p$f." Write Describe Create; done
  kafka_acl_ops kyc "${p}kyc." Read
  kafka_acl_ops kyc "${p}notification." Read Describe Create
  kafka_acl_ops kyc "${p}core-banking." Read Describe Create
  printf 'acl kyc-kyc group literal %skyc-automatic-checks Read\n' "$p"
  # notification: reads kyc and customer events, writes notification events.
  for f in kyc customer; do kafka_acl_ops notification "$p$f." Read Describe Create; done
  kafka_acl_ops notification "${p}notification." Write Describe Create
  printf 'acl kyc-notification group literal %skyc-notification Read\n' "$p"
  # analytics: reads every family, writes nothing.
  for f in kyc customer consent notification; do kafka_acl_ops analytics "$p$f." Read Describe Create; done
  printf 'acl kyc-analytics group literal %skyc-analytics Read\n' "$p"
  # The lag reader: the groups' committed offsets and the partitions' end offsets, nothing else.
  for f in kyc customer consent notification core-banking; do kafka_acl_ops lag-reader "$p$f." Describe; done
  printf 'acl kyc-lag-reader group prefixed %skyc- Describe\n' "$p"
}

kafka_acl_ops() { # kafka_acl_ops USER TOPIC_PREFIX OPERATION...
  local user=$1 topic=$2 op; shift 2
  for op in "$@"; do printf 'acl kyc-%s topic prefixed %s %s\n' "$user" "$topic" "$op"; done
}

# kafka_access_spec: the users with their passwords and the ACLs of a platform (empty topic prefix), plus
# those of the prefixes in KYC_KAFKA_ACL_PREFIXES (space separated) when set.
kafka_access_spec() {
  local u p
  for u in "${KAFKA_USERS[@]}"; do printf 'user kyc-%s %s\n' "$u" "$(secret "kafka-$u")"; done
  kafka_acls ''
  for p in ${KYC_KAFKA_ACL_PREFIXES:-}; do kafka_acls "$p"; done
}

# kafka_apply_access [warn]: the users and ACLs on the running broker (idempotent). A broker started before
# this change has no authorizer and no SASL listener: it is left as it is, with the restart that fixes it logged.
# With `warn` (a broker that was running already, whose users an earlier run set), a failure is a warning.
kafka_apply_access() {
  if port_free "$KAFKA_SASL_PORT"; then
    log "warning: Kafka runs without SASL users and ACLs (started before hack/deps/kafka-sasl.sh): restart it once with" \
      "'hack/deps.sh stop kafka && hack/deps.sh start kafka && make deps' (docs/security.md, \"Kafka\")"
    return 0
  fi
  local out
  out=$(kafka_access_spec | java -Xmx256m -cp "$KAFKA_LIBS/*" "$HACK_DIR/deps/KafkaAccess.java" "127.0.0.1:$KAFKA_PORT" 2>&1) ||
    {
      printf '%s\n' "$out" | grep -v password | tail -5 >&2
      [[ ${1:-} == warn ]] || die "could not set Kafka's SCRAM users and ACLs (hack/deps/KafkaAccess.java)"
      log "warning: could not set Kafka's SCRAM users and ACLs this time (hack/deps/KafkaAccess.java); make deps sets them again"
      return 0
    }
  log "Kafka: $(printf '%s\n' "$out" | tail -1)"
}

# kafka_sasl_env: the SASL settings for `hack/deps.sh env`: the host's SASL_SSL listener, and each user's
# name and password (KAFKA_SASL_USERNAME_<USER>, KAFKA_SASL_PASSWORD_<USER>; LAG_READER for the lag reader).
kafka_sasl_env() {
  local u v
  printf 'KAFKA_SASL_BROKERS=127.0.0.1:%s\n' "$KAFKA_SASL_PORT"
  for u in "${KAFKA_USERS[@]}"; do
    v=${u^^} v=${v//-/_}
    printf 'KAFKA_SASL_USERNAME_%s=kyc-%s\nKAFKA_SASL_PASSWORD_%s=%s\n' "$v" "$u" "$v" "$(secret "kafka-$u")"
  done
}
