#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft) for Tally, without Docker.
# Jars come from Maven Central via deploy/kafka/pom.xml (mvn dependency:copy-dependencies).
#
# Usage: bash deploy/kafka/kafka.sh {fetch|start|stop|status|wait [seconds]}
#
# Environment (all optional):
#   TALLY_KAFKA_HOME             data + logs + pid        (default <repo>/.tally/kafka)
#   TALLY_KAFKA_LIBS             jar cache                (default $HOME/.cache/tally/kafka-<version>/libs)
#   TALLY_KAFKA_PORT             client listener          (default 9092)
#   TALLY_KAFKA_CONTROLLER_PORT  KRaft controller         (default 9093)
#   TALLY_KAFKA_START_TIMEOUT    seconds for start        (default 120)
#   TALLY_KAFKA_STOP_TIMEOUT     seconds before SIGKILL   (default 30)
#   TALLY_KAFKA_WAIT_TIMEOUT     seconds for `wait`       (default 60)
#   TALLY_KAFKA_HEAP_OPTS        JVM heap                 (default "-Xms256m -Xmx512m")
# One node of a cluster (deploy/kafka/cluster.sh sets these for each node):
#   TALLY_KAFKA_NODE_ID          node.id                  (default 1)
#   TALLY_KAFKA_VOTERS           controller.quorum.voters (default this node alone)
#   TALLY_KAFKA_CLUSTER_ID       cluster id to format with (default a new one)
#   TALLY_KAFKA_REPLICATION      default and internal topics' replication factor (default 1)
#   TALLY_KAFKA_MIN_ISR          min.insync.replicas      (default 1)
#   TALLY_KAFKA_PROXIED_PORT     a second client listener for clients behind a proxy (default none)
#   TALLY_KAFKA_PROXIED_ADVERTISED  what it advertises: the proxy's host:port
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
POM="$SCRIPT_DIR/pom.xml"
TEMPLATE="$SCRIPT_DIR/server.properties"
LOG4J_CONF="$SCRIPT_DIR/log4j2.properties"
WAIT_READY_JS="$SCRIPT_DIR/wait-ready.mjs"

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"
[[ -n "$KAFKA_VERSION" ]] || { echo "kafka.sh: cannot read <kafka.version> from $POM" >&2; exit 1; }

HOST=127.0.0.1
PORT="${TALLY_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${TALLY_KAFKA_CONTROLLER_PORT:-9093}"
KHOME="${TALLY_KAFKA_HOME:-$REPO_ROOT/.tally/kafka}"
LIBS="${TALLY_KAFKA_LIBS:-$HOME/.cache/tally/kafka-$KAFKA_VERSION/libs}"
DATA_DIR="$KHOME/data"
LOG_DIR="$KHOME/logs"
CONF="$KHOME/server.properties"
PID_FILE="$KHOME/kafka.pid"
OUT_FILE="$LOG_DIR/kafka.out"
START_TIMEOUT="${TALLY_KAFKA_START_TIMEOUT:-120}"
STOP_TIMEOUT="${TALLY_KAFKA_STOP_TIMEOUT:-30}"
WAIT_TIMEOUT="${TALLY_KAFKA_WAIT_TIMEOUT:-60}"
HEAP_OPTS="${TALLY_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
NODE_ID="${TALLY_KAFKA_NODE_ID:-1}"
VOTERS="${TALLY_KAFKA_VOTERS:-$NODE_ID@$HOST:$CONTROLLER_PORT}"
REPLICATION="${TALLY_KAFKA_REPLICATION:-1}"
MIN_ISR="${TALLY_KAFKA_MIN_ISR:-1}"
PROXIED_PORT="${TALLY_KAFKA_PROXIED_PORT:-}"
PROXIED_ADVERTISED="${TALLY_KAFKA_PROXIED_ADVERTISED:-$HOST:$PROXIED_PORT}"
MARKER="$LIBS/.tally-complete"

log() { echo "kafka: $*"; }
die() { echo "kafka: ERROR: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }

[[ "$PORT" =~ ^[0-9]+$ && "$CONTROLLER_PORT" =~ ^[0-9]+$ ]] || die "ports must be numbers (TALLY_KAFKA_PORT=$PORT, TALLY_KAFKA_CONTROLLER_PORT=$CONTROLLER_PORT)"
[[ "$PORT" != "$CONTROLLER_PORT" ]] || die "TALLY_KAFKA_PORT and TALLY_KAFKA_CONTROLLER_PORT must differ"

require_java() {
  command -v java >/dev/null 2>&1 || die "java not found on PATH. Install a JDK/JRE 17+ (Debian: apt-get install -y openjdk-17-jre-headless)."
  local v
  v="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  if [[ -n "$v" && "$v" -lt 17 ]]; then die "Kafka $KAFKA_VERSION needs Java 17+, found Java $v ($(command -v java))"; fi
}

require_mvn() {
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH; it is needed once to fetch the Kafka jars into $LIBS (Debian: apt-get install -y maven)."
}

# ---------------------------------------------------------------- jars

libs_complete() {
  [[ -f "$MARKER" ]] && [[ "$(cat "$MARKER")" == "$(sha256sum "$POM" | cut -d' ' -f1)" ]] && compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null
}

cmd_fetch() {
  if libs_complete; then
    log "jars for Kafka $KAFKA_VERSION already in $LIBS ($(ls "$LIBS"/*.jar | wc -l) jars); nothing to fetch"
    return 0
  fi
  require_mvn
  require_java
  local t0 tmp
  t0="$(now_ms)"
  mkdir -p "$(dirname "$LIBS")"
  tmp="$(mktemp -d "$(dirname "$LIBS")/.libs.XXXXXX")"
  log "resolving Kafka $KAFKA_VERSION jars from Maven Central into $LIBS ..."
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies -DoutputDirectory="$tmp" -DincludeScope=runtime >"$tmp.mvn.log" 2>&1; then
    tail -n 40 "$tmp.mvn.log" >&2 || true
    rm -rf "$tmp" "$tmp.mvn.log"
    die "mvn could not resolve the jars of $POM (see output above; is Maven Central reachable? ~/.m2/settings.xml?)"
  fi
  rm -f "$tmp.mvn.log"
  compgen -G "$tmp/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null || { rm -rf "$tmp"; die "mvn finished but kafka_2.13-$KAFKA_VERSION.jar is missing in the output"; }
  sha256sum "$POM" | cut -d' ' -f1 >"$tmp/.tally-complete"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  log "fetched $(ls "$LIBS"/*.jar | wc -l) jars in $(( ($(now_ms) - t0) )) ms"
}

# ---------------------------------------------------------------- probes

# TCP connect to HOST:$1 succeeds?
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

# Sends a Kafka Metadata v4 request (all topics) to HOST:$1 with plain bash and checks the reply:
# same correlation id and at least one broker. Succeeds only when a Kafka broker is serving requests.
kafka_metadata_ok() {
  local hex
  hex="$(timeout 3 bash -c '
    exec 3<>/dev/tcp/'"$HOST"'/'"$1"' || exit 1
    # size=20 | api_key=3 (Metadata) api_version=4 correlation_id=0x7a11 client_id="tally" | topics=null allow_auto_create=false
    printf "\x00\x00\x00\x14\x00\x03\x00\x04\x00\x00\x7a\x11\x00\x05tally\xff\xff\xff\xff\x00" >&3
    head -c 16 <&3 | od -An -tx1 -v' 2>/dev/null | tr -d ' \n')" || return 1
  # size(4) correlation_id(4) throttle_time_ms(4) brokers_count(4)
  [[ ${#hex} -eq 32 && "${hex:8:8}" == "00007a11" ]] || return 1
  (( 16#${hex:24:8} >= 1 && 16#${hex:24:8} < 1000 ))
}

have_kafkajs() {
  command -v node >/dev/null 2>&1 && [[ -d "$REPO_ROOT/node_modules/kafkajs" ]]
}

# pid from our pid file if that process is alive and is a Kafka broker JVM
our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # and runs this home's config: a pid since reused by another home's broker is not ours
  grep -qszx 'kafka\.Kafka' "/proc/$pid/cmdline" && grep -qszxF -- "$CONF" "/proc/$pid/cmdline" || return 1
  echo "$pid"
}

who_listens() {
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "( sport = :$1 )" 2>/dev/null | sed -n 's/.*users:(\(.*\))/\1/p' | head -n1
  fi
}

show_log_tail() {
  local f
  for f in "$LOG_DIR/server.log" "$OUT_FILE"; do
    if [[ -s "$f" ]]; then
      echo "----- last 40 lines of $f -----" >&2
      tail -n 40 "$f" >&2
    fi
  done
}

# Full readiness check after the cheap probe: kafkajs admin listTopics() (if node_modules has kafkajs).
full_ready_check() {
  local timeout_s="$1"
  if have_kafkajs; then
    node "$WAIT_READY_JS" --broker "$HOST:$PORT" --timeout "$timeout_s" --quiet
  else
    kafka_metadata_ok "$PORT"
  fi
}

# Wait until ready. $1 = timeout seconds, $2 = pid to watch (optional: fail fast if it dies)
wait_ready() {
  local timeout_s="$1" pid="${2:-}" deadline
  deadline=$(( $(date +%s) + timeout_s ))
  while :; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      echo "kafka: ERROR: broker process $pid died during start-up" >&2
      show_log_tail
      rm -f "$PID_FILE"
      return 2
    fi
    if kafka_metadata_ok "$PORT"; then
      local left=$(( deadline - $(date +%s) )); (( left < 5 )) && left=5
      if full_ready_check "$left"; then return 0; fi
    fi
    if (( $(date +%s) >= deadline )); then
      echo "kafka: ERROR: Kafka on $HOST:$PORT not ready after ${timeout_s}s" >&2
      [[ -n "$pid" ]] && show_log_tail
      return 1
    fi
    sleep 0.3
  done
}

# ---------------------------------------------------------------- commands

render_config() {
  mkdir -p "$KHOME" "$DATA_DIR" "$LOG_DIR"
  sed -e "s#@@DATA_DIR@@#$DATA_DIR#g" \
      -e "s#@@PORT@@#$PORT#g" \
      -e "s#@@CONTROLLER_PORT@@#$CONTROLLER_PORT#g" \
      -e "s#@@NODE_ID@@#$NODE_ID#g" \
      -e "s#@@VOTERS@@#$VOTERS#g" \
      -e "s#@@RF@@#$REPLICATION#g" \
      -e "s#@@MIN_ISR@@#$MIN_ISR#g" \
      "$TEMPLATE" >"$CONF.tmp"
  if [[ -n "$PROXIED_PORT" ]]; then
    # A second listener for clients behind a proxy: it advertises the proxy's address, so the
    # metadata those clients get sends them back through the proxy.
    sed -i -e "s#^\(listeners=.*\)#\1,PROXIED://$HOST:$PROXIED_PORT#" \
      -e "s#^\(advertised.listeners=.*\)#\1,PROXIED://$PROXIED_ADVERTISED#" \
      -e "s#^\(listener.security.protocol.map=.*\)#\1,PROXIED:PLAINTEXT#" "$CONF.tmp"
  fi
  mv "$CONF.tmp" "$CONF"
}

format_storage() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  local cid out
  cid="${TALLY_KAFKA_CLUSTER_ID:-$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)}"
  [[ "$cid" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "StorageTool random-uuid returned '$cid'"
  log "formatting $DATA_DIR (cluster id $cid)"
  if ! out="$(java -Dlog4j2.configurationFile="$LOG4J_CONF" -Dkafka.logs.dir="$LOG_DIR" -cp "$LIBS/*" \
        kafka.tools.StorageTool format -t "$cid" -c "$CONF" --ignore-formatted 2>&1)"; then
    echo "$out" >&2
    die "formatting the KRaft storage in $DATA_DIR failed"
  fi
}

# serialise start/stop of the same TALLY_KAFKA_HOME (e.g. two `start`s launched in parallel)
take_lock() {
  mkdir -p "$KHOME"
  exec 9>"$KHOME/.kafka.lock"
  flock -w "$START_TIMEOUT" 9 || die "another kafka.sh is busy with $KHOME (lock $KHOME/.kafka.lock)"
}

cmd_start() {
  local t0 pid
  t0="$(now_ms)"
  take_lock

  if pid="$(our_pid)"; then
    if kafka_metadata_ok "$PORT"; then
      log "already running (pid $pid) and answering on $HOST:$PORT; nothing to do"
      return 0
    fi
    log "broker pid $pid is already starting; waiting for it"
    wait_ready "$START_TIMEOUT" "$pid" || exit 1
    log "ready on $HOST:$PORT (pid $pid)"
    return 0
  fi

  if kafka_metadata_ok "$PORT"; then
    log "a Kafka broker already answers on $HOST:$PORT (not started by this script, or pid file missing); not starting another"
    return 0
  fi
  if port_open "$PORT"; then
    die "port $PORT on $HOST is taken by something that does not answer the Kafka protocol ($(who_listens "$PORT")). Stop it, or use TALLY_KAFKA_PORT=<other port>."
  fi
  if port_open "$CONTROLLER_PORT"; then
    die "controller port $CONTROLLER_PORT on $HOST is already in use ($(who_listens "$CONTROLLER_PORT")). Stop it, or use TALLY_KAFKA_CONTROLLER_PORT=<other port>."
  fi

  require_java
  cmd_fetch
  render_config
  format_storage

  # A pid file left by a broker that crashed (SIGKILL) would be read below as the new one's pid
  # before the new one is written: the start then took the dead pid for the new broker dying.
  rm -f "$PID_FILE"
  # JVM stdout/stderr (early failures, JVM crashes); the broker's own log is $LOG_DIR/server.log
  : >"$OUT_FILE"
  # shellcheck disable=SC2086
  setsid nohup bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
    java $HEAP_OPTS \
      -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
      -XX:+ExitOnOutOfMemoryError \
      -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$LOG4J_CONF" \
      -Dkafka.logs.dir="$LOG_DIR" \
      -cp "$LIBS/*" \
      kafka.Kafka "$CONF" \
    >>"$OUT_FILE" 2>&1 </dev/null 9>&- &
  local launcher=$!
  # the pid file is written by the exec'd shell (= the java pid); give it a moment
  for _ in $(seq 1 50); do [[ -s "$PID_FILE" ]] && break; sleep 0.05; done
  pid="$(cat "$PID_FILE" 2>/dev/null || echo "$launcher")"
  log "started Kafka $KAFKA_VERSION (pid $pid), waiting until $HOST:$PORT is ready (timeout ${START_TIMEOUT}s) ..."

  local rc=0
  wait_ready "$START_TIMEOUT" "$pid" || rc=$?
  if (( rc == 2 )); then
    die "Kafka exited during start-up; full logs in $LOG_DIR"
  elif (( rc != 0 )); then
    die "Kafka did not become ready in ${START_TIMEOUT}s; logs in $LOG_DIR (pid $pid is still running: 'kafka.sh stop' to end it)"
  fi
  local ms=$(( $(now_ms) - t0 ))
  log "ready on $HOST:$PORT after $((ms / 1000)).$(printf '%03d' $((ms % 1000)))s (pid $pid; data $DATA_DIR; log $LOG_DIR/server.log)"
}

# Brokers of this home that its pid file does not name (the file deleted, overwritten by a start
# that failed, or naming a pid since reused): a broker JVM whose command line has this home's
# config file, which no other home's broker has.
stray_pids() {
  local f pid
  # grep -z: each NUL-separated argument is a line
  for f in $(grep -lszxF -- "$CONF" /proc/[0-9]*/cmdline); do
    pid="${f#/proc/}"; pid="${pid%/cmdline}"
    [[ "$pid" != "$$" && "$pid" != "$BASHPID" ]] || continue
    grep -qszx 'kafka\.Kafka' "$f" && echo "$pid"
  done
  return 0
}

# SIGTERM, then SIGKILL after STOP_TIMEOUT seconds
stop_pid() {
  local pid="$1"
  log "stopping pid $pid (SIGTERM, up to ${STOP_TIMEOUT}s) ..."
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(( $(date +%s) + STOP_TIMEOUT ))
  while kill -0 "$pid" 2>/dev/null; do
    if (( $(date +%s) >= deadline )); then
      log "pid $pid still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
}

cmd_stop() {
  local pid strays
  take_lock
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    strays="$(stray_pids)"
    if [[ -n "$strays" ]]; then
      log "pid file $PID_FILE is stale; found this home's broker by its config $CONF"
      for pid in $strays; do stop_pid "$pid"; done
      log "stopped"
    elif kafka_metadata_ok "$PORT"; then
      log "no broker started by this script (no live pid in $PID_FILE), but something answers on $HOST:$PORT; leaving it alone"
    else
      log "not running"
    fi
    return 0
  fi
  stop_pid "$pid"
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid=""
  pid="$(our_pid || true)"
  echo "Kafka $KAFKA_VERSION (KRaft, single node)"
  echo "  listener:   $HOST:$PORT  (controller $HOST:$CONTROLLER_PORT)"
  echo "  home:       $KHOME"
  echo "  jars:       $LIBS $(libs_complete && echo '(complete)' || echo '(not fetched)')"
  echo "  formatted:  $([[ -f "$DATA_DIR/meta.properties" ]] && sed -n 's/^cluster.id=/cluster.id=/p' "$DATA_DIR/meta.properties" || echo no)"
  if [[ -n "$pid" ]]; then echo "  process:    pid $pid (started by kafka.sh)"; else echo "  process:    none started by kafka.sh"; fi
  if kafka_metadata_ok "$PORT"; then
    echo "  state:      READY (answers metadata requests on $HOST:$PORT)"
    return 0
  elif port_open "$PORT"; then
    echo "  state:      port $PORT open but no Kafka metadata answer (starting, or another program)"
    return 1
  else
    echo "  state:      DOWN"
    return 3
  fi
}

cmd_wait() {
  local timeout_s="${1:-$WAIT_TIMEOUT}" t0 pid
  [[ "$timeout_s" =~ ^[0-9]+$ ]] || die "wait: timeout must be a number of seconds"
  t0="$(now_ms)"
  pid="$(our_pid || true)"
  wait_ready "$timeout_s" "$pid" || exit 1
  local ms=$(( $(now_ms) - t0 ))
  log "ready on $HOST:$PORT (waited $((ms / 1000)).$(printf '%03d' $((ms % 1000)))s)"
}

case "${1:-}" in
  fetch)  cmd_fetch ;;
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  status) cmd_status ;;
  wait)   shift; cmd_wait "${1:-}" ;;
  *)
    echo "usage: $0 {fetch|start|stop|status|wait [seconds]}" >&2
    exit 2
    ;;
esac
