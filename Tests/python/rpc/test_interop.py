"""gRPC interop both ways: grpcio's client runs every case against `fileflow interop-server`, and
`fileflow interop-client` runs every case against a grpcio TestService server. Plus grpc.health.v1 from Python."""
import importlib
import subprocess
from concurrent import futures

import grpc
import pytest

from .interop_python import TestServicer, run_case, test_pb2_grpc
from .rpcsupport import RunningServer, fileflow_binary

CASES = ["empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
         "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server", "custom_metadata",
         "status_code_and_message", "special_status_message", "unimplemented_method", "unimplemented_service"]


@pytest.fixture(scope="module")
def interop_server():
    server = RunningServer(["interop-server", "--port", "0"])
    yield server
    assert server.alive(), "the interop server crashed"
    server.stop()


@pytest.fixture(scope="module")
def grpcio_interop_server():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    test_pb2_grpc.add_TestServiceServicer_to_server(TestServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield port
    server.stop(grace=None)


@pytest.mark.parametrize("case", CASES)
def test_grpcio_client_against_our_server(interop_server, case):
    with grpc.insecure_channel(interop_server.target) as channel:
        run_case(channel, case)


@pytest.mark.parametrize("case", CASES)
def test_our_client_against_grpcio_server(grpcio_interop_server, case):
    result = subprocess.run([str(fileflow_binary()), "interop-client", "--server_host", "127.0.0.1",
                             "--server_port", str(grpcio_interop_server), "--test_case", case],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr + result.stdout
    assert f"{case}: OK" in result.stdout


def test_health_check_and_watch(interop_server):
    health_pb2 = importlib.import_module("grpc_gen.health.v1.health_pb2")
    health_pb2_grpc = importlib.import_module("grpc_gen.health.v1.health_pb2_grpc")
    with grpc.insecure_channel(interop_server.target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        assert stub.Check(health_pb2.HealthCheckRequest(), timeout=5).status == \
            health_pb2.HealthCheckResponse.SERVING
        with pytest.raises(grpc.RpcError) as info:
            stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=5)
        assert info.value.code() == grpc.StatusCode.NOT_FOUND
        watch = stub.Watch(health_pb2.HealthCheckRequest(), timeout=5)
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
        watch.cancel()
        unknown = stub.Watch(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=5)
        assert next(unknown).status == health_pb2.HealthCheckResponse.SERVICE_UNKNOWN
        unknown.cancel()
