// The live picture: every vessel's latest position on the map (one GeoJSON source, one
// circle layer, refreshed every 15 s), the most significant incidents, live events as they
// are committed (the stream), and the alerts of the watchlists.
import { api, qs } from '../api.js';
import { fmtTime, h, link, tag, vesselNames } from '../dom.js';
import { makeMap, removeMap, popup, setData, vesselFeatures } from '../map.js';

function eventItem(ev, fresh) {
  return h('li', { dataset: { eventId: ev.id, fresh: fresh ? '1' : '' } },
    tag(ev.type), ' ', link(`#/event/${encodeURIComponent(ev.id)}`, vesselNames(ev) || ev.id),
    h('div', { class: 'small' }, fmtTime(ev.start), ev.ongoing ? ' (ongoing)' : '',
      ev.review && ev.review !== 'unreviewed' ? [' ', tag(ev.review, ev.review)] : ''));
}

function alertItem(a) {
  return h('li', { dataset: { alertId: a.id } }, tag(a.kind), ' ', a.label ? `${a.label}: ` : '',
    a.name || '', a.mmsi ? [' ', link(`#/vessel/${a.mmsi}`, String(a.mmsi))] : '',
    a.event ? [' ', link(`#/event/${encodeURIComponent(a.event)}`, 'event')] : '', ' ', fmtTime(a.time));
}

const point = (ev) => ({ type: 'Feature', properties: { id: ev.id, type: ev.type }, geometry: { type: 'Point', coordinates: [ev.lon, ev.lat] } });

export async function render(root, app) {
  const mapEl = h('div', { class: 'map', id: 'map' });
  const liveList = h('ul', { class: 'feed', id: 'live-events' });
  const topList = h('ul', { class: 'feed', id: 'top-events' });
  const alertList = h('ul', { class: 'feed', id: 'alerts' });
  const status = h('span', { id: 'vessel-count' }, 'loading vessels…');
  root.append(h('div', { class: 'live' },
    h('div', { class: 'mapbox' }, mapEl),
    h('div', { class: 'side' },
      h('div', { class: 'panel' }, h('h2', {}, 'Vessels'), status),
      h('div', { class: 'panel' }, h('h2', {}, 'Live events'), liveList),
      h('div', { class: 'panel' }, h('h2', {}, 'Alerts'), alertList),
      h('div', { class: 'panel' }, h('h2', {}, 'Most significant'), topList))));
  const map = makeMap(mapEl);
  app.map = map; /* the browser tests read what the map rendered */
  const evFeatures = [];
  let loaded = false;
  const ready = new Promise((res) => map.on('load', () => { loaded = true; res(); }));

  async function loadVessels() {
    try {
      const d = await api(`/vessels${qs({ format: 'compact', limit: 200000 })}`);
      await ready;
      const fc = vesselFeatures(d.vessels);
      setData(map, 'vessels', fc);
      status.textContent = `${fc.features.length} vessels with a position`;
      status.dataset.count = String(fc.features.length);
    } catch (e) {
      status.textContent = `cannot load vessels: ${e.message}`;
    }
  }
  async function loadEvents() {
    const d = await api(`/events${qs({ order: 'significance', limit: 50 })}`);
    topList.replaceChildren(...d.events.map((e) => eventItem(e, false)));
    for (const e of d.events) if (e.lat !== null && e.lon !== null) evFeatures.push(point(e));
    await ready;
    setData(map, 'events', { type: 'FeatureCollection', features: evFeatures });
  }
  async function loadAlerts() {
    const d = await api('/alerts?limit=50');
    alertList.replaceChildren(...d.alerts.reverse().map(alertItem));
  }
  map.on('click', 'vessels', (e) => {
    const p = e.features[0].properties;
    popup(map, e.lngLat, h('div', {}, h('b', {}, p.name || '(no name)'), h('br'), link(`#/vessel/${p.mmsi}`, `MMSI ${p.mmsi}`)));
  });
  map.on('click', 'events', (e) => {
    const p = e.features[0].properties;
    popup(map, e.lngLat, h('div', {}, p.type, h('br'), link(`#/event/${encodeURIComponent(p.id)}`, 'open the event')));
  });
  for (const layer of ['vessels', 'events']) {
    map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
  }
  const off = app.on((kind, data) => {
    if (kind === 'event') {
      liveList.prepend(eventItem(data, true));
      while (liveList.children.length > 100) liveList.lastChild.remove();
      if (data.lat !== null && data.lon !== null && loaded) {
        evFeatures.push(point(data));
        setData(map, 'events', { type: 'FeatureCollection', features: evFeatures });
      }
    } else if (kind === 'alert') {
      alertList.prepend(alertItem(data));
    } else if (kind === 'reset') {
      loadEvents();
      loadAlerts();
    }
  });
  loadVessels();
  loadEvents().catch(() => {});
  loadAlerts().catch(() => {});
  const timer = setInterval(loadVessels, 15000);
  return () => { off(); clearInterval(timer); removeMap(map); };
}
