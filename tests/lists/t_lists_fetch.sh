#!/usr/bin/env bash
# lists fetch against a local HTTP server (tests/lists/fixture_server.py, started here on a
# free port) serving fixtures built from the shared UN and OFAC files:
#   first fetch imports; the same publication again is a conditional request answered 304
#   (the server checks If-None-Match / If-Modified-Since) and adds no edition; a changed
#   publication is a new edition with its change; the same bytes without validators are
#   "already imported"; a truncated download, an HTML page, a 404 and a file of the wrong
#   format are refused and leave the store (editions, entries, recorded validators) unchanged;
#   an OFAC set of which one file changed is fetched whole and imported as one edition.
set -u
ROOT=${SW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${SW_BIN:-$ROOT/build/sanctwatch}
SH=${SW_SHARED:-$ROOT/../shared}/data/sanctions
UN=$SH/un/un_sc_consolidated_2026-02-27.xml
OF=$SH/ofac
for f in "$UN" "$OF/sdn_2024-05-03.csv" "$OF/add_2025-02-27.csv" "$OF/alt_2025-02-27.csv"; do
    [ -f "$f" ] || { echo "SKIP: shared sanctions files not found ($f)"; exit 77; }
done
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
T=$(mktemp -d)
SRV=
cleanup() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$T/srv/files"
F=$T/srv/files
cp "$UN" "$F/consolidated.xml"
# a small OFAC set: the first 3,000 rows of sdn.csv, the companions whole (rows of other
# entries are counted as orphans)
head -n 3000 "$OF/sdn_2024-05-03.csv" >"$F/SDN.CSV"
cp "$OF/add_2025-02-27.csv" "$F/ADD.CSV"
cp "$OF/alt_2025-02-27.csv" "$F/ALT.CSV"
cp "$OF/sdn_comments_2025-02-27.csv" "$F/SDN_COMMENTS.CSV"
python3 "$ROOT/tests/lists/fixture_server.py" "$T/srv" 600 400 &
SRV=$!
for _ in $(seq 100); do [ -f "$T/srv/port" ] && break; sleep 0.1; done
[ -f "$T/srv/port" ] || fail "the fixture server did not start"
U=http://127.0.0.1:$(cat "$T/srv/port")
DB=$T/f.db
URLS=(--url "un=$U/consolidated.xml" --url "ofac_sdn=$U/SDN.CSV" --url "ofac_add=$U/ADD.CSV"
    --url "ofac_alt=$U/ALT.CSV" --url "ofac_comments=$U/SDN_COMMENTS.CSV")
fetch() { "$BIN" lists fetch --db "$DB" "${URLS[@]}" "$@"; }
editions() { "$BIN" lists show --db "$DB" | grep -c '^  #'; }
state() { # what must not change when a download is refused
    sqlite3 "$DB" "SELECT count(*), sum(active) FROM entries; SELECT url, etag, sha256 FROM list_sources ORDER BY url; SELECT count(*) FROM list_editions;"
}
reqs() { cat "$T/srv/requests.log"; }

# 1. first fetch of the UN list: imported, with its source recorded
fetch --list un >"$T/o1" 2>&1 || { cat "$T/o1"; fail "first fetch"; }
grep -q "^un_sc 2026-02-27 (un_xml): 1003 entries" "$T/o1" || { cat "$T/o1"; fail "first import"; }
[ "$(editions)" = 1 ] || fail "one edition expected"
"$BIN" lists show --db "$DB" | grep -q "from $U/consolidated.xml sha256=$(sha256sum "$F/consolidated.xml" | cut -c1-64) bytes=$(stat -c %s "$F/consolidated.xml") etag=\"" ||
    fail "the edition does not record its source and hash"
grep -q '^/consolidated.xml inm=- ims=- status=200' "$T/srv/requests.log" || fail "first request was conditional"

# 2. unchanged: a conditional request, 304, no new edition
fetch --list un >"$T/o2" 2>&1 || { cat "$T/o2"; fail "second fetch"; }
grep -q "^un: not modified" "$T/o2" || { cat "$T/o2"; fail "unchanged publication imported"; }
tail -1 "$T/srv/requests.log" | grep -q '^/consolidated.xml inm="[0-9a-f]*" ims=.* status=304' ||
    { reqs; fail "no If-None-Match sent, or no 304"; }
[ "$(editions)" = 1 ] || fail "an unchanged publication added an edition"

# 3. changed: a new edition with its change
sed -e 's/dateGenerated="[^"]*"/dateGenerated="2026-03-05T00:00:00.000Z"/' \
    -e 's/<SECOND_NAME>HO-JIN<\/SECOND_NAME>/<SECOND_NAME>HO-JIN<\/SECOND_NAME><THIRD_NAME>X<\/THIRD_NAME>/' \
    "$UN" >"$F/consolidated.xml"
fetch --list un >"$T/o3" 2>&1 || { cat "$T/o3"; fail "fetch of a changed publication"; }
grep -q "^un_sc 2026-03-05 (un_xml): 1003 entries.*0 added, 0 removed, 1 changed" "$T/o3" ||
    { cat "$T/o3"; fail "changed publication: $(cat "$T/o3")"; }
[ "$(editions)" = 2 ] || fail "a changed publication is one new edition"
"$BIN" lists changes --db "$DB" --list un_sc | grep -q "changed	KPi.001	person	YUN HO-JIN X" ||
    fail "the change is not recorded"

# 4. the same bytes from a server that gives no validators: already imported
touch "$F/consolidated.xml.noetag"
touch -d '2026-03-06 00:00:00' "$F/consolidated.xml"
fetch --list un >"$T/o4" 2>&1 || { cat "$T/o4"; fail "fetch without validators"; }
grep -q "already imported" "$T/o4" || { cat "$T/o4"; fail "same bytes imported again"; }
[ "$(editions)" = 2 ] || fail "same bytes added an edition"
rm "$F/consolidated.xml.noetag"
# the last answer had no ETag: the request carries If-Modified-Since alone, and gets 304
fetch --list un >"$T/o4b" 2>&1 || { cat "$T/o4b"; fail "fetch after no validators"; }
grep -q "^un: not modified" "$T/o4b" || { cat "$T/o4b"; fail "If-Modified-Since not honoured"; }
tail -1 "$T/srv/requests.log" | grep -q '^/consolidated.xml inm=- ims=[A-Z][a-z][a-z], .* GMT status=304' ||
    { reqs; fail "no If-Modified-Since sent"; }
before=$(state)

# 5. refused downloads leave the store unchanged
refused() { # $1: what, then the server's mode files are set by the caller
    if fetch --list un >"$T/o5" 2>&1; then cat "$T/o5"; fail "$1 accepted"; fi
    grep -q "store is unchanged" "$T/o5" || { cat "$T/o5"; fail "$1: no message"; }
    [ "$(state)" = "$before" ] || fail "$1 changed the store"
}
sed -e 's/dateGenerated="[^"]*"/dateGenerated="2026-03-09T00:00:00.000Z"/' "$UN" >"$F/consolidated.xml"
touch "$F/consolidated.xml.truncate"
refused "a truncated download"
grep -q "cut short" "$T/o5" || { cat "$T/o5"; fail "truncation not named"; }
rm "$F/consolidated.xml.truncate"
echo "text/html; charset=utf-8" >"$F/consolidated.xml.type"
refused "an HTML page"
grep -q "content type 'text/html; charset=utf-8'" "$T/o5" || { cat "$T/o5"; fail "type not named"; }
rm "$F/consolidated.xml.type"
echo 404 >"$F/consolidated.xml.status"
refused "a 404"
rm "$F/consolidated.xml.status"
cp "$F/SDN.CSV" "$F/consolidated.xml"
refused "a CSV where the UN XML belongs"
grep -q "content is ofac_sdn_csv, not un_xml" "$T/o5" || { cat "$T/o5"; fail "format not named"; }
sed -e 's/dateGenerated="[^"]*"/dateGenerated="2026-03-09T00:00:00.000Z"/' "$UN" |
    head -c 1000000 >"$F/consolidated.xml"
refused "an XML file cut short and served whole"

# 6. OFAC: the set imported as one edition; unchanged: 304 for every file; one companion
#    changed: the set fetched whole (the unchanged files again, unconditionally)
fetch --list ofac >"$T/o6" 2>&1 || { cat "$T/o6"; fail "ofac fetch"; }
grep -q "^ofac_sdn .* (ofac_sdn_csv): 3000 entries" "$T/o6" || { cat "$T/o6"; fail "ofac import"; }
fetch --list ofac >"$T/o7" 2>&1 || { cat "$T/o7"; fail "ofac refetch"; }
grep -q "^ofac: not modified" "$T/o7" || { cat "$T/o7"; fail "unchanged OFAC set imported"; }
[ "$(tail -4 "$T/srv/requests.log" | grep -c 'inm="[0-9a-f]*" .*status=304')" = 4 ] ||
    { reqs; fail "OFAC files not asked conditionally"; }
grep -v '^1,' "$OF/alt_2025-02-27.csv" | head -n 20000 >"$F/ALT.CSV"
fetch --list ofac >"$T/o8" 2>&1 || { cat "$T/o8"; fail "ofac fetch with one file changed"; }
grep -q "^ofac_sdn .* (ofac_sdn_csv): 3000 entries" "$T/o8" || { cat "$T/o8"; fail "ofac set"; }
tail -7 "$T/srv/requests.log" | grep -q '^/SDN.CSV inm=- ims=- status=200' ||
    { reqs; fail "the unchanged sdn.csv was not fetched again for the set"; }
echo "ok"
