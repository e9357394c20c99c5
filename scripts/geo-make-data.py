#!/usr/bin/python3
"""Regenerates the geographic data sanctwatch ships (data/land, data/zones, data/ports.csv).

Inputs (none is fetched by this script):
  --atlas DIR   the unpacked npm package world-atlas@2.0.2 (`npm pack world-atlas@2.0.2`):
                land-10m.json and countries-10m.json, TopoJSON of Natural Earth 1:10m
                (public domain)
  --wpi FILE    a World Port Index CSV (public domain), e.g. ../shared/data/geo/wpi_ne_asia_subset.csv

Needs Debian's python3-shapely (1.8) and python3 (run as /usr/bin/python3).

Outputs:
  data/land/ne_10m_land.txt.gz   every land polygon ring of Natural Earth 1:10m, coordinates in
                                 1e-4 degree integers, delta coded (format in docs/geo.md)
  data/zones/*.geojson           the watched zones (territorial sea is computed here by buffering
                                 the DPRK coast 12 nm; the others are hand-placed vertices below)
  data/ports.csv                 WPI ports of the region + hand-added ports (see EXTRA_PORTS)
"""
import argparse
import csv
import gzip
import io
import json
import math
import os

from shapely.geometry import Polygon, MultiPolygon, LineString, mapping, shape, box
from shapely.ops import unary_union, transform

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))


def topo_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for a in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in a:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def topo_ring(arcs, idxs):
    pts = []
    for i in idxs:
        a = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        if pts:
            a = a[1:]
        pts.extend(a)
    return pts


def topo_polys(arcs, geom):
    t = geom["type"]
    if t == "Polygon":
        return [[topo_ring(arcs, r) for r in geom["arcs"]]]
    if t == "MultiPolygon":
        return [[topo_ring(arcs, r) for r in p] for p in geom["arcs"]]
    if t == "GeometryCollection":
        out = []
        for g in geom["geometries"]:
            out.extend(topo_polys(arcs, g))
        return out
    return []


def write_land(atlas, out):
    topo = json.load(open(os.path.join(atlas, "land-10m.json")))
    arcs = topo_arcs(topo)
    polys = topo_polys(arcs, topo["objects"]["land"])
    nring = npt = 0
    # mtime 0 and no file name in the gzip header: the output is byte-for-byte reproducible
    with open(out, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                               compresslevel=9, mtime=0) as gz, \
            io.TextIOWrapper(gz, encoding="ascii", newline="\n") as f:
        f.write("# sanctwatch land mask v1: Natural Earth 1:10m land (public domain), via npm\n")
        f.write("# world-atlas@2.0.2 land-10m.json; regenerate with scripts/geo-make-data.py\n")
        f.write("# R <outer|hole> <npoints>, then the first point 'lon lat' in 1e-4 degrees,\n")
        f.write("# then each next point as a delta from the previous one\n")
        for p in polys:
            for k, ring in enumerate(p):
                q = []
                for lon, lat in ring:
                    v = (int(round(lon * 1e4)), int(round(lat * 1e4)))
                    if not q or q[-1] != v:
                        q.append(v)
                if len(q) > 1 and q[0] == q[-1]:
                    q.pop()
                if len(q) < 3:
                    continue
                f.write("R %d %d\n" % (1 if k else 0, len(q)))
                px = py = 0
                for i, (x, y) in enumerate(q):
                    f.write("%d %d\n" % (x - px, y - py))
                    px, py = x, y
                nring += 1
                npt += len(q)
    print("land: %d rings, %d points -> %s" % (nring, npt, out))


# Local equirectangular projection in km around 40N, good to ~1% over the Korean peninsula.
KM_LAT = 111.195
KM_LON = 111.195 * math.cos(math.radians(40.0))


def to_km(x, y, z=None):
    return (x * KM_LON, y * KM_LAT)


def from_km(x, y, z=None):
    return (x / KM_LON, y / KM_LAT)


def country(atlas, name):
    topo = json.load(open(os.path.join(atlas, "countries-10m.json")))
    arcs = topo_arcs(topo)
    for g in topo["objects"]["countries"]["geometries"]:
        if g.get("properties", {}).get("name") == name:
            return MultiPolygon([Polygon(p[0], p[1:]) for p in topo_polys(arcs, g)]).buffer(0)
    raise SystemExit("no country " + name)


def feature(fid, name, kind, geom, note):
    geom = geom.simplify(0.002) if not geom.is_empty else geom
    g = mapping(geom)

    def rnd(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(c[0], 4), round(c[1], 4)]
        return [rnd(x) for x in c]

    g = {"type": g["type"], "coordinates": rnd(g["coordinates"])}
    return {"type": "Feature", "id": fid,
            "properties": {"id": fid, "name": name, "kind": kind, "provenance": note},
            "geometry": g}


def write_fc(path, feats):
    with open(path, "w") as f:
        json.dump({"type": "FeatureCollection", "features": feats}, f, separators=(",", ":"))
        f.write("\n")
    print("zone: %s" % path)


def write_zones(atlas, outdir):
    region = box(118, 33, 136, 45)
    kp = country(atlas, "North Korea")
    others = [country(atlas, n).intersection(region) for n in ("South Korea", "China", "Russia")]
    land_topo = json.load(open(os.path.join(atlas, "land-10m.json")))
    arcs = topo_arcs(land_topo)
    land = unary_union([Polygon(p[0], p[1:]).buffer(0)
                        for p in topo_polys(arcs, land_topo["objects"]["land"])
                        if Polygon(p[0]).intersects(region)]).intersection(region)
    nm = 1.852
    kp_km = transform(to_km, kp)
    ts = kp_km.buffer(12 * nm, resolution=8)
    for o in others:
        ts = ts.difference(transform(to_km, o).buffer(12 * nm, resolution=8))
    ts = transform(from_km, ts).difference(land)
    # The land border with the ROK and China gets a band of the buffer on the neighbour's
    # land; the land difference removes it. What is left is sea within 12 nm of DPRK land
    # and farther than 12 nm from other states' land (a crude median rule near borders).
    write_fc(os.path.join(outdir, "kp_territorial_sea.geojson"), [feature(
        "kp-ts", "DPRK territorial sea (12 nm, approximate)", "territorial_sea", ts,
        "12 nm buffer of the Natural Earth 1:10m DPRK coast (normal baselines, no straight "
        "baselines), minus land and minus 12 nm around ROK, Chinese and Russian land; "
        "computed by scripts/geo-make-data.py")])

    # Claimed EEZ, East Sea: the parallel at 38 deg 36.8 min N from the land border (the DPRK's
    # 1977 claim uses the extension of the military demarcation line), the median line with
    # Japan to about 39.75N 133.37E, then the 1986 USSR-DPRK maritime boundary back to the
    # Tumen river mouth. Vertices hand-placed from those public descriptions.
    east = Polygon([(128.36, 38.613), (132.60, 38.613), (133.37, 39.75), (133.23, 39.79),
                    (131.42, 41.61), (130.88, 42.15), (130.70, 42.29), (130.0, 42.6),
                    (127.0, 42.6), (127.0, 38.613)]).difference(land)
    # Claimed EEZ, West Sea: from the Yalu mouth along an approximate median line with China
    # through Korea Bay, then the DPRK's 1999 "West Sea military demarcation line" claim
    # south of the ROK's Northern Limit Line to the Han estuary. Approximate; the southern
    # part is disputed with the ROK.
    west = Polygon([(124.15, 39.83), (123.70, 39.45), (123.25, 39.00), (123.20, 38.20),
                    (123.40, 37.55), (124.10, 37.30), (125.10, 37.40), (125.70, 37.55),
                    (126.40, 37.70), (126.68, 37.75), (126.68, 40.5), (124.15, 40.5)]
                   ).difference(land)
    write_fc(os.path.join(outdir, "kp_eez.geojson"), [
        feature("kp-eez-east", "DPRK claimed EEZ, East Sea (approximate)", "eez", east,
                "hand-placed vertices from public descriptions: parallel 38.613N from the "
                "land border, median line with Japan, 1986 USSR-DPRK boundary; minus land "
                "(Natural Earth 1:10m)"),
        feature("kp-eez-west", "DPRK claimed EEZ, West Sea / Korea Bay (approximate)", "eez",
                west, "hand-placed vertices: approximate median line with China in Korea Bay, "
                "the DPRK's 1999 West Sea demarcation claim; disputed with the ROK; minus land "
                "(Natural Earth 1:10m)")])

    korea_bay = Polygon([(121.0, 38.3), (124.6, 38.3), (124.6, 39.9), (121.0, 39.9)]
                        ).difference(land)
    ecs = Polygon([(122.3, 29.0), (125.5, 29.0), (125.5, 32.5), (122.3, 32.5)]).difference(land)
    write_fc(os.path.join(outdir, "transfer_areas.geojson"), [
        feature("korea-bay-sts", "Korea Bay / Bohai Strait ship-to-ship transfer area",
                "transfer_area", korea_bay,
                "box around the Korea Bay and western Bohai approaches where UN Panel of "
                "Experts reports (S/2019/171, S/2020/151, S/2021/211) located ship-to-ship "
                "transfers of coal and petroleum; minus land"),
        feature("ecs-sts", "East China Sea ship-to-ship transfer area", "transfer_area", ecs,
                "box off Shanghai and the Zhoushan archipelago where UN Panel of Experts "
                "reports located ship-to-ship transfers with DPRK tankers; minus land")])

    corridor = LineString([(130.32, 42.22), (130.70, 42.20), (131.40, 42.40), (132.30, 42.58),
                           (132.90, 42.68), (133.05, 42.73)])
    corr = transform(from_km, transform(to_km, corridor).buffer(15.0, resolution=8)
                     ).difference(land)
    write_fc(os.path.join(outdir, "rajin_vostochny.geojson"), [feature(
        "rajin-vostochny", "Rajin - Vostochny / Nakhodka corridor", "corridor", corr,
        "15 km either side of the direct sea route from Rajin to Vostochny (Nakhodka Bay), "
        "the route of DPRK coal exports named in UN Panel of Experts reports; minus land")])


ISO2 = {"China": "CN", "Japan": "JP", "North Korea": "KP", "Russia": "RU", "South Korea": "KR",
        "Taiwan": "TW"}
RADIUS = {"Very Small": 2.0, "Small": 3.0, "Medium": 5.0, "Large": 8.0}

# Ports and anchorages not in the WPI subset, from public coordinates (nautical charts, port
# authorities' published positions, Wikipedia); rounded to 0.01 degree.
EXTRA_PORTS = [
    ("Taean", "KP", 38.87, 125.33, 2.0, "port"),
    ("Sinpo", "KP", 40.03, 128.18, 2.0, "port"),
    ("Tanchon", "KP", 40.43, 128.95, 2.0, "port"),
    ("Yongampo", "KP", 39.93, 124.33, 2.0, "port"),
    ("Sinuiju", "KP", 40.10, 124.40, 2.0, "port"),
    ("Ongjin", "KP", 37.93, 125.36, 2.0, "port"),
    ("Kosong", "KP", 38.58, 128.33, 2.0, "port"),
    ("Nampo anchorage", "KP", 38.72, 125.15, 6.0, "anchorage"),
    ("Songnim terminal", "KP", 38.75, 125.63, 2.0, "terminal"),
    ("Dalian anchorage", "CN", 38.87, 121.80, 6.0, "anchorage"),
    ("Longkou anchorage", "CN", 37.70, 120.20, 6.0, "anchorage"),
    ("Shidao anchorage", "CN", 36.85, 122.50, 5.0, "anchorage"),
    ("Yangshan", "CN", 30.62, 122.07, 5.0, "terminal"),
    ("Zhoushan anchorage", "CN", 30.00, 122.30, 8.0, "anchorage"),
    ("Vostochny", "RU", 42.75, 133.05, 4.0, "port"),
    ("Zarubino", "RU", 42.64, 131.08, 3.0, "port"),
    ("Posyet", "RU", 42.65, 130.80, 3.0, "port"),
    ("Busan anchorage", "KR", 35.05, 129.10, 5.0, "anchorage"),
    # Major ports elsewhere, so a global run has the world's big hubs (WPI public coordinates).
    ("Singapore", "SG", 1.27, 103.83, 15.0, "port"),
    ("Hong Kong", "HK", 22.29, 114.16, 10.0, "port"),
    ("Kaohsiung", "TW", 22.61, 120.28, 6.0, "port"),
    ("Manila", "PH", 14.59, 120.96, 6.0, "port"),
    ("Ho Chi Minh City", "VN", 10.77, 106.71, 6.0, "port"),
    ("Port Klang", "MY", 3.00, 101.39, 6.0, "port"),
    ("Rotterdam", "NL", 51.95, 4.14, 10.0, "port"),
    ("Hamburg", "DE", 53.54, 9.97, 6.0, "port"),
    ("Antwerp", "BE", 51.27, 4.35, 6.0, "port"),
    ("Jebel Ali", "AE", 25.01, 55.06, 8.0, "port"),
    ("Fujairah anchorage", "AE", 25.17, 56.40, 10.0, "anchorage"),
    ("Los Angeles", "US", 33.73, -118.26, 8.0, "port"),
    ("Panama (Balboa)", "PA", 8.95, -79.57, 6.0, "port"),
]


# Waiting areas: where ships wait for a berth, at anchor or drifting, around a port: a circle
# by WPI harbour size (the port area itself is RADIUS); anchorages and terminals are their own
# area, hand-added ports 5 km. Loitering and encounters inside them are not reported.
WAIT = {"Large": 12.0, "Medium": 8.0, "Small": 5.0, "Very Small": 3.0}


def write_ports(wpi, out):
    rows = []
    for r in csv.DictReader(open(wpi, newline="")):
        cc = ISO2.get(r["Country Code"])
        if not cc:
            continue
        name = r["Main Port Name"].strip()
        alt = r["Alternate Port Name"].strip()
        if alt:
            name = "%s (%s)" % (name, alt)
        rad = RADIUS.get(r["Harbor Size"], 3.0)
        wait = max(rad, WAIT.get(r["Harbor Size"], 5.0))
        kind = "port"  # WPI entries are harbour reference points, even open roadsteads
        rows.append((name, cc, round(float(r["Latitude"]), 5), round(float(r["Longitude"]), 5),
                     rad, "%g" % wait, kind,
                     "WPI %d" % int(float(r["World Port Index Number"]))))
    for n, cc, lat, lon, rad, kind in EXTRA_PORTS:
        wait = max(rad, 5.0) if kind == "port" else rad
        rows.append((n, cc, lat, lon, rad, "%g" % wait, kind, "public coordinates"))
    rows.sort(key=lambda r: (r[1], r[0]))
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["name", "country", "lat", "lon", "radius_km", "wait_km", "kind", "source"])
        w.writerows(rows)
    print("ports: %d -> %s" % (len(rows), out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--atlas", required=True)
    ap.add_argument("--wpi", required=True)
    a = ap.parse_args()
    os.makedirs(os.path.join(ROOT, "data/land"), exist_ok=True)
    os.makedirs(os.path.join(ROOT, "data/zones"), exist_ok=True)
    write_land(a.atlas, os.path.join(ROOT, "data/land/ne_10m_land.txt.gz"))
    write_zones(a.atlas, os.path.join(ROOT, "data/zones"))
    write_ports(a.wpi, os.path.join(ROOT, "data/ports.csv"))


if __name__ == "__main__":
    main()
