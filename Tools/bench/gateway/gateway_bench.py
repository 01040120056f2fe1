"""Drives a running gateway, its mesh and an nginx peer (see run.sh) through the issue #7 speed checks: a raw-body
upload with curl -T (gateway vs nginx, peak RSS, SHA-256 check), held-open SSE connections (RSS, all 200
text/event-stream) and the list/metadata endpoints under many simulated users with wrk. Prints one report."""
import argparse
import asyncio
import hashlib
import json
import math
import os
import pathlib
import resource
import signal
import statistics
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlsplit

import requests

PASSWORD = "correct horse battery 9"
HERE = pathlib.Path(__file__).resolve().parent
SETTLED = {"processed", "quarantined", "failed"}


def setting(name, default):
    return int(os.environ.get(name, default))


class Process:
    """A server process whose memory is read from /proc/<pid>/status (MiB)."""

    def __init__(self, name, pid):
        self.name, self.pid = name, int(pid)

    def _field(self, key):
        for line in open(f"/proc/{self.pid}/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
        raise SystemExit(f"{self.name} (pid {self.pid}) has no {key}: did it exit?")

    def rss(self):
        return self._field("VmRSS")

    def peak(self):
        return self._field("VmHWM")

    def cpu_seconds(self):
        """User + system CPU time so far."""
        fields = open(f"/proc/{self.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def reset_peak(self):
        """Starts VmHWM over from the current RSS (Linux >= 4.0), so each phase reports its own peak."""
        with open(f"/proc/{self.pid}/clear_refs", "w") as f:
            f.write("5")


class Sampler:
    """Samples the RSS of some processes every `interval` seconds on a thread: first, max and last per process."""

    def __init__(self, processes, interval=0.1):
        self.processes, self.interval = processes, interval
        self.samples = {p.name: [] for p in processes}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stopped.is_set():
            for p in self.processes:
                self.samples[p.name].append(p.rss())
            self.stopped.wait(self.interval)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stopped.set()
        self.thread.join()

    def summary(self, name):
        values = self.samples[name]
        return values[0], max(values), values[-1]


class Account:
    """A registered, signed-in user of the gateway."""

    def __init__(self, base, username, user_id, token):
        self.base, self.username, self.user_id, self.token = base, username, user_id, token
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.file_ids = []

    @classmethod
    def register(cls, base):
        username = f"gwbench-{uuid.uuid4().hex[:12]}"
        response = requests.post(f"{base}/api/v1/auth/register", json={"username": username, "password": PASSWORD},
                                 timeout=120)
        expect(response, 201)
        user_id = response.json()["user_id"]
        response = requests.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD},
                                 timeout=120)
        expect(response, 200)
        return cls(base, username, user_id, response.json()["access_token"])

    def upload(self, name, data):
        response = self.session.post(f"{self.base}/api/v1/files", data=data, timeout=120, headers={
            "X-File-Name": quote(name, safe=""), "Content-Type": "text/plain"})
        expect(response, 201)
        self.file_ids.append(response.json()["file_id"])
        return response.json()

    def get(self, path):
        response = self.session.get(f"{self.base}{path}", timeout=120)
        expect(response, 200)
        return response.json()

    def wait_settled(self, file_id, timeout):
        """Waits until the processing pipeline is done with the file, so that it does not weigh on what follows."""
        deadline = time.monotonic() + timeout
        while (status := self.get(f"/api/v1/files/{file_id}")["status"]) not in SETTLED:
            if time.monotonic() > deadline:
                raise SystemExit(f"file {file_id} still {status} after {timeout} s")
            time.sleep(0.2)
        return status


class Profiles:
    """With PERF_DIR set, `perf record -g` of some processes while the block runs, into PERF_DIR/<name>-<round>.data
    (read with `perf report -i`); without it, nothing."""

    def __init__(self, processes, index):
        self.directory = os.environ.get("PERF_DIR")
        self.processes, self.index, self.recorders = processes, index, []

    def __enter__(self):
        if self.directory:
            os.makedirs(self.directory, exist_ok=True)
            self.recorders = [subprocess.Popen(
                ["perf", "record", "-q", "-g", "-p", str(p.pid), "-o",
                 os.path.join(self.directory, f"{p.name}-{self.index + 1}.data")]) for p in self.processes]
            time.sleep(0.5)  # perf attaches before the first byte
        return self

    def __exit__(self, *_):
        for recorder in self.recorders:
            recorder.send_signal(signal.SIGINT)
        for recorder in self.recorders:
            recorder.wait()


def expect(response, status):
    if response.status_code != status:
        raise SystemExit(f"{response.request.method} {response.url}: {response.status_code} {response.text[:300]}")


def make_file(path, mib):
    """MIB MiB of random bytes (incompressible, so no side gets a shortcut); returns their SHA-256."""
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(mib):
            chunk = os.urandom(1 << 20)
            digest.update(chunk)
            f.write(chunk)
    return digest.hexdigest()


def curl_upload(path, url, *args):
    """`curl -T path`: returns (HTTP status, seconds, response body)."""
    out = pathlib.Path(str(path) + ".response")
    result = subprocess.run(["curl", "-sS", "-o", str(out), "-w", "%{http_code} %{time_total}", "-T", str(path),
                             *args, url], capture_output=True, text=True, check=True)
    status, seconds = result.stdout.split()
    body = out.read_text(errors="replace")
    out.unlink()
    return int(status), float(seconds), body


def upload_phase(options, processes, owner):
    mib, rounds = setting("UPLOAD_MIB", 1024), setting("UPLOAD_ROUNDS", 2)
    size = mib << 20
    gateway, file_process = processes["gateway"], processes["file-process"]
    before = {"gateway": gateway.rss(), "file-process": file_process.rss()}
    rows = []
    peaks = {"gateway": 0.0, "file-process": 0.0}
    flat = {"gateway": [], "file-process": []}
    for index in range(rounds):
        source = pathlib.Path(options.work) / f"upload-{index}.bin"
        expected = make_file(source, mib)
        # The peer: PUT the body into a file.
        status, nginx_seconds, body = curl_upload(source, options.nginx + source.name)
        stored = pathlib.Path(options.nginx_store) / source.name
        if status != 201 or stored.stat().st_size != size:
            raise SystemExit(f"nginx upload: {status} {body[:200]}")
        stored.unlink()
        # Ours: the same bytes as a raw-body POST.
        for p in (gateway, file_process):
            p.reset_peak()
        cpu = {p.name: p.cpu_seconds() for p in (gateway, file_process)}
        with Sampler([gateway, file_process]) as sampler, Profiles([gateway, file_process], index):
            status, gateway_seconds, body = curl_upload(
                source, f"{options.gateway}/api/v1/files", "-X", "POST",
                "-H", f"Authorization: Bearer {owner.token}", "-H", f"X-File-Name: {source.name}",
                "-H", "Content-Type: application/octet-stream")
        if status != 201:
            raise SystemExit(f"gateway upload: {status} {body[:300]}")
        created = json.loads(body)
        cpu = {p.name: (p.cpu_seconds() - cpu[p.name]) / gateway_seconds * 100 for p in (gateway, file_process)}
        for name, p in (("gateway", gateway), ("file-process", file_process)):
            peaks[name] = max(peaks[name], p.peak())
            flat[name].append(sampler.summary(name))
        record = owner.get(f"/api/v1/files/{created['file_id']}")
        started = time.monotonic()
        status_after = owner.wait_settled(created["file_id"], timeout=900)
        rows.append({
            "nginx": size / nginx_seconds / 1e6, "gateway": size / gateway_seconds / 1e6,
            "sha_ok": created["sha256"] == expected and record["sha256"] == expected and record["size"] == size,
            "processing": time.monotonic() - started, "status": status_after, "cpu": cpu})
        source.unlink()
    return {"mib": mib, "rows": rows, "before": before, "peaks": peaks, "flat": flat}


class Stream:
    """One held-open `GET /api/v1/events` over a raw socket: status, content type, and what arrived."""

    def __init__(self, account, use_cookie):
        self.account, self.use_cookie = account, use_cookie
        self.status, self.content_type = None, ""
        self.events = self.pings = 0
        self.open = False
        self.error = None

    async def connect(self, host, port):
        auth = (f"Cookie: ff_access={self.account.token}" if self.use_cookie
                else f"Authorization: Bearer {self.account.token}")
        try:
            self.reader, self.writer = await asyncio.open_connection(host, port)
            self.writer.write(f"GET /api/v1/events HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
                              f"{auth}\r\n\r\n".encode())
            await self.writer.drain()
            head = (await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 60)).decode("latin-1")
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as error:
            self.error = repr(error)
            return
        lines = head.split("\r\n")
        self.status = int(lines[0].split()[1])
        for line in lines[1:]:
            if line.lower().startswith("content-type:"):
                self.content_type = line.split(":", 1)[1].strip()
        self.open = self.status == 200

    @property
    def ok(self):
        return self.status == 200 and self.content_type.startswith("text/event-stream")

    async def read_until_closed(self):
        """Reads (and counts) frames until the connection ends; `open` stays true while it is held."""
        if not self.open:
            return
        tail = b""
        try:
            while data := await self.reader.read(65536):
                window = tail + data
                self.events += window.count(b"\nevent: ") - tail.count(b"\nevent: ")
                self.pings += window.count(b": ping") - tail.count(b": ping")
                tail = window[-16:]
            self.open = False
        except (OSError, asyncio.CancelledError):
            pass

    def close(self):
        if hasattr(self, "writer"):
            self.writer.close()


async def sse_phase(options, processes, accounts, connections, per_user, hold):
    gateway, notification = processes["gateway"], processes["notification"]
    url = urlsplit(options.gateway)
    users = accounts[:math.ceil(connections / per_user)]
    streams = [Stream(users[i // per_user], use_cookie=i % 2 == 1) for i in range(connections)]
    before = {"gateway": gateway.rss(), "notification": notification.rss()}
    for p in (gateway, notification):
        p.reset_peak()
    gate = asyncio.Semaphore(100)

    async def connect(stream):
        async with gate:
            await stream.connect(url.hostname, url.port)

    started = time.monotonic()
    await asyncio.gather(*(connect(s) for s in streams))
    opened = time.monotonic() - started
    readers = [asyncio.create_task(s.read_until_closed()) for s in streams]
    # The per-user cap (the gateway's --max-event-streams-per-user): one more stream for a user already holding
    # `per_user` should be refused.
    extra = Stream(users[0], use_cookie=False)
    if connections >= per_user:
        await extra.connect(url.hostname, url.port)
        extra.close()
    # Live delivery while held: a few users upload a file; every stream of theirs should see its events.
    senders = users[:min(4, len(users))]
    loop = asyncio.get_running_loop()
    samples = {"gateway": [], "notification": []}
    hold_started = time.monotonic()
    uploads = listing = None
    while (elapsed := time.monotonic() - hold_started) < hold:
        if uploads is None and elapsed >= hold / 3:
            uploads = [loop.run_in_executor(None, a.upload, f"sse-{uuid.uuid4().hex[:8]}.txt", b"hello " * 100)
                       for a in senders]
            # Another call to the notification service while the streams are held: it must not wait behind them.
            listing = loop.run_in_executor(None, timed_get, users[-1], "/api/v1/notifications?limit=5")
        samples["gateway"].append(gateway.rss())
        samples["notification"].append(notification.rss())
        await asyncio.sleep(1)
    if uploads:
        await asyncio.gather(*uploads)
    listed = await listing if listing else None
    held = sum(1 for s in streams if s.open)
    peaks = {"gateway": gateway.peak(), "notification": notification.peak()}
    during = {name: (statistics.median(v), max(v)) for name, v in samples.items() if v}
    for s in streams:
        s.close()
    for r in readers:
        r.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    await asyncio.sleep(3)
    after = {"gateway": gateway.rss(), "notification": notification.rss()}
    sender_streams = [s for s in streams if s.account in senders]
    failures = {}
    for s in streams:
        if not s.ok:
            key = s.error or f"{s.status} {s.content_type}"
            failures[key] = failures.get(key, 0) + 1
    return {
        "connections": connections, "users": len(users), "per_user": per_user, "hold": hold, "opened_s": opened,
        "ok": sum(1 for s in streams if s.ok), "held": held, "failures": failures,
        "delivered": sum(1 for s in sender_streams if s.events > 0), "sender_streams": len(sender_streams),
        "pinged": sum(1 for s in streams if s.pings > 0), "extra": extra.status or extra.error, "listed": listed,
        "before": before, "during": during, "peaks": peaks, "after": after}


def timed_get(account, path):
    """(status or error, milliseconds) of one GET."""
    started = time.monotonic()
    try:
        status = account.session.get(f"{account.base}{path}", timeout=30).status_code
    except requests.RequestException as error:
        status = type(error).__name__
    return status, (time.monotonic() - started) * 1000


def wrk_run(options, processes, mode, entries_file, connections, think_ms, duration):
    gateway, metadata = processes["gateway"], processes["metadata"]
    for p in (gateway, metadata):
        p.reset_peak()
    command = ["wrk", "-t", str(min(setting("WRK_THREADS", 2), connections)), "-c", str(connections),
               "-d", f"{duration}s", "--timeout", "10s", "-s", str(HERE / "rotate.lua"), options.gateway,
               "--", mode, str(entries_file), str(think_ms)]
    cpu = {p.name: p.cpu_seconds() for p in (gateway, metadata)}
    result = subprocess.run(command, capture_output=True, text=True)
    line = next((l for l in result.stdout.splitlines() if l.startswith("WRKJSON ")), None)
    if result.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({result.returncode}): {result.stdout[-2000:]} {result.stderr[-2000:]}")
    stats = json.loads(line[len("WRKJSON "):])
    stats["rps"] = stats["requests"] / (stats["duration_us"] / 1e6)
    stats["non_2xx"] = sum(n for status, n in stats["statuses"].items() if not status.startswith("2"))
    stats["socket_errors"] = stats["connect"] + stats["read"] + stats["write"] + stats["timeout"]
    stats["peaks"] = {"gateway": gateway.peak(), "metadata": metadata.peak()}
    stats["cpu"] = {p.name: (p.cpu_seconds() - cpu[p.name]) / duration * 100 for p in (gateway, metadata)}
    return stats


def create_accounts(base, count, files_per_user):
    """`count` users with `files_per_user` small text files each, registered and filled over a few threads."""
    def make(index):
        account = Account.register(base)
        for n in range(files_per_user):
            account.upload(f"note-{index}-{n}.txt", f"note {index} {n} ".encode() * 64)
        return account

    with ThreadPoolExecutor(8) as pool:
        accounts = list(pool.map(make, range(count)))
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda a: [a.wait_settled(f, timeout=300) for f in a.file_ids], accounts))
    return accounts


def load():
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--nginx", required=True)
    parser.add_argument("--nginx-store", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--rate-limit", required=True)
    parser.add_argument("processes", nargs="+", help="name=pid")
    options = parser.parse_args()
    processes = {name: Process(name, pid) for name, pid in (spec.split("=") for spec in options.processes)}
    sse_connections, per_user = setting("SSE_CONNECTIONS", 1000), setting("SSE_PER_USER", 8)
    users, duration = setting("USERS", 5000), setting("DURATION", 30)
    thinks = [int(t) for t in os.environ.get("THINK_MS", "5000,1000").split(",") if int(t) > 0] + [0]
    account_count = max(setting("ACCOUNTS", 300), math.ceil(sse_connections / per_user))
    files_per_user = setting("FILES_PER_USER", 3)
    started_load = load()
    gateway_idle = processes["gateway"].rss()

    owner = Account.register(options.gateway)
    upload = upload_phase(options, processes, owner)
    if setting("UPLOAD_ONLY", 0):
        report_upload(upload, {"started_load": started_load, "ended_load": load()})
        check_upload(upload)
        return

    setup_started = time.monotonic()
    accounts = create_accounts(options.gateway, account_count, files_per_user)
    setup_seconds = time.monotonic() - setup_started

    sse = asyncio.run(sse_phase(options, processes, accounts, sse_connections, per_user, setting("SSE_HOLD", duration)))

    entries = pathlib.Path(options.work) / "entries.txt"
    entries.write_text("".join(f"{a.token} {f}\n" for a in accounts for f in a.file_ids))
    runs = [(mode, think, wrk_run(options, processes, mode, entries, users, think, duration))
            for think in thinks for mode in ("list", "metadata")]

    report(upload, sse, runs, {
        "started_load": started_load, "ended_load": load(), "gateway_idle": gateway_idle, "accounts": account_count,
        "files_per_user": files_per_user, "setup_seconds": setup_seconds, "users": users,
        "duration": duration, "rate_limit": options.rate_limit})
    check_upload(upload)


def check_upload(upload):
    if not all(row["sha_ok"] for row in upload["rows"]):
        raise SystemExit("the gateway stored a different SHA-256 or size than the uploaded file's")


def report(upload, sse, runs, info):
    fd_soft, fd_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    report_upload(upload, info)
    print()
    print(f"gateway: per-user rate limit raised to {info['rate_limit']} req/s, burst {info['rate_limit']} "
          f"(--rate-limit/--rate-burst; its Redis check still runs on every request); descriptor limit "
          f"{fd_soft} (hard {fd_hard}) for every process; gateway RSS when idle {info['gateway_idle']:.1f} MiB")
    print()
    print(f"2. {sse['connections']} SSE connections (GET /api/v1/events; {sse['users']} users x {sse['per_user']}, "
          f"half Bearer, half ff_access cookie) held {sse['hold']} s")
    print(f"   200 text/event-stream: {sse['ok']}/{sse['connections']} ({verdict(sse['ok'] == sse['connections'])}), "
          f"all opened in {sse['opened_s']:.1f} s (100 connecting at a time); still open at the end: "
          f"{sse['held']}/{sse['connections']}")
    if sse["failures"]:
        print(f"   failures: {sse['failures']}")
    print(f"   live events: {sse['delivered']}/{sse['sender_streams']} streams of the users who uploaded during the "
          f"hold got theirs; {sse['pinged']} streams saw a ': ping'")
    if sse["listed"]:
        print(f"   GET /api/v1/notifications while held: {sse['listed'][0]} in {sse['listed'][1]:.0f} ms; "
              f"stream {sse['per_user'] + 1} of one user: {sse['extra']} (the gateway's per-user cap)")
    for name, goal in (("gateway", 200), ("notification", None)):
        median, top = sse["during"].get(name, (0, 0))
        print(f"   {name} RSS: before {sse['before'][name]:.1f} MiB, held median {median:.1f} / max {top:.1f}, "
              f"peak (VmHWM) {sse['peaks'][name]:.1f}"
              + (f" (goal < {goal}: {verdict(sse['peaks'][name] < goal)})" if goal else "")
              + f", 3 s after closing {sse['after'][name]:.1f}")
    print()
    print(f"3. list and metadata under {info['users']} simulated users (wrk connections; tokens of {info['accounts']} "
          f"users with {info['files_per_user']} files each, set up in {info['setup_seconds']:.0f} s), "
          f"{info['duration']} s per row")
    print(f"   {'endpoint':34} {'think':>7} {'offered':>8} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8} {'errors':>7} {'gw MiB':>7} {'md MiB':>7} {'gw CPU':>7} {'md CPU':>7}")
    for mode, think, s in runs:
        endpoint = "GET /api/v1/files?limit=20" if mode == "list" else "GET /api/v1/files/{id}"
        errors = s["non_2xx"] + s["socket_errors"]
        offered = f"{info['users'] * 1000 / think:.0f}" if think else "max"
        print(f"   {endpoint:34} {str(think) + ' ms':>7} {offered:>8} {s['rps']:8.0f} {s['p50_us'] / 1000:8.1f} "
              f"{s['p90_us'] / 1000:8.1f} {s['p99_us'] / 1000:8.1f} {s['max_us'] / 1000:8.1f} {errors:7d} "
              f"{s['peaks']['gateway']:7.1f} {s['peaks']['metadata']:7.1f} {s['cpu']['gateway']:6.0f}% "
              f"{s['cpu']['metadata']:6.0f}%")
        if errors:
            print(f"   {'':34} statuses {s['statuses']}, connect {s['connect']}, read {s['read']}, "
                  f"write {s['write']}, timeout {s['timeout']}")
    for mode, think, s in runs:
        if think:
            errors = s["non_2xx"] + s["socket_errors"]
            print(f"   goal at think {think} ms, {mode}: 0 errors ({verdict(errors == 0)}), p99 < 100 ms "
                  f"({verdict(s['p99_us'] < 100_000)})")
    print("   think: each simulated user waits uniform 0.5-1.5x the think time before each request (offered: at most "
          "users / think, req/s); 0 ms = closed loop (the most the gateway serves over that many connections). "
          "gw/md MiB, CPU: peak RSS and CPU use (100% = one core) of the gateway and the metadata service during "
          "the row")


def report_upload(upload, info):
    print(f"cores: {os.cpu_count()}; everything on this machine (5 services, gateway, Postgres, Redis, broker, nginx, "
          f"curl/wrk/this client)")
    print(f"start: {info['started_load']}; end: {info['ended_load']}")
    print()
    print(f"1. {upload['mib']} MiB raw-body upload, curl -T (random bytes; nginx: WebDAV PUT to a file, no fsync; "
          f"gateway: POST /api/v1/files -> file-process -> fsynced blocks + commit)")
    print(f"   {'round':8} {'gateway MB/s':>13} {'nginx MB/s':>11} {'ratio':>7} {'sha256':>7} {'gw CPU':>7} "
          f"{'fp CPU':>7} {'processed after':>16}")
    for index, row in enumerate(upload["rows"], 1):
        print(f"   {index:<8} {row['gateway']:13.1f} {row['nginx']:11.1f} {row['gateway'] / row['nginx']:7.2f} "
              f"{'ok' if row['sha_ok'] else 'WRONG':>7} {row['cpu']['gateway']:6.0f}% {row['cpu']['file-process']:6.0f}% "
              f"{row['processing']:14.1f} s ({row['status']})")
    print("   gw/fp CPU: CPU use (100% = one core) of the gateway and the file-process service during the gateway upload")
    best_gateway = max(r["gateway"] for r in upload["rows"])
    best_nginx = max(r["nginx"] for r in upload["rows"])
    ratio = best_gateway / best_nginx
    print(f"   best of each: gateway {best_gateway:.1f} MB/s, nginx {best_nginx:.1f} MB/s, ratio {ratio:.2f} "
          f"(goal >= 0.60: {verdict(ratio >= 0.6)})")
    for name, goal in (("gateway", 128), ("file-process", None)):
        first, top, last = upload["flat"][name][-1]
        print(f"   {name} peak RSS (VmHWM) during uploads {upload['peaks'][name]:.1f} MiB"
              + (f" (goal < {goal}: {verdict(upload['peaks'][name] < goal)})" if goal else "")
              + f"; RSS before {upload['before'][name]:.1f}, last upload sampled every 0.1 s: first {first:.1f}, "
              f"max {top:.1f}, last {last:.1f} MiB")


def verdict(met):
    return "met" if met else "MISSED"


if __name__ == "__main__":
    main()
