#!/usr/bin/env bash
# Issue 15, must-show 4: the report leads with the cases, and renders in headless Chromium
# (Debian's chromium) without a console message: a case page (its narrative, factors, map with
# every incident, timeline, identities), the cap chart of refined petroleum, and the map of a
# possible port call with the ports in reach and the routes. Screenshots are kept in
# $SW_BUILD/test-artifacts/cases/.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "SKIP: chromium not installed (scripts/deps.sh installs it)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 absent"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
ART="${SW_BUILD:-/tmp}/test-artifacts/cases"; mkdir -p "$ART"
fail() { echo "FAIL: $*"; exit 1; }
cd "$T"

"$SW_BIN" simulate --seed 2 --out s.nmea --truth s.json 2>/dev/null || fail "simulate"
"$SW_BIN" analyze -q --db s.db s.nmea || fail "analyze"
"$SW_BIN" ledger keygen --key k.key >/dev/null 2>&1 || fail "keygen"
"$SW_BIN" report --db s.db --key k.key --out out >/dev/null || fail "report"
for f in cases.json deliveries.csv cap.csv; do [ -s "out/$f" ] || fail "no $f"; done

chrome() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-extensions --user-data-dir="$T/profile" "$@"
}
chrome --enable-logging=stderr --v=0 --virtual-time-budget=5000 --dump-dom \
    "file://$T/out/report.html" >dom.html 2>chrome.log || fail "chromium could not load the report"
if grep -E 'CONSOLE' chrome.log; then fail "console messages while loading report.html (above)"; fi
ppc=$(python3 - <<'PY'
import json, re, sys
m = json.load(open("out/report.json"))
dom = open("dom.html").read()
cases = m.get("cases") or []
full = [c for c in cases if "timeline" in c]
assert full, "no case in full"
i_cases, i_cap = dom.find('<section class="cases"'), dom.find('<section class="cap"')
i_summary = dom.find('id="summary"')
assert 0 <= i_cases < i_cap < i_summary, "the report does not lead with the cases and the cap"
arts = re.findall(r'<article class="case" id="([^"]+)">(.*?)</article>', dom, flags=re.S)
assert len(arts) == len(full), f"{len(arts)} case pages for {len(full)} cases"
for cid, body in arts:
    for part in ('class="narrative"', 'class="factors"', '<h4>timeline</h4>',
                 '<h4>identities over time</h4>', 'flag and identity forensics'):
        assert part in body, f"{cid} lacks {part}"
with_map = [b for _, b in arts if '<svg class="map"' in b]
marks = sum(len(re.findall(r'<circle class="mark ', b)) for b in with_map)
assert with_map and marks, "no case map with its incidents"
cap = re.search(r'<section class="cap".*?</section>', dom, flags=re.S).group(0)
years = m["cap"]["years"]
assert years and cap.count('<svg class="cap"') == len(years), "one cap chart per year"
assert cap.count('class="capline"') == len(years) and cap.count('class="cum c') == 3 * len(years)
ppcs = [i for i in m["incidents"] if i["event"]["type"] == "possible_port_call"]
assert ppcs, "no possible port call"
for i in ppcs:
    sec = re.search(r'<section class="incident" id="i-%s">(.*?)</section>' % re.escape(i["id"]),
                    dom, flags=re.S).group(1)
    n = len(i["event"]["details"]["ports"])
    assert sec.count('class="mark reachable"') == n, f"{i['id']}: ports in reach not all drawn"
    assert '<polyline class="route"' in sec, f"{i['id']}: no route"
print(f"RESULT chromium: {len(arts)} case pages ({len(with_map)} maps, {marks} incidents on them), "
      f"{len(years)} cap charts, {len(ppcs)} possible port calls with their ports in reach; "
      f"no console messages", file=sys.stderr)
print(ppcs[0]["id"])
PY
) || fail "case pages, cap chart or reachable ports"
chrome --virtual-time-budget=5000 --window-size=1280,2200 --screenshot="$ART/cases.png" "file://$T/out/report.html#cases" \
    >/dev/null 2>&1 || fail "screenshot"
# a section far down the page is drawn alone for its screenshot: the page's head (styles and
# the map layers every map uses) and that section, cut from the report
python3 - "$ppc" <<'PY' || fail "cutting sections"
import re, sys
html = open("out/report.html").read()
head = html[:html.find("</svg>", html.find('<svg class="defs"')) + 6]
cap = re.search(r'<section class="cap".*?</section>', html, flags=re.S).group(0)
inc = re.search(r'<section class="incident" id="i-%s">.*?</section>' % re.escape(sys.argv[1]),
                html, flags=re.S).group(0)
style = re.search(r'<style>[^<]*</style>\n<section class="cases"', html).group(0)[:-len('<section class="cases"')]
for name, body in (("cap", cap), ("ppc", inc)):
    open(f"out/{name}.html", "w").write(head + style + body + "</body></html>")
PY
chrome --virtual-time-budget=5000 --window-size=1280,1400 --screenshot="$ART/cap.png" \
    "file://$T/out/cap.html" >/dev/null 2>&1 || fail "screenshot"
chrome --virtual-time-budget=5000 --window-size=1280,1400 --screenshot="$ART/possible-port-call.png" \
    "file://$T/out/ppc.html" >/dev/null 2>&1 || fail "screenshot"
for p in cases cap possible-port-call; do [ -s "$ART/$p.png" ] || fail "empty screenshot $p"; done
echo "RESULT screenshots kept in $ART"
