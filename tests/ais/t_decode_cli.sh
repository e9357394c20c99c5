#!/usr/bin/env bash
# sanctwatch decode as a command: stdin, '-', gzip read transparently, --unscaled, errors in
# git's style with the right exit status, and hostile lines (NUL bytes, a line over the 64 KiB
# reader limit, orphans) counted per reason so that every line is accounted for.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ex="$SW_ROOT/data/examples/dma-stream-2010-06-11.nmea"
[ -f "$ex" ] || { echo "SKIP: $ex absent"; exit 77; }

"$SW_BIN" decode "$ex" >"$tmp/plain" 2>"$tmp/plain.err" || fail "plain exit status"
gzip -c "$ex" >"$tmp/ex.nmea.gz"
"$SW_BIN" decode "$tmp/ex.nmea.gz" >"$tmp/gz" 2>"$tmp/gz.err" || fail "gz exit status"
"$SW_BIN" decode <"$ex" >"$tmp/stdin" 2>/dev/null || fail "stdin exit status"
gzip -c "$ex" | "$SW_BIN" decode - >"$tmp/stdin-gz" 2>/dev/null || fail "stdin gz exit status"
[ -s "$tmp/plain" ] || fail "no output"
cmp -s "$tmp/plain" "$tmp/gz" || fail ".gz output differs from plain"
cmp -s "$tmp/plain" "$tmp/stdin" || fail "stdin output differs from plain"
cmp -s "$tmp/plain" "$tmp/stdin-gz" || fail "gzip on stdin output differs from plain"
cmp -s "$tmp/plain.err" "$tmp/gz.err" || fail ".gz summary differs from plain"
# every object is one line of JSON with gpsd's head; $PGHP gives rxtime with milliseconds
[ "$(grep -vc '^{"class":"AIS","device":"stdin","type":[0-9]*,.*}$' "$tmp/plain")" = 0 ] || fail "non-gpsd line"
grep -q '"rxtime":"2010-06-11T11:46:1[0-9]\.[0-9]*Z"' "$tmp/plain" || fail "no \$PGHP rxtime"
# --unscaled is gpsdecode -u
"$SW_BIN" decode --unscaled --quiet "$ex" >"$tmp/u" 2>"$tmp/u.err"
grep -q '"scaled":false' "$tmp/u" && ! grep -q '"scaled":true' "$tmp/u" || fail "--unscaled"
[ -s "$tmp/u.err" ] && fail "--quiet printed something"

# errors: git-style message, exit 1, other inputs still decoded; usage errors exit 2
"$SW_BIN" decode "$tmp/missing.nmea" "$ex" >"$tmp/o" 2>"$tmp/e"; rc=$?
[ "$rc" = 1 ] || fail "missing file: exit $rc"
grep -q "^sanctwatch: cannot open '$tmp/missing.nmea': No such file or directory$" "$tmp/e" || { fail "missing file message"; cat "$tmp/e"; }
cmp -s "$tmp/o" "$tmp/plain" || fail "the good input after a missing one was not decoded"
"$SW_BIN" decode --bogus </dev/null >/dev/null 2>&1; [ $? = 2 ] || fail "unknown option exit status"
"$SW_BIN" decode --help | grep -q 'usage: sanctwatch decode' || fail "--help"

# hostile lines: NUL, a 70 KiB line, garbage, an orphan, a good line after them
{
    printf '!AIVDM,1,1,,A,13HOI:0P0000\0VOHLCnHQKwvL05Ip,0*23\n'
    head -c 70000 /dev/zero | tr '\0' 'x'; printf '\n'
    printf '\377\376garbage\n'
    printf '!AIVDM,2,2,1,A,88888888880,2*25\n'
    printf '!AIVDM,2,1,3,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1E\n'
    printf '!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23'   # no final newline
} >"$tmp/hostile.nmea"
"$SW_BIN" decode "$tmp/hostile.nmea" >"$tmp/h" 2>"$tmp/h.err" || fail "hostile exit status"
want="decode: lines 6: used=1 empty=0 comment=0 other_nmea=0 header=0 checksum=0 malformed=0 garbage=1 nul=1 too_long=1 oversize=0 orphan=1 incomplete=1 evicted=0"
[ "$(head -1 "$tmp/h.err")" = "$want" ] || { fail "hostile summary"; cat "$tmp/h.err"; }
[ "$(wc -l <"$tmp/h")" = 1 ] || fail "hostile: want exactly one message"
grep -q '"mmsi":227006760' "$tmp/h" || fail "hostile: wrong message"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "decode CLI ok"
