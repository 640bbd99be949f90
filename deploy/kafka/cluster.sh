#!/usr/bin/env bash
# A local KRaft cluster of N nodes (each broker and controller), one kafka.sh per node, without
# Docker: replication factor N (at most 3), min.insync.replicas N-1 (at least 1).
#
# Usage: bash deploy/kafka/cluster.sh {start|stop|status|kill <node>|restart <node>} [--brokers N]
#
# Environment (all optional):
#   TALLY_KAFKA_CLUSTER_HOME             nodes' homes          (default <repo>/.tally/kafka-cluster)
#   TALLY_KAFKA_CLUSTER_PORT             first client port     (default 9192: nodes on 9192, 9193, ...)
#   TALLY_KAFKA_CLUSTER_CONTROLLER_PORT  first controller port (default client port + 100)
# KAFKA_BROKERS for the services: 127.0.0.1:<port>,127.0.0.1:<port+1>,...
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CMD="${1:-}"; shift || true
NODE=""
BROKERS=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --brokers) BROKERS="$2"; shift 2 ;;
    *) NODE="$1"; shift ;;
  esac
done
[[ "$BROKERS" =~ ^[1-9]$ ]] || { echo "cluster: --brokers must be 1-9" >&2; exit 2; }

HOME_BASE="${TALLY_KAFKA_CLUSTER_HOME:-$REPO_ROOT/.tally/kafka-cluster}"
PORT="${TALLY_KAFKA_CLUSTER_PORT:-9192}"
CPORT="${TALLY_KAFKA_CLUSTER_CONTROLLER_PORT:-$((PORT + 100))}"
RF=$(( BROKERS < 3 ? BROKERS : 3 ))
MIN_ISR=$(( RF > 1 ? RF - 1 : 1 ))
VOTERS=""
for i in $(seq 1 "$BROKERS"); do VOTERS+="${VOTERS:+,}$i@127.0.0.1:$((CPORT + i - 1))"; done

mkdir -p "$HOME_BASE"
# One cluster id for every node, kept beside them so a restarted node joins the same cluster.
[[ -s "$HOME_BASE/cluster.id" ]] || (cd "$REPO_ROOT" && bash "$SCRIPT_DIR/kafka.sh" fetch >/dev/null && \
  java -cp "${TALLY_KAFKA_LIBS:-$HOME/.cache/tally/kafka-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$SCRIPT_DIR/pom.xml" | head -n1)/libs}/*" \
  kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1 >"$HOME_BASE/cluster.id")

node() {
  local i="$1"; shift
  TALLY_KAFKA_HOME="$HOME_BASE/node-$i" TALLY_KAFKA_PORT=$((PORT + i - 1)) TALLY_KAFKA_CONTROLLER_PORT=$((CPORT + i - 1)) \
  TALLY_KAFKA_NODE_ID="$i" TALLY_KAFKA_VOTERS="$VOTERS" TALLY_KAFKA_CLUSTER_ID="$(cat "$HOME_BASE/cluster.id")" \
  TALLY_KAFKA_REPLICATION="$RF" TALLY_KAFKA_MIN_ISR="$MIN_ISR" \
  TALLY_KAFKA_HEAP_OPTS="${TALLY_KAFKA_HEAP_OPTS:--Xms192m -Xmx384m}" \
    bash "$SCRIPT_DIR/kafka.sh" "$@" 2>&1 | sed "s/^/node $i: /"
  return "${PIPESTATUS[0]}"
}

case "$CMD" in
  start)
    # In parallel: a node is ready only once a quorum of controllers answers.
    pids=()
    for i in $(seq 1 "$BROKERS"); do node "$i" start & pids+=($!); done
    rc=0; for p in "${pids[@]}"; do wait "$p" || rc=1; done
    (( rc == 0 )) && echo "cluster: $BROKERS nodes ready; KAFKA_BROKERS=$(for i in $(seq 1 "$BROKERS"); do printf '%s127.0.0.1:%s' "$([[ $i -gt 1 ]] && echo ,)" $((PORT + i - 1)); done)"
    exit "$rc" ;;
  stop) for i in $(seq 1 "$BROKERS"); do node "$i" stop || true; done ;;
  status) for i in $(seq 1 "$BROKERS"); do node "$i" status || true; done ;;
  kill)
    # SIGKILL, as a crash would: no controlled shutdown.
    [[ -n "$NODE" ]] || { echo "cluster: kill <node>" >&2; exit 2; }
    pid="$(cat "$HOME_BASE/node-$NODE/kafka.pid" 2>/dev/null || true)"
    [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null && echo "cluster: node $NODE (pid $pid) killed" || echo "cluster: node $NODE not running" ;;
  restart) [[ -n "$NODE" ]] || { echo "cluster: restart <node>" >&2; exit 2; }; node "$NODE" start ;;
  *) echo "usage: $0 {start|stop|status|kill <node>|restart <node>} [--brokers N]" >&2; exit 2 ;;
esac
