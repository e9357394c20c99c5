#!/usr/bin/env python3
"""Reads a JetStream stream over the plain NATS protocol (no client library), for the bus tests.

  jsdump.py PORT info STREAM      the stream's info as JSON (state.messages, per-subject counts)
  jsdump.py PORT msgs STREAM [N]  every message (the first N)
  jsdump.py PORT create STREAM SUBJECT DESCRIPTION MAX_MSG_SIZE   a stream made by hand
  jsdump.py PORT delete STREAM, one JSON object a line:
                                  {"seq", "subject", "headers": {name: value}, "data"}
"""
import base64
import json
import socket
import sys


class Nats:
    def __init__(self, port):
        self.s = socket.create_connection(('127.0.0.1', int(port)), timeout=20)
        self.buf = b''
        self.line()  # INFO
        self.s.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n'
                       b'SUB _INBOX.jsdump 1\r\nPING\r\n')
        while self.line() != b'PONG':
            pass

    def line(self):
        while b'\r\n' not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise SystemExit('connection closed')
            self.buf += chunk
        ln, self.buf = self.buf.split(b'\r\n', 1)
        return ln

    def take(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.s.recv(65536)
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def request(self, subject, payload):
        p = json.dumps(payload).encode()
        self.s.sendall(b'PUB %s _INBOX.jsdump %d\r\n%s\r\n' % (subject.encode(), len(p), p))
        while True:
            ln = self.line()
            if ln.startswith(b'MSG '):
                return json.loads(self.take(int(ln.split()[-1])))
            if ln.startswith(b'HMSG '):
                parts = ln.split()
                raw = self.take(int(parts[-1]))
                return json.loads(raw[int(parts[-2]):] or b'{}')
            if ln == b'PING':
                self.s.sendall(b'PONG\r\n')
            elif ln.startswith(b'-ERR'):
                raise SystemExit(ln.decode())


def headers(b64):
    out = {}
    for ln in base64.b64decode(b64).decode('latin-1').split('\r\n')[1:]:
        if ':' in ln:
            k, v = ln.split(':', 1)
            out[k] = v.strip()
    return out


def main():
    port, what, stream = sys.argv[1:4]
    n = Nats(port)
    if what in ('create', 'delete'):
        cfg = {'name': stream, 'subjects': [sys.argv[4]], 'description': sys.argv[5],
               'storage': 'file', 'max_msg_size': int(sys.argv[6])} if what == 'create' else {}
        r = n.request('$JS.API.STREAM.%s.%s' % (what.upper(), stream), cfg)
        if 'error' in r:
            raise SystemExit('%s: %s' % (what, r['error']))
        return
    info = n.request('$JS.API.STREAM.INFO.' + stream, {'subjects_filter': '>'})
    if what == 'info':
        print(json.dumps(info))
        return
    last = info['state']['last_seq']
    if len(sys.argv) > 4:
        last = min(last, info['state']['first_seq'] + int(sys.argv[4]) - 1)
    for seq in range(info['state']['first_seq'], last + 1):
        r = n.request('$JS.API.STREAM.MSG.GET.' + stream, {'seq': seq})
        m = r.get('message')
        if not m:
            continue
        print(json.dumps({'seq': seq, 'subject': m['subject'],
                          'headers': headers(m['hdrs']) if m.get('hdrs') else {},
                          'data': base64.b64decode(m.get('data', '')).decode('latin-1')}))


main()
