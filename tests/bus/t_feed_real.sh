#!/usr/bin/env bash
# sanctwatch feed on a private nats-server (docs/bus.md): real recordings (NMEA with $PGHP,
# tag blocks, trailing times; MarineCadastre CSV) and a simulated day. For each, the stream
# holds exactly the messages analyze reads from the same input, less those analyze drops as
# undecodable or of a bad MMSI; feeding it again, or a copy under another name, stores
# nothing; a grown copy stores only its new line. The messages of the DMA recording and of
# the tag-block one are read back: subject = PREFIX.<splitmix64(MMSI) mod partitions> (computed
# here independently), body = the message's own raw lines of
# the input, Sw-Mmsi = the MMSI bits of the body's payload (read here), ids all different.
set -u
T=$(mktemp -d)
. "$(dirname "$0")/lib_nats.sh"
fail() { echo "FAIL: $*"; exit 1; }
REAL=$SW_SHARED/data/ais/real
[ -d "$REAL" ] || { echo "SKIP: no real recordings at $REAL"; exit 77; }
nats_start -js
BUS=nats://127.0.0.1:$NATS_PORT

counter() { sqlite3 "$1" "SELECT COALESCE(json_extract(counters,'\$.$2'),0) FROM ingest_runs ORDER BY id DESC LIMIT 1"; }
# What analyze reads from $1 and does not drop before the record stage; and (as $2) how
# many of them analyze drops as duplicates.
expected() {
    rm -f "$T/a.db"
    "$SW_BIN" analyze -q --no-detect --db "$T/a.db" "$1" 2>/dev/null || fail "analyze $1"
    echo $(($(counter "$T/a.db" messages) - $(counter "$T/a.db" decode_error) - $(counter "$T/a.db" bad_mmsi) - $(counter "$T/a.db" bad_row)))
    counter "$T/a.db" duplicate
}
# feed STREAM INPUT... -> $T/feed.err; fails on a non-zero exit
feed() {
    local s=$1; shift
    "$SW_BIN" feed --bus "$BUS" --stream "$s" --subject "sw.$s" "$@" 2>"$T/feed.err" || { cat "$T/feed.err"; fail "feed $*"; }
}

total=0
for f in amsa-risky/ais.txt amsa-risky/exact-earth-augmented.txt amsa-risky/exact-earth-with-tag-block.txt \
         dma-aislib/stream_example.txt marinecadastre-via-VesselSummaryAIS/AIS_2022_01_03_first99999.csv; do
    in=$REAL/$f
    [ -f "$in" ] || { echo "NOTE: $f absent"; continue; }
    s=S$((++total))
    { read -r want; read -r adup; } < <(expected "$in")
    feed "$s" "$in"
    pub=$(summary "$T/feed.err" published) stored=$(summary "$T/feed.err" stored)
    dup=$(summary "$T/feed.err" duplicates)
    [ "$pub" = "$want" ] || { cat "$T/feed.err"; fail "$f: published $pub, analyze reads $want"; }
    # the server drops an exact repeat within the input (same receiver, time and lines), which
    # analyze drops as a duplicate too
    [ $((stored + dup)) = "$want" ] && [ "$dup" -le "$adup" ] || { cat "$T/feed.err"; fail "$f: $stored stored, $dup duplicates (analyze: $adup)"; }
    [ "$(summary "$T/feed.err" failed)" = 0 ] || fail "$f: failures"
    ! grep -q rebuilt "$T/feed.err" || fail "$f: messages rebuilt from real input"
    [ "$(stream_msgs "$s")" = "$stored" ] || fail "$f: stream holds $(stream_msgs "$s"), not $stored"
    # again, and a copy under another name: nothing new
    feed "$s" "$in"
    [ "$(summary "$T/feed.err" duplicates)" = "$want" ] && [ "$(summary "$T/feed.err" stored)" = 0 ] ||
        { cat "$T/feed.err"; fail "$f: fed again, not all duplicates"; }
    cp "$in" "$T/copy"
    feed "$s" "$T/copy"
    [ "$(summary "$T/feed.err" stored)" = 0 ] || { cat "$T/feed.err"; fail "$f: a copy stored messages"; }
    [ "$(stream_msgs "$s")" = "$stored" ] || fail "$f: stream grew to $(stream_msgs "$s") on refeeding"
    echo "RESULT: $f: $want messages published, $stored stored ($dup repeated within the input; analyze: $adup duplicates); fed again and as a copy: nothing stored"
done
[ "$total" -gt 0 ] || { echo "SKIP: none of the recordings present"; exit 77; }

# A grown copy (one new untimed sentence at the end) stores exactly that one.
in=$REAL/amsa-risky/ais.txt
if [ -f "$in" ]; then
    { cat "$in"; echo '!AIVDM,1,1,,A,15MgK45P3@G?fl0E`JbR0OwT0@MS,0*4E'; } >"$T/grown"
    feed S1 "$T/grown"
    [ "$(summary "$T/feed.err" stored)" = 1 ] || { cat "$T/feed.err"; fail "grown copy: not exactly 1 stored"; }
    echo "RESULT: a grown copy of ais.txt stored only its new line"
fi

# The messages read back.
check_msgs() { # STREAM PREFIX INPUT PARTITIONS
    python3 "$SW_ROOT/tests/bus/jsdump.py" "$NATS_PORT" msgs "$1" >"$T/msgs.jsonl" || fail "cannot read stream $1"
    python3 - "$T/msgs.jsonl" "$2" "$3" "$4" <<'PY' || exit 1
import json, re, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
SENT = re.compile(r'!..VD[MO],(\d),(\d),([^,]*),[^,]*,([^,]*),\d\*')
def mmsi_of(body):  # bits 8..37 of the armoured payload of the body's sentences, in order
    s = [SENT.search(l).groups() for l in body]
    if [(int(c), int(n), q) for c, n, q, _ in s] != [(len(s), i + 1, s[0][2]) for i in range(len(s))]:
        sys.exit('FAIL: not the sentences of one message in order: %r' % body)
    payload = ''.join(p for _, _, _, p in s)
    bits = ''.join(format((ord(c) - 48) - 8 * (ord(c) - 48 > 40), '06b') for c in payload[:7])
    return int(bits[8:38], 2)
prefix, parts = sys.argv[2], int(sys.argv[4])
lines = set(open(sys.argv[3], 'rb').read().decode('latin-1').splitlines())
def part(mmsi):  # splitmix64
    M = 0xffffffffffffffff
    x = (mmsi + 0x9E3779B97F4A7C15) & M
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M
    return (x ^ (x >> 31)) % parts
ids, multi = set(), 0
for m in msgs:
    h, mmsi = m['headers'], int(m['headers']['Sw-Mmsi'])
    if m['subject'] != '%s.%d' % (prefix, part(mmsi)):
        sys.exit('FAIL: seq %d: subject %s for MMSI %d' % (m['seq'], m['subject'], mmsi))
    body = m['data'].split('\n')
    if any(l not in lines for l in body):
        sys.exit('FAIL: seq %d: body is not lines of the input: %r' % (m['seq'], m['data']))
    if mmsi_of(body) != mmsi:
        sys.exit('FAIL: seq %d: Sw-Mmsi %d, the body says %d' % (m['seq'], mmsi, mmsi_of(body)))
    multi += len(body) > 1
    ids.add(h['Nats-Msg-Id'])
if len(ids) != len(msgs):
    sys.exit('FAIL: %d ids for %d messages' % (len(ids), len(msgs)))
print('%d %d' % (len(msgs), multi))
PY
}
for f in dma-aislib/stream_example.txt amsa-risky/exact-earth-with-tag-block.txt; do
    in=$REAL/$f
    [ -f "$in" ] || continue
    feed R "$in"
    read -r n multi < <(check_msgs R sw.R "$in" 256) || fail "$f: messages read back"
    [ "$multi" -gt 0 ] || fail "$f: no multi-sentence message read back"
    echo "RESULT: $f: $n messages read back ($multi of several sentences): subjects, raw bodies, MMSIs and ids as documented"
    python3 "$SW_ROOT/tests/bus/jsdump.py" "$NATS_PORT" delete R || fail "delete stream R"
done
# the tag-block file: its receivers and times in the headers
grep -q '"Sw-Receiver": "rEV02"' "$T/msgs.jsonl" || fail "tag block: no Sw-Receiver"
grep -q '"Sw-Time-Src": "tagblock"' "$T/msgs.jsonl" || fail "tag block: no Sw-Time-Src"

# A simulated day.
"$SW_BIN" simulate --seed 3 --hours 24 --vessels 20 --out "$T/sim.nmea" --truth "$T/sim.json" 2>/dev/null || fail "simulate"
{ read -r want; read -r adup; } < <(expected "$T/sim.nmea")
feed SIM --partitions 8 "$T/sim.nmea"
stored=$(summary "$T/feed.err" stored) dup=$(summary "$T/feed.err" duplicates)
[ "$(summary "$T/feed.err" published)" = "$want" ] && [ "$(stream_msgs SIM)" = "$stored" ] &&
    [ $((stored + dup)) = "$want" ] && [ "$dup" -le "$adup" ] ||
    { cat "$T/feed.err"; fail "simulated day: published/stored differ from $want"; }
python3 "$SW_ROOT/tests/bus/jsdump.py" "$NATS_PORT" info SIM | python3 -c '
import json, sys
d = json.load(sys.stdin)
subj = d["state"].get("subjects", {})
if len(subj) != 8 or any(not k.startswith("sw.SIM.") for k in subj):
    sys.exit("FAIL: simulated day: subjects %s" % sorted(subj))' || exit 1
echo "RESULT: simulated day: $want messages published as analyze reads them, $stored stored over 8 partitions ($dup exact repeats; analyze: $adup duplicates)"
exit 0
