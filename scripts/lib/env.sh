# Shared by start.sh and test.sh: load the stack's connection settings and local secrets.
# Variables already set in the caller's environment always win.

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

load_env_file() { # file: export KEY=VALUE lines; sets only variables that are unset
  local file=$1 line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    [[ "$line" =~ ^(export[[:space:]]+)?([A-Z0-9_]+)=(.*)$ ]] || continue
    key=${BASH_REMATCH[2]}
    value=${BASH_REMATCH[3]}
    value=${value#\"}; value=${value%\"}; value=${value#\'}; value=${value%\'}
    if [ -z "${!key+x}" ]; then export "$key=$value"; fi
  done <"$file"
}

# Local secrets: generated once per checkout into .stack/secrets.env (git-ignored), reused after,
# so data encrypted and checkpoints signed by one run stay readable and verifiable by the next.
ensure_local_secrets() {
  local file="$ROOT_DIR/.stack/secrets.env"
  mkdir -p "$ROOT_DIR/.stack"
  if [ ! -f "$file" ]; then
    (umask 077 && node -e '
      const c = require("node:crypto");
      const { privateKey, publicKey } = c.generateKeyPairSync("ed25519");
      const lines = [
        `export LEDGER_ROOT_KEY=${c.randomBytes(32).toString("base64url")}`,
        `export LEDGER_MASTER_KEY=${c.randomBytes(32).toString("base64")}`,
        `export LEDGER_SIGNING_KEY=${privateKey.export({ type: "pkcs8", format: "der" }).toString("base64")}`,
        `export LEDGER_SIGNING_PUBLIC_KEY=${publicKey.export({ type: "spki", format: "der" }).toString("base64")}`,
      ];
      process.stdout.write(lines.join("\n") + "\n");
    ' >"$file")
    LEDGER_SECRETS_GENERATED=1
  fi
  load_env_file "$file"
}

load_stack_env() {
  load_env_file "$ROOT_DIR/.stack/env"
  ensure_local_secrets
}

# The role each service connects as (libs/persistence SERVICE_DATABASE_ROLES); the owner URL
# (DATABASE_URL of .stack/env) is for migrate only.
declare -gA SERVICE_DATABASE_ROLES=(
  [ingest-api]=agent_ledger_ingest [audit-api]=agent_ledger_api [audit-projector]=agent_ledger_projector
  [escalation-worker]=agent_ledger_worker [notifier]=agent_ledger_notifier [retention-worker]=agent_ledger_retention
)

role_url() { # owner_url role: the URL of role on the same server and database, without a password (trust auth locally)
  local url=$1 role=$2
  [[ "$url" =~ ^(postgres(ql)?://)([^@/]*@)?(.*)$ ]] || { echo "not a postgres:// URL: $url" >&2; return 1; }
  printf '%s%s@%s\n' "${BASH_REMATCH[1]}" "$role" "${BASH_REMATCH[4]}"
}

service_database_url() { # service: its role's URL on the stack's database (empty for a service without one)
  local role=${SERVICE_DATABASE_ROLES[$1]:-}
  if [ -n "$role" ]; then role_url "$DATABASE_URL" "$role"; fi
}
