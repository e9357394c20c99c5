#!/usr/bin/env bash
# Issue 7, must-show 2: report.html renders in headless Chromium (Debian's chromium, which
# scripts/deps.sh installs): no console message at all (the report logs nothing, so any
# message is an error or a warning), one map per incident with a place, and it prints to
# PDF. Screenshots and the PDF are kept in $SW_BUILD/test-artifacts/report/.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "SKIP: chromium not installed (scripts/deps.sh installs it)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 absent"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
ART="${SW_BUILD:-/tmp}/test-artifacts/report"; mkdir -p "$ART"
fail() { echo "FAIL: $*"; exit 1; }
cd "$T"

"$SW_BIN" simulate --seed 4 --hours 30 --out s.nmea --truth s.json 2>/dev/null || fail "simulate"
"$SW_BIN" analyze -q --db s.db s.nmea || fail "analyze"
"$SW_BIN" ledger keygen --key k.key >/dev/null 2>&1 || fail "keygen"
"$SW_BIN" report --db s.db --key k.key --out out >/dev/null || fail "report"

chrome() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-extensions --user-data-dir="$T/profile" "$@"
}
chrome --enable-logging=stderr --v=0 --virtual-time-budget=5000 --dump-dom \
    "file://$T/out/report.html" >dom.html 2>chrome.log || fail "chromium could not load the report"
if grep -E 'CONSOLE' chrome.log; then
    fail "console messages while loading report.html (above)"
fi
python3 - <<'PY' || fail "maps"
import json, re
m = json.load(open("out/report.json"))
dom = open("dom.html").read()
# the cases section leads with maps of its own (t_cases_browser checks them)
dom = re.sub(r'<section class="cases".*?</section>', '', dom, flags=re.S)
want = sum(1 for i in m["incidents"] if i["bbox"] is not None)
maps = len(re.findall(r'<svg class="map"', dom))
nomap = len(re.findall(r'class="nomap"', dom))
sections = len(re.findall(r'<section class="incident"', dom))
assert sections == len(m["incidents"]), f"{sections} incident sections for {len(m['incidents'])}"
assert maps == want, f"{maps} maps for {want} incidents with a place"
assert maps + nomap == sections
html = open("out/report.html").read()
assert not re.search(r'(src|href)\s*=\s*"(https?:)?//|url\(\s*["\']?(https?:)?//|@import', html), \
    "report.html refers to something on the network"
print(f"RESULT chromium: {sections} incidents, {maps} maps, {nomap} without a place, no console messages")
PY
chrome --window-size=1280,2400 --screenshot="$ART/report-top.png" "file://$T/out/report.html" \
    >/dev/null 2>&1 || fail "screenshot"
"$SW_BIN" report --db s.db --key k.key --type encounter,dark_rendezvous,port_call \
    --out out2 >/dev/null || fail "typed report"
chrome --window-size=1280,2400 --screenshot="$ART/report-incidents.png" \
    "file://$T/out2/report.html" >/dev/null 2>&1 || fail "screenshot"
chrome --print-to-pdf="$ART/report.pdf" --no-pdf-header-footer "file://$T/out2/report.html" \
    >/dev/null 2>&1 || fail "print to PDF"
[ -s "$ART/report-top.png" ] && [ -s "$ART/report-incidents.png" ] || fail "empty screenshot"
head -c 5 "$ART/report.pdf" | grep -q '%PDF' || fail "not a PDF"
echo "RESULT screenshots and PDF kept in $ART"
