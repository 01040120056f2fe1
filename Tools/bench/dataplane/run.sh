#!/usr/bin/env bash
# Data-plane benchmarks: starts Postgres and Redis on free ports (unless their URLs are set), runs
# DataPlaneBench in release mode, stops what it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
source "$root/Tools/lib/servers.sh"
work=$(mktemp -d /tmp/fileflow-dataplane-bench.XXXXXX)
chmod 755 "$work"
trap 'ff_stop_redis "$work/redis"; ff_stop_postgres "$work/postgres"; rm -rf "$work"' EXIT
export FILEFLOW_POSTGRES_URL=${FILEFLOW_POSTGRES_URL:-$(ff_start_postgres "$work/postgres" "$(ff_free_port)")}
export FILEFLOW_REDIS_URL=${FILEFLOW_REDIS_URL:-$(ff_start_redis "$work/redis" "$(ff_free_port)")}
cd "$root/Tools/bench"
swift run -c release DataPlaneBench
