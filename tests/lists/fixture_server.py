#!/usr/bin/env python3
"""A small HTTP server for tests/lists/t_lists_fetch.sh: serves the files of a folder with
ETag and Last-Modified, answers conditional requests (If-None-Match, If-Modified-Since) with
304, and logs every request with the validators it carried. Per file NAME, optional files
beside it change what is served: NAME.type (Content-Type), NAME.truncate (announce the whole
length, send half, close), NAME.status (another status), NAME.noetag (no ETag).
Binds 127.0.0.1 on a free port, writes the port to DIR/port, stops after --max-seconds or
--max-requests, whichever comes first."""
import email.utils
import hashlib
import http.server
import os
import sys
import threading
import time

DIR = sys.argv[1]
MAX_SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 300
MAX_REQUESTS = int(sys.argv[3]) if len(sys.argv) > 3 else 200
count = 0


def side(name, ext):
    p = os.path.join(DIR, "files", name + "." + ext)
    if os.path.exists(p):
        with open(p) as f:
            return f.read().strip() or True
    return None


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def log(self, status):
        with open(os.path.join(DIR, "requests.log"), "a") as f:
            f.write("%s inm=%s ims=%s status=%d\n" % (
                self.path, self.headers.get("If-None-Match", "-"),
                self.headers.get("If-Modified-Since", "-"), status))

    def do_GET(self):
        global count
        count += 1
        name = os.path.basename(self.path)
        path = os.path.join(DIR, "files", name)
        if not os.path.isfile(path):
            self.log(404)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(path, "rb") as f:
            body = f.read()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
        lm = email.utils.formatdate(os.stat(path).st_mtime, usegmt=True)
        noetag = side(name, "noetag")
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        status = int(side(name, "status") or 200)
        if status == 200 and ((inm and not noetag and inm == etag) or
                              (not inm and ims and ims == lm)):
            self.log(304)
            self.send_response(304)
            if not noetag:
                self.send_header("ETag", etag)
            self.send_header("Last-Modified", lm)
            self.end_headers()
            return
        self.log(status)
        self.send_response(status)
        self.send_header("Content-Type", side(name, "type") or
                         ("application/xml" if name.endswith(".xml") else "text/csv"))
        self.send_header("Content-Length", str(len(body)))
        if not noetag:
            self.send_header("ETag", etag)
        self.send_header("Last-Modified", lm)
        self.end_headers()
        if side(name, "truncate"):
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
t = threading.Thread(target=srv.serve_forever, daemon=True)
t.start()
deadline = time.time() + MAX_SECONDS
while time.time() < deadline and count < MAX_REQUESTS:
    time.sleep(0.1)
srv.shutdown()
