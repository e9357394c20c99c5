// Browser tests of the dashboard (t_serve_browser.sh runs this): Debian's Chromium driven by
// playwright-core (no browser download). Starts `sanctwatch serve` on a prepared store with a
// live TCP feed this script serves, then, as a person would: logs in (an analyst's first
// login changes the one-time password), sees vessels on the map, sees a live event appear
// within 2 s of its sentences entering the feed, reviews it and sees the review signed,
// verifies its proof in the browser, and checks that a viewer cannot review. AIS names with
// HTML in them must show as text on every page. Any console error fails the test.
// Screenshots go to $SW_OUT. Env: SW_BIN, SW_DB, SW_KEY, SW_WEB, SW_OUT, SW_NODE_MODULES.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import { position, statics } from './ais.mjs';

const env = (k) => { if (!process.env[k]) throw new Error(`${k} not set`); return process.env[k]; };
const BIN = env('SW_BIN'), DB = env('SW_DB'), KEY = env('SW_KEY'), WEB = env('SW_WEB'), OUT = env('SW_OUT');
const require = createRequire(join(env('SW_NODE_MODULES'), 'x.js'));
const { chromium } = require('playwright-core');

const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures.push(what); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const HOSTILE = '<SCRIPT>X</SCRIPT>';

// ---- the live feed: background traffic every 250 ms, and the sentences the test injects
const clients = new Set();
const feed = net.createServer((c) => { clients.add(c); c.on('close', () => clients.delete(c)); c.on('error', () => {}); });
await new Promise((r) => feed.listen(0, '127.0.0.1', r));
const send = (lines) => { for (const c of clients) c.write(lines.join('\r\n') + '\r\n'); };
let tick = 0;
const bg = setInterval(() => {
  const t = Math.floor(Date.now() / 1000);
  tick++;
  for (let i = 0; i < 5; i++)
    send(position({ mmsi: 440100001 + i, lat: 37 + i * 0.1, lon: 124 + tick * 0.0005, sog: 8, cog: 90, t }));
}, 250);

// ---- accounts: an admin, an analyst and a viewer, each with a one-time password
function addUser(name, role) {
  const r = spawnSync(BIN, ['users', 'add', '--db', DB, '--role', role, name], { encoding: 'utf8' });
  const m = /: (\S+)\n/.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`users add ${name}: ${r.stderr}`);
  return m[1];
}
const otp = { ann: addUser('ann', 'analyst'), vic: addUser('vic', 'viewer') };

// ---- the service
const portFile = join(OUT, 'port');
const log = createWriteStream(join(OUT, 'serve.log'));
const srv = spawn(BIN, ['serve', '--db', DB, '--listen', '127.0.0.1:0', '--port-file', portFile, '--key', KEY,
  '--web', WEB, '--feed', `tcp://127.0.0.1:${feed.address().port}`, '--lateness', '0', '--checkpoint-ms', '250'],
{ stdio: ['ignore', 'pipe', 'pipe'] });
srv.stdout.pipe(log);
srv.stderr.pipe(log);
for (let i = 0; i < 100 && !existsSync(portFile); i++) await sleep(100);
const BASE = `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;

// The viewer's password, set through the API (login with the one-time password, change it).
async function setPassword(name, old, pw) {
  const r = await fetch(`${BASE}/api/v1/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, password: old }) });
  const me = await r.json();
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const p = await fetch(`${BASE}/api/v1/password`, { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': me.csrf }, body: JSON.stringify({ old, new: pw }) });
  if (p.status !== 200) throw new Error(`password of ${name}: ${p.status}`);
}
await setPassword('vic', otp.vic, 'viewer password 1');

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'] });
const consoleErrors = [];
async function newPage(who) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${who}: ${m.text()}`); });
  page.on('pageerror', (e) => consoleErrors.push(`${who}: ${e.message}`));
  page.on('dialog', (d) => { consoleErrors.push(`${who}: a dialog opened: ${d.message()}`); d.dismiss(); });
  return page;
}
const shot = (page, name) => page.screenshot({ path: join(OUT, `${name}.png`) });
async function login(page, name, pw) {
  await page.goto(`${BASE}/#/login`);
  await page.fill('#login input[name=name]', name);
  await page.fill('#login input[name=password]', pw);
  await page.click('#login button');
}
// No element made from data: the page's only script is the bundle.
const noInjection = (page) => page.evaluate(() => document.querySelectorAll('script').length === 1 && !document.querySelector('#view img, #view iframe'));

let code = 1;
try {
  const page = await newPage('analyst');
  await login(page, 'ann', otp.ann);
  await page.waitForSelector('#password', { timeout: 10000 });
  check(true, 'a one-time password leads to the password page');
  await shot(page, '01-password');
  await page.fill('#password input[name=old]', otp.ann);
  await page.fill('#password input[name=new]', 'analyst password 1');
  await page.click('#password button');
  await page.waitForSelector('#map', { timeout: 10000 });
  await page.waitForFunction(() => Number(document.querySelector('#vessel-count')?.dataset.count) > 0, null, { timeout: 30000 });
  await page.waitForFunction(() => window.sanctwatch.map && window.sanctwatch.map.loaded() && window.sanctwatch.map.queryRenderedFeatures({ layers: ['vessels'] }).length > 0, null, { timeout: 30000 });
  const shown = await page.evaluate(() => window.sanctwatch.map.queryRenderedFeatures({ layers: ['vessels'] }).length);
  check(shown > 0, `the map shows vessels (${shown} drawn, ${await page.textContent('#vessel-count')})`);
  await shot(page, '02-map');

  // a live event: a vessel of an unallocated MID (200) named with HTML, then a later record
  // so that the reorder buffer releases it at once
  await sleep(6000); /* the feed's clock has moved to now */
  const t = Math.floor(Date.now() / 1000);
  const sent = Date.now();
  send([...statics({ mmsi: 200123456, imo: 1234567, name: HOSTILE, t }), ...position({ mmsi: 200123456, lat: 38.5, lon: 124.9, sog: 3, cog: 90, t })]);
  send(position({ mmsi: 440100001, lat: 37, lon: 124.5, sog: 8, cog: 90, t: t + 1 }));
  let appeared = false;
  try {
    await page.waitForFunction((name) => [...document.querySelectorAll('#live-events li')].some((li) => li.textContent.includes(name)), HOSTILE, { timeout: 2000, polling: 20 });
    appeared = true;
  } catch { /* checked below */ }
  const delay = Date.now() - sent;
  check(appeared, `a live event appears within 2 s of its sentences entering the feed (${delay} ms)`);
  check(await noInjection(page), 'the hostile AIS name shows as text in the live list');
  await shot(page, '03-live-event');

  // review it: the event page, a note with HTML, confirm, signed
  if (!appeared) await page.waitForFunction((name) => [...document.querySelectorAll('#live-events li')].some((li) => li.textContent.includes(name)), HOSTILE, { timeout: 20000 });
  const href = await page.evaluate((name) => [...document.querySelectorAll('#live-events li')].find((li) => li.textContent.includes(name)).querySelector('a').getAttribute('href'), HOSTILE);
  await page.goto(`${BASE}/${href}`);
  await page.waitForSelector('#review-form', { timeout: 10000 });
  check((await page.textContent('h1')).includes(HOSTILE) && (await noInjection(page)), 'the event page shows the hostile name as text');
  await page.fill('#review-form textarea', 'checked: <img src=x onerror=alert(1)> & "quoted"');
  await page.click('#confirm');
  await page.waitForSelector('#review-signed', { timeout: 15000 });
  const rv = await page.textContent('#reviews');
  check(rv.includes('<img src=x onerror=alert(1)>') && (await noInjection(page)), 'the review is listed, its note as text');
  check(true, `the review is signed: ${await page.textContent('#review-signed')}`);
  await shot(page, '04-reviewed');

  // verify the proof in the browser
  await page.click('#verify');
  await page.waitForSelector('#verify-result [data-verified]', { timeout: 15000 });
  const verified = await page.getAttribute('#verify-result [data-verified]', 'data-verified');
  check(verified === '1', `the proof verifies in the browser: ${await page.textContent('#verify-result')}`);
  await shot(page, '05-verified');

  // the vessel page and the screening page show hostile text as text too
  await page.goto(`${BASE}/#/vessel/200123456`);
  await page.waitForSelector('#identities', { timeout: 10000 });
  check((await page.textContent('#view')).includes(HOSTILE) && (await noInjection(page)), 'the vessel page shows the hostile name as text');
  await page.goto(`${BASE}/#/screen?q=${encodeURIComponent('<b>KIM</b>')}`);
  await page.waitForSelector('#view h1', { timeout: 10000 });
  check((await page.textContent('#view h1')).includes('<b>KIM</b>') && (await noInjection(page)), 'the screening page shows the query as text');
  await page.goto(`${BASE}/#/events`);
  await page.waitForSelector('#event-rows tr', { timeout: 10000 });
  check(await noInjection(page), 'the event list holds no element made from data');
  await shot(page, '06-events');

  // a viewer reads, and cannot review
  const vp = await newPage('viewer');
  await login(vp, 'vic', 'viewer password 1');
  await vp.waitForSelector('#map', { timeout: 10000 });
  await vp.goto(`${BASE}/${href}`);
  await vp.waitForSelector('#review-readonly', { timeout: 10000 });
  check(!(await vp.$('#confirm')), 'a viewer gets no review buttons');
  const status = await vp.evaluate(async (h) => {
    const me = await (await fetch('/api/v1/me')).json();
    const r = await fetch(`/api/v1/events/${h.split('/').pop()}/reviews`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf }, body: JSON.stringify({ decision: 'dismiss' }) });
    return r.status;
  }, href);
  check(status === 403, `a viewer's review is refused by the API (${status})`);
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !/status of 403/.test(e)));
  await shot(vp, '07-viewer');
  check(consoleErrors.length === 0, `no console error${consoleErrors.length ? `: ${consoleErrors.join(' | ')}` : ''}`);
  code = failures.length ? 1 : 0;
} catch (e) {
  console.log(`FAIL ${e.stack}`);
  code = 1;
} finally {
  clearInterval(bg);
  await browser.close();
  srv.kill('SIGTERM');
  await new Promise((r) => srv.on('exit', r));
  for (const c of clients) c.destroy();
  feed.close();
}
console.log(code ? `failed: ${failures.join('; ')}` : 'all browser checks passed');
process.exit(code);
