"""Writes the request bodies the RPC bench posts: one small gRPC-framed SimpleRequest, its framed response (nghttpd's
static answer) and STREAM_MIB framed StreamingInputCallRequests of ~1 MiB each. Messages are hand-encoded protobuf
(field numbers from grpc/testing/messages.proto) so the bench needs no generated code."""
import struct
import sys


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field_bytes(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def framed(message):
    return b"\x00" + struct.pack(">I", len(message)) + message


work, mib = sys.argv[1], int(sys.argv[2])
payload = field_bytes(2, b"\x00" * 16)  # Payload.body
simple_request = varint(2 << 3) + varint(16) + field_bytes(3, payload)  # response_size = 16, payload
open(f"{work}/unary-request.bin", "wb").write(framed(simple_request))
open(f"{work}/unary-response.bin", "wb").write(framed(field_bytes(1, payload)))  # SimpleResponse.payload
chunk = framed(field_bytes(1, field_bytes(2, b"\x00" * ((1 << 20) - 16))))  # StreamingInputCallRequest.payload
with open(f"{work}/stream-request.bin", "wb") as out:
    for _ in range(mib):
        out.write(chunk)
