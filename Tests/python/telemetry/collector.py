"""A tiny Zipkin collector for tests: accepts POST /api/v2/spans and appends each span as one JSON line.

Usage: collector.py PORT_FILE OUT_FILE — binds a free loopback port and writes it to PORT_FILE.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            spans = json.loads(body)
            assert isinstance(spans, list)
        except Exception:
            self.send_response(400)
            self.end_headers()
            return
        with open(sys.argv[2], "a") as out:
            for span in spans:
                out.write(json.dumps(span) + "\n")
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1], "w") as port_file:
    port_file.write(str(server.server_address[1]))
server.serve_forever()
