#!/usr/bin/env bash
# A second, throwaway single-node Kafka whose clients must log in with SASL (SCRAM-SHA-256/512 or
# PLAIN), in plaintext or over TLS, for the secured-client tests. Same jars as deploy/kafka/kafka.sh.
# The TLS listener's certificate is signed by a CA made at start (openssl), whose certificate is
# $TALLY_SASL_KAFKA_HOME/tls/ca.pem: what a client's KAFKA_SSL_CA_FILE names.
#
# Usage: bash deploy/kafka/kafka-sasl.sh {start|stop}
#   TALLY_SASL_KAFKA_PORT (19192), TALLY_SASL_KAFKA_TLS_PORT (19194), TALLY_SASL_KAFKA_CONTROLLER_PORT (19193),
#   TALLY_SASL_KAFKA_HOME (<repo>/.tally/kafka-sasl), TALLY_SASL_KAFKA_USER (tally),
#   TALLY_SASL_KAFKA_PASSWORD (tally-secret)
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$SCRIPT_DIR/pom.xml" | head -n1)"
LIBS="${TALLY_KAFKA_LIBS:-$HOME/.cache/tally/kafka-$KAFKA_VERSION/libs}"
PORT="${TALLY_SASL_KAFKA_PORT:-19192}"
CONTROLLER_PORT="${TALLY_SASL_KAFKA_CONTROLLER_PORT:-19193}"
TLS_PORT="${TALLY_SASL_KAFKA_TLS_PORT:-19194}"
KHOME="${TALLY_SASL_KAFKA_HOME:-$REPO_ROOT/.tally/kafka-sasl}"
USER_NAME="${TALLY_SASL_KAFKA_USER:-tally}"
PASSWORD="${TALLY_SASL_KAFKA_PASSWORD:-tally-secret}"
PID_FILE="$KHOME/kafka.pid"
CONF="$KHOME/server.properties"

log() { echo "kafka-sasl: $*"; }
die() { echo "kafka-sasl: ERROR: $*" >&2; exit 1; }
# A CA and a broker certificate for 127.0.0.1 and localhost, valid for two days.
make_certificates() {
  local dir="$KHOME/tls"
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Tally test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$dir/broker.key" -out "$dir/broker.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/san.ext"
  openssl x509 -req -in "$dir/broker.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/san.ext" -out "$dir/broker.crt" 2>/dev/null
  # Kafka's PEM key store: the unencrypted PKCS#8 key, then the certificate chain.
  openssl pkcs8 -topk8 -nocrypt -in "$dir/broker.key" >"$dir/broker.pem"
  cat "$dir/broker.crt" "$dir/ca.pem" >>"$dir/broker.pem"
}

running() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

cmd_start() {
  if running; then log "already running (pid $(cat "$PID_FILE")) on 127.0.0.1:$PORT"; return 0; fi
  port_open "$PORT" && die "port $PORT is taken; set TALLY_SASL_KAFKA_PORT"
  compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null || bash "$SCRIPT_DIR/kafka.sh" fetch
  port_open "$TLS_PORT" && die "port $TLS_PORT is taken; set TALLY_SASL_KAFKA_TLS_PORT"
  command -v openssl >/dev/null 2>&1 || die "openssl not found on PATH (Debian: apt-get install -y openssl)"
  rm -rf "$KHOME" && mkdir -p "$KHOME/data" "$KHOME/logs"
  make_certificates
  sed -e "s#@@DATA_DIR@@#$KHOME/data#g" -e "s#@@PORT@@#$PORT#g" -e "s#@@CONTROLLER_PORT@@#$CONTROLLER_PORT#g" \
      -e "s#@@TLS_PORT@@#$TLS_PORT#g" -e "s#@@TLS_DIR@@#$KHOME/tls#g" \
      -e "s#@@USER@@#$USER_NAME#g" -e "s#@@PASSWORD@@#$PASSWORD#g" "$SCRIPT_DIR/server-sasl.properties" >"$CONF"
  local cid
  cid="$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
  # The SCRAM credentials live in the cluster metadata: written at format time, before the broker
  # (which logs in to itself with them) first starts.
  java -Dlog4j2.configurationFile="$SCRIPT_DIR/log4j2.properties" -Dkafka.logs.dir="$KHOME/logs" -cp "$LIBS/*" \
    kafka.tools.StorageTool format -t "$cid" -c "$CONF" \
    --add-scram "SCRAM-SHA-256=[name=$USER_NAME,password=$PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=$USER_NAME,password=$PASSWORD]" >"$KHOME/logs/format.out" 2>&1 \
    || { cat "$KHOME/logs/format.out" >&2; die "format failed"; }
  setsid nohup bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
    java -Xms128m -Xmx384m -XX:+UseG1GC -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$SCRIPT_DIR/log4j2.properties" -Dkafka.logs.dir="$KHOME/logs" \
      -cp "$LIBS/*" kafka.Kafka "$CONF" >>"$KHOME/logs/kafka.out" 2>&1 </dev/null &
  for _ in $(seq 1 600); do
    port_open "$PORT" && port_open "$TLS_PORT" && { log "listening on SASL_PLAINTEXT://127.0.0.1:$PORT and SASL_SSL://127.0.0.1:$TLS_PORT (pid $(cat "$PID_FILE"))"; return 0; }
    running || { tail -n 30 "$KHOME/logs/kafka.out" >&2; die "the broker exited"; }
    sleep 0.2
  done
  die "not listening on $PORT after 120 s"
}

cmd_stop() {
  running || { log "not running"; return 0; }
  local pid; pid="$(cat "$PID_FILE")"
  kill "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || { rm -f "$PID_FILE"; log "stopped"; return 0; }; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  *) echo "usage: $0 {start|stop}" >&2; exit 2 ;;
esac
