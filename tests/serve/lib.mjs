// Shared by the service's node tests: start `sanctwatch serve` on a store with a live TCP feed
// the test controls, accounts with known passwords, an HTTP client with cookies, and the checks.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} not set`);
  return process.env[k];
};

export const failures = [];
export function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
  return ok;
}

// A TCP feed: the service connects to it; send() writes lines to every connection.
export async function startFeed() {
  const clients = new Set();
  const server = net.createServer((c) => {
    clients.add(c);
    c.on('close', () => clients.delete(c));
    c.on('error', () => {});
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    clients,
    send(lines) { for (const c of clients) c.write(`${lines.join('\r\n')}\r\n`); },
    close() { for (const c of clients) c.destroy(); server.close(); },
  };
}

export function addUser(bin, db, name, role) {
  const r = spawnSync(bin, ['users', 'add', '--db', db, '--role', role, name], { encoding: 'utf8' });
  const m = /: (\S+)\n/.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`users add ${name}: ${r.stderr}`);
  return m[1];
}

export async function startServe(bin, args, out) {
  const portFile = join(out, `port-${process.pid}-${Date.now()}`);
  const log = createWriteStream(join(out, 'serve.log'), { flags: 'a' });
  const p = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--port-file', portFile, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout.pipe(log);
  p.stderr.pipe(log);
  let exited = false;
  p.on('exit', () => { exited = true; });
  for (let i = 0; i < 200 && !existsSync(portFile) && !exited; i++) await sleep(50);
  if (!existsSync(portFile)) throw new Error('serve did not start (see serve.log)');
  const port = Number(readFileSync(portFile, 'utf8').trim());
  return {
    port,
    proc: p,
    async stop() {
      if (exited) return p.exitCode;
      p.kill('SIGTERM');
      await new Promise((r) => p.on('exit', r));
      return p.exitCode;
    },
  };
}

// An HTTP client that keeps its session cookie and CSRF token. req() answers
// { status, headers, body (text), json }.
export class Client {
  constructor(port) { this.port = port; this.cookie = ''; this.csrf = ''; this.bearer = ''; }
  req(method, path, { body, headers = {}, raw } = {}) {
    return new Promise((resolve, reject) => {
      const h = { ...headers };
      if (this.cookie) h.Cookie = this.cookie;
      if (this.bearer) h.Authorization = `Bearer ${this.bearer}`;
      let data;
      if (body !== undefined) {
        data = raw ? body : JSON.stringify(body);
        if (!h['Content-Type']) h['Content-Type'] = 'application/json';
        h['Content-Length'] = Buffer.byteLength(data); /* node frames no DELETE body itself */
      }
      if (method !== 'GET' && this.csrf && h['X-CSRF-Token'] === undefined) h['X-CSRF-Token'] = this.csrf;
      for (const k of Object.keys(h)) if (h[k] === null) delete h[k];
      const r = http.request({ host: '127.0.0.1', port: this.port, method, path, headers: h }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => { text += c; });
        res.on('end', () => {
          const sc = res.headers['set-cookie'];
          if (sc) this.cookie = sc[0].split(';')[0];
          let json = null;
          try { json = JSON.parse(text); } catch { json = null; }
          resolve({ status: res.statusCode, headers: res.headers, body: text, json });
        });
      });
      r.on('error', reject);
      if (data !== undefined) r.write(data);
      r.end();
    });
  }
  get(path, o) { return this.req('GET', path, o); }
  post(path, body, o = {}) { return this.req('POST', path, { ...o, body }); }
  del(path, o) { return this.req('DELETE', path, o); }
  async login(name, password) {
    const r = await this.post('/api/v1/login', { name, password });
    if (r.status === 200) this.csrf = r.json.csrf;
    return r;
  }
}

// A logged-in client whose one-time password was replaced by `password`.
export async function account(port, name, otp, password) {
  const c = new Client(port);
  const r = await c.login(name, otp);
  if (r.status !== 200) throw new Error(`login ${name}: ${r.status} ${r.body}`);
  const p = await c.post('/api/v1/password', { old: otp, new: password });
  if (p.status !== 200) throw new Error(`password ${name}: ${p.status} ${p.body}`);
  return c;
}

// An event stream: the messages as they come ({id, event, data}).
export function stream(port, cookie, lastEventId) {
  const msgs = [];
  let buf = '';
  const headers = { Cookie: cookie, Accept: 'text/event-stream' };
  if (lastEventId) headers['Last-Event-ID'] = lastEventId;
  const req = http.request({ host: '127.0.0.1', port, path: '/api/v1/stream', headers }, (res) => {
    s.status = res.statusCode;
    res.setEncoding('utf8');
    res.on('data', (c) => {
      buf += c;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const m = {};
        for (const line of block.split('\n')) {
          const k = line.indexOf(': ');
          if (k > 0) m[line.slice(0, k)] = line.slice(k + 2);
        }
        if (m.event) msgs.push({ id: m.id, event: m.event, data: JSON.parse(m.data) });
      }
    });
  });
  req.on('error', () => {});
  req.end();
  const s = {
    msgs,
    status: 0,
    close() { req.destroy(); },
    async wait(pred, ms = 10000) {
      for (let t = 0; t < ms; t += 20) {
        const m = msgs.find(pred);
        if (m) return m;
        await sleep(20);
      }
      return null;
    },
  };
  return s;
}

export function prepareStore(bin, dir, root) {
  const run = (args) => {
    const r = spawnSync(bin, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  };
  run(['simulate', '--seed', '7', '--hours', '24', '--out', join(dir, 's.nmea'), '--truth', join(dir, 's.json')]);
  run(['analyze', '-q', '--db', join(dir, 't.db'), join(dir, 's.nmea')]);
  run(['lists', 'import', '--db', join(dir, 't.db'), join(root, 'data/examples/sdn_2024-05-03.csv.gz')]);
  run(['ledger', 'keygen', '--key', join(dir, 'k.key')]);
  return { db: join(dir, 't.db'), key: join(dir, 'k.key') };
}
