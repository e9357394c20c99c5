#!/usr/bin/env python3
"""Reads a JetStream stream over the plain NATS protocol (no client library), for the bus tests.

  jsdump.py PORT info STREAM      the stream's info as JSON (state.messages, per-subject counts)
  jsdump.py PORT msgs STREAM [N]  every message (the first N)
  jsdump.py PORT create STREAM SUBJECT DESCRIPTION MAX_MSG_SIZE   a stream made by hand
  jsdump.py PORT delete STREAM   the stream deleted
  jsdump.py PORT delete-consumer STREAM NAME   a consumer deleted
  jsdump.py PORT replace-consumer STREAM NAME FILTER   the durable consumer NAME deleted and
                                  made again as a pull consumer of FILTER (AckAll)
  jsdump.py PORT consumer STREAM NAME   the consumer's info as JSON (config.filter_subject)
  jsdump.py PORT pub STREAM FILE  publish FILE's messages (JSON lines as msgs writes them, or
                                  with "data_b64") with their headers, each acknowledged
msgs writes one JSON object a line: {"seq", "subject", "headers": {name: value}, "data"}
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

    def request(self, subject, payload, hdrs=None):
        p = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        if hdrs is None:
            self.s.sendall(b'PUB %s _INBOX.jsdump %d\r\n%s\r\n' % (subject.encode(), len(p), p))
        else:
            h = b'NATS/1.0\r\n' + b''.join(b'%s: %s\r\n' % (k.encode(), v.encode('latin-1'))
                                           for k, v in hdrs.items()) + b'\r\n'
            self.s.sendall(b'HPUB %s _INBOX.jsdump %d %d\r\n%s%s\r\n'
                           % (subject.encode(), len(h), len(h) + len(p), h, p))
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
    if what == 'delete-consumer':
        r = n.request('$JS.API.CONSUMER.DELETE.%s.%s' % (stream, sys.argv[4]), {})
        if 'error' in r:
            raise SystemExit('delete-consumer: %s' % r['error'])
        return
    if what == 'replace-consumer':
        name, filt = sys.argv[4:6]
        for _ in range(10):  # the consumer's user may make its own again in between
            n.request('$JS.API.CONSUMER.DELETE.%s.%s' % (stream, name), {})
            r = n.request('$JS.API.CONSUMER.DURABLE.CREATE.%s.%s' % (stream, name),
                          {'stream_name': stream,
                           'config': {'durable_name': name, 'ack_policy': 'all',
                                      'deliver_policy': 'all', 'filter_subject': filt}})
            if 'error' not in r:
                break
        if 'error' in r:
            raise SystemExit('replace-consumer: %s' % r['error'])
        return
    if what == 'consumer':
        print(json.dumps(n.request('$JS.API.CONSUMER.INFO.%s.%s' % (stream, sys.argv[4]), {})))
        return
    if what == 'pub':
        for ln in open(sys.argv[4]):
            m = json.loads(ln)
            data = base64.b64decode(m['data_b64']) if 'data_b64' in m else m['data'].encode('latin-1')
            r = n.request(m['subject'], data, m.get('headers', {}))
            if 'error' in r:
                raise SystemExit('pub: %s' % r['error'])
        return
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
