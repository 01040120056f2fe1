#!/usr/bin/env bash
# Gateway benchmarks (issue #7), in one run against its own servers on free loopback ports (release build):
#  1. a raw-body upload with `curl -T` through the gateway vs to Debian nginx storing the body (WebDAV PUT):
#     MB/s of both, the ratio (goal >= 0.60), the gateway's peak RSS (goal < 128 MiB) and the file-process
#     service's, and the stored SHA-256 checked against the file's;
#  2. SSE_CONNECTIONS event streams held open (goal: all 200 text/event-stream, gateway RSS < 200 MiB);
#  3. `GET /api/v1/files?limit=20` and `GET /api/v1/files/{id}` from USERS simulated users with wrk
#     (goal: 0 errors, p99 < 100 ms).
# Parameters (environment): UPLOAD_MIB (1024), UPLOAD_ROUNDS (2), SSE_CONNECTIONS (1000), SSE_PER_USER (8),
# USERS (5000), ACCOUNTS (300), FILES_PER_USER (3), THINK_MS (5000,1000), DURATION (30 s), WRK_THREADS (2);
# UPLOAD_ONLY=1 runs only the upload check; PERF_DIR=dir records `perf record -g` of the gateway and file-process
# during each gateway upload; FILEFLOW_EXE runs that binary instead of building (e.g. one built with
# its own --scratch-path). See Tools/bench/README.md. Smoke run:
#   UPLOAD_MIB=64 UPLOAD_ROUNDS=1 SSE_CONNECTIONS=50 USERS=200 ACCOUNTS=20 DURATION=5 THINK_MS=1000 Tools/bench/gateway/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cd "$root"
source Tools/lib/servers.sh
ff_install_dependencies
# The peer and the load generator are this benchmark's own extras.
if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
  ff_log "installing nginx wrk"
  ff_as_root apt-get update -qq
  ff_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx wrk >/dev/null
fi
# Thousands of sockets on both ends: raise the descriptor limit as far as allowed (children inherit it).
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/fileflow-gatewaybench.XXXXXX)
chmod 755 "$work"
exe=${FILEFLOW_EXE:-}
if [ -z "$exe" ]; then
  swift build -c release --product fileflow >"$work/build.out" 2>&1 || { tail -40 "$work/build.out"; rm -rf "$work"; exit 1; }
  exe="$(swift build -c release --show-bin-path)/fileflow"
fi
pids=()
cleanup() {
  local status=$?
  if [ "$status" != 0 ]; then
    for log in "$work"/*.log; do [ -s "$log" ] && { ff_log "--- $log"; tail -20 "$log" >&2; }; done
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ff_stop_broker "$work/broker"; ff_stop_redis "$work/redis"; ff_stop_postgres "$work/postgres"
  rm -rf "$work"
}
trap cleanup EXIT

export FILEFLOW_POSTGRES_URL FILEFLOW_REDIS_URL FILEFLOW_KAFKA_BOOTSTRAP FILEFLOW_DATA_DIR=$work/data
export FILEFLOW_LOG_LEVEL=warning
unset FILEFLOW_CLAMD_ADDRESS  # no virus scan: the upload is measured, not clamd
FILEFLOW_POSTGRES_URL=$(ff_start_postgres "$work/postgres" "$(ff_free_port)")
FILEFLOW_REDIS_URL=$(ff_start_redis "$work/redis" "$(ff_free_port)")
FILEFLOW_KAFKA_BOOTSTRAP=$(ff_start_broker "$work/broker" "$exe")
export FILEFLOW_METADATA_TARGET=127.0.0.1:$(ff_free_port)

# The five services, each awaited on /readyz before the next starts (the others call metadata).
gateway_targets=()
processes=()
for name in metadata file-process search deletion notification; do
  rpc=$(ff_free_port); ops=$(ff_free_port)
  [ "$name" = metadata ] && rpc=${FILEFLOW_METADATA_TARGET#*:}
  "$exe" serve "$name" --port "$rpc" --ops-port "$ops" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  processes+=("$name=$!")
  gateway_targets+=("--$name" "127.0.0.1:$rpc")
  deadline=$((SECONDS + 90))
  until curl -fs "http://127.0.0.1:$ops/readyz" >/dev/null; do
    [ $SECONDS -ge $deadline ] && { ff_log "$name not ready after 90 s"; exit 1; }
    sleep 0.2
  done
done

# The gateway; the per-user rate limit (a Redis token bucket) is raised so that it never refuses the load.
rate_limit=1000000
gateway_port=$(ff_free_port)
"$exe" gateway --port "$gateway_port" --data-dir "$work/gateway" "${gateway_targets[@]}" \
  --rate-limit "$rate_limit" --rate-burst "$rate_limit" --access-token-seconds 7200 \
  >"$work/gateway.out" 2>"$work/gateway.log" &
pids+=($!)
processes+=("gateway=$!")
deadline=$((SECONDS + 60))
until curl -fs "http://127.0.0.1:$gateway_port/readyz" >/dev/null; do
  [ $SECONDS -ge $deadline ] && { ff_log "gateway not ready after 60 s"; exit 1; }
  sleep 0.2
done

# The peer: Debian's nginx as this user, storing PUT bodies under its own prefix (WebDAV module, no fsync).
nginx_port=$(ff_free_port)
mkdir -p "$work/nginx/store/upload"
{
  [ "$(id -u)" = 0 ] && echo "user root root;"
  cat <<EOF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_max_body_size 0;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/nginx/store;
    location /upload/ { dav_methods PUT DELETE; create_full_put_path on; }
  }
}
EOF
} >"$work/nginx/nginx.conf"
nginx -p "$work/nginx" -e "$work/nginx.log" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
ff_wait_port "$nginx_port" 20

python3 "$here/gateway_bench.py" \
  --gateway "http://127.0.0.1:$gateway_port" --nginx "http://127.0.0.1:$nginx_port/upload/" \
  --nginx-store "$work/nginx/store/upload" --work "$work" --rate-limit "$rate_limit" \
  "${processes[@]}"
