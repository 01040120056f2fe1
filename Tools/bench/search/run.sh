#!/usr/bin/env bash
# Search benchmark: SearchIndex vs PostgreSQL 15 full-text search vs SQLite FTS5, one run, one table.
#   Tools/bench/search/run.sh [DOCUMENTS]        (default 1,000,000)
# Environment: SEARCHBENCH_WORK (default /tmp/searchbench) holds the corpus, the indexes and the results;
# SEARCHBENCH_PACKAGE overrides the Swift package that builds SearchBench (default Tools/bench); SEARCHBENCH_SCRATCH
# builds it in that scratch directory (default: the package's .build), so it need not wait for others' builds.
# Needs: Postgres 15 binaries in /usr/local/bin (run as a dedicated non-root user it creates), python3 with sqlite3
# (FTS5) and psycopg2 (installed with pip if missing). Run as root (for useradd/runuser).
set -euo pipefail
DOCUMENTS="${1:-1000000}"
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="${SEARCHBENCH_WORK:-/tmp/searchbench}"
PACKAGE="${SEARCHBENCH_PACKAGE:-$HERE/..}"
mkdir -p "$WORK"
python3 -c "import psycopg2" 2>/dev/null || pip install --quiet psycopg2-binary
BUILD=(swift build -c release --package-path "$PACKAGE" ${SEARCHBENCH_SCRATCH:+--scratch-path "$SEARCHBENCH_SCRATCH"})
"${BUILD[@]}" --product SearchBench
BIN="$("${BUILD[@]}" --show-bin-path)/SearchBench"
"$BIN" "$DOCUMENTS" "$WORK" > /dev/null
python3 "$HERE/peers.py" "$WORK"
