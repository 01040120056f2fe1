"""SIGTERM drains the server gracefully: a call in flight finishes with OK, new connections are refused, the process
exits 0."""
import signal
import socket
import time

import grpc

from .rpcsupport import RunningServer


def test_sigterm_lets_the_open_call_finish():
    server = RunningServer(["rpc-echo-server", "--port", "0"])
    try:
        with grpc.insecure_channel(server.target) as channel:
            get = channel.unary_unary("/meshrpc.test.Echo/Get")
            future = get.future(b"in flight", timeout=10, metadata=[("x-echo-sleep-ms", "700")])
            time.sleep(0.2)
            server.process.send_signal(signal.SIGTERM)
            assert future.result() == b"in flight"
        assert server.process.wait(timeout=10) == 0
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
            refused = False
        except OSError:
            refused = True
        assert refused, "the server still accepts connections after draining"
    finally:
        if server.alive():
            server.process.kill()
