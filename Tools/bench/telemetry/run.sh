#!/usr/bin/env bash
# Tools/bench/telemetry/run.sh: what tracing costs a unary RPC. h2load posts gRPC-framed
# grpc.testing.TestService/UnaryCall requests at `fileflow interop-server` in five set-ups, one fresh server each,
# rounds interleaved and rotated so that drift hits all alike:
#   bare       no telemetry at all (the RPC benchmark's server)
#   off        telemetry on, FILEFLOW_TRACE_SAMPLE_RATE=0, no exporter: what an operator gets by turning tracing off
#   sampled    every request traced (rate 1), spans POSTed to a live Zipkin stand-in (nginx answering 202, or
#              collector.py when nginx is missing); the posted count comes from the server's own metrics
#   down       rate 1, the Zipkin endpoint refuses connections
#   slow       rate 1, the Zipkin endpoint accepts and never answers
# Prints req/s and p99 per set-up (median of the rounds), each against `off` (goal: sampled ≥ 0.90 of off, and down
# and slow no worse than sampled), and what became of the spans (fileflow_trace_spans_total from /metrics).
#
# Environment: OURS_BIN (fileflow, release), REQUESTS (per run, default 100000), CLIENTS (h2load -c, default 10),
# STREAMS (h2load -m, default 10), ROUNDS (default 3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
OURS_BIN=${OURS_BIN:-$root/.build/release/fileflow}
REQUESTS=${REQUESTS:-100000}
CLIENTS=${CLIENTS:-10}
STREAMS=${STREAMS:-10}
ROUNDS=${ROUNDS:-3}
work=$(mktemp -d /tmp/telemetry-bench.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
command -v h2load >/dev/null || { echo "h2load is missing (apt-get install -y nghttp2-client)" >&2; exit 1; }
[ -x "$OURS_BIN" ] || { echo "no fileflow at $OURS_BIN (swift build -c release --product fileflow)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_file() { for _ in $(seq 100); do [ -s "$1" ] && return; sleep 0.1; done; echo "no $1" >&2; exit 1; }

python3 "$root/Tools/bench/rpc/bodies.py" "$work" 0
# The live Zipkin stand-in must cost the machine as little as possible (it shares the two cores with the server
# under test): nginx answering 202 to every POST when it is installed, else the Python collector.
if command -v nginx >/dev/null; then
  live_port=$(free_port)
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  client_max_body_size 0;
  client_body_buffer_size 1m;
  server { listen 127.0.0.1:$live_port; location /api/v2/spans { return 202; } }
}
CONF
  nginx -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" -g 'daemon off;' & pids+=($!)
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$live_port/" && break; sleep 0.1; done
  collector="nginx"
else
  python3 "$here/collector.py" live "$work/live.port" & pids+=($!)
  wait_file "$work/live.port"; live_port=$(cat "$work/live.port")
  collector="collector.py"
fi
python3 "$here/collector.py" slow "$work/slow.port" & pids+=($!)
wait_file "$work/slow.port"
live="http://127.0.0.1:$live_port/api/v2/spans"
slow="http://127.0.0.1:$(cat "$work/slow.port")/api/v2/spans"
down="http://127.0.0.1:$(free_port)/api/v2/spans"  # nothing listens there

# serve SETUP: starts a fresh interop-server for SETUP; sets $rpc_port, $ops_port (empty for bare) and $server_pid.
serve() {
  local args=(interop-server --port 0) env=()
  case $1 in
    bare) ;;
    off) args+=(--telemetry); env=(FILEFLOW_TRACE_SAMPLE_RATE=0) ;;
    sampled) args+=(--telemetry); env=(FILEFLOW_TRACE_SAMPLE_RATE=1 "FILEFLOW_ZIPKIN_ENDPOINT=$live") ;;
    down) args+=(--telemetry); env=(FILEFLOW_TRACE_SAMPLE_RATE=1 "FILEFLOW_ZIPKIN_ENDPOINT=$down") ;;
    slow) args+=(--telemetry); env=(FILEFLOW_TRACE_SAMPLE_RATE=1 "FILEFLOW_ZIPKIN_ENDPOINT=$slow") ;;
  esac
  env -u FILEFLOW_ZIPKIN_ENDPOINT -u FILEFLOW_TRACE_FILE "${env[@]}" "$OURS_BIN" "${args[@]}" \
    >"$work/$1.out" 2>"$work/$1.err" &
  server_pid=$!; pids+=("$server_pid")
  for _ in $(seq 100); do grep -q "listening on" "$work/$1.out" 2>/dev/null && break; sleep 0.1; done
  rpc_port=$(awk '/listening on/ {print $NF}' "$work/$1.out")
  ops_port=$(awk '/ops on/ {print $NF}' "$work/$1.out")
  [ -n "$rpc_port" ] || { echo "$1 did not start:" >&2; cat "$work/$1.err" >&2; exit 1; }
}

# load SETUP ROUND: one h2load run; appends "req/s p99_µs" to $work/SETUP.rows; prints the span outcomes.
load() {
  local log="$work/$1-$2.log"
  h2load -t1 -c"$CLIENTS" -m"$STREAMS" -n"$REQUESTS" -d "$work/unary-request.bin" \
    -H 'content-type: application/grpc' -H 'te: trailers' --log-file="$log" \
    "http://127.0.0.1:$rpc_port/grpc.testing.TestService/UnaryCall" >"$work/h2load.out" 2>&1
  local ok
  ok=$(awk '/^requests:/ {print $8}' "$work/h2load.out")
  [ "$ok" = "$REQUESTS" ] || { echo "$1: only $ok of $REQUESTS requests succeeded" >&2; cat "$work/h2load.out" >&2; exit 1; }
  python3 - "$log" "$(awk '/^finished in/ {print $4}' "$work/h2load.out")" >>"$work/$1.rows" <<'PY'
import sys
latencies = sorted(int(line.split()[2]) for line in open(sys.argv[1]))
print(sys.argv[2], latencies[int(len(latencies) * 0.99) - 1])
PY
}

# spans SETUP: fileflow_trace_spans_total by outcome, after the reporter had a moment to drain.
spans() {
  [ -n "$ops_port" ] || { echo "-"; return; }
  sleep 2
  curl -s "http://127.0.0.1:$ops_port/metrics" | python3 -c '
import re, sys
counts = {m.group(1): int(float(m.group(2))) for m in re.finditer(r"fileflow_trace_spans_total\{[^}]*outcome=\"(\w+)\"[^}]*\} (\S+)", sys.stdin.read())}
print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "none")'
}

setups="bare off sampled down slow"
echo "h2load -c$CLIENTS -m$STREAMS, $REQUESTS unary requests per run, $ROUNDS rounds, live Zipkin stand-in: $collector," \
  "machine load: $(cut -d' ' -f1-3 /proc/loadavg)"
read -ra order <<<"$setups"
for round in $(seq "$ROUNDS"); do
  # Each round starts one set-up later, so every set-up runs in every position and drift within a round (page
  # cache, heat, a neighbour's burst) is shared out instead of always landing on the last ones.
  shift_by=$(( (round - 1) % ${#order[@]} ))
  for setup in "${order[@]:shift_by}" "${order[@]:0:shift_by}"; do
    serve "$setup"
    python3 "$root/Tools/bench/rpc/check_status.py" "$rpc_port" >/dev/null  # grpc-status 0: h2load cannot see it
    load "$setup" "$round"
    echo "round $round $setup: $(tail -1 "$work/$setup.rows") spans: $(spans "$setup")" | tee -a "$work/spans.txt"
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  done
done
[ "$collector" = nginx ] || echo "live collector received $(curl -s "http://127.0.0.1:$live_port/count") spans in all"
python3 - "$work" $setups <<'PY'
import statistics
import sys

work, setups = sys.argv[1], sys.argv[2:]
rows = {s: [tuple(map(float, line.split())) for line in open(f"{work}/{s}.rows")] for s in setups}
rps = {s: statistics.median(r for r, _ in rows[s]) for s in setups}
p99 = {s: statistics.median(p for _, p in rows[s]) for s in setups}
print(f"\n{'setup':<9} {'req/s':>10} {'p99 µs':>8} {'vs off':>7}")
for s in setups:
    print(f"{s:<9} {rps[s]:>10.0f} {p99[s]:>8.0f} {rps[s] / rps['off']:>7.3f}")
overhead = 1 - rps["sampled"] / rps["off"]
print(f"\ntracing overhead (sampled vs off): {overhead * 100:.1f}% (goal <= 10%): {'met' if overhead <= 0.10 else 'NOT met'}")
for s in ("down", "slow"):
    print(f"{s} endpoint vs live one: {rps[s] / rps['sampled']:.3f} of the throughput (goal: no worse, >= 0.95)")
print(f"telemetry cost with tracing off (off vs bare): {(1 - rps['off'] / rps['bare']) * 100:.1f}%")
PY
