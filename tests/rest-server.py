#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A scripted HTTP(S) server on 127.0.0.1 for the REST backend's tests
and the SNS subscription confirmation test.

    rest-server.py SCRIPT LOG PORTFILE [CERTFILE KEYFILE]

SCRIPT is a JSON array of answers, used in order; the last one repeats.
Each answer is an object:
    "status"   HTTP status (default 200)
    "body"     a JSON value sent as application/json, or a string as text
    "headers"  extra headers, {"Retry-After": "1"}
    "sleep"    seconds to wait before answering (to provoke a timeout)
    "echo"     a request header whose value is put into {"message": ...}
               (checks that gmhook scrubs secrets a server sends back)
Every request is appended to LOG, one JSON object a line, before it is
answered: {"time", "method", "path", "headers": {lower-case name: value},
"body"}. The server binds port 0 and writes its port to PORTFILE once it
listens. It runs until killed. With CERTFILE and KEYFILE (PEM) it speaks
HTTPS with that certificate; a client that refuses the certificate ends
the handshake, and its request is neither logged nor answered.
"""
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Script:
    def __init__(self, path, log):
        with open(path, encoding="utf-8") as f:
            self.answers = json.load(f)
        self.log = log
        self.count = 0
        self.lock = threading.Lock()

    def next(self, record):
        with self.lock:
            i = min(self.count, len(self.answers) - 1)
            self.count += 1
            with open(self.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
            return self.answers[i]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        record = {
            "time": time.time(),
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
        }
        a = self.server.script.next(record)
        if a.get("sleep"):
            time.sleep(a["sleep"])
        out = a.get("body", "")
        if a.get("echo"):
            out = {"message": "bad value " + self.headers.get(a["echo"], "")}
        if isinstance(out, str):
            data, ctype = out.encode(), "text/plain"
        else:
            data, ctype = json.dumps(out).encode(), "application/json"
        try:
            self.send_response(a.get("status", 200))
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            for k, v in a.get("headers", {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (a timeout test)
        self.close_connection = True

    do_POST = answer
    do_GET = answer
    do_PUT = answer


def main():
    if len(sys.argv) not in (4, 6):
        sys.stderr.write(
            "usage: rest-server.py SCRIPT LOG PORTFILE [CERTFILE KEYFILE]\n")
        return 64
    script, log, portfile = sys.argv[1:4]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if len(sys.argv) == 6:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(sys.argv[4], sys.argv[5])
        # The handshake runs in accept(); a failed one raises an OSError
        # there, which the server drops before any handler runs.
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    server.script = Script(script, log)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, portfile)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
