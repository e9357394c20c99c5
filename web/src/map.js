// The map: MapLibre GL JS (its CSP build, the worker served beside the page) over an offline
// basemap made from the project's data (Natural Earth land, the watched zones, the ports).
// No tiles and no glyphs: nothing is fetched from anywhere but this server.
import maplibregl from 'maplibre-gl/dist/maplibre-gl-csp.js';

maplibregl.setWorkerUrl('/maplibre-worker.js');

const empty = () => ({ type: 'FeatureCollection', features: [] });

export function baseStyle() {
  return {
    version: 8,
    sources: {
      land: { type: 'geojson', data: '/land.geojson' },
      zones: { type: 'geojson', data: '/zones.geojson' },
      ports: { type: 'geojson', data: '/ports.geojson' },
      vessels: { type: 'geojson', data: empty() },
      events: { type: 'geojson', data: empty() },
      tracks: { type: 'geojson', data: empty() },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#cfe0ee' } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': '#f1efe8', 'fill-outline-color': '#b9b4a6' } },
      { id: 'zones', type: 'fill', source: 'zones', paint: { 'fill-color': '#d9534f', 'fill-opacity': 0.08 } },
      { id: 'zones-line', type: 'line', source: 'zones', paint: { 'line-color': '#c9302c', 'line-width': 1, 'line-dasharray': [2, 2] } },
      { id: 'ports', type: 'circle', source: 'ports', paint: { 'circle-radius': 3, 'circle-color': '#4a4a4a', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } },
      { id: 'tracks', type: 'line', source: 'tracks', paint: { 'line-color': '#1f5fa8', 'line-width': 1.5 } },
      {
        id: 'vessels', type: 'circle', source: 'vessels',
        paint: {
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 2, 1.5, 8, 4],
          'circle-color': ['case', ['>', ['get', 'listed'], 0], '#d4145a', '#1f5fa8'],
          'circle-stroke-width': ['case', ['>', ['get', 'listed'], 0], 1.5, 0],
          'circle-stroke-color': '#fff',
        },
      },
      { id: 'events', type: 'circle', source: 'events', paint: { 'circle-radius': 6, 'circle-color': '#f0ad4e', 'circle-stroke-color': '#7a4b00', 'circle-stroke-width': 1.5 } },
    ],
  };
}

export function makeMap(container, { center = [127, 38], zoom = 4 } = {}) {
  const map = new maplibregl.Map({
    container, style: baseStyle(), center, zoom, attributionControl: false,
    renderWorldCopies: false, maxZoom: 14,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  return map;
}

// Vessels as point features from the API's compact rows [mmsi, lat, lon, cog, sog, listed, name, t].
export function vesselFeatures(rows) {
  const f = [];
  for (const r of rows) {
    if (r[1] === null || r[2] === null) continue;
    f.push({ type: 'Feature', id: r[0], properties: { mmsi: r[0], listed: r[5], name: r[6] }, geometry: { type: 'Point', coordinates: [r[2], r[1]] } });
  }
  return { type: 'FeatureCollection', features: f };
}

// Maps a view has removed: an answer that arrives after its view was left (a vessel list
// fetched before the analyst opened an event) is dropped, as a removed map has no style.
const removed = new WeakSet();

export function removeMap(map) {
  removed.add(map);
  map.remove();
}

export function setData(map, source, data) {
  if (removed.has(map)) return;
  const s = map.getSource(source);
  if (s) s.setData(data);
}

export function popup(map, lngLat, node) {
  return new maplibregl.Popup({ closeButton: true }).setLngLat(lngLat).setDOMContent(node).addTo(map);
}

export { maplibregl };
