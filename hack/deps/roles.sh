# Least privilege in the data layer (docs/security.md, "Per-service credentials"), sourced by hack/deps.sh:
# a PostgreSQL role per service plus one that runs the migrations, and a Redis ACL user per service
# restricted to its key prefixes. Created idempotently by `make deps`; their URLs are printed by
# `hack/deps.sh env` beside the single administrator credential (DATABASE_URL, REDIS_URL), which stays
# for single-credential setups and for the tests that create databases.
#
#   PostgreSQL  kyc_migrate          LOGIN, CREATE on the database: owns the schemas it migrates
#               kyc_app_<component>  LOGIN and nothing else: the migrations grant it what it may do
#                                    (workloads/shared/privileges.ts), never ownership
#   Redis       kyc-<component>      its own keys under the platform prefix (<prefix>gw:*, <prefix>auth:*)
#                                    and the revocation list (read-only but for auth)

ROLE_COMPONENTS=(kyc auth notification analytics)
REDIS_USERS=(gateway kyc auth notification analytics)

# redis_user_rules COMPONENT: the ACL rules of a service's Redis user (without its password). The
# platform's REDIS_KEY_PREFIX is empty or ends in ':' (e.g. `test-1a2b:`), so a service's keys match
# `<segment>:*` or `*:<segment>:*`. Commands: data, transactions and pub/sub, never the @dangerous ones
# (FLUSHALL, KEYS, CONFIG, ...) but INFO, which ioredis's ready check sends.
redis_user_rules() {
  local keys
  case $1 in
    gateway) keys='~gw:* ~*:gw:* %R~revocations %R~*:revocations' ;;
    auth) keys='~auth:* ~*:auth:* ~revocations ~*:revocations' ;;
    *) keys='%R~revocations %R~*:revocations' ;;
  esac
  printf '%s' "resetkeys resetchannels $keys &revocations &*:revocations -@all +@read +@write +@pubsub +@transaction +@connection -@dangerous +info"
}

# redis_user_spec COMPONENT: the user's state, password (as its SHA-256) and rules.
redis_user_spec() {
  printf 'on #%s %s' "$(printf '%s' "$(secret "redis-$1")" | sha256sum | cut -d' ' -f1)" "$(redis_user_rules "$1")"
}

# redis_acl_users: the `user` lines of redis.conf, so that a restarted Redis (hack/deps.sh start redis)
# keeps the users.
redis_acl_users() {
  local c
  for c in "${REDIS_USERS[@]}"; do printf 'user kyc-%s %s\n' "$c" "$(redis_user_spec "$c")"; done
}

# redis_apply_acls: the same users on the running Redis (`reset` first: running it again changes nothing).
redis_apply_acls() {
  local c spec
  for c in "${REDIS_USERS[@]}"; do
    read -ra spec <<<"$(redis_user_spec "$c")" # words, never globbed (the key patterns hold `*`)
    REDISCLI_AUTH=$(secret redis) redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --no-auth-warning ACL SETUSER "kyc-$c" reset "${spec[@]}" |
      grep -qx OK || die "could not create the Redis ACL user kyc-$c (redis-cli ACL SETUSER failed)"
  done
}

# postgres_roles: creates the roles when missing and (re)sets their passwords; the statements go through
# stdin so that no password is on a command line.
postgres_roles() {
  local sql="" c name
  for c in migrate "${ROLE_COMPONENTS[@]}"; do
    if [[ $c == migrate ]]; then name=kyc_migrate; else name=kyc_app_$c; fi
    sql+="SELECT format('CREATE ROLE %I', '$name') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$name') \\gexec
ALTER ROLE $name LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '$(secret "postgres-$c")';
"
  done
  # The migration role creates the service schemas in the platform database (and owns them).
  sql+="GRANT CONNECT, CREATE ON DATABASE kyc TO kyc_migrate;
"
  printf '%s' "$sql" | PGPASSWORD=$(secret postgres) psql_ -q >/dev/null || die "could not create the PostgreSQL roles"
  postgres_adopt_schemas
}

# postgres_adopt_schemas: the service schemas of the platform database that a single-credential platform
# migrated (as the administrator) pass to kyc_migrate, with their tables, sequences, views and functions,
# so that the platform can switch to PerComponent credentials (docs/security.md). Only what kyc_migrate
# does not own yet is altered: a second run takes no lock. The administrator keeps every right (superuser),
# so a running single-credential platform goes on working; a lock it cannot get within 5 s (a long
# transaction) leaves everything as it was, with a warning: only the switch to PerComponent needs this.
postgres_adopt_schemas() { # [DATABASE], kyc by default
  PGPASSWORD=$(secret postgres) psql -h 127.0.0.1 -p "$PG_PORT" -U kyc -d "${1:-kyc}" -v ON_ERROR_STOP=1 -q >/dev/null <<'SQL' ||
SET lock_timeout = '5s';
DO $$
DECLARE
  schemas text[] := ARRAY['kyc', 'auth', 'notification', 'analytics'];
  owner oid := 'kyc_migrate'::regrole;
  r record;
BEGIN
  FOR r IN SELECT nspname FROM pg_namespace WHERE nspname = ANY (schemas) AND nspowner <> owner LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO kyc_migrate', r.nspname);
  END LOOP;
  -- Tables first: a serial column's sequence follows its table (and cannot be given away on its own).
  FOR r IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = ANY (schemas) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relowner <> owner LOOP
    EXECUTE format('ALTER TABLE %I.%I OWNER TO kyc_migrate', r.nspname, r.relname);
  END LOOP;
  FOR r IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = ANY (schemas) AND c.relkind = 'S' AND c.relowner <> owner LOOP
    EXECUTE format('ALTER SEQUENCE %I.%I OWNER TO kyc_migrate', r.nspname, r.relname);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS routine FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = ANY (schemas) AND p.proowner <> owner LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO kyc_migrate', r.routine);
  END LOOP;
END $$;
SQL
    log "warning: could not give the service schemas of database ${1:-kyc} to kyc_migrate (run make deps again); PerComponent credentials need it"
}

# roles_env: the per-service URLs for `hack/deps.sh env` (DATABASE_URL_<COMPONENT>, DATABASE_URL_MIGRATE,
# REDIS_URL_<COMPONENT>).
roles_env() {
  local c
  printf 'DATABASE_URL_MIGRATE=postgres://kyc_migrate:%s@127.0.0.1:%s/kyc\n' "$(secret postgres-migrate)" "$PG_PORT"
  for c in "${ROLE_COMPONENTS[@]}"; do
    printf 'DATABASE_URL_%s=postgres://kyc_app_%s:%s@127.0.0.1:%s/kyc\n' "${c^^}" "$c" "$(secret "postgres-$c")" "$PG_PORT"
  done
  for c in "${REDIS_USERS[@]}"; do
    printf 'REDIS_URL_%s=redis://kyc-%s:%s@127.0.0.1:%s\n' "${c^^}" "$c" "$(secret "redis-$c")" "$REDIS_PORT"
  done
}
