// Builds the dashboard of `sanctwatch serve` into one folder (default ../build/web): the
// bundle (esbuild), MapLibre's CSP build and its worker, the page and its style, and the map
// data made from the project's own data/ (Natural Earth land as GeoJSON, thinned for the
// screen; the watched zones; the ports). Nothing is fetched at run time.
//   node build.mjs [--out DIR] [--data DIR]
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : def;
};
const out = arg('--out', resolve(here, '../build/web'));
const data = arg('--data', resolve(here, '../data'));
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(here, 'src/main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'chrome110',
  outfile: join(out, 'app.js'),
  legalComments: 'eof',
  logLevel: 'warning',
});
const ml = join(here, 'node_modules/maplibre-gl/dist');
copyFileSync(join(ml, 'maplibre-gl-csp-worker.js'), join(out, 'maplibre-worker.js'));
copyFileSync(join(ml, 'maplibre-gl.css'), join(out, 'maplibre-gl.css'));
copyFileSync(join(here, 'src/index.html'), join(out, 'index.html'));
copyFileSync(join(here, 'src/style.css'), join(out, 'style.css'));

// Land: data/land/ne_10m_land.txt.gz (rings, delta-coded 1e-4 degrees; an outer ring
// opens a polygon, holes follow it), thinned to points at least `step` degrees apart.
function land(step) {
  const lines = gunzipSync(readFileSync(join(data, 'land/ne_10m_land.txt.gz')))
    .toString('ascii')
    .split('\n');
  const polys = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i++];
    if (!l.startsWith('R ')) continue;
    const [, kind, n] = l.split(' ');
    let x = 0, y = 0, lx = null, ly = null;
    const ring = [];
    for (let k = 0; k < Number(n); k++) {
      const [dx, dy] = lines[i++].split(' ').map(Number);
      x = k ? x + dx : dx;
      y = k ? y + dy : dy;
      const lon = x / 1e4, lat = y / 1e4;
      const last = k === Number(n) - 1;
      if (lx === null || last || Math.abs(lon - lx) + Math.abs(lat - ly) >= step) {
        ring.push([lon, lat]);
        lx = lon;
        ly = lat;
      }
    }
    if (ring.length < 4) continue;
    if (kind === '0') polys.push([ring]);
    else if (polys.length) polys[polys.length - 1].push(ring);
  }
  return {
    type: 'FeatureCollection',
    features: [{ type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: polys } }],
  };
}
writeFileSync(join(out, 'land.geojson'), JSON.stringify(land(0.03)));

const zones = { type: 'FeatureCollection', features: [] };
for (const f of readdirSync(join(data, 'zones')).sort())
  if (f.endsWith('.geojson'))
    zones.features.push(...JSON.parse(readFileSync(join(data, 'zones', f), 'utf8')).features);
writeFileSync(join(out, 'zones.geojson'), JSON.stringify(zones));

// data/ports.csv: name,country,lat,lon,radius_km,... (fields may be quoted)
function csvRow(line) {
  const out = [];
  let cur = '', q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q && c === '"' && line[i + 1] === '"') (cur += '"'), i++;
    else if (c === '"') q = !q;
    else if (c === ',' && !q) out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out;
}
const rows = readFileSync(join(data, 'ports.csv'), 'utf8').trim().split('\n').map(csvRow);
const head = rows.shift();
const col = (n) => head.indexOf(n);
writeFileSync(
  join(out, 'ports.geojson'),
  JSON.stringify({
    type: 'FeatureCollection',
    features: rows.map((r) => ({
      type: 'Feature',
      properties: { name: r[col('name')], country: r[col('country')], kind: r[col('kind')] },
      geometry: { type: 'Point', coordinates: [Number(r[col('lon')]), Number(r[col('lat')])] },
    })),
  }),
);
console.log(`dashboard built into ${out}`);
