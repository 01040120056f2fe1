"""Fixtures for the RPC cross-language tests: our `fileflow rpc-echo-server` as a subprocess on a free port, and a
raw-bytes grpcio server implementing the same `meshrpc.test.Echo` service for our client to call."""
import time
from concurrent import futures

import grpc
import pytest

from .rpcsupport import RunningServer


@pytest.fixture(scope="module")
def echo_server():
    server = RunningServer(["rpc-echo-server", "--port", "0", "--idle-timeout-ms", "1500",
                            "--max-receive-bytes", str(4 << 20)])
    yield server
    assert server.alive(), "the server crashed during the tests"
    server.stop()


@pytest.fixture()
def channel(echo_server):
    with grpc.insecure_channel(echo_server.target) as ch:
        grpc.channel_ready_future(ch).result(timeout=10)
        yield ch


def _echo_metadata(context, prefix):
    return tuple((k, v) for k, v in context.invocation_metadata() if k.startswith(prefix))


def _steer(context):
    metadata = dict(context.invocation_metadata())
    if "x-echo-sleep-ms" in metadata:
        deadline = time.monotonic() + int(metadata["x-echo-sleep-ms"]) / 1000
        while time.monotonic() < deadline and context.is_active():
            time.sleep(0.01)
    if "x-echo-status" in metadata:
        context.set_trailing_metadata(_echo_metadata(context, "x-trailer-"))
        message = metadata.get("x-echo-message-bin", b"").decode() or metadata.get("x-echo-message", "")
        context.abort(_code(int(metadata["x-echo-status"])), message)


def _code(value):
    return next(c for c in grpc.StatusCode if c.value[0] == value)


class _EchoHandler(grpc.GenericRpcHandler):
    """`meshrpc.test.Echo` over raw bytes, with the same metadata steering as RPCEchoService.swift."""

    def service(self, details):
        method = details.method
        if method == "/meshrpc.test.Echo/Get":
            def get(request, context):
                context.send_initial_metadata(_echo_metadata(context, "x-meta-"))
                _steer(context)
                context.set_trailing_metadata(_echo_metadata(context, "x-trailer-"))
                return request
            return grpc.unary_unary_rpc_method_handler(get)
        if method == "/meshrpc.test.Echo/Collect":
            def collect(requests, context):
                data = b"".join(requests)
                _steer(context)
                return data
            return grpc.stream_unary_rpc_method_handler(collect)
        if method == "/meshrpc.test.Echo/Expand":
            def expand(request, context):
                for i in range(int(request.decode() or 0)):
                    yield str(i).encode()
                _steer(context)
            return grpc.unary_stream_rpc_method_handler(expand)
        if method == "/meshrpc.test.Echo/Update":
            def update(requests, context):
                for message in requests:
                    yield message
            return grpc.stream_stream_rpc_method_handler(update)
        return None


@pytest.fixture(scope="module")
def grpcio_echo_server():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((_EchoHandler(),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(grace=None)
