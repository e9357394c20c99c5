// Hostile clients against `sanctwatch serve` (t_serve_hostile.sh runs this), on raw sockets so
// that nothing is normalised on the way: slowloris and idle connections (cut off by the time
// limit while others are served), oversized headers, URLs and bodies, malformed requests,
// path traversal on the static files (dot segments raw and escaped, a symbolic link out of the
// folder, hidden files), SQL metacharacters in every query parameter of every endpoint (never
// a 500, the store intact), HTML in JSON answers, too many connections from one address.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, account, addUser, check, env, failures, prepareStore, sleep, startServe } from './lib.mjs';

const BIN = env('SW_BIN'), ROOT = env('SW_ROOT'), OUT = env('SW_OUT');
const dir = mkdtempSync(join(tmpdir(), 'sw-hostile-'));
const { db, key } = prepareStore(BIN, dir, ROOT);
const web = join(dir, 'web');
mkdirSync(join(web, 'sub'), { recursive: true });
writeFileSync(join(web, 'index.html'), '<!doctype html><title>t</title>');
writeFileSync(join(web, 'sub', 'a.js'), 'export {};');
writeFileSync(join(web, '.hidden'), 'secret');
symlinkSync('/etc/passwd', join(web, 'link-out'));
writeFileSync(join(dir, 'outside.txt'), 'root:x:0:0 outside the web folder');
const otp = addUser(BIN, db, 'ann', 'analyst');
const srv = await startServe(BIN, ['--db', db, '--key', key, '--web', web, '--timeout', '2', '--max-conn-per-ip', '64'], OUT);
const P = srv.port;

// One raw exchange: what the server sends until it closes (or ms pass).
function raw(bytes, { ms = 8000, keep = false } = {}) {
  return new Promise((resolve) => {
    const s = net.connect(P, '127.0.0.1');
    let got = '', done = false;
    const end = (how) => { if (!done) { done = true; s.destroy(); resolve({ got, how }); } };
    s.on('data', (d) => { got += d.toString('latin1'); if (!keep && /\r\n\r\n/.test(got) && /Content-Length: (\d+)/i.test(got)) {
      const n = Number(/Content-Length: (\d+)/i.exec(got)[1]);
      if (got.length - got.indexOf('\r\n\r\n') - 4 >= n) end('answered');
    } });
    s.on('close', () => end('closed'));
    s.on('error', () => end('error'));
    s.on('connect', () => { if (bytes) s.write(bytes); });
    setTimeout(() => end('timeout'), ms);
  });
}
const status = (got) => Number((/^HTTP\/1\.[01] (\d{3})/.exec(got) || [])[1] || 0);
const health = async () => status((await raw('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n')).got) === 200;

let code = 1;
try {
  const ann = await account(P, 'ann', otp, 'analyst password 1');
  const cookie = ann.cookie;
  check(await health(), 'the service answers');

  // ---- slowloris: a header a byte at a time; idle connections
  const slow = net.connect(P, '127.0.0.1');
  let slowClosed = false;
  slow.on('close', () => { slowClosed = true; });
  slow.on('error', () => {});
  slow.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  const drip = setInterval(() => { if (!slowClosed) slow.write('a'); }, 2500);
  const idle = [];
  for (let i = 0; i < 40; i++) {
    const s = net.connect(P, '127.0.0.1');
    s.closedByServer = false;
    s.on('close', () => { s.closedByServer = true; });
    s.on('error', () => {});
    idle.push(s);
  }
  await sleep(500);
  check(await health(), 'answers while 40 idle connections and a slow one are open');
  for (let i = 0; i < 60 && !(slowClosed && idle.every((s) => s.closedByServer)); i++) await sleep(250);
  clearInterval(drip);
  check(slowClosed, 'a slowloris client sending a header byte every 2.5 s is cut off (time limit 2 s)');
  check(idle.every((s) => s.closedByServer), 'idle connections are closed');
  for (const s of idle) s.destroy();

  // ---- sizes
  const bigHeader = await raw(`GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40000)}\r\n\r\n`);
  check(!/^HTTP\/1\.[01] 2/.test(bigHeader.got), `a 40 KiB header is refused (${status(bigHeader.got) || bigHeader.how})`);
  const bigUrl = await raw(`GET /api/v1/events?type=${'x'.repeat(40000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  check(!/^HTTP\/1\.[01] 2/.test(bigUrl.got), `a 40 KiB URL is refused (${status(bigUrl.got) || bigUrl.how})`);
  const bigBody = await raw('POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
  check(status(bigBody.got) === 413, `a declared 100 kB body is 413 (${status(bigBody.got)})`);
  const chunk = `${(32768).toString(16)}\r\n${'a'.repeat(32768)}\r\n`;
  const chunked = await raw(`POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.repeat(3)}0\r\n\r\n`);
  check(status(chunked.got) === 413, `an undeclared 96 kB body is 413 (${status(chunked.got) || chunked.how})`);
  const many = await raw(`GET /api/v1/health HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`);
  check(!/^HTTP\/1\.[01] 2/.test(many.got), `2000 headers are refused (${status(many.got) || many.how})`);
  for (const junk of ['GARBAGE\r\n\r\n', '\x00\x01\x02\xff\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET\r\n\r\n']) {
    const r = await raw(junk, { ms: 4000 });
    if (/^HTTP\/1\.[01] 2/.test(r.got)) failures.push(`malformed request answered 2xx: ${JSON.stringify(junk)}`);
  }
  check(await health(), 'malformed requests are refused and the service goes on');

  // ---- path traversal on the static files
  const paths = ['/../../../../etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/sub/../../outside.txt', '/sub/%2e%2e/%2e%2e/outside.txt', '/link-out', '/.hidden', '/sub/.%2e/.hidden',
    '//etc/passwd', '/index.html%00.js', '/sub//a.js', '/%2fetc%2fpasswd', '/sub\\..\\..\\outside.txt', '/.',
    '/sub/', '/index.html/..', `/${'a/'.repeat(300)}x`];
  const leaked = [];
  for (const p of paths) {
    const r = await raw(`GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`);
    if (/root:|secret|outside the web/.test(r.got) || status(r.got) === 200) leaked.push(`${p} ${status(r.got)}`);
  }
  check(leaked.length === 0, `path traversal on static files is refused (${paths.length} paths) ${leaked.join(', ')}`);
  check(status((await raw('GET /sub/a.js HTTP/1.1\r\nHost: x\r\n\r\n')).got) === 200, 'a file of the folder is served');

  // ---- SQL metacharacters in every query parameter of every endpoint
  const sqls = ["' OR '1'='1", '1; DROP TABLE events; --', '" OR ""="', "Robert'); DROP TABLE serve_users;--",
    '1 UNION SELECT name, pwhash FROM serve_users', '%', '_', '\\', "'", '0x1', '1e999', '-0', '9'.repeat(40)];
  const eps = {
    '/api/v1/vessels': ['bbox', 'listed', 'name', 'mmsi', 'imo', 'limit', 'after', 'format'],
    '/api/v1/vessels/412000001/track': ['from', 'to', 'max_points'],
    '/api/v1/events': ['type', 'from', 'to', 'bbox', 'mmsi', 'min_confidence', 'review', 'order', 'records', 'withdrawn', 'limit', 'after'],
    '/api/v1/reviews': ['event', 'from_leaf', 'limit'], '/api/v1/screen': ['q', 'type', 'limit', 'threshold'],
    '/api/v1/designated': ['list', 'programme', 'include_removed', 'imo', 'mmsi'], '/api/v1/alerts': ['after', 'limit'],
  };
  const before = (await ann.get('/api/v1/events?limit=1000&records=1&order=ledger')).json.events.length;
  const bad = [];
  let n = 0;
  for (const [ep, params] of Object.entries(eps))
    for (const p of params)
      for (const v of sqls) {
        const r = await ann.get(`${ep}?${p}=${encodeURIComponent(v)}${p !== 'q' && ep.endsWith('screen') ? '&q=kim' : ''}`);
        n++;
        if (r.status !== 200 && r.status !== 400) bad.push(`${ep}?${p}=${v}: ${r.status}`);
      }
  for (const v of sqls) {
    for (const p of [`/api/v1/vessels/${encodeURIComponent(v)}`, `/api/v1/events/${encodeURIComponent(v)}`, `/api/v1/vessels/${encodeURIComponent(v)}/track`]) {
      const r = await ann.get(p);
      n++;
      if (![200, 400, 404].includes(r.status)) bad.push(`${p}: ${r.status}`);
    }
  }
  check(bad.length === 0, `SQL metacharacters in ${n} parameter values: 200 or 400, never an error ${bad.slice(0, 5).join(', ')}`);
  const after = (await ann.get('/api/v1/events?limit=1000&records=1&order=ledger')).json.events.length;
  check(after === before && (await new Client(P).login('ann', 'analyst password 1')).status === 200, `the store is intact (${after} records, accounts working)`);
  const nm = await ann.get(`/api/v1/vessels?name=${encodeURIComponent("' OR '1'='1")}`);
  check(nm.status === 200 && nm.json.vessels.length === 0, 'a name filter with quotes matches nothing (bound as text)');

  // ---- answers are JSON, never sniffed as HTML
  const j = await ann.get('/api/v1/screen?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
  check(j.headers['content-type'] === 'application/json' && j.headers['x-content-type-options'] === 'nosniff' &&
    !j.body.includes('<script>') && /default-src 'self'/.test(j.headers['content-security-policy']), 'JSON answers carry nosniff and a CSP, and escape < > as \\u003c \\u003e');

  // ---- connections from one address beyond its limit
  const flood = [];
  for (let i = 0; i < 80; i++) { const s = net.connect(P, '127.0.0.1'); s.on('error', () => {}); flood.push(s); }
  await sleep(300);
  const refused = flood.filter((s) => s.destroyed || s.readyState !== 'open').length;
  for (const s of flood) s.destroy();
  await sleep(300);
  check(await health(), `80 connections from one address (limit 64): the service goes on (${refused} refused at once)`);
  code = failures.length ? 1 : 0;
} catch (e) {
  console.log(`FAIL ${e.stack}`);
} finally {
  const st = await srv.stop();
  check(st === 0, `serve stops cleanly (exit ${st})`);
  if (failures.length) code = 1;
}
console.log(code ? `failed: ${failures.join('; ')}` : 'all hostile-client checks passed');
process.exit(code);
