// One incident: what happened (type, times, place, vessels, port), the rule and its measured
// values, its records in the ledger, the analysts' reviews (and a form for analysts), the
// vessels' tracks around it, and Verify: the inclusion proof and the head signature checked
// here, in the browser.
import { api, qs } from '../api.js';
import { clear, fmtNum, fmtTime, h, link, tag, vesselNames } from '../dom.js';
import { makeMap, removeMap, setData } from '../map.js';
import { verifyEvent } from '../verify.js';

function kv(obj) {
  return h('table', { class: 'kv' }, Object.entries(obj || {}).map(([k, v]) =>
    h('tr', {}, h('th', {}, k), h('td', {}, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)))));
}

function reviewItem(r) {
  return h('li', { dataset: { reviewId: r.id } }, tag(r.decision, r.decision === 'confirm' ? 'confirmed' : r.decision === 'dismiss' ? 'dismissed' : 'annotated'),
    ` ${r.analyst}, ${fmtTime(r.time)} (ledger leaf ${r.leaf})`, r.note ? h('div', { class: 'note' }, r.note) : null);
}

async function tracks(map, ev) {
  const t0 = Date.parse(ev.start), t1 = ev.end ? Date.parse(ev.end) : Date.now();
  const feats = [];
  for (const v of ev.vessels || []) {
    try {
      const d = await api(`/vessels/${v.mmsi}/track${qs({ from: new Date(t0 - 6 * 3600e3).toISOString(), to: new Date(t1 + 6 * 3600e3).toISOString(), max_points: 2000 })}`);
      if (d.points.length > 1) feats.push({ type: 'Feature', properties: { mmsi: v.mmsi }, geometry: { type: 'LineString', coordinates: d.points.map((p) => [p[2], p[1]]) } });
    } catch { /* a vessel without a stored track */ }
  }
  setData(map, 'tracks', { type: 'FeatureCollection', features: feats });
  if (ev.lat !== undefined && ev.lat !== null)
    setData(map, 'events', { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [ev.lon, ev.lat] } }] });
}

export async function render(root, app, id) {
  const d = await api(`/events/${encodeURIComponent(id)}`);
  const last = d.records[d.records.length - 1];
  const ev = last.event;
  const canReview = app.me.role === 'analyst' || app.me.role === 'admin';
  const reviews = h('ul', { class: 'feed', id: 'reviews' }, d.reviews.map(reviewItem));
  const verifyOut = h('div', { id: 'verify-result' });
  const verifyBtn = h('button', { type: 'button', id: 'verify' }, 'Verify');
  verifyBtn.addEventListener('click', async () => {
    clear(verifyOut).append('checking…');
    try {
      const fresh = await api(`/events/${encodeURIComponent(id)}`);
      const r = await verifyEvent(fresh);
      clear(verifyOut).append(h('span', { class: 'ok', dataset: { verified: '1' } },
        `verified: record ${fresh.proof_of} is leaf ${r.leafIndex} of the log of ${r.size} records whose head is signed by ${r.keyName} (key id ${r.keyId}; ${r.how})`),
      h('div', {}, 'Compare the key id with the key your team published.'));
    } catch (e) {
      clear(verifyOut).append(h('span', { class: 'bad', dataset: { verified: '0' } }, `not verified: ${e.message}`));
    }
  });
  let form = h('p', { id: 'review-readonly' }, 'Reviews are for analysts: your account reads only.');
  if (canReview) {
    const note = h('textarea', { name: 'note', rows: 3, cols: 50, maxlength: 4000 });
    const msg = h('span', { class: 'error' });
    const send = (decision) => async () => {
      msg.textContent = '';
      try {
        const r = await api(`/events/${encodeURIComponent(id)}/reviews`, { method: 'POST', body: { decision, note: note.value } });
        reviews.append(reviewItem({ ...r.review, leaf: r.leaf }));
        note.value = '';
        clear(signed).append(r.head ? h('span', { class: 'ok', id: 'review-signed' }, `recorded as ledger leaf ${r.leaf}, covered by a signed head`) : 'recorded (no signing key: not signed)');
      } catch (e) {
        msg.textContent = e.message;
      }
    };
    const signed = h('div', { id: 'review-status' });
    form = h('div', { id: 'review-form' }, note, h('br'),
      h('button', { type: 'button', id: 'confirm', onclick: send('confirm') }, 'Confirm'), ' ',
      h('button', { type: 'button', id: 'dismiss', onclick: send('dismiss') }, 'Dismiss'), ' ',
      h('button', { type: 'button', id: 'annotate', onclick: send('annotate') }, 'Annotate'), ' ', msg, signed);
  }
  const mapEl = h('div', { class: 'map' });
  root.append(
    h('h1', {}, `${ev.type}: `, vesselNames(ev)),
    h('div', { class: 'grid2' },
      h('div', {},
        h('div', { class: 'panel' }, h('h2', {}, 'What'),
          h('table', {},
            h('tr', {}, h('th', {}, 'Start'), h('td', {}, fmtTime(ev.start))),
            h('tr', {}, h('th', {}, 'End'), h('td', {}, ev.ongoing ? 'ongoing' : fmtTime(ev.end))),
            h('tr', {}, h('th', {}, 'Position'), h('td', {}, `${fmtNum(ev.lat, 4)}, ${fmtNum(ev.lon, 4)}`)),
            h('tr', {}, h('th', {}, 'Confidence'), h('td', {}, fmtNum(ev.confidence))),
            h('tr', {}, h('th', {}, 'Review'), h('td', {}, tag(last.review, last.review))),
            ev.port ? h('tr', {}, h('th', {}, 'Port'), h('td', {}, `${ev.port.name} (${ev.port.country})`)) : null,
            h('tr', {}, h('th', {}, 'Vessels'), h('td', {}, (ev.vessels || []).map((v) =>
              h('div', {}, link(`#/vessel/${v.mmsi}`, `${v.name || '?'}`), ` MMSI ${v.mmsi}`, v.imo ? ` IMO ${v.imo}` : '', v.flag ? ` ${v.flag}` : '')))))),
        h('div', { class: 'panel' }, h('h2', {}, 'Rule and measurements'), kv(ev.details)),
        h('div', { class: 'panel' }, h('h2', {}, 'Evidence'),
          h('p', {}, `ledger leaf ${last.leaf}, SHA-256 leaf hash `, h('code', {}, (ev.evidence || {}).sha256 || '')),
          h('p', {}, `${d.records.length} record(s) of this incident in the ledger`), verifyBtn, verifyOut)),
      h('div', {},
        h('div', { class: 'smallmap' }, mapEl),
        h('div', { class: 'panel' }, h('h2', {}, 'Reviews'), reviews, form))));
  const map = makeMap(mapEl, { center: [ev.lon || 127, ev.lat || 38], zoom: 6 });
  map.on('load', () => tracks(map, ev));
  return () => removeMap(map);
}
