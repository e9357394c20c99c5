// Logging in, and changing the one-time password a new account starts with.
import { api, setCsrf } from '../api.js';
import { h, val } from '../dom.js';

export function render(root, app) {
  const msg = h('p', { class: 'error', id: 'login-error' });
  const form = h('form', { class: 'login', id: 'login' },
    h('h1', {}, 'sanctwatch'),
    h('label', {}, 'Name', h('input', { name: 'name', autocomplete: 'username', required: true })),
    h('label', {}, 'Password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    h('button', { type: 'submit' }, 'Log in'), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.textContent = '';
    try {
      const me = await api('/login', { method: 'POST', body: { name: val(form, 'name'), password: val(form, 'password') } });
      setCsrf(me.csrf);
      await app.refreshMe();
      location.hash = me.must_change ? '#/password' : '#/';
    } catch (err) {
      msg.textContent = err.message;
    }
  });
  root.append(form);
}

export function renderPassword(root, app) {
  const msg = h('p', { class: 'error', id: 'password-error' });
  const form = h('form', { class: 'login', id: 'password' },
    h('h1', {}, 'Choose your password'),
    app.me.must_change ? h('p', {}, 'Your account has a one-time password: choose your own (at least 12 characters).') : null,
    h('label', {}, 'Current password', h('input', { name: 'old', type: 'password', autocomplete: 'current-password', required: true })),
    h('label', {}, 'New password', h('input', { name: 'new', type: 'password', autocomplete: 'new-password', minlength: 12, required: true })),
    h('button', { type: 'submit' }, 'Change'), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('/password', { method: 'POST', body: { old: val(form, 'old'), new: val(form, 'new') } });
      await app.refreshMe();
      location.hash = '#/';
    } catch (err) {
      msg.textContent = err.message;
    }
  });
  root.append(form);
}
