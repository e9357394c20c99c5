// The account page: password, API tokens for scripts, the watchlist (analysts change it)
// and, for admins, the users.
import { api } from '../api.js';
import { fmtTime, h, val } from '../dom.js';
import { renderPassword } from './login.js';

function section(title, ...kids) {
  return h('div', { class: 'panel' }, h('h2', {}, title), ...kids);
}

async function tokens() {
  const list = h('ul', { id: 'tokens' });
  const out = h('p', {});
  const form = h('form', {}, h('input', { name: 'label', placeholder: 'what the token is for', required: true, maxlength: 100 }), ' ', h('button', {}, 'Make a token'));
  const load = async () => {
    const d = await api('/tokens');
    list.replaceChildren(...d.tokens.map((t) => h('li', {}, `${t.label} (made ${fmtTime(t.created)}) `,
      h('button', { type: 'button', onclick: async () => { await api(`/tokens/${t.id}`, { method: 'DELETE' }); load(); } }, 'revoke'))));
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const t = await api('/tokens', { method: 'POST', body: { label: val(form, 'label') } });
    out.replaceChildren('Copy it now, it is shown once: ', h('code', {}, t.token));
    load();
  });
  await load();
  return section('API tokens', list, form, out);
}

async function watchlist(app) {
  const list = h('ul', { id: 'watchlist' });
  const msg = h('span', { class: 'error' });
  const can = app.me.role !== 'viewer';
  const load = async () => {
    const d = await api('/watchlist');
    list.replaceChildren(...d.watchlist.map((w) => h('li', {}, `${w.kind} ${w.value}`, w.label ? ` — ${w.label}` : '', ` (by ${w.created_by}) `,
      can ? h('button', { type: 'button', onclick: async () => { await api(`/watchlist/${w.id}`, { method: 'DELETE' }); load(); } }, 'remove') : null)));
  };
  const form = can ? h('form', { id: 'watch-form' },
    h('select', { name: 'kind' }, ['imo', 'mmsi', 'name'].map((k) => h('option', { value: k }, k))), ' ',
    h('input', { name: 'value', required: true, maxlength: 64 }), ' ', h('input', { name: 'label', placeholder: 'label', maxlength: 200 }), ' ',
    h('button', {}, 'Watch'), ' ', msg) : null;
  if (form)
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      msg.textContent = '';
      try {
        await api('/watchlist', { method: 'POST', body: { kind: val(form, 'kind'), value: val(form, 'value'), label: val(form, 'label') } });
        load();
      } catch (err) { msg.textContent = err.message; }
    });
  await load();
  return section('Watchlist', list, form);
}

async function users() {
  const list = h('ul', { id: 'users' });
  const out = h('p', {});
  const load = async () => {
    const d = await api('/users');
    list.replaceChildren(...d.users.map((u) => h('li', {}, `${u.name} (${u.role})${u.must_change ? ', one-time password not changed yet' : ''} `,
      h('button', { type: 'button', onclick: async () => { await api(`/users/${encodeURIComponent(u.name)}`, { method: 'DELETE' }).catch((e) => { out.textContent = e.message; }); load(); } }, 'remove'))));
  };
  const form = h('form', {}, h('input', { name: 'name', required: true, maxlength: 64 }), ' ',
    h('select', { name: 'role' }, ['viewer', 'analyst', 'admin'].map((r) => h('option', { value: r }, r))), ' ', h('button', {}, 'Add'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const u = await api('/users', { method: 'POST', body: { name: val(form, 'name'), role: val(form, 'role') } });
      out.replaceChildren(`One-time password for ${u.name} (give it over a channel you trust): `, h('code', {}, u.one_time_password));
      load();
    } catch (err) { out.textContent = err.message; }
  });
  await load();
  return section('Users', list, form, out);
}

export async function render(root, app) {
  const pw = h('div', {});
  renderPassword(pw, app);
  root.append(section('Password', pw), await tokens(), await watchlist(app));
  if (app.me.role === 'admin') root.append(await users());
}
