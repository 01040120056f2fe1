"""Fixtures for the gateway tests: the five services on free ports, then `fileflow gateway --port 0` pointed at
them, against the Postgres, Redis and Kafka that Tools/test exports."""
import shutil
import tempfile
import uuid

import pytest

from .gwsupport import PASSWORD, Client, Gateway, Service, sign_in, sign_up

# The package gateway's admin; the metadata service knows it too (as Tools/up's shared FILEFLOW_ADMINS does), so
# that it answers the admin's GetSystemStats.
ADMIN = f"admin-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="package")
def mesh():
    data_dir = tempfile.mkdtemp(prefix="fileflow-gw-mesh-")
    services = {"metadata": Service("metadata", ["--admins", ADMIN], data_dir=data_dir).start()}
    services["metadata"].wait_ready()
    target = ["--metadata-target", services["metadata"].target]
    services["file-process"] = Service("file-process", target, data_dir=data_dir).start()
    services["search"] = Service("search", target, data_dir=data_dir).start()
    services["deletion"] = Service("deletion", target, data_dir=data_dir).start()
    services["notification"] = Service("notification", target, data_dir=data_dir).start()
    for service in services.values():
        service.wait_ready()
    yield services
    for name in ["notification", "deletion", "search", "file-process", "metadata"]:
        assert services[name].terminate() == 0, services[name].log()
    shutil.rmtree(data_dir)


@pytest.fixture(scope="package")
def gateway(mesh):
    gateway = Gateway(mesh, "--trust-forwarded-for", "--cors-origin", "https://app.example",
                      "--rate-limit", "1000", "--rate-burst", "5000", admins=ADMIN).start()
    yield gateway
    assert gateway.terminate() == 0, gateway.log()


@pytest.fixture
def start_gateway(mesh):
    """Starts extra gateways with their own flags; stops them after the test."""
    started = []

    def start(*args, **kwargs):
        gateway = Gateway(mesh, *args, **kwargs).start()
        started.append(gateway)
        return gateway

    yield start
    codes = [(gateway.terminate(), gateway) for gateway in started if not gateway.killed]  # stop all, then judge
    for code, gateway in codes:
        assert code == 0, gateway.log()


@pytest.fixture
def new_client(gateway):
    """`new_client()` → a freshly registered, signed-in Client (on `gateway` unless another is given)."""
    def make(on=None, username=None):
        target = on or gateway
        username, user_id = sign_up(target, username)
        tokens = sign_in(target, username)
        return Client(target, username, PASSWORD, tokens["access_token"], tokens["refresh_token"], user_id)
    return make
