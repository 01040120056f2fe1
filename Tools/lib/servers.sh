# Shared by Tools/up, Tools/down and Tools/test: install what is missing, start and stop the backing servers.
# Source it; every function logs to stderr and fails loudly.

FF_APT_PACKAGES=(
  pkg-config libnghttp2-dev libpq-dev libhiredis-dev librdkafka-dev
  redis-server nghttp2-client kcat protobuf-compiler libprotobuf-dev
  prometheus poppler-utils curl clamav-daemon chromium chromium-driver
)
FF_PIP_PACKAGES=(protobuf grpcio grpcio-tools hypothesis pytest hpack jsonschema pyyaml requests tuspy schemathesis selenium
  confluent-kafka)

ff_log() { printf '[fileflow] %s\n' "$*" >&2; }

ff_as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs the Debian and PyPI packages that are not there yet (a second run does nothing).
ff_install_dependencies() {
  local missing=()
  for p in "${FF_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    ff_log "installing ${missing[*]}"
    ff_as_root apt-get update -qq
    ff_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! python3 - "${FF_PIP_PACKAGES[@]}" <<'PY' 2>/dev/null
import importlib.metadata, sys
for name in sys.argv[1:]:
    importlib.metadata.version(name)
PY
  then
    ff_log "installing Python packages ${FF_PIP_PACKAGES[*]}"
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "${FF_PIP_PACKAGES[@]}"
  fi
}

# Prints a TCP port nobody listens on now, on 127.0.0.1.
ff_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits up to $2 seconds for a TCP listener on 127.0.0.1:$1.
ff_wait_port() {
  local port=$1 deadline=$((SECONDS + ${2:-30}))
  until python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && { ff_log "nothing listens on 127.0.0.1:$port"; return 1; }
    sleep 0.2
  done
}

ff_pg_bin() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/local/bin /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
  done
  ff_log "no PostgreSQL binaries found"; return 1
}

# Postgres refuses to run as root: when we are root, it runs as the system user 'fileflow'.
ff_pg_user_run() {
  if [ "$(id -u)" = 0 ]; then
    id fileflow >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin fileflow
    runuser -u fileflow -- "$@"
  else
    "$@"
  fi
}

# ff_start_postgres DIR PORT: a cluster in DIR (created once), listening on 127.0.0.1:PORT, database 'fileflow'.
# FILEFLOW_POSTGRES_SETTINGS adds server options (e.g. "-c shared_preload_libraries=pg_stat_statements" to profile).
ff_start_postgres() {
  local dir=$1 port=$2 bin
  bin=$(ff_pg_bin) || return 1
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && { ff_pg_user_run true; chown -R fileflow "$dir"; chmod 700 "$dir"; }
  if [ ! -f "$dir/PG_VERSION" ]; then
    ff_pg_user_run "$bin/initdb" -D "$dir" -U fileflow --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  ff_pg_user_run "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k /tmp -c fsync=on -c max_connections=200 ${FILEFLOW_POSTGRES_SETTINGS:-}" start >/dev/null
  ff_pg_user_run "$bin/psql" -h 127.0.0.1 -p "$port" -U fileflow -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='fileflow'" | grep -q 1 ||
    ff_pg_user_run "$bin/createdb" -h 127.0.0.1 -p "$port" -U fileflow fileflow
  echo "postgresql://fileflow@127.0.0.1:$port/fileflow"
}

ff_stop_postgres() {
  local dir=$1 bin
  bin=$(ff_pg_bin) || return 0
  [ -f "$dir/postmaster.pid" ] && ff_pg_user_run "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1
  return 0
}

# ff_start_redis DIR PORT: append-only persistence in DIR.
ff_start_redis() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --appendonly yes --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save '' >/dev/null
  ff_wait_port "$port" 20 || return 1
  echo "redis://127.0.0.1:$port"
}

ff_stop_redis() { ff_stop_pidfile "$1/redis.pid"; }

# ff_start_broker DIR FILEFLOW_BINARY: librdkafka's mock cluster; prints its bootstrap address.
ff_start_broker() {
  local dir=$1 exe=$2 deadline=$((SECONDS + 30))
  mkdir -p "$dir"
  rm -f "$dir/bootstrap"
  nohup "$exe" dev-broker --bootstrap-file "$dir/bootstrap" >"$dir/broker.log" 2>&1 &
  echo $! >"$dir/broker.pid"
  until [ -s "$dir/bootstrap" ]; do
    kill -0 "$(cat "$dir/broker.pid")" 2>/dev/null || { ff_log "dev-broker died: $(cat "$dir/broker.log")"; return 1; }
    [ $SECONDS -ge $deadline ] && { ff_log "dev-broker did not start"; return 1; }
    sleep 0.2
  done
  cat "$dir/bootstrap"
}

ff_stop_broker() { ff_stop_pidfile "$1/broker.pid"; }

# ff_start_clamd DIR PORT: ClamAV's clamd on 127.0.0.1:PORT with a database holding only the EICAR test signature
# (no network here for freshclam); prints host:port. Streams up to 1 GiB are scanned.
ff_start_clamd() {
  local dir=$1 port=$2
  mkdir -p "$dir/db"
  python3 - "$dir/db/eicar.ndb" <<'PY'
import sys
eicar = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
open(sys.argv[1], "w").write("Eicar-Test-Signature:0:*:" + eicar.encode().hex() + "\n")
PY
  cat >"$dir/clamd.conf" <<EOF
Foreground yes
DatabaseDirectory $dir/db
TCPSocket $port
TCPAddr 127.0.0.1
LogFile $dir/clamd.log
StreamMaxLength 1024M
MaxScanSize 1024M
MaxFileSize 1024M
EOF
  nohup clamd -c "$dir/clamd.conf" >"$dir/clamd.out" 2>&1 &
  echo $! >"$dir/clamd.pid"
  ff_wait_port "$port" 60 || { ff_log "clamd did not start: $(tail -5 "$dir/clamd.out")"; return 1; }
  echo "127.0.0.1:$port"
}

ff_stop_clamd() { ff_stop_pidfile "$1/clamd.pid"; }

# Sends SIGTERM to the process in a pid file and waits for it to go (SIGKILL after 10 s).
ff_stop_pidfile() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}
