#!/usr/bin/env bash
# Peer vectors: the pyais, libais and gpsd AIVDM test files decode, tag blocks included, and
# the summary accounts for every line with the exact counts below. The junk in those files
# (comments, empty payloads, bogus tag-block checksums such as "*A", sentences without '!',
# first halves without a second half, pyais' "$PGHP,1,2009,..." whose checksum is that of its
# 2008 twin) was read line by line when these expectations were written.
set -u
P="$SW_SHARED/data/ais/peer-tests"
[ -d "$P" ] || { echo "SKIP: peer vectors absent at $P"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0

# check FILE OPTIONS "key=value ..."  (keys from the two summary lines; "lines"/"messages"
# are the totals). Also checks that the line counts add up and decoded == JSON lines.
check() {
    local f=$1 opts=$2 want=$3
    if ! "$SW_BIN" decode $opts "$P/$f" >"$tmp/out" 2>"$tmp/err"; then
        echo "FAIL $f: exit status"; cat "$tmp/err"; fails=$((fails + 1)); return
    fi
    local s; s=$(sed -e 's/^decode: lines \([0-9]*\):/lines=\1/' -e 's/^decode: messages \([0-9]*\):/messages=\1/' "$tmp/err" | tr '\n' ' ')
    local kv k v got
    for kv in $want; do
        k=${kv%%=*} v=${kv#*=}
        got=$(printf '%s\n' $s | sed -n "s/^$k=//p")
        [ "$got" = "$v" ] || { echo "FAIL $f $opts: $k=$got, want $v"; fails=$((fails + 1)); }
    done
    local lines sum=0 n
    lines=$(printf '%s\n' $s | sed -n 's/^lines=//p')
    for k in used empty comment other_nmea header checksum malformed garbage nul too_long oversize orphan incomplete evicted; do
        n=$(printf '%s\n' $s | sed -n "s/^$k=//p"); sum=$((sum + ${n:-0}))
    done
    [ "$sum" = "$lines" ] || { echo "FAIL $f: reasons add up to $sum, not $lines"; fails=$((fails + 1)); }
    local dec json
    dec=$(printf '%s\n' $s | sed -n 's/^decoded=//p'); json=$(grep -c '^{"class":"AIS"' "$tmp/out")
    [ "$dec" = "$json" ] || { echo "FAIL $f: decoded=$dec but $json JSON lines"; fails=$((fails + 1)); }
    echo "RESULT $f $opts: $(tr '\n' ' ' <"$tmp/err" | sed 's/decode: //g; s/ [a-z_0-9]*=0\b//g')"
}
# clean = every framed message decodes (or is a type 24 part gpsd holds back)
clean="too_short=0 bad_payload=0 unsupported=0 payload_too_long=0 decode_error=0"

check libais/test/data/tagblock.nmea "" "lines=5 used=5 messages=4 decoded=4 multi_sentence=1 $clean"
check libais/test/data/typeexamples.nmea "" "lines=26 used=26 messages=26 decoded=25 type24_held=1 $clean"
check libais/test/data/test.aivdm "" "lines=345 used=263 empty=35 comment=47 messages=261 multi_sentence=2"
check pyais/examples/gatehouse.nmea "" "lines=11 used=4 empty=2 comment=1 header=3 checksum=1 messages=4 decoded=4 $clean"
check pyais/tests/timestamped.ais "" "lines=11 used=4 empty=2 comment=1 header=3 checksum=1 messages=4 decoded=4 $clean"
check pyais/examples/sample.ais "" "lines=22 used=10 empty=1 comment=5 checksum=5 garbage=1 messages=9 decoded=9 multi_sentence=1 $clean"
check pyais/examples/sample.ais --lenient "lines=22 used=12 empty=1 comment=5 header=1 malformed=2 garbage=1 messages=11 decoded=11 lenient_accepted=2 $clean"
check pyais/tests/ais_test_messages "" "lines=9 used=8 comment=1 messages=7 decoded=7 multi_sentence=1 $clean"
check pyais/tests/messages.ais "" "lines=11 used=6 empty=3 comment=2 messages=6 decoded=6 $clean"
check pyais/tests/mixed.txt "" "lines=35 used=12 empty=7 comment=5 other_nmea=4 header=1 checksum=4 garbage=2 messages=10 decoded=10 multi_sentence=2 $clean"
check pyais/tests/nmea_data_sample.txt "" "lines=898 used=778 malformed=100 incomplete=20 messages=778 decoded=777 type24_held=1 $clean"
check gpsd/test/sample.aivdm "" "lines=1121 used=118 empty=1 comment=1001 garbage=1 orphan=0 incomplete=0 messages=102 multi_sentence=14 decoded=97"
check gpsd/test/daemon/ais-nmea.log "" "lines=1500 used=183 comment=4 other_nmea=1313 messages=171 multi_sentence=12"
check gpsd/test/daemon/ais-nmea-type6-fid55.log "" "lines=1487 used=1480 comment=7 messages=1326 multi_sentence=154"
check gpsd/test/daemon/ais-raw-messages.log "" "lines=121 used=114 comment=7 messages=109 multi_sentence=5"
check gpsd/test/daemon/ais_unpack_sixbit.log "" "lines=28 used=20 empty=1 comment=7 messages=13 multi_sentence=7"
check gpsd/test/daemon/ais-18-27.log "" "lines=280 used=276 comment=4 messages=276"

# Tag blocks reach the JSON: the two-sentence ORBCOMM group keeps the first sentence's s: and c:.
"$SW_BIN" decode --quiet "$P/libais/test/data/tagblock.nmea" >"$tmp/tb"
grep -q '"type":5,.*"shipname":"ROSINANTE".*"rxtime":"2014-12-10T00:00:01Z","source":"rORBCOMM008"}$' "$tmp/tb" ||
    { echo "FAIL tagblock.nmea: group metadata missing"; cat "$tmp/tb"; fails=$((fails + 1)); }
[ "$(grep -c '"source":"rORBCOMM' "$tmp/tb")" = 4 ] || { echo "FAIL tagblock.nmea: sources"; fails=$((fails + 1)); }
# --lenient marks what it let through; --quiet silences the summary
"$SW_BIN" decode --lenient --quiet "$P/pyais/examples/sample.ais" >"$tmp/len" 2>"$tmp/lenerr"
[ "$(grep -c '"checksum_ok":false' "$tmp/len")" = 2 ] || { echo "FAIL lenient marks"; fails=$((fails + 1)); }
[ -s "$tmp/lenerr" ] && { echo "FAIL --quiet printed:"; cat "$tmp/lenerr"; fails=$((fails + 1)); }

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all peer vector files accounted for"
