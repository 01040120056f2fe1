#!/usr/bin/env bash
# Event benchmarks (issue #4): our KafkaProducer vs Python confluent-kafka against the same broker (msgs/s, ratio),
# then outbox commit → consumer handler latency at a steady rate through OutboxRelay. Starts Postgres and
# `fileflow dev-broker` on free ports (unless FILEFLOW_POSTGRES_URL / FILEFLOW_KAFKA_BOOTSTRAP are set), builds in
# release mode, runs EventsBench, stops what it started.
#   Tools/bench/events/run.sh [throughput] [latency]          (both by default)
#   EVENTS_MESSAGES=20000 EVENTS_ROUNDS=1 EVENTS_SECONDS=3 Tools/bench/events/run.sh     # smoke
# Parameters: see Tools/bench/README.md ("Events").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
source "$root/Tools/lib/servers.sh"
python3 -c 'import confluent_kafka' 2>/dev/null || {
  ff_log "installing confluent-kafka"
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore confluent-kafka
}
work=$(mktemp -d /tmp/fileflow-events-bench.XXXXXX)
chmod 755 "$work"
trap 'ff_stop_broker "$work/broker"; ff_stop_postgres "$work/postgres"; rm -rf "$work"' EXIT

(cd "$root/Tools/bench" && swift build -c release --product EventsBench >"$work/build.out" 2>&1) ||
  { tail -40 "$work/build.out"; exit 1; }
bench="$(cd "$root/Tools/bench" && swift build -c release --show-bin-path)/EventsBench"
if [ -z "${FILEFLOW_KAFKA_BOOTSTRAP:-}" ]; then
  # The dev-broker of any recent build will do (FILEFLOW_EXE); otherwise the release build, brought up to date.
  exe=${FILEFLOW_EXE:-}
  if [ -z "$exe" ]; then
    (cd "$root" && swift build -c release --product fileflow >"$work/build.out" 2>&1) || { tail -40 "$work/build.out"; exit 1; }
    exe="$(cd "$root" && swift build -c release --show-bin-path)/fileflow"
  fi
  FILEFLOW_KAFKA_BOOTSTRAP=$(ff_start_broker "$work/broker" "$exe")
fi
export FILEFLOW_KAFKA_BOOTSTRAP
export FILEFLOW_POSTGRES_URL=${FILEFLOW_POSTGRES_URL:-$(ff_start_postgres "$work/postgres" "$(ff_free_port)")}
export EVENTS_PEER_SCRIPT="$here/peer_producer.py"
echo "librdkafka: ours $(pkg-config --modversion rdkafka) (system), peer $(python3 -c 'import confluent_kafka as c; print(c.libversion()[0], "in confluent-kafka", c.version()[0])')"
"$bench" "$@"
