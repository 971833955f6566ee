#!/usr/bin/env python3
"""A minimal OTLP/HTTP receiver for scripts/check-otlp.sh: answers every POST with 200 and writes
each body to DIR/batch-N.bin. Usage: otlp_receiver.py PORT DIR"""

import http.server
import os
import sys

port, directory = int(sys.argv[1]), sys.argv[2]
count = 0


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        count += 1
        with open(os.path.join(directory, f"batch-{count}.bin"), "wb") as f:
            f.write(body)
        with open(os.path.join(directory, "requests.log"), "a") as f:
            f.write(f"{self.path} {self.headers.get('content-type')} {len(body)}\n")
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
