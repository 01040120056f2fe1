"""Drives a running mesh over grpcio (see run.sh): throughput of 4 KB files to "searchable and notified" with 32
concurrent uploaders, then upload -> notification latency at a paced 100 files/s. Prints one table."""
import os
import pathlib
import sys
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "Tests" / "python"))
from conftest import pb2  # noqa: E402  (generates the Python stubs from Protos/)

import grpc  # noqa: E402

meta = pb2("fileflow/v1/metadata_service")
fp = pb2("fileflow/v1/file_process_service")
search = pb2("fileflow/v1/search_service")
notif = pb2("fileflow/v1/notification_service")
events = pb2("fileflow/v1/events")
import fileflow.v1.metadata_service_pb2_grpc as meta_grpc  # noqa: E402
import fileflow.v1.file_process_service_pb2_grpc as fp_grpc  # noqa: E402
import fileflow.v1.search_service_pb2_grpc as search_grpc  # noqa: E402
import fileflow.v1.notification_service_pb2_grpc as notif_grpc  # noqa: E402


class Mesh:
    def __init__(self, specs):
        self.services = {}
        for spec in specs:
            name, target, ops, pid = spec.split("=")
            self.services[name] = (target, int(ops), int(pid))
        for name, (_, ops, _) in self.services.items():
            deadline = time.monotonic() + 90
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{ops}/readyz", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{name} never became ready")
                    time.sleep(0.2)
        channel = lambda name: grpc.insecure_channel(self.services[name][0])  # noqa: E731
        self.meta = meta_grpc.MetadataServiceStub(channel("metadata"))
        self.fp = [fp_grpc.FileProcessServiceStub(channel("file-process")) for _ in range(4)]
        self.search = search_grpc.SearchServiceStub(channel("search"))
        self.notif = notif_grpc.NotificationServiceStub(channel("notification"))

    def peak_rss(self):
        result = {}
        for name, (_, _, pid) in self.services.items():
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmHWM:"):
                    result[name] = int(line.split()[1]) // 1024
        return result


class Tracker:
    """Upload start times, notification arrivals (from a Subscribe stream) and search confirmations per file."""

    def __init__(self, mesh, user):
        self.mesh, self.user = mesh, user
        self.started, self.notified, self.searchable = {}, {}, {}
        self.tokens = {}
        self.lock = threading.Lock()
        self.call = mesh.notif.Subscribe(notif.SubscribeRequest(user_id=user.user_id), metadata=self.who)
        threading.Thread(target=self._listen, daemon=True).start()
        self.checkers = ThreadPoolExecutor(4)

    @property
    def who(self):
        return (("fileflow-caller-id", self.user.user_id),)

    def _listen(self):
        try:
            for item in self.call:
                if item.kind == events.NOTIFICATION_KIND_PROCESSING_DONE:
                    with self.lock:
                        self.notified.setdefault(item.file_id, time.monotonic())
                        token = self.tokens.get(item.file_id)
                    if token:
                        self.checkers.submit(self._until_searchable, item.file_id, token)
        except grpc.RpcError:
            pass

    def _until_searchable(self, file_id, token):
        while True:
            response = self.mesh.search.Query(search.SearchRequest(query=token, limit=5), metadata=self.who)
            if any(hit.file.file_id == file_id for hit in response.hits):
                with self.lock:
                    self.searchable[file_id] = time.monotonic()
                return
            time.sleep(0.02)

    def upload(self, stub, index):
        token = "t" + uuid.uuid4().hex[:16]
        body = (f"{token} " * 200).encode()[:4096]
        start = time.monotonic()
        result = stub.Upload(iter([fp.UploadRequest(header=fp.UploadHeader(name=f"{token}.txt", size=len(body))),
                                   fp.UploadRequest(chunk=body)]), metadata=self.who, timeout=60)
        with self.lock:
            self.started[result.file.file_id] = start
            self.tokens[result.file.file_id] = token
            early = result.file.file_id in self.notified
        if early:
            self.checkers.submit(self._until_searchable, result.file.file_id, token)
        return result.file.file_id

    def done(self, ids):
        with self.lock:
            return [max(self.notified[i], self.searchable[i]) for i in ids if i in self.notified and i in self.searchable]


def new_user(mesh):
    name = f"bench-{uuid.uuid4().hex[:10]}"
    return mesh.meta.CreateUser(meta.CreateUserRequest(username=name, password="correct horse battery"))


def wait_all(tracker, ids, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(tracker.done(ids)) < len(ids):
        time.sleep(0.05)
    return tracker.done(ids)


def cpu_seconds():
    """CPU time (user + system) used so far by every process on the machine, by role: each service, Postgres,
    Redis, the broker and this client. Per file, it says where the work goes whatever the machine's load."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            command = open(f"/proc/{entry}/cmdline", "rb").read().split(b"\0")
            fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        words = [w.decode(errors="replace") for w in command if w]
        if not words:
            continue
        program = os.path.basename(words[0])
        if program == "fileflow" and len(words) > 2 and words[1] == "serve":
            role = words[2]
        elif program == "fileflow" and len(words) > 1 and words[1] == "dev-broker":
            role = "broker"
        elif program.startswith("postgres"):
            role = "postgres"
        elif program.startswith("redis-server"):
            role = "redis"
        elif int(entry) == os.getpid():
            role = "client (grpcio)"
        else:
            role = "other"
        totals[role] = totals.get(role, 0) + (int(fields[11]) + int(fields[12])) / tick
    return totals


def throughput(mesh, files):
    tracker = Tracker(mesh, new_user(mesh))
    time.sleep(0.5)
    cpu_before = cpu_seconds()
    start = time.monotonic()
    with ThreadPoolExecutor(32) as pool:
        ids = list(pool.map(lambda i: tracker.upload(mesh.fp[i % len(mesh.fp)], i), range(files)))
    uploaded = time.monotonic()
    finished = wait_all(tracker, ids)
    cpu_after = cpu_seconds()
    elapsed = max(finished) - start if finished else float("inf")
    cpu = {role: (cpu_after[role] - cpu_before.get(role, 0)) * 1000 / files for role in cpu_after}
    return len(finished), files, len(finished) / elapsed, files / (uploaded - start), cpu


def latency(mesh, rate, seconds):
    tracker = Tracker(mesh, new_user(mesh))
    time.sleep(0.5)
    ids = []
    start = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        futures = []
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(tracker.upload, mesh.fp[i % len(mesh.fp)], i))
        ids = [f.result() for f in futures]
    wait_all(tracker, ids, timeout=60)
    with tracker.lock:
        samples = sorted((tracker.notified[i] - tracker.started[i]) * 1000 for i in ids if i in tracker.notified)
    pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]  # noqa: E731
    return len(samples), len(ids), pick(0.5), pick(0.99)


def main():
    files = int(sys.argv[1])
    mesh = Mesh(sys.argv[2:])
    done, total, rate, upload_rate, cpu = throughput(mesh, files)
    seen, sent, p50, p99 = latency(mesh, 100, 20)
    print(f"cores: {os.cpu_count()}, everything on this machine (5 services, Postgres, Redis, broker, this client)")
    print(f"{'measure':52} {'ours':>12} {'goal':>10} {'ratio':>7}")
    print(f"{'4 KB files searchable+notified, 32 clients (files/s)':52} {rate:12.1f} {280:>10} {rate / 280:7.2f}")
    print(f"{'  uploads acknowledged (files/s)':52} {upload_rate:12.1f}")
    print(f"{'  files completed':52} {done:>12}/{total}")
    print(f"{'upload -> notification at 100 files/s, p50 (ms)':52} {p50:12.1f}")
    print(f"{'upload -> notification at 100 files/s, p99 (ms)':52} {p99:12.1f} {250:>10} {250 / p99:7.2f}")
    print(f"{'  notified':52} {seen:>12}/{sent}")
    print("CPU ms per file in the throughput run (2 cores = 7.1 ms a file at 280 files/s): "
          + ", ".join(f"{role} {ms:.2f}" for role, ms in sorted(cpu.items(), key=lambda item: -item[1]))
          + f"; total {sum(cpu.values()):.2f}")
    print("peak RSS (MiB): " + ", ".join(f"{k} {v}" for k, v in mesh.peak_rss().items()))


if __name__ == "__main__":
    main()
