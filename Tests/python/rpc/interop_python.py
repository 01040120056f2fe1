"""gRPC's interop cases on the Python side: a grpcio TestService servicer (for our client) and the client cases (for
our server), written from interop-test-descriptions.md with stubs grpcio-tools made from the shared protos."""
import importlib
import threading
import time

import grpc

empty_pb2 = importlib.import_module("grpc_gen.testing.empty_pb2")
messages_pb2 = importlib.import_module("grpc_gen.testing.messages_pb2")
test_pb2_grpc = importlib.import_module("grpc_gen.testing.test_pb2_grpc")

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"


def _payload(size):
    return messages_pb2.Payload(body=b"\x00" * size)


def _code(value):
    return next(c for c in grpc.StatusCode if c.value[0] == value)


class TestServicer(test_pb2_grpc.TestServiceServicer):
    """grpc.testing.TestService with Echo Status and Echo Metadata."""

    @staticmethod
    def _echo_metadata(context):
        metadata = dict(context.invocation_metadata())
        if ECHO_INITIAL in metadata:
            context.send_initial_metadata(((ECHO_INITIAL, metadata[ECHO_INITIAL]),))
        if ECHO_TRAILING in metadata:
            context.set_trailing_metadata(((ECHO_TRAILING, metadata[ECHO_TRAILING]),))

    @staticmethod
    def _echo_status(request, context):
        if request.HasField("response_status") and request.response_status.code != 0:
            context.abort(_code(request.response_status.code), request.response_status.message)

    def EmptyCall(self, request, context):
        return empty_pb2.Empty()

    def UnaryCall(self, request, context):
        self._echo_metadata(context)
        self._echo_status(request, context)
        return messages_pb2.SimpleResponse(payload=_payload(request.response_size))

    def StreamingOutputCall(self, request, context):
        for parameters in request.response_parameters:
            time.sleep(parameters.interval_us / 1e6)
            yield messages_pb2.StreamingOutputCallResponse(payload=_payload(parameters.size))

    def StreamingInputCall(self, request_iterator, context):
        total = sum(len(r.payload.body) for r in request_iterator)
        return messages_pb2.StreamingInputCallResponse(aggregated_payload_size=total)

    def FullDuplexCall(self, request_iterator, context):
        self._echo_metadata(context)
        for request in request_iterator:
            self._echo_status(request, context)
            for parameters in request.response_parameters:
                yield messages_pb2.StreamingOutputCallResponse(payload=_payload(parameters.size))


def _streaming_request(response_size, payload_size):
    return messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=response_size)], payload=_payload(payload_size))


def _expect_code(code, call, message=None):
    try:
        call()
    except grpc.RpcError as error:
        assert error.code() == code, (error.code(), error.details())
        if message is not None:
            assert error.details() == message, repr(error.details())
        return
    raise AssertionError(f"expected {code}, the call succeeded")


def run_case(channel, name):
    """Runs one interop case as a grpcio client; raises AssertionError when the server misbehaves."""
    stub = test_pb2_grpc.TestServiceStub(channel)
    if name == "empty_unary":
        assert stub.EmptyCall(empty_pb2.Empty(), timeout=10) == empty_pb2.Empty()
    elif name == "large_unary":
        response = stub.UnaryCall(messages_pb2.SimpleRequest(response_size=314159, payload=_payload(271828)),
                                  timeout=10)
        assert response.payload.body == b"\x00" * 314159
    elif name == "client_streaming":
        sizes = [27182, 8, 1828, 45904]
        response = stub.StreamingInputCall(
            iter(messages_pb2.StreamingInputCallRequest(payload=_payload(s)) for s in sizes), timeout=10)
        assert response.aggregated_payload_size == 74922
    elif name == "server_streaming":
        sizes = [31415, 9, 2653, 58979]
        request = messages_pb2.StreamingOutputCallRequest(
            response_parameters=[messages_pb2.ResponseParameters(size=s) for s in sizes])
        assert [len(r.payload.body) for r in stub.StreamingOutputCall(request, timeout=10)] == sizes
    elif name == "ping_pong":
        steps = [(31415, 27182), (9, 8), (2653, 1828), (58979, 45904)]
        replies = threading.Semaphore(0)

        def requests():
            for response_size, payload_size in steps:
                yield _streaming_request(response_size, payload_size)
                replies.acquire(timeout=10)

        sizes = []
        for response in stub.FullDuplexCall(requests(), timeout=10):
            sizes.append(len(response.payload.body))
            replies.release()
        assert sizes == [s for s, _ in steps]
    elif name == "empty_stream":
        assert list(stub.FullDuplexCall(iter([]), timeout=10)) == []
    elif name == "cancel_after_begin":
        hold = threading.Event()

        def never():
            hold.wait(10)
            yield from ()

        future = stub.StreamingInputCall.future(never(), timeout=10)
        future.cancel()
        hold.set()
        assert future.cancelled()
    elif name == "cancel_after_first_response":
        hold = threading.Event()

        def first_then_wait():
            yield _streaming_request(31415, 27182)
            hold.wait(10)

        call = stub.FullDuplexCall(first_then_wait(), timeout=10)
        assert len(next(call).payload.body) == 31415
        call.cancel()
        hold.set()
        _expect_code(grpc.StatusCode.CANCELLED, lambda: next(call))
    elif name == "timeout_on_sleeping_server":
        hold = threading.Event()

        def sleepy():
            yield messages_pb2.StreamingOutputCallRequest(payload=_payload(27182))
            hold.wait(5)

        _expect_code(grpc.StatusCode.DEADLINE_EXCEEDED, lambda: list(stub.FullDuplexCall(sleepy(), timeout=0.001)))
        hold.set()
    elif name == "custom_metadata":
        metadata = ((ECHO_INITIAL, "test_initial_metadata_value"), (ECHO_TRAILING, b"\xab\xab\xab"))
        _, call = stub.UnaryCall.with_call(
            messages_pb2.SimpleRequest(response_size=314159, payload=_payload(271828)), metadata=metadata, timeout=10)
        assert (ECHO_INITIAL, "test_initial_metadata_value") in call.initial_metadata()
        assert (ECHO_TRAILING, b"\xab\xab\xab") in call.trailing_metadata()
        call = stub.FullDuplexCall(iter([_streaming_request(314159, 271828)]), metadata=metadata, timeout=10)
        assert [len(r.payload.body) for r in call] == [314159]
        assert (ECHO_INITIAL, "test_initial_metadata_value") in call.initial_metadata()
        assert (ECHO_TRAILING, b"\xab\xab\xab") in call.trailing_metadata()
    elif name in ("status_code_and_message", "special_status_message"):
        message = ("test status message" if name == "status_code_and_message"
                   else "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n")
        status = messages_pb2.EchoStatus(code=2, message=message)
        _expect_code(grpc.StatusCode.UNKNOWN,
                     lambda: stub.UnaryCall(messages_pb2.SimpleRequest(response_status=status), timeout=10), message)
        if name == "status_code_and_message":
            request = messages_pb2.StreamingOutputCallRequest(response_status=status)
            _expect_code(grpc.StatusCode.UNKNOWN, lambda: list(stub.FullDuplexCall(iter([request]), timeout=10)),
                         message)
    elif name == "unimplemented_method":
        _expect_code(grpc.StatusCode.UNIMPLEMENTED, lambda: stub.UnimplementedCall(empty_pb2.Empty(), timeout=10))
    elif name == "unimplemented_service":
        other = test_pb2_grpc.UnimplementedServiceStub(channel)
        _expect_code(grpc.StatusCode.UNIMPLEMENTED, lambda: other.UnimplementedCall(empty_pb2.Empty(), timeout=10))
    else:
        raise ValueError(f"unknown case {name}")
