// API tests of `sanctwatch serve` (t_serve_api.sh runs this): every endpoint without a login and
// with the wrong role, bad parameters (400 naming the parameter), paging limits and pages that
// join into the whole listing, reviews and the proof checked by `sanctwatch ledger verify`,
// watchlist alerts from the live feed, API tokens, CSRF, forged and expired sessions, login
// limits, and the event stream resumed with Last-Event-ID.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { position, statics } from './ais.mjs';
import { Client, account, addUser, check, env, failures, prepareStore, sleep, startFeed, startServe, stream } from './lib.mjs';

const BIN = env('SW_BIN'), ROOT = env('SW_ROOT'), OUT = env('SW_OUT');
const dir = mkdtempSync(join(tmpdir(), 'sw-api-'));
const { db, key } = prepareStore(BIN, dir, ROOT);
const otp = {
  boss: addUser(BIN, db, 'boss', 'admin'), ann: addUser(BIN, db, 'ann', 'analyst'),
  vic: addUser(BIN, db, 'vic', 'viewer'), lock: addUser(BIN, db, 'lock', 'viewer'),
};
// a partner's witness (docs/witness.md) that the service submits its heads to
const run = (args) => spawnSync(BIN, args, { encoding: 'utf8' });
run(['witness', 'keygen', '--key', join(dir, 'w.key'), '--name', 'witness.test/w1']);
const wit = spawn(BIN, ['witness', 'serve', '--key', join(dir, 'w.key'), '--state', join(dir, 'w.db'),
  '--log', `sanctwatch.local/ledger=${key}.pub`, '--listen', '127.0.0.1:0', '--port-file', join(dir, 'wport')], { stdio: 'ignore' });
for (let i = 0; i < 100 && !existsSync(join(dir, 'wport')); i++) await sleep(50);
writeFileSync(join(dir, 'policy.txt'), `witness witness.test/w1 ${readFileSync(join(dir, 'w.key.pub'), 'utf8').trim()} http://127.0.0.1:${readFileSync(join(dir, 'wport'), 'utf8').trim()}\nquorum 1\n`);
const feed = await startFeed();
const srv = await startServe(BIN, ['--db', db, '--key', key, '--witnesses', join(dir, 'policy.txt'), '--feed', `tcp://127.0.0.1:${feed.port}`, '--lateness', '0', '--checkpoint-ms', '250', '--timeout', '5'], OUT);
const P = srv.port;
const A = '/api/v1';
let code = 1;

try {
  // ---- without a login: health only
  const anon = new Client(P);
  const h = await anon.get(`${A}/health`);
  check(h.status === 200 && h.json.status === 'ok' && h.json.session === false, 'health answers without a login');
  const closed = [['GET', '/me'], ['GET', '/vessels'], ['GET', '/vessels/412000001'], ['GET', '/vessels/412000001/track'],
    ['GET', '/events'], ['GET', '/events/x'], ['GET', '/reviews'], ['GET', '/head'], ['GET', '/screen?q=kim'],
    ['GET', '/designated'], ['GET', '/alerts'], ['GET', '/watchlist'], ['GET', '/stream'], ['GET', '/users'], ['GET', '/tokens'],
    ['POST', '/logout'], ['POST', '/password'], ['POST', '/events/x/reviews'], ['POST', '/watchlist'], ['POST', '/users'],
    ['POST', '/tokens'], ['DELETE', '/watchlist/1'], ['DELETE', '/users/vic'], ['DELETE', '/tokens/1']];
  const open = [];
  for (const [m, p] of closed) {
    const r = await anon.req(m, A + p, m === 'POST' ? { body: {} } : {});
    if (r.status !== 401 || !r.json || !r.json.error) open.push(`${m} ${p} ${r.status}`);
  }
  check(open.length === 0, `every endpoint but health needs a login (401 JSON) ${open.join(', ')}`);
  check((await anon.get(`${A}/nosuch`)).status === 404, 'an unknown endpoint is 404');
  check((await anon.req('PUT', `${A}/events`)).status === 405, 'a wrong method is 405');
  const del = await anon.req('DELETE', `${A}/tokens/1`, { body: { x: 1 } });
  check(del.status === 400 && del.headers.connection === 'close', 'a body where none belongs is 400 and ends the connection');

  // ---- logins: one-time passwords, wrong passwords, the limiter
  const first = new Client(P);
  check((await first.login('vic', otp.vic)).json.must_change === true, 'a one-time password logs in with must_change');
  check((await first.get(`${A}/events`)).status === 403, 'reads are refused until the one-time password is changed');
  check((await first.post(`${A}/password`, { old: otp.vic, new: 'short' })).status === 400, 'a short new password is refused');
  check((await first.post(`${A}/password`, { old: otp.vic, new: 'viewer password 1' })).status === 200, 'the one-time password is changed');
  const vic = first;
  const boss = await account(P, 'boss', otp.boss, 'admin password 1');
  const ann = await account(P, 'ann', otp.ann, 'analyst password 1');
  check((await new Client(P).login('ann', 'analyst password 2')).status === 401, 'a wrong password is 401');
  check((await new Client(P).login('nobody', 'whatever it is')).status === 401, 'an unknown name is 401');
  let limited = 0;
  for (let i = 0; i < 7; i++) if ((await new Client(P).login('lock', `wrong ${i} password`)).status === 429) limited++;
  check(limited >= 1, 'repeated failed logins of one account are limited (429)');
  check((await new Client(P).login('lock', otp.lock)).status === 429, 'the right password waits too once an account is limited');
  check((await new Client(P).req('POST', `${A}/login`, { body: '{"name":"ann"}', raw: true, headers: { 'Content-Type': 'text/plain' } })).status === 415, 'a login body that is not JSON is 415');
  check((await new Client(P).req('POST', `${A}/login`, { body: { name: 'ann', password: 'analyst password 1' }, headers: { Origin: 'http://evil.example' } })).status === 403, 'a login from another site is refused');

  // ---- roles
  const rv = await vic.post(`${A}/events/x/reviews`, { decision: 'confirm' });
  check(rv.status === 403, 'a viewer cannot review (403)');
  check((await vic.post(`${A}/watchlist`, { kind: 'mmsi', value: '412000001' })).status === 403, 'a viewer cannot change the watchlist');
  check((await ann.get(`${A}/users`)).status === 403 && (await ann.post(`${A}/users`, { name: 'x', role: 'viewer' })).status === 403, 'an analyst cannot manage users');
  check((await boss.get(`${A}/users`)).json.users.length === 4, 'an admin lists the users');
  const added = await boss.post(`${A}/users`, { name: 'eve', role: 'viewer' });
  check(added.status === 201 && added.json.one_time_password.length === 20, 'an admin adds a user with a one-time password');
  check((await boss.post(`${A}/users`, { name: 'eve', role: 'viewer' })).status === 409, 'a taken name is 409');
  check((await boss.del(`${A}/users/boss`)).status === 409, 'an admin cannot remove themself');
  check((await boss.del(`${A}/users/eve`)).status === 200 && (await new Client(P).login('eve', added.json.one_time_password)).status === 401, 'a removed user cannot log in');

  // ---- CSRF and sessions
  check((await ann.post(`${A}/watchlist`, { kind: 'mmsi', value: '412000001' }, { headers: { 'X-CSRF-Token': null } })).status === 403, 'a POST without the CSRF token is refused');
  check((await ann.post(`${A}/watchlist`, { kind: 'mmsi', value: '412000001' }, { headers: { 'X-CSRF-Token': '0'.repeat(32) } })).status === 403, 'a POST with a wrong CSRF token is refused');
  const forged = new Client(P);
  forged.cookie = `sw_session=${'ab'.repeat(32)}`;
  check((await forged.get(`${A}/events`)).status === 401, 'a forged session cookie is 401');
  forged.cookie = 'sw_session=../../etc/passwd';
  check((await forged.get(`${A}/events`)).status === 401, 'a malformed session cookie is 401');
  const tmp = await account(P, 'lock', otp.lock, 'locked password 1').catch(() => null);
  check(tmp === null, 'the limited account stays limited');
  var exp = new Client(P); /* expired below, with the service stopped */
  await exp.login('vic', 'viewer password 1');

  // ---- API tokens
  const tk = await ann.post(`${A}/tokens`, { label: 'script' });
  check(tk.status === 201 && /^[0-9a-f]{64}$/.test(tk.json.token), 'an API token is made and shown once');
  const bot = new Client(P);
  bot.bearer = tk.json.token;
  check((await bot.get(`${A}/events?limit=1`)).status === 200, 'a Bearer token reads');
  const tl = await ann.get(`${A}/tokens`);
  check(tl.status === 200 && tl.json.tokens.length === 1 && tl.json.tokens.every((t) => !t.token), `the token list never shows a token (${tl.status} ${tl.body})`);
  check((await ann.del(`${A}/tokens/${tk.json.id}`)).status === 200 && (await bot.get(`${A}/events`)).status === 401, 'a revoked token is 401');

  // ---- bad parameters: 400 naming the parameter
  const bad = [
    ['/vessels?bbox=1,2,3', 'bbox'], ['/vessels?bbox=91,0,92,1', 'bbox'], ['/vessels?listed=maybe', 'listed'],
    ['/vessels?mmsi=abc', 'mmsi'], ['/vessels?imo=12345678', 'imo'], ['/vessels?limit=0', 'limit'], ['/vessels?limit=5001', 'limit'],
    ['/vessels?format=compact&limit=200001', 'limit'], ['/vessels?format=xml', 'format'], ['/vessels?after=zz', 'after'],
    ['/vessels/abc', 'mmsi'], ['/vessels/412000001/track?from=yesterday', 'from'], ['/vessels/412000001/track?max_points=1', 'max_points'],
    ['/vessels/412000001/track?from=2024-03-02T00:00:00Z&to=2024-03-01T00:00:00Z', 'from'],
    ['/events?type=nonsense', 'type'], ['/events?from=x', 'from'], ['/events?to=2024-13-01', 'to'], ['/events?bbox=a,b,c,d', 'bbox'],
    ['/events?mmsi=0', 'mmsi'], ['/events?min_confidence=2', 'min_confidence'], ['/events?min_confidence=nan', 'min_confidence'],
    ['/events?review=maybe', 'review'], ['/events?order=random', 'order'], ['/events?order=ledger', 'order'],
    ['/events?records=2', 'records'], ['/events?withdrawn=x', 'withdrawn'], ['/events?limit=1001', 'limit'], ['/events?after=e1.x', 'after'],
    ['/reviews?from_leaf=-1', 'from_leaf'], ['/reviews?limit=0', 'limit'], ['/screen', 'q'], ['/screen?q=', 'q'],
    ['/screen?q=kim&type=ship', 'type'], ['/screen?q=kim&limit=33', 'limit'], ['/screen?q=kim&threshold=0.1', 'threshold'],
    ['/designated?imo=x', 'imo'], ['/designated?mmsi=-1', 'mmsi'], ['/designated?include_removed=x', 'include_removed'],
    ['/alerts?after=-1', 'after'], ['/alerts?limit=1001', 'limit'],
  ];
  const wrong = [];
  for (const [p, param] of bad) {
    const r = await vic.get(A + p);
    if (r.status !== 400 || !r.json || r.json.parameter !== param || !r.json.error.includes(param)) wrong.push(`${p}: ${r.status} ${r.body}`);
  }
  check(wrong.length === 0, `bad parameters are 400 naming the parameter (${bad.length} cases) ${wrong.join(' | ')}`);
  const unk = await vic.get(`${A}/events?foo=1`);
  check(unk.status === 400 && unk.json.error.includes("unknown parameter 'foo'"), 'an unknown parameter is 400');
  check((await vic.get(`${A}/events?limit=1&limit=2`)).status === 400, 'a parameter given twice is 400');
  check((await vic.get(`${A}/vessels/999999999`)).status === 404, 'an unknown vessel is 404');
  check((await vic.get(`${A}/events/nosuch`)).status === 404, 'an unknown event is 404');

  // ---- reading: vessels, paging, events, screening, designated
  const all = await vic.get(`${A}/vessels?limit=5000`);
  check(all.status === 200 && all.json.vessels.length > 50 && all.json.next === null, `vessels (${all.json.vessels.length})`);
  const pages = [];
  let next = '';
  for (let i = 0; i < 100; i++) {
    const r = await vic.get(`${A}/vessels?limit=17${next ? `&after=${encodeURIComponent(next)}` : ''}`);
    pages.push(...r.json.vessels.map((v) => v.mmsi));
    if (!r.json.next) break;
    next = r.json.next;
  }
  check(JSON.stringify(pages) === JSON.stringify(all.json.vessels.map((v) => v.mmsi)), 'vessel pages of 17 join into the whole list');
  const box = await vic.get(`${A}/vessels?bbox=37,124,40,130&format=compact&limit=200000`);
  check(box.status === 200 && box.json.fields[0] === 'mmsi' && box.json.vessels.every((r) => r[1] >= 37 && r[1] <= 40 && r[2] >= 124 && r[2] <= 130), `vessels in a box, compact (${box.json.vessels.length})`);
  const evAll = await vic.get(`${A}/events?limit=1000&order=time`);
  const evIds = [];
  next = '';
  for (let i = 0; i < 200; i++) {
    const r = await vic.get(`${A}/events?limit=7&order=time${next ? `&after=${encodeURIComponent(next)}` : ''}`);
    evIds.push(...r.json.events.map((e) => e.id));
    if (!r.json.next) break;
    next = r.json.next;
  }
  check(evAll.json.events.length > 10 && JSON.stringify(evIds) === JSON.stringify(evAll.json.events.map((e) => e.id)), `event pages of 7 join into the whole list (${evIds.length})`);
  const enc = await vic.get(`${A}/events?type=encounter,loitering&min_confidence=0.5`);
  check(enc.json.events.every((e) => ['encounter', 'loitering'].includes(e.type) && e.confidence >= 0.5), 'events filtered by type and confidence');
  const someVessel = evAll.json.events[0].vessels[0].mmsi;
  const byV = await vic.get(`${A}/events?mmsi=${someVessel}`);
  check(byV.json.events.length > 0 && byV.json.events.every((e) => e.vessels.some((v) => v.mmsi === someVessel)), 'events of one vessel');
  const ves = await vic.get(`${A}/vessels/${someVessel}`);
  check(ves.status === 200 && ves.json.identities.length >= 1, 'a vessel with its identities');
  const tr = await vic.get(`${A}/vessels/${someVessel}/track?max_points=10`);
  check(tr.status === 200 && tr.json.points.length >= 2 && tr.json.points.length <= 10, `a track thinned to at most 10 points (${tr.json.points.length})`);
  const sc = await vic.get(`${A}/screen?q=${encodeURIComponent('Kim Jong Un')}`);
  check(sc.status === 200 && Array.isArray(sc.json.matches), `screening answers (${sc.json.matches.length} matches)`);
  const des = await vic.get(`${A}/designated`);
  check(des.status === 200 && des.json.vessels.length > 0, `designated vessels of the imported list (${des.json.vessels.length})`);

  // ---- the event stream, reviews, the head, the proof
  const s1 = stream(P, ann.cookie);
  await sleep(300);
  const target = evAll.json.events.find((e) => e.type === 'encounter') || evAll.json.events[0];
  const r1 = await ann.post(`${A}/events/${target.id}/reviews`, { decision: 'confirm', note: 'first <b>note</b>' });
  check(r1.status === 201 && r1.json.head && r1.json.review.analyst === 'ann', 'an analyst reviews: 201, recorded, a head signed');
  check((await ann.post(`${A}/events/${target.id}/reviews`, { decision: 'approve' })).status === 400, 'an unknown decision is 400');
  check((await ann.post(`${A}/events/${target.id}/reviews`, { decision: 'annotate' })).status === 400, 'an annotation without a note is 400');
  check((await ann.post(`${A}/events/nosuch/reviews`, { decision: 'confirm' })).status === 404, 'a review of an unknown event is 404');
  const m1 = await s1.wait((m) => m.event === 'review' && m.data.id === r1.json.review.id);
  check(!!m1, 'the review reaches the stream');
  s1.close();
  const r2 = await ann.post(`${A}/events/${target.id}/reviews`, { decision: 'dismiss', note: 'second thoughts' });
  const r3 = await ann.post(`${A}/events/${evAll.json.events[1].id}/reviews`, { decision: 'annotate', note: 'third' });
  check(r2.status === 201 && r3.status === 201, 'two more reviews while the stream is closed');
  const s2 = stream(P, ann.cookie, m1 ? m1.id : '0.0');
  const got2 = await s2.wait((m) => m.event === 'review' && m.data.id === r3.json.review.id, 5000);
  const replayed = s2.msgs.filter((m) => m.event === 'review').map((m) => m.data.id);
  check(got2 && replayed.includes(r2.json.review.id) && !replayed.includes(r1.json.review.id), 'a reconnection with Last-Event-ID replays what was missed, and only that');
  s2.close();
  const s3 = stream(P, ann.cookie, 'not-an-id');
  await sleep(500);
  check(s3.status === 400, 'a bad Last-Event-ID is 400');
  s3.close();
  const st = await vic.get(`${A}/events?review=dismissed`);
  check(st.json.events.some((e) => e.incident === target.incident && e.review === 'dismissed'), 'the review state is the latest decision (dismissed)');
  const det = await vic.get(`${A}/events/${target.id}`);
  check(det.status === 200 && det.json.reviews.length === 2 && det.json.proof && det.json.canonical, 'an event answers with its reviews and its proof');
  writeFileSync(join(dir, 'head.txt'), det.json.head);
  writeFileSync(join(dir, 'proof.json'), JSON.stringify(det.json.proof));
  const ver = spawnSync(BIN, ['ledger', 'verify', '--pub', `${key}.pub`, '--head', join(dir, 'head.txt'), '--proof', join(dir, 'proof.json')], { encoding: 'utf8' });
  check(ver.status === 0, `the API's proof verifies with 'sanctwatch ledger verify' ${ver.stderr.trim()}`);
  let hd = await vic.get(`${A}/head`);
  check(hd.status === 200 && hd.json.size >= r3.json.leaf + 1 && hd.json.pub.startsWith('sanctwatch.local/ledger+'), 'the head');
  for (let i = 0; i < 100 && !(hd.json.cosigners || []).length; i++) { await sleep(100); hd = await vic.get(`${A}/head`); }
  check(hd.json.cosigners.some((c) => c.name === 'witness.test/w1'), `the head is submitted to the witness and its cosignature recorded (${JSON.stringify(hd.json.cosigners)})`);
  writeFileSync(join(dir, 'cosigned.txt'), hd.json.note);
  const wv = spawnSync(BIN, ['ledger', 'verify', '--pub', `${key}.pub`, '--witnesses', join(dir, 'policy.txt'), join(dir, 'cosigned.txt')], { encoding: 'utf8' });
  check(wv.status === 0, `the cosigned head verifies with a quorum of 1 ${wv.stderr.trim()}`);
  const rvs = await vic.get(`${A}/reviews?event=${target.id}`);
  check(rvs.json.reviews.length === 2 && rvs.json.reviews[0].note === 'first <b>note</b>', 'the reviews of an incident, notes as given');

  // ---- watchlists and alerts from the live feed
  const w = await ann.post(`${A}/watchlist`, { kind: 'mmsi', value: '441999001', label: 'test watch' });
  check(w.status === 201, 'an analyst watches an MMSI');
  check((await ann.post(`${A}/watchlist`, { kind: 'mmsi', value: '441999001' })).status === 409, 'watching it twice is 409');
  check((await ann.post(`${A}/watchlist`, { kind: 'imo', value: '12' })).status === 400, 'a bad IMO is 400');
  const wn = await ann.post(`${A}/watchlist`, { kind: 'name', value: 'Chon Ma-San' });
  check(wn.status === 201, 'an analyst watches a name');
  const s4 = stream(P, ann.cookie);
  await sleep(300);
  const t = Math.floor(Date.now() / 1000);
  for (let i = 0; i < 70; i++) feed.send(position({ mmsi: 440200001, lat: 35, lon: 125, sog: 5, t: t - 70 + i })); /* the feed's clock moves to now */
  feed.send([...position({ mmsi: 441999001, lat: 36, lon: 125, sog: 5, t }), ...statics({ mmsi: 441999002, name: 'CHON MA SAN', t })]);
  feed.send(position({ mmsi: 440200001, lat: 35, lon: 125.01, sog: 5, t: t + 2 }));
  const al = await s4.wait((m) => m.event === 'alert' && m.data.mmsi === 441999001, 10000);
  const an = await s4.wait((m) => m.event === 'alert' && m.data.mmsi === 441999002, 5000);
  check(!!al && al.data.label === 'test watch', 'a watched MMSI heard on the feed raises an alert on the stream');
  check(!!an, 'a watched name, normalised, raises an alert');
  s4.close();
  const alerts = await vic.get(`${A}/alerts`);
  check(alerts.json.alerts.some((a) => a.mmsi === 441999001), 'the alert is listed by the API');
  check((await ann.del(`${A}/watchlist/${w.json.id}`)).status === 200 && (await ann.del(`${A}/watchlist/${w.json.id}`)).status === 404, 'a watch is removed once');

  // ---- logout
  check((await vic.post(`${A}/logout`)).status === 200 && (await vic.get(`${A}/events`)).status === 401, 'after logout the session is gone');
  code = failures.length ? 1 : 0;
} catch (e) {
  console.log(`FAIL ${e.stack}`);
} finally {
  const st = await srv.stop();
  check(st === 0, `serve stops cleanly on SIGTERM (exit ${st})`);
  feed.close();
  wit.kill('SIGTERM');
  // an expired session (its end moved into the past while nothing writes the store), on a
  // service started again without feeds: it goes on from the store as it was left
  const sq = spawnSync('sqlite3', [db, 'UPDATE serve_sessions SET expires_ms = 1 WHERE id = (SELECT max(id) FROM serve_sessions)'], { encoding: 'utf8' });
  if (sq.status === 0 && exp) {
    const again = await startServe(BIN, ['--db', db, '--key', key], OUT);
    exp.port = again.port;
    check((await exp.get(`${A}/events`)).status === 401, 'an expired session is 401');
    const b2 = new Client(again.port);
    await b2.login('boss', 'admin password 1');
    check((await b2.get(`${A}/reviews?limit=1000`)).json.reviews.length === 3, 'a restarted service serves the reviews recorded before');
    await again.stop();
    // the report lists the reviews with their incidents, notes escaped
    const rep = spawnSync(BIN, ['report', '--db', db, '--key', key, '--out', join(dir, 'report')], { encoding: 'utf8' });
    const model = rep.status === 0 ? JSON.parse(readFileSync(join(dir, 'report', 'report.json'), 'utf8')) : { incidents: [] };
    const inc = model.incidents.find((i) => (i.reviews || []).some((r) => r.note === 'first <b>note</b>'));
    const html = rep.status === 0 ? readFileSync(join(dir, 'report', 'report.html'), 'utf8') : '';
    check(inc && inc.reviews.length === 2 && html.includes('first &lt;b&gt;note&lt;/b&gt;') && !html.includes('first <b>note'),
      `the report lists an incident's reviews, notes escaped ${rep.stderr || ''}`);
  } else {
    console.log('NOTE: sqlite3 shell absent: expired session not checked');
  }
  if (failures.length) code = 1;
}
console.log(code ? `failed: ${failures.join('; ')}` : 'all API checks passed');
process.exit(code);
