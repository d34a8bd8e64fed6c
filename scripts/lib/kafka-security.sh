# Sourced by scripts/stack.sh: the local broker's TLS material and SASL users, for the SASL_SSL and
# mutual-TLS listeners (docs/kafka-security.md). Uses stack.sh's variables and helpers (say, die,
# kafka_tool, KAFKA_* paths); not a command of its own.

# Generates, once, into $KAFKA_TLS_DIR: a CA, the broker's certificate (SAN 127.0.0.1 and localhost)
# in a PKCS#12 keystore, and a client certificate for mutual TLS. Written to <dir>.partial and
# renamed when complete, so an interrupted run leaves nothing half made.
ensure_kafka_tls() {
  [ -f "$KAFKA_TLS_DIR/.complete" ] && return 0
  command -v openssl >/dev/null || die "openssl is needed for the Kafka TLS listeners: apt-get install -y openssl"
  local tmp="$KAFKA_TLS_DIR.partial" start out
  start=$(now_ms)
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! out=$( (
    set -e
    cd "$tmp"
    umask 077
    openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 3650 -keyout ca.key -out ca.crt \
      -subj "/CN=agent-ledger local Kafka CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' >broker.ext
    openssl req -new -nodes -newkey rsa:2048 -keyout broker.key -out broker.csr -subj "/CN=localhost"
    openssl x509 -req -sha256 -days 3650 -in broker.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
      -extfile broker.ext -out broker.crt
    openssl pkcs12 -export -in broker.crt -inkey broker.key -certfile ca.crt -name broker \
      -out broker.p12 -passout "pass:$KAFKA_KEYSTORE_PASSWORD"
    printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n' >client.ext
    openssl req -new -nodes -newkey rsa:2048 -keyout client.key -out client.csr -subj "/CN=$KAFKA_SASL_USER"
    openssl x509 -req -sha256 -days 3650 -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
      -extfile client.ext -out client.crt
    rm -f ./*.csr ./*.ext ca.srl
    chmod 644 ca.crt broker.crt client.crt
    date -u +%FT%TZ >.complete
  ) 2>&1); then
    echo "$out" >&2
    rm -rf "$tmp"
    die "generating the Kafka TLS material with openssl failed (output above)"
  fi
  rm -rf "$KAFKA_TLS_DIR"
  mv "$tmp" "$KAFKA_TLS_DIR"
  say kafka-tls "generated a CA, the broker's and a client certificate in $(since "$start") -> ${KAFKA_TLS_DIR#"$ROOT_DIR/"}"
}

# The SCRAM-SHA-256/512 credentials of the local SASL user live in the cluster's metadata (KRaft):
# added once per cluster (the stamp holds the cluster id, so a reformatted data dir gets them again).
# The PLAIN user is declared in server.properties (JAAS), nothing to do for it here.
ensure_kafka_scram_user() {
  local stamp="$KAFKA_DIR/scram.user" cluster out mechanism
  cluster=$(cat "$KAFKA_DIR/cluster.id" 2>/dev/null || grep -h '^cluster.id=' "$KAFKA_DATA/meta.properties" 2>/dev/null || echo unknown)
  [ "$(cat "$stamp" 2>/dev/null)" = "$cluster $KAFKA_SASL_USER" ] && return 0
  # One mechanism per request: KRaft refuses two credentials of one user in the same request.
  for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
    out=$(kafka_tool kafka.admin.ConfigCommand --bootstrap-server "$KAFKA_BROKERS" --alter --entity-type users \
      --entity-name "$KAFKA_SASL_USER" --add-config "$mechanism=[password=$KAFKA_SASL_PASSWORD]" 2>&1) ||
      { echo "$out" >&2; die "adding the $mechanism credentials of $KAFKA_SASL_USER failed (output above)"; }
  done
  echo "$cluster $KAFKA_SASL_USER" >"$stamp"
  say kafka-sasl "SCRAM-SHA-256/512 credentials of $KAFKA_SASL_USER added"
}

# The running broker was started from another configuration (e.g. before the TLS listeners
# existed): say how to apply it. It is not restarted here, since other users of the broker may be
# in the middle of a test.
warn_kafka_config_changed() {
  local rendered
  [ -f "$KAFKA_PROPS" ] || return 0
  rendered=$(render_server_properties_to_stdout)
  if [ "$rendered" != "$(cat "$KAFKA_PROPS")" ]; then
    say kafka "running with an older configuration: apply it with 'bash scripts/stack.sh stop kafka && bash scripts/stack.sh start kafka'"
  fi
}

# The connection settings of the secured listeners, for .stack/env.
kafka_security_env_lines() {
  echo "# The broker's secured listeners (docs/kafka-security.md): SASL_SSL (PLAIN, SCRAM-SHA-256/512) and mutual TLS"
  echo "export LEDGER_KAFKA_SASL_SSL_BROKERS=127.0.0.1:$KAFKA_SASL_PORT"
  echo "export LEDGER_KAFKA_MTLS_BROKERS=127.0.0.1:$KAFKA_MTLS_PORT"
  echo "export LEDGER_KAFKA_CA_FILE=$KAFKA_TLS_DIR/ca.crt"
  echo "export LEDGER_KAFKA_CLIENT_CERT_FILE=$KAFKA_TLS_DIR/client.crt"
  echo "export LEDGER_KAFKA_CLIENT_KEY_FILE=$KAFKA_TLS_DIR/client.key"
  echo "export LEDGER_KAFKA_SASL_USERNAME=$KAFKA_SASL_USER"
  echo "export LEDGER_KAFKA_SASL_PASSWORD=$KAFKA_SASL_PASSWORD"
}
