// Screening a name or identifier against the imported sanctions lists, each match with its
// token-by-token explanation.
import { api, qs } from '../api.js';
import { fmtNum, h } from '../dom.js';

export async function render(root, app, query) {
  const q = new URLSearchParams(query).get('q') || '';
  root.append(h('h1', {}, 'Screening: ', q));
  try {
    const d = await api(`/screen${qs({ q, limit: 20 })}`);
    root.append(h('p', {}, 'normalised: ', d.normalised),
      d.matches.length ? h('table', { id: 'screen-results' },
        h('tr', {}, ['Score', 'Name', 'List', 'Type', 'How'].map((t) => h('th', {}, t))),
        d.matches.map((m) => h('tr', {}, h('td', {}, fmtNum(m.score)), h('td', {}, m.primary, m.name !== m.primary ? ` (as ${m.name})` : ''),
          h('td', {}, `${m.list} ${m.ref}`), h('td', {}, m.type),
          h('td', {}, m.by_identifier ? `${m.id_kind} ${m.id_value}` : m.tokens.map((t) => `${t.query}→${t.candidate} (${t.how})`).join(', ')))))
        : h('p', {}, 'no match'));
  } catch (e) {
    root.append(h('p', { class: 'error' }, e.message));
  }
}
