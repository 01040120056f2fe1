"""Stand-in Zipkin endpoints for the tracing-overhead benchmark.

`collector.py live PORT_FILE`: answers every POST /api/v2/spans with 202 and counts the spans it received (by their
`"traceId"` keys: cheap, no JSON parse, so the collector takes as little CPU as possible from the server under test);
`GET /count` returns the count. `collector.py slow PORT_FILE`: accepts connections and never answers, the worst
collector there is. Each writes the port it bound to PORT_FILE."""
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, port_file = sys.argv[1], sys.argv[2]
received = 0
lock = threading.Lock()


class Collector(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global received
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            received += body.count(b'"traceId"')
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        text = str(received).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, *args):
        pass


if mode == "live":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    open(port_file, "w").write(str(server.server_address[1]))
    server.serve_forever()
else:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    open(port_file, "w").write(str(listener.getsockname()[1]))
    held = []
    while True:
        connection, _ = listener.accept()
        held.append(connection)  # never read, never answered, never closed
