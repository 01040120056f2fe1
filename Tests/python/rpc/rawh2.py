"""A deliberately minimal HTTP/2 client on a raw socket, able to send what no well-behaved library would:
garbage prefaces, invalid frames, oversized header blocks, lying gRPC length prefixes, floods of resets."""
import socket
import struct
import time

import hpack

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0, 1, 3, 4, 6, 7, 8, 9
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1


class RawH2:
    def __init__(self, port, preface=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.buffer = b""
        self.spoke = preface
        if preface:
            self.sock.sendall(PREFACE + self.frame(SETTINGS, 0, 0, b""))

    @staticmethod
    def frame(kind, flags, stream, payload):
        return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload

    def send(self, data):
        self.sock.sendall(data)

    def headers_frames(self, stream, headers, end_stream=False, max_frame=16384):
        block = self.encoder.encode(headers)
        chunks = [block[i:i + max_frame] for i in range(0, len(block), max_frame)] or [b""]
        out = []
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            flags = (END_HEADERS if last else 0) | (END_STREAM if end_stream and index == 0 else 0)
            out.append(self.frame(HEADERS if index == 0 else CONTINUATION, flags, stream, chunk))
        return b"".join(out)

    def grpc_request(self, stream, path="/meshrpc.test.Echo/Get", extra=(), end_stream=False,
                     content_type="application/grpc"):
        headers = [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "localhost"),
                   ("content-type", content_type), ("te", "trailers"), *extra]
        return self.headers_frames(stream, headers, end_stream)

    def read_frame(self, timeout=5):
        """The next frame as (type, flags, stream, payload), or None when the peer closed the connection."""
        self.sock.settimeout(timeout)
        while len(self.buffer) < 9 or len(self.buffer) < 9 + int.from_bytes(self.buffer[:3], "big"):
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                return None
            if not chunk:
                return None
            self.buffer += chunk
        length = int.from_bytes(self.buffer[:3], "big")
        kind, flags = self.buffer[3], self.buffer[4]
        stream = int.from_bytes(self.buffer[5:9], "big") & 0x7FFFFFFF
        payload = self.buffer[9:9 + length]
        self.buffer = self.buffer[9 + length:]
        if kind == SETTINGS and not flags & ACK and self.spoke:
            try:
                self.send(self.frame(SETTINGS, ACK, 0, b""))
            except OSError:
                pass  # the server may already have hung up on us; the caller checks for that
        return kind, flags, stream, payload

    def read_until(self, predicate, timeout=5):
        """Frames until `predicate(frame)` holds; returns (that frame, all frames read). None if the peer closed."""
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            frame = self.read_frame(timeout=max(0.01, deadline - time.monotonic()))
            if frame is None:
                return None, seen
            seen.append(frame)
            if frame[0] == HEADERS:
                frame = (frame[0], frame[1], frame[2], dict(self.decoder.decode(frame[3])))
                seen[-1] = frame
            if predicate(frame):
                return frame, seen
        raise TimeoutError(f"no matching frame; saw {[f[:3] for f in seen]}")

    def closed_within(self, timeout):
        """True when the server closes the connection within `timeout` seconds (frames before that are ignored)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.read_frame(timeout=max(0.01, deadline - time.monotonic())) is None:
                return time.monotonic() < deadline + 0.05
        return False

    def close(self):
        self.sock.close()


def grpc_message(payload: bytes) -> bytes:
    return b"\x00" + struct.pack(">I", len(payload)) + payload
