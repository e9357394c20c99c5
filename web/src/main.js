// The dashboard of sanctwatch serve: who is logged in, the live stream (Server-Sent Events,
// resumed by the browser with Last-Event-ID), and a view per route (#/, #/events,
// #/event/ID, #/vessel/MMSI, #/screen?q=, #/account, #/login, #/password).
import { api, setCsrf } from './api.js';
import { clear, h, link } from './dom.js';
import * as account from './views/account.js';
import * as eventView from './views/event.js';
import * as events from './views/events.js';
import * as live from './views/live.js';
import * as login from './views/login.js';
import * as screen from './views/screen.js';
import * as vessel from './views/vessel.js';

const app = { me: null, stream: null, subs: new Set(), cleanup: null };
window.sanctwatch = app; /* for the browser tests: the state of the page */

app.on = (fn) => { app.subs.add(fn); return () => app.subs.delete(fn); };

function openStream() {
  if (app.stream) return;
  const es = new EventSource('/api/v1/stream');
  for (const kind of ['event', 'review', 'alert', 'head', 'reset'])
    es.addEventListener(kind, (m) => {
      let data = {};
      try { data = JSON.parse(m.data); } catch { return; }
      for (const fn of app.subs) fn(kind, data, m.lastEventId);
    });
  app.stream = es;
}

function closeStream() {
  if (app.stream) app.stream.close();
  app.stream = null;
}

function header() {
  const nav = clear(document.getElementById('nav'));
  const who = clear(document.getElementById('who'));
  if (!app.me) return;
  nav.append(link('#/', 'Live'), link('#/events', 'Events'), link('#/account', 'Account'));
  who.append(`${app.me.name} (${app.me.role}) `,
    h('a', { href: '#/', onclick: async (e) => { e.preventDefault(); await api('/logout', { method: 'POST' }).catch(() => {}); app.me = null; closeStream(); location.hash = '#/login'; route(); } }, 'log out'));
}

export async function refreshMe() {
  try {
    const health = await api('/health');
    app.me = health.session ? await api('/me') : null;
    setCsrf(app.me ? app.me.csrf : '');
  } catch {
    app.me = null;
  }
  header();
  return app.me;
}
app.refreshMe = refreshMe;

const routes = [
  [/^#\/login$/, login.render, false],
  [/^#\/password$/, login.renderPassword, true],
  [/^#\/events(\?.*)?$/, events.render, true],
  [/^#\/event\/([^/?]+)$/, eventView.render, true],
  [/^#\/vessel\/(\d+)$/, vessel.render, true],
  [/^#\/screen\?(.*)$/, screen.render, true],
  [/^#\/account$/, account.render, true],
  [/^#?\/?$/, live.render, true],
];

export async function route() {
  if (app.cleanup) { app.cleanup(); app.cleanup = null; }
  const root = clear(document.getElementById('view'));
  const hash = location.hash || '#/';
  for (const [re, view, needsLogin] of routes) {
    const m = re.exec(hash);
    if (!m) continue;
    if (needsLogin && !app.me) { location.hash = '#/login'; return; }
    if (needsLogin && app.me.must_change && view !== login.renderPassword) { location.hash = '#/password'; return; }
    if (app.me && !app.me.must_change) openStream();
    try {
      app.cleanup = (await view(root, app, ...m.slice(1).map((x) => (x ? decodeURIComponent(x) : x)))) || null;
    } catch (e) {
      root.append(h('p', { class: 'error' }, `cannot show this page: ${e.message}`));
    }
    return;
  }
  root.append(h('p', {}, 'no such page'));
}
app.route = route;

document.getElementById('screenbox').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = document.getElementById('screenq').value.trim();
  if (q) location.hash = `#/screen?q=${encodeURIComponent(q)}`;
});
window.addEventListener('hashchange', route);
refreshMe().then(route);
