// One vessel: its latest identity and fix, the identities it broadcast over time, the
// designated vessels its IMO or MMSI matches, its track and its events.
import { api, qs } from '../api.js';
import { fmtNum, fmtTime, h, link, tag } from '../dom.js';
import { makeMap, removeMap, setData } from '../map.js';

export async function render(root, app, mmsi) {
  const d = await api(`/vessels/${mmsi}`);
  const v = d.vessel;
  const evs = await api(`/events${qs({ mmsi, order: 'time', limit: 200 })}`);
  const mapEl = h('div', { class: 'map' });
  root.append(
    h('h1', {}, v.name || '(no name)', ` — MMSI ${v.mmsi}`),
    h('div', { class: 'grid2' },
      h('div', {},
        h('div', { class: 'panel' }, h('h2', {}, 'Identity'),
          h('table', {},
            ['imo', 'callsign', 'flag', 'class', 'ship_type', 'length_m', 'beam_m', 'destination', 'first_seen', 'last_seen', 'positions']
              .map((k) => h('tr', {}, h('th', {}, k), h('td', {}, /seen/.test(k) ? fmtTime(v[k]) : v[k] ?? '—'))),
            h('tr', {}, h('th', {}, 'latest fix'), h('td', {}, v.fix ? `${fmtTime(v.fix.time)} ${fmtNum(v.fix.lat, 4)}, ${fmtNum(v.fix.lon, 4)}, ${fmtNum(v.fix.sog, 1)} kn` : '—')))),
        d.designated.length ? h('div', { class: 'panel' }, h('h2', {}, 'Designated vessels with this IMO or MMSI'),
          h('ul', {}, d.designated.map((x) => h('li', {}, `${x.list} ${x.ref}: ${x.name} (${x.programmes})`)))) : null,
        h('div', { class: 'panel' }, h('h2', {}, 'Identity timeline'),
          h('table', { id: 'identities' }, h('tr', {}, ['#', 'Name', 'Call sign', 'IMO', 'Flag', 'Type', 'From', 'To'].map((t) => h('th', {}, t))),
            d.identities.map((i) => h('tr', {}, h('td', {}, i.seq), h('td', {}, i.name), h('td', {}, i.callsign), h('td', {}, i.imo ?? '—'),
              h('td', {}, i.flag), h('td', {}, i.ship_type ?? '—'), h('td', {}, fmtTime(i.first_seen)), h('td', {}, fmtTime(i.last_seen))))))),
      h('div', {},
        h('div', { class: 'smallmap' }, mapEl),
        h('div', { class: 'panel' }, h('h2', {}, 'Events'),
          h('ul', { class: 'feed' }, evs.events.map((e) => h('li', {}, tag(e.type), ' ', link(`#/event/${encodeURIComponent(e.id)}`, fmtTime(e.start)), ' ', tag(e.review, e.review))))))));
  const map = makeMap(mapEl, { center: v.fix ? [v.fix.lon, v.fix.lat] : [127, 38], zoom: 5 });
  map.on('load', async () => {
    const t = await api(`/vessels/${mmsi}/track?max_points=3000`);
    if (t.points.length > 1)
      setData(map, 'tracks', { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: t.points.map((p) => [p[2], p[1]]) } }] });
  });
  return () => removeMap(map);
}
