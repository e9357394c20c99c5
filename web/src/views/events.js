// The event list with the API's filters (type, period, review state, confidence, order) and
// paging by cursor.
import { api, qs } from '../api.js';
import { fmtNum, fmtTime, h, link, tag, val, vesselNames } from '../dom.js';

const TYPES = ['', 'encounter', 'dark_rendezvous', 'loitering', 'ais_gap', 'port_call', 'zone_entry',
  'position_spoof', 'identity_change', 'identity_fraud', 'listed_vessel', 'possible_port_call', 'corridor_voyage'];

const select = (name, opts) => h('select', { name }, opts.map((o) => h('option', { value: o }, o || 'any')));

export async function render(root) {
  const form = h('form', { class: 'filters', id: 'event-filters' },
    h('label', {}, 'Type', select('type', TYPES)),
    h('label', {}, 'From', h('input', { name: 'from', placeholder: '2024-03-01' })),
    h('label', {}, 'To', h('input', { name: 'to', placeholder: '2024-03-31' })),
    h('label', {}, 'Review', select('review', ['', 'unreviewed', 'confirmed', 'dismissed', 'annotated'])),
    h('label', {}, 'Min. confidence', h('input', { name: 'min_confidence', size: 4 })),
    h('label', {}, 'Order', select('order', ['significance', 'time'])),
    h('button', { type: 'submit' }, 'Show'));
  const body = h('tbody', { id: 'event-rows' });
  const more = h('button', { type: 'button', id: 'more', hidden: true }, 'More');
  const msg = h('p', { class: 'error' });
  root.append(form, msg, h('table', {}, h('thead', {}, h('tr', {}, ['Type', 'Start', 'End', 'Vessels', 'Confidence', 'Review'].map((t) => h('th', {}, t)))), body), more);
  let next = null;
  const params = () => {
    const p = {};
    for (const k of ['type', 'from', 'to', 'review', 'min_confidence', 'order']) p[k] = val(form, k).trim();
    for (const k of ['from', 'to']) if (/^\d{4}-\d{2}-\d{2}$/.test(p[k])) p[k] += k === 'from' ? 'T00:00:00Z' : 'T23:59:59Z';
    return p;
  };
  async function load(append) {
    msg.textContent = '';
    try {
      const d = await api(`/events${qs({ ...params(), limit: 100, after: append ? next : '' })}`);
      if (!append) body.replaceChildren();
      for (const e of d.events)
        body.append(h('tr', { dataset: { eventId: e.id } },
          h('td', {}, tag(e.type)), h('td', {}, fmtTime(e.start)), h('td', {}, e.ongoing ? 'ongoing' : fmtTime(e.end)),
          h('td', {}, link(`#/event/${encodeURIComponent(e.id)}`, vesselNames(e) || e.id)),
          h('td', {}, fmtNum(e.confidence)), h('td', {}, tag(e.review, e.review))));
      next = d.next;
      more.hidden = !next;
    } catch (e) {
      msg.textContent = e.message;
    }
  }
  form.addEventListener('submit', (e) => { e.preventDefault(); load(false); });
  more.addEventListener('click', () => load(true));
  await load(false);
}
