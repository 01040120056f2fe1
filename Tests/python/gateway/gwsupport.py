"""Helpers for the gateway tests: a `fileflow gateway` process, a signed-in user's HTTP client, and small
utilities. The fixtures that start them live in conftest.py."""
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import quote

import pytest
import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "services"))
from conftest import bin_path  # noqa: E402  (Tests/python/conftest.py)
from mesh import Service, backing_environment, eventually  # noqa: E402

SECRET = "gateway-tests-" + "k" * 40
PASSWORD = "correct horse battery 9"


class Gateway:
    """One `fileflow gateway` process on a free port; its stderr is kept in a log file for failure messages."""

    def __init__(self, mesh, *args, data_dir=None, prefix=None, admins="", env=None):
        self.mesh = mesh
        self.args = list(args)
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="fileflow-gateway-")
        # Each gateway gets its own Redis key space, so throttling in one test never leaks into another.
        self.prefix = prefix or f"fileflow:test:{uuid.uuid4().hex[:8]}:"
        self.admins = admins
        self.env = env or {}
        self.log_path = pathlib.Path(tempfile.mkstemp(prefix="fileflow-gateway-", suffix=".log")[1])
        self.process = None
        self.port = None
        self.killed = False

    def start(self, timeout=60):
        env = backing_environment()
        env["FILEFLOW_ADMINS"] = self.admins
        env.update(self.env)
        targets = {"metadata": "--metadata", "file-process": "--file-process", "search": "--search",
                   "deletion": "--deletion", "notification": "--notification"}
        command = [str(bin_path() / "fileflow"), "gateway", "--port", "0", "--data-dir", self.data_dir,
                   "--jwt-secret", SECRET, "--redis-prefix", self.prefix]
        for name, flag in targets.items():
            command += [flag, self.mesh[name].target]
        command += self.args
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=env, text=True)
        result = []
        reader = threading.Thread(target=lambda: result.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        line = result[0].strip() if result else ""
        if not line.startswith("gateway: listening on "):
            self.kill()
            pytest.fail(f"gateway did not start: {line!r} {self.log()}")
        self.port = int(line.split()[-1])
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        deadline = time.monotonic() + 30
        while requests.get(self.url("/readyz"), timeout=10).status_code != 200:
            if time.monotonic() > deadline:
                pytest.fail(f"gateway never became ready: {self.log()}")
            time.sleep(0.1)
        return self

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def terminate(self, timeout=20):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                return self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                pytest.fail(f"gateway did not stop within {timeout} s of SIGTERM: {self.log()}")
        return self.process.returncode if self.process else 0

    def kill(self):
        self.killed = True
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def log(self):
        return self.log_path.read_text(errors="replace")[-4000:]


class Client:
    """A signed-in user of a gateway: a requests session with the user's Bearer token."""

    def __init__(self, gateway, username, password, token, refresh, user_id):
        self.gateway = gateway
        self.username = username
        self.password = password
        self.token = token
        self.refresh = refresh
        self.user_id = user_id
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 60)
        return self.session.request(method, self.gateway.url(path), **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def upload(self, name, data, content_type="application/octet-stream", **kwargs):
        headers = {"X-File-Name": quote(name, safe=""), "Content-Type": content_type, **kwargs.pop("headers", {})}
        response = self.post("/api/v1/files", data=data, headers=headers, **kwargs)
        assert response.status_code == 201, response.text
        return response.json()


def sign_up(gateway, username=None, password=PASSWORD):
    username = username or f"u-{uuid.uuid4().hex[:12]}"
    response = requests.post(gateway.url("/api/v1/auth/register"), json={"username": username, "password": password},
                             timeout=30)
    assert response.status_code == 201, response.text
    return username, response.json()["user_id"]


def sign_in(gateway, username, password=PASSWORD):
    response = requests.post(gateway.url("/api/v1/auth/login"), json={"username": username, "password": password},
                             timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def set_quota(user_id, limit_bytes):
    subprocess.run(["psql", os.environ["FILEFLOW_POSTGRES_URL"], "-qc",
                    f"INSERT INTO quotas (user_id, limit_bytes) VALUES ('{user_id}', {int(limit_bytes)}) "
                    f"ON CONFLICT (user_id) DO UPDATE SET limit_bytes = excluded.limit_bytes"], check=True)


def b64url(data: bytes) -> str:
    import base64
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge_jwt(claims: dict, secret: str = SECRET, alg: str = "HS256") -> str:
    """A JWT signed with `secret` (HS256), or unsigned with alg "none"."""
    import hashlib
    import hmac
    import json
    head = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    if alg == "none":
        return f"{head}.{body}."
    signature = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(signature)}"


def jwt_claims(token: str) -> dict:
    import base64
    import json
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
