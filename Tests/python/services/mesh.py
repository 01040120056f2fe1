"""Starting FileFlow service processes for tests: `fileflow serve <name>` on free ports, against the Postgres,
Redis and Kafka that Tools/test exports (FILEFLOW_POSTGRES_URL, FILEFLOW_REDIS_URL, FILEFLOW_KAFKA_BOOTSTRAP)."""
import os
import pathlib
import queue
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid

import grpc
import pytest

from conftest import bin_path


def backing_environment() -> dict:
    """The process environment for a service, failing the test when a backing server is not configured."""
    env = dict(os.environ)
    for name in ("FILEFLOW_POSTGRES_URL", "FILEFLOW_KAFKA_BOOTSTRAP"):
        if not env.get(name):
            pytest.fail(f"{name} is not set: run through Tools/test or export it")
    return env


class Service:
    """One `fileflow serve <name>` process. Its stderr goes to a log file kept for failure messages."""

    def __init__(self, name: str, args=(), env=None, data_dir=None):
        self.name = name
        self.args = list(args)
        self.env = dict(env or backing_environment())
        self.data_dir = data_dir or tempfile.mkdtemp(prefix=f"fileflow-{name}-")
        self.env["FILEFLOW_DATA_DIR"] = self.data_dir
        # Consumer groups of this process alone, starting at the end of each topic (readiness waits until the
        # group is joined): meshes of other tests, or other people's, on the same broker take none of its events.
        self.env.setdefault("FILEFLOW_KAFKA_GROUP_PREFIX", f"test-{uuid.uuid4().hex[:12]}-")
        self.env.setdefault("FILEFLOW_KAFKA_OFFSET_RESET", "latest")
        self.process = None
        self.rpc_port = None
        self.ops_port = None
        self.log_path = pathlib.Path(tempfile.mkstemp(prefix=f"fileflow-{name}-", suffix=".log")[1])

    def start(self, rpc_port=0, ops_port=0, timeout=60):
        exe = bin_path() / "fileflow"
        command = [str(exe), "serve", self.name, "--port", str(rpc_port), "--ops-port", str(ops_port), *self.args]
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=self.env, text=True)
        self.rpc_port = self.ops_port = None
        deadline = time.monotonic() + timeout
        lines = []
        while self.ops_port is None:
            line = self._readline(deadline)
            if line is None:
                self.kill()
                pytest.fail(f"{self.name} did not start: {lines} {self.log()}")
            lines.append(line)
            if line.startswith(f"{self.name}: listening on "):
                self.rpc_port = int(line.split()[-1])
            elif line.startswith(f"{self.name}: ops on "):
                self.ops_port = int(line.split()[-1])
        threading.Thread(target=self.process.stdout.read, daemon=True).start()  # keep draining stdout
        return self

    def _readline(self, deadline):
        result = []
        reader = threading.Thread(target=lambda: result.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(max(0.0, deadline - time.monotonic()))
        if not result or not result[0]:
            return None
        return result[0].strip()

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.rpc_port}"

    def channel(self) -> grpc.Channel:
        return grpc.insecure_channel(self.target)

    def http(self, path: str):
        """GET on the ops port: (status, body text)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ops_port}{path}", timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.http("/readyz")[0] == 200:
                return
            time.sleep(0.1)
        pytest.fail(f"{self.name} never became ready: {self.http('/readyz')} {self.log()}")

    def terminate(self, timeout=20) -> int:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                pytest.fail(f"{self.name} did not stop within {timeout} s of SIGTERM: {self.log()}")
        return self.process.returncode if self.process else 0

    def kill(self):
        """kill -9: no drain, no commits; what a crash looks like."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def eventually(probe, what, timeout=120):
    """`probe()`'s first truthy result, polling; generous by default since a loaded 2-core CI box is slow."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


class Stream:
    """A server-streaming call read by a thread into `messages`; None marks its end (or its failure)."""

    def __init__(self, call):
        self.call = call
        self.messages = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        try:
            for message in self.call:
                self.messages.put(message)
        except grpc.RpcError:
            pass
        self.messages.put(None)

    def cancel(self):
        self.call.cancel()
