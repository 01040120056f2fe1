#!/usr/bin/env bash
# Mesh benchmark (issue #6): 4 KB files uploaded over RPC by 32 concurrent clients, each counted when it is both
# searchable and notified (goal >= 280 files/s on 2 cores with everything on them), then upload -> notification
# latency at a paced 100 files/s (goal p99 < 250 ms). Release build; every server on free loopback ports.
#   Tools/bench/mesh/run.sh [FILES]    (default 3000; FILEFLOW_EXE runs that binary instead of building one)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cd "$root"
source Tools/lib/servers.sh
ff_install_dependencies
exe=${FILEFLOW_EXE:-}  # a binary built elsewhere (e.g. to compare two builds), instead of building one
if [ -z "$exe" ]; then
  swift build -c release --product fileflow >/dev/null
  exe="$(swift build -c release --show-bin-path)/fileflow"
fi
work=$(mktemp -d /tmp/fileflow-meshbench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ff_stop_broker "$work/broker"; ff_stop_redis "$work/redis"; ff_stop_postgres "$work/postgres"
  rm -rf "$work"
}
trap cleanup EXIT
export FILEFLOW_POSTGRES_URL FILEFLOW_REDIS_URL FILEFLOW_KAFKA_BOOTSTRAP FILEFLOW_DATA_DIR=$work/data
FILEFLOW_POSTGRES_URL=$(ff_start_postgres "$work/postgres" "$(ff_free_port)")
FILEFLOW_REDIS_URL=$(ff_start_redis "$work/redis" "$(ff_free_port)")
FILEFLOW_KAFKA_BOOTSTRAP=$(ff_start_broker "$work/broker" "$exe")
export FILEFLOW_METADATA_TARGET=127.0.0.1:$(ff_free_port)
targets=()
for name in metadata file-process search deletion notification; do
  rpc=$(ff_free_port); ops=$(ff_free_port)
  [ "$name" = metadata ] && rpc=${FILEFLOW_METADATA_TARGET#*:}
  FILEFLOW_LOG_LEVEL=warning "$exe" serve "$name" --port "$rpc" --ops-port "$ops" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  targets+=("$name=127.0.0.1:$rpc=$ops=$!")
  [ "$name" = metadata ] && { ff_wait_port "$rpc" 60; until curl -fs "http://127.0.0.1:$ops/readyz" >/dev/null; do sleep 0.2; done; }
done
python3 "$here/mesh_bench.py" "${1:-3000}" "${targets[@]}"
