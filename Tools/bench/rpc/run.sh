#!/usr/bin/env bash
# Tools/bench/rpc/run.sh: the RPC benchmark. h2load posts gRPC-framed grpc.testing.TestService/UnaryCall requests at
# FileFlow's interop-server (nghttp2), at a grpc-swift-2 server doing the same work (RPCBench peer-server) and at
# nghttpd (a static file: the ceiling of nghttp2 itself), at -c1 -m1, -c10 -m10 and -c100 -m10; then pushes 1 GiB of
# 1 MiB messages through StreamingInputCall at ours and the peer, with the server's peak RSS. Prints every row and the
# ratios. h2load does not read trailers, so grpc-status is checked separately with grpcio before the runs.
# Each unary row is two h2load runs: req/s from one without h2load's per-request log, p99 from one with it (writing
# the log takes h2load a good part of a core, which nghttpd's one thread leaves free but a server using both cores
# has to share); the logged run's req/s are printed too.
#
# Each row's req/s is the median of REPEATS unlogged runs (default 3), alternating between the servers.
#
# Environment: OURS_BIN (fileflow, release), PEER_BIN (RPCBench, release), REQUESTS (per unary run, default 200000),
# REPEATS (default 3), STREAM_MIB (default 1024).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
OURS_BIN=${OURS_BIN:-$root/.build/release/fileflow}
PEER_BIN=${PEER_BIN:-$root/Tools/bench/.build/release/RPCBench}
REQUESTS=${REQUESTS:-200000}
REPEATS=${REPEATS:-3}
STREAM_MIB=${STREAM_MIB:-1024}
work=$(mktemp -d /tmp/rpc-bench.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start NAME COMMAND...: starts a server, waits for its port, records its pid in $last_pid.
start() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>&1 &
  last_pid=$!
  pids+=("$last_pid")
  for _ in $(seq 100); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null; then return; fi
    sleep 0.1
  done
  echo "$name did not start:" >&2; cat "$work/$name.out" >&2; exit 1
}

python3 "$here/bodies.py" "$work" "$STREAM_MIB"

port=$(free_port); ours_port=$port; start ours "$OURS_BIN" interop-server --port "$port"; ours_pid=$last_pid
servers="ours peer nghttpd"
if [ -x "$PEER_BIN" ]; then
  port=$(free_port); peer_port=$port; start peer "$PEER_BIN" peer-server --port "$port"; peer_pid=$last_pid
else
  echo "no grpc-swift-2 peer at $PEER_BIN (build it: swift build -c release --product RPCBench in Tools/bench); skipping it"
  servers="ours nghttpd"; peer_port=""
fi
port=$(free_port); nghttpd_port=$port
mkdir -p "$work/docroot/grpc.testing.TestService"
cp "$work/unary-response.bin" "$work/docroot/grpc.testing.TestService/UnaryCall"
start nghttpd nghttpd --no-tls -d "$work/docroot" "$port"

python3 "$here/check_status.py" "$ours_port" $peer_port

# h2load_run NAME PORT C M [ARGS...]: one h2load run; prints its req/s.
h2load_run() {
  local name=$1 port=$2 c=$3 m=$4; shift 4
  h2load -t1 -c"$c" -m"$m" -n"$REQUESTS" -d "$work/unary-request.bin" \
    -H 'content-type: application/grpc' -H 'te: trailers' "$@" \
    "http://127.0.0.1:$port/grpc.testing.TestService/UnaryCall" >"$work/h2load.out" 2>&1
  local ok
  ok=$(awk '/^requests:/ {print $8}' "$work/h2load.out")
  [ "$ok" = "$REQUESTS" ] || { echo "$name: only $ok of $REQUESTS requests succeeded" >&2; cat "$work/h2load.out" >&2; }
  awk '/^finished in/ {print $4}' "$work/h2load.out"
}

# logged NAME PORT C M: one run with h2load's per-request log; prints "p99_us logged_req/s".
logged() {
  local log="$work/$1-$3-$4.log" rps
  rps=$(h2load_run "$@" --log-file="$log")
  python3 -c "
lat=sorted(int(l.split()[2]) for l in open('$log'))
print(lat[int(len(lat)*0.99)-1] if lat else 0, '$rps')"
}

median() { python3 -c "import statistics, sys; print(statistics.median(float(v) for v in sys.argv[1:]))" "$@"; }

printf '%-10s %-8s %14s %10s %14s   %s\n' server c×m 'req/s' 'p99 µs' 'req/s logged' "req/s of each of the $REPEATS runs"
for cm in "1 1" "10 10" "100 10"; do
  set -- $cm
  declare -A rps p99 logged runs=()
  # The unlogged runs alternate between the servers, so the machine's drift (±5% within minutes) reaches all alike.
  for _ in $(seq "$REPEATS"); do
    for server in $servers; do
      port_var="${server}_port"
      runs[$server]+="$(h2load_run "$server" "${!port_var}" "$1" "$2") "
    done
  done
  for server in $servers; do
    port_var="${server}_port"
    rps[$server]=$(median ${runs[$server]})
    read -r p l < <(logged "$server" "${!port_var}" "$1" "$2")
    p99[$server]=$p; logged[$server]=$l
    printf '%-10s %-8s %14.0f %10s %14s   %s\n' "$server" "$1×$2" "${rps[$server]}" "$p" "$l" "${runs[$server]}"
  done
  if [ -n "$peer_port" ]; then
    python3 -c "print(f'  ours/grpc-swift-2 = {${rps[ours]}/${rps[peer]}:.2f}x req/s (goal >= 2.0), p99 ours/peer = {${p99[ours]}/max(1,${p99[peer]}):.2f} (goal <= 1)')"
  fi
  python3 -c "print(f'  ours/nghttpd = {${rps[ours]}/${rps[nghttpd]}:.2f} (goal >= 0.50; logged runs {${logged[ours]}/${logged[nghttpd]}:.2f})')"
done

# stream NAME PORT PID: 1 GiB in 1 MiB messages through StreamingInputCall; prints GB/s and the server's peak RSS.
stream() {
  h2load -t1 -c1 -m1 -n1 -d "$work/stream-request.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
    -w 24 -W 24 "http://127.0.0.1:$2/grpc.testing.TestService/StreamingInputCall" >"$work/stream.out" 2>&1
  # h2load prints the time with a unit: "finished in 1.23s," or "565.59ms," (or "us") on a fast run.
  local took
  took=$(awk '/^finished in/ {sub(",","",$3); print $3}' "$work/stream.out")
  local hwm
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$3/status")
  python3 -c "
import re
value, unit = re.fullmatch(r'([0-9.]+)(us|ms|s)', '$took').groups()
seconds = float(value) * {'us': 1e-6, 'ms': 1e-3, 's': 1.0}[unit]
print('%-10s %8.2f GB/s  peak RSS %6.1f MiB' % ('$1', ${STREAM_MIB} * 1048576 / seconds / 1e9, $hwm / 1024))"
}
echo
echo "client streaming, ${STREAM_MIB} MiB in 1 MiB messages"
stream ours "$ours_port" "$ours_pid"
if [ -n "$peer_port" ]; then stream peer "$peer_port" "$peer_pid"; fi
