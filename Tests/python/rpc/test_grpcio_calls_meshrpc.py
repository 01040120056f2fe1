"""Python grpcio (a stock gRPC client) calling our nghttp2-based server: every call shape, metadata including -bin,
status codes and messages, deadlines, cancellation, unknown methods, message size limits."""
import threading
import time

import grpc
import pytest


def test_unary_echo(channel):
    assert channel.unary_unary("/meshrpc.test.Echo/Get")(b"hello", timeout=5) == b"hello"


def test_unary_empty_message(channel):
    assert channel.unary_unary("/meshrpc.test.Echo/Get")(b"", timeout=5) == b""


def test_client_streaming_joins_messages_across_frames(channel):
    big = bytes(range(256)) * 4096  # 1 MiB: many DATA frames for one message
    parts = [b"a", b"bb", big, b"c"]
    assert channel.stream_unary("/meshrpc.test.Echo/Collect")(iter(parts), timeout=10) == b"".join(parts)


def test_server_streaming(channel):
    assert list(channel.unary_stream("/meshrpc.test.Echo/Expand")(b"100", timeout=5)) == [
        str(i).encode() for i in range(100)]


def test_bidirectional_streaming_interleaves(channel):
    requests = [f"m{i}".encode() for i in range(50)]
    assert list(channel.stream_stream("/meshrpc.test.Echo/Update")(iter(requests), timeout=5)) == requests


def test_many_concurrent_calls_share_a_connection(channel):
    get = channel.unary_unary("/meshrpc.test.Echo/Get")
    futures = [get.future(str(i).encode(), timeout=10) for i in range(200)]
    assert [f.result() for f in futures] == [str(i).encode() for i in range(200)]


def test_metadata_text_and_binary_round_trip(channel):
    get = channel.unary_unary("/meshrpc.test.Echo/Get")
    binary = bytes([0, 1, 2, 250, 255])
    _, call = get.with_call(b"x", timeout=5, metadata=[
        ("x-meta-text", "hello world"), ("x-meta-multi", "one"), ("x-meta-multi", "two"),
        ("x-meta-blob-bin", binary), ("x-trailer-t", "tail"), ("x-trailer-blob-bin", b"\xff\x00")])
    initial = list(call.initial_metadata())
    assert ("x-meta-text", "hello world") in initial
    assert [v for k, v in initial if k == "x-meta-multi"] == ["one", "two"]
    assert ("x-meta-blob-bin", binary) in initial
    trailing = list(call.trailing_metadata())
    assert ("x-trailer-t", "tail") in trailing
    assert ("x-trailer-blob-bin", b"\xff\x00") in trailing


@pytest.mark.parametrize("code", [grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT,
                                  grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.ABORTED,
                                  grpc.StatusCode.UNAVAILABLE])
def test_status_code_and_message(channel, code):
    get = channel.unary_unary("/meshrpc.test.Echo/Get")
    with pytest.raises(grpc.RpcError) as info:
        get(b"x", timeout=5, metadata=[("x-echo-status", str(code.value[0])),
                                        ("x-echo-message-bin", "100% kaputt:\tünïcödé ✓\n".encode())])
    assert info.value.code() == code
    assert info.value.details() == "100% kaputt:\tünïcödé ✓\n"


def test_error_after_streamed_messages_keeps_the_messages(channel):
    call = channel.unary_stream("/meshrpc.test.Echo/Expand")(
        b"3", timeout=5, metadata=[("x-echo-status", "9"), ("x-echo-message", "late failure")])
    received = []
    with pytest.raises(grpc.RpcError) as info:
        for message in call:
            received.append(message)
    assert received == [b"0", b"1", b"2"]
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert info.value.details() == "late failure"


def test_deadline_cancels_the_handler(channel):
    get = channel.unary_unary("/meshrpc.test.Echo/Get")
    before = int(channel.unary_unary("/meshrpc.test.Echo/Cancellations")(b"", timeout=5))
    with pytest.raises(grpc.RpcError) as info:
        get(b"x", timeout=0.3, metadata=[("x-echo-sleep-ms", "5000")])
    assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    _wait_for_cancellations(channel, before + 1)


def test_client_cancellation_reaches_the_handler(channel):
    before = int(channel.unary_unary("/meshrpc.test.Echo/Cancellations")(b"", timeout=5))
    future = channel.unary_unary("/meshrpc.test.Echo/Get").future(b"x", timeout=10,
                                                                  metadata=[("x-echo-sleep-ms", "5000")])
    time.sleep(0.3)
    future.cancel()
    assert future.cancelled()
    _wait_for_cancellations(channel, before + 1)


def test_cancelled_bidi_stream_is_observed(channel):
    before = int(channel.unary_unary("/meshrpc.test.Echo/Cancellations")(b"", timeout=5))
    release = threading.Event()

    def requests():
        yield b"first"
        release.wait(5)

    call = channel.stream_stream("/meshrpc.test.Echo/Update")(requests(), timeout=10)
    assert next(call) == b"first"
    call.cancel()
    release.set()
    _wait_for_cancellations(channel, before + 1)


def _wait_for_cancellations(channel, at_least):
    count = channel.unary_unary("/meshrpc.test.Echo/Cancellations")
    deadline = time.monotonic() + 5
    while int(count(b"", timeout=5)) < at_least:
        assert time.monotonic() < deadline, "the handler never observed the cancellation"
        time.sleep(0.05)


def test_unknown_method_and_service_are_unimplemented(channel):
    for path in ["/meshrpc.test.Echo/Nope", "/no.such.Service/Get"]:
        with pytest.raises(grpc.RpcError) as info:
            channel.unary_unary(path)(b"x", timeout=5)
        assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_oversized_message_is_resource_exhausted(channel):
    with pytest.raises(grpc.RpcError) as info:
        channel.unary_unary("/meshrpc.test.Echo/Get")(b"x" * ((4 << 20) + 1), timeout=10)
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert channel.unary_unary("/meshrpc.test.Echo/Get")(b"still fine", timeout=5) == b"still fine"


def test_gzip_request_is_unimplemented(echo_server):
    with grpc.insecure_channel(echo_server.target, compression=grpc.Compression.Gzip) as ch:
        with pytest.raises(grpc.RpcError) as info:
            ch.unary_unary("/meshrpc.test.Echo/Get")(b"x" * 100, timeout=5)
        assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
