#!/usr/bin/env python3
"""Runs the search peers (PostgreSQL 15 full-text search, SQLite FTS5) on SearchBench's corpus and queries, and
prints ours against them side by side with ratios. Called by run.sh after SearchBench has written WORK/*.tsv and
WORK/ours.json.

Peers index the same terms as ours: names pre-split the way our analyzer splits them, texts as generated.
Postgres: tsvector (name weight A, text weight B) with GIN, ts_rank_cd, 'simple' configuration (no stemming, as
the corpus has no plurals). FTS5: contentless table, bm25 with the same name boost as ours (2.0).
"""
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

WORK = sys.argv[1] if len(sys.argv) > 1 else "/tmp/searchbench"
SKIP_POSTGRES = "--skip-postgres" in sys.argv
PG_USER = "searchbench"
PG_PORT = 54329
KINDS = ["1-term", "2-term AND", "2-term OR", "prefix", "phrase"]
WARMUP = 100
# --reuse prints the table from peers' results saved by an earlier run (WORK/sqlite.json, WORK/postgres.json).
REUSE = "--reuse" in sys.argv


def load_queries():
    queries = []
    with open(os.path.join(WORK, "queries.tsv")) as f:
        for line in f:
            kind, pg, fts = line.rstrip("\n").split("\t")
            queries.append((kind, pg, fts))
    return queries


def load_brute():
    brute = {}
    with open(os.path.join(WORK, "brute.tsv")) as f:
        for line in f:
            index, ids = line.rstrip("\n").split("\t")
            brute[int(index)] = [x for x in ids.split(",") if x]
    return brute


def corpus_rows():
    with open(os.path.join(WORK, "corpus.tsv")) as f:
        for line in f:
            doc, name, body = line.rstrip("\n").split("\t")
            yield int(doc), name, body


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def timed_queries(queries, run):
    for _, pg, fts in queries[:WARMUP]:  # warm caches first (ours warms with a full pass; peers are far slower)
        run(pg, fts)
    latencies = {k: [] for k in KINDS}
    results = []
    for kind, pg, fts in queries:
        start = time.perf_counter()
        ids = run(pg, fts)
        latencies[kind].append((time.perf_counter() - start) * 1000)
        results.append(["d%d" % i for i in ids])
    return latencies, results


def sqlite_peer(queries):
    path = os.path.join(WORK, "fts5.db")
    for suffix in ("", "-wal", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(name, body, content='')")
    start = time.perf_counter()
    db.executemany("INSERT INTO docs(rowid, name, body) VALUES (?, ?, ?)", corpus_rows())
    db.commit()
    index_seconds = time.perf_counter() - start
    size = os.path.getsize(path)
    sql = "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 2.0, 1.0) LIMIT 10"

    def run(_pg, fts):
        return [r[0] for r in db.execute(sql, (fts,))]

    latencies, results = timed_queries(queries, run)
    db.close()
    return index_seconds, size, latencies, results


def sh(cmd, user=None, check=True):
    if user:
        cmd = ["runuser", "-u", user, "--"] + cmd
    return subprocess.run(cmd, check=check, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def postgres_peer(queries):
    import psycopg2

    if subprocess.run(["id", PG_USER], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        sh(["useradd", "--system", "--no-create-home", PG_USER])
    data = os.path.join(WORK, "pg")
    socket = os.path.join(WORK, "pgsock")
    if os.path.exists(data):
        sh(["/usr/local/bin/pg_ctl", "-D", data, "-m", "immediate", "stop"], user=PG_USER, check=False)
        shutil.rmtree(data)
    os.makedirs(socket, exist_ok=True)
    os.chmod(WORK, 0o755)
    shutil.chown(socket, PG_USER)
    os.makedirs(data)
    shutil.chown(data, PG_USER)
    sh(["/usr/local/bin/initdb", "-D", data, "-U", PG_USER, "--no-sync"], user=PG_USER)
    options = "-p %d -k %s -c listen_addresses='' -c shared_buffers=1GB -c work_mem=64MB " \
              "-c maintenance_work_mem=1GB -c max_wal_size=8GB -c synchronous_commit=off" % (PG_PORT, socket)
    sh(["/usr/local/bin/pg_ctl", "-D", data, "-o", options, "-l", os.path.join(data, "log"), "-w", "start"],
       user=PG_USER)
    try:
        conn = psycopg2.connect(host=socket, port=PG_PORT, user=PG_USER, dbname="postgres")
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("CREATE UNLOGGED TABLE docs (id int PRIMARY KEY, name text, body text, tsv tsvector "
                    "GENERATED ALWAYS AS (setweight(to_tsvector('simple', name), 'A') || "
                    "setweight(to_tsvector('simple', body), 'B')) STORED)")
        start = time.perf_counter()
        with open(os.path.join(WORK, "corpus.tsv")) as f:
            cur.copy_expert("COPY docs (id, name, body) FROM STDIN", f)
        cur.execute("CREATE INDEX docs_tsv ON docs USING gin (tsv)")
        cur.execute("VACUUM ANALYZE docs")
        index_seconds = time.perf_counter() - start
        cur.execute("SELECT pg_total_relation_size('docs')")
        size = cur.fetchone()[0]
        sql = "SELECT id FROM docs, to_tsquery('simple', %s) q WHERE tsv @@ q ORDER BY ts_rank_cd(tsv, q) DESC LIMIT 10"

        def run(pg, _fts):
            cur.execute(sql, (pg,))
            return [r[0] for r in cur.fetchall()]

        latencies, results = timed_queries(queries, run)
        conn.close()
        return index_seconds, size, latencies, results
    finally:
        sh(["/usr/local/bin/pg_ctl", "-D", data, "-m", "fast", "stop"], user=PG_USER, check=False)
        shutil.rmtree(data, ignore_errors=True)


def overlap(results, brute):
    per_kind = {k: [] for k in KINDS}
    queries = load_queries()
    for index, expected in brute.items():
        got = set(results[index])
        value = (1.0 if not got else 0.0) if not expected else len(got & set(expected)) / len(expected)
        per_kind[queries[index][0]].append(value)
    return {k: (statistics.mean(v) if v else float("nan")) for k, v in per_kind.items()}


def main():
    queries = load_queries()
    brute = load_brute()
    ours = json.load(open(os.path.join(WORK, "ours.json")))
    ours_results = {}
    with open(os.path.join(WORK, "ours-results.tsv")) as f:
        for line in f:
            index, ids = line.rstrip("\n").split("\t")
            ours_results[int(index)] = [x for x in ids.split(",") if x]
    documents = ours["documents"]

    def cached(name, run):
        path = os.path.join(WORK, name + ".json")
        if REUSE and os.path.exists(path):
            return json.load(open(path))
        print("running %s ..." % name, file=sys.stderr)
        result = run(queries)
        json.dump(result, open(path, "w"))
        return result

    fts = cached("sqlite", sqlite_peer)
    pg = None if SKIP_POSTGRES else cached("postgres", postgres_peer)

    rows = []
    def row(name, ours_value, pg_value, fts_value, unit, higher_is_better):
        rows.append((name, ours_value, pg_value, fts_value, unit, higher_is_better))

    row("indexing (docs/s)", documents / ours["index_seconds"], pg and documents / pg[0],
        documents / fts[0], "", True)
    row("index size (MB)", ours["index_bytes"] / 1e6, pg and pg[1] / 1e6, fts[1] / 1e6, "", False)
    for kind in KINDS:
        o = ours["latency"][kind]
        row("%s p50 (ms)" % kind, o["p50"], pg and percentile(pg[2][kind], 0.5),
            percentile(fts[2][kind], 0.5), "", False)
        row("%s p99 (ms)" % kind, o["p99"], pg and percentile(pg[2][kind], 0.99),
            percentile(fts[2][kind], 0.99), "", False)
    ours_overlap = overlap([ours_results[i] for i in range(len(queries))], brute)
    fts_overlap = overlap(fts[3], brute)
    pg_overlap = overlap(pg[3], brute) if pg else None

    def fmt(v):
        if v is None:
            return "-"
        return "%.3f" % v if v < 10 else "%.0f" % v

    print()
    print("SearchIndex vs PostgreSQL 15 FTS vs SQLite FTS5 — %d documents, %d queries, one run" %
          (documents, len(queries)))
    print("%-24s %12s %12s %12s %10s %10s" % ("metric", "ours", "postgres", "fts5", "pg/ours", "fts5/ours"))
    for name, o, p, f, _, higher in rows:
        def ratio(peer):
            if peer is None or o == 0 or peer == 0:
                return "-"
            return "%.1fx" % ((o / peer) if higher else (peer / o))
        print("%-24s %12s %12s %12s %10s %10s" % (name, fmt(o), fmt(p), fmt(f), ratio(p), ratio(f)))
    print("(ratios: how many times better ours is; >1 means ours wins)")
    print()
    print("top-10 overlap with the brute-force BM25 ranking (%d sampled queries per type):" % (len(brute) // 5))
    print("%-24s %12s %12s %12s" % ("query type", "ours", "postgres", "fts5"))
    for kind in KINDS:
        print("%-24s %12.2f %12s %12.2f" % (kind, ours_overlap[kind],
                                             "%.2f" % pg_overlap[kind] if pg_overlap else "-", fts_overlap[kind]))
    print()
    print("ours with the ACL filter (user sees ~0.2% of documents): " + ", ".join(
        "%s p50 %.3f ms" % (k, ours["latency"][k]["acl_p50"]) for k in KINDS))
    print("ours index CPU time %.2f s (wall %.2f s); open %.2f s" % (
        ours.get("index_cpu_seconds", 0), ours["index_seconds"], ours["open_seconds"]))


if __name__ == "__main__":
    main()
