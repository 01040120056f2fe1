"""Checks that ours and the peer answer UnaryCall with grpc-status 0 (h2load cannot see trailers)."""
import sys

import grpc

for port in sys.argv[1:]:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        call = channel.unary_unary("/grpc.testing.TestService/UnaryCall")
        body = bytes([0x10, 16, 0x1A, 18, 0x12, 16]) + b"\x00" * 16
        response, info = call.with_call(body, timeout=10)
        assert info.code() == grpc.StatusCode.OK and len(response) == 20, (port, info.code(), response)
print("grpc-status OK from ours and the peer")
