#!/usr/bin/env bash
# sanctwatch feed on hostile input and when the bus fails (docs/bus.md):
#  - a file of binary junk, NUL bytes, an over-long line, bad checksums, orphan fragments and
#    valid sentences: exit 0, every valid message published (as many as analyze reads from the
#    same file), the junk counted; three-sentence messages, on consecutive lines or two
#    interleaved, published as their own three raw lines; a two-sentence one whose first line
#    is too long to keep (a 1,100-byte tag block) rebuilt as one sentence of the same payload
#    (Sw-Rebuilt);
#  - a refused port, a server without JetStream, a stream of other partitions, a stream that
#    refuses the messages (max_msg_size), SIGINT while reading a pipe, a server killed while
#    feeding: each a clear message and a non-zero exit; usage errors exit 2.
set -u
T=$(mktemp -d)
. "$(dirname "$0")/lib_nats.sh"
fail() { echo "FAIL: $*"; exit 1; }
counter() { sqlite3 "$1" "SELECT COALESCE(json_extract(counters,'\$.$2'),0) FROM ingest_runs ORDER BY id DESC LIMIT 1"; }
JS="python3 $SW_ROOT/tests/bus/jsdump.py"

# ---- usage
"$SW_BIN" feed x.nmea 2>"$T/err"; [ $? = 2 ] && grep -q -- "--bus nats://HOST:PORT is required" "$T/err" || fail "no --bus: not a usage error"
"$SW_BIN" feed --bus nats://127.0.0.1:1 --partitions 0 x 2>"$T/err"; [ $? = 2 ] && grep -q "bad value '0' for --partitions" "$T/err" || fail "--partitions 0 accepted"
"$SW_BIN" feed --bus http://127.0.0.1:1 x 2>"$T/err"; [ $? = 2 ] && grep -q "bus 'http://127.0.0.1:1' is not a nats://HOST:PORT address" "$T/err" || { cat "$T/err"; fail "http:// bus accepted"; }
"$SW_BIN" feed --bus nats://127.0.0.1:1 --stream 'a.b' x 2>"$T/err"; [ $? = 1 ] && grep -q "stream name 'a.b' is not a JetStream name" "$T/err" || { cat "$T/err"; fail "stream a.b accepted"; }
# server lists (a cluster's seeds): a malformed entry, an empty one, too many; --replicas
usage_err() { # ARGS... -- EXPECTED: exit 2 and the message, nothing connected to
    local args=() a
    while [ "$1" != -- ]; do args+=("$1"); shift; done
    "$SW_BIN" feed "${args[@]}" x 2>"$T/err"; a=$?
    [ $a = 2 ] && grep -qF -- "$2" "$T/err" || { cat "$T/err"; fail "feed ${args[*]}: exit $a, not the usage error '$2'"; }
}
usage_err --bus nats://127.0.0.1:1,http://127.0.0.1:2 -- "bus server 2 'http://127.0.0.1:2' is not a nats://HOST:PORT address"
usage_err --bus nats://127.0.0.1:1,,nats://127.0.0.1:2 -- "bus server 2 '' is not a nats://HOST:PORT address"
usage_err --bus nats://127.0.0.1:1, -- "bus server 2 '' is not a nats://HOST:PORT address"
usage_err --bus nats://127.0.0.1:99999 -- "bus server 1 'nats://127.0.0.1:99999' is not a nats://HOST:PORT address"
usage_err --bus "nats://127.0.0.1:1,nats://a b:2" -- "bus server 2 'nats://a b:2' is not a nats://HOST:PORT address"
usage_err --bus nats://127.0.0.1:1,nats://:4222 -- "bus server 2 'nats://:4222' is not a nats://HOST:PORT address"
usage_err --bus nats://u:p@127.0.0.1:1/x -- "bus server 1 'nats://u:p@127.0.0.1:1/x' is not a nats://HOST:PORT address"
usage_err --bus "$(printf 'nats://127.0.0.1:1,%.0s' $(seq 1 16))nats://127.0.0.1:1" -- "has more than 16 servers"
usage_err --bus "nats://$(head -c 3000 /dev/zero | tr '\0' a):1" -- "is not a nats://HOST:PORT address"
usage_err --bus nats://127.0.0.1:1 --replicas 0 -- "bad value '0' for --replicas"
usage_err --bus nats://127.0.0.1:1 --replicas 6 -- "bad value '6' for --replicas"
echo "RESULT: --bus lists with a malformed, an empty or a 17th entry, a port over 65535, --replicas 0 or 6: usage errors, exit 2"

# ---- a refused port
P=$(free_port)
echo '!AIVDM,1,1,,A,15MgK45P3@G?fl0E`JbR0OwT0@MS,0*4E' >"$T/one.nmea"
"$SW_BIN" feed --bus "nats://127.0.0.1:$P" "$T/one.nmea" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "^sanctwatch: feed: cannot connect to 'nats://127.0.0.1:$P'" "$T/err" || { cat "$T/err"; fail "refused port: rc=$rc"; }
echo "RESULT: refused port: $(head -1 "$T/err"), exit 1"

# ---- a server without JetStream
nats_start
"$SW_BIN" feed --bus "nats://127.0.0.1:$NATS_PORT" "$T/one.nmea" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "no JetStream at 'nats://127.0.0.1:$NATS_PORT'" "$T/err" || { cat "$T/err"; fail "no JetStream: rc=$rc"; }
echo "RESULT: no JetStream: $(head -1 "$T/err"), exit 1"

nats_start -js
BUS=nats://127.0.0.1:$NATS_PORT
# ---- a stream of other partitions, a stream taking other subjects
"$SW_BIN" feed --bus "$BUS" --stream P --subject p --partitions 4 -q "$T/one.nmea" 2>"$T/err" || { cat "$T/err"; fail "first feed to P"; }
"$SW_BIN" feed --bus "$BUS" --stream P --subject p --partitions 8 -q "$T/one.nmea" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "stream 'P' is not partitioned as asked (it says 'sanctwatch raw AIS, partitions=4', not 'sanctwatch raw AIS, partitions=8')" "$T/err" || { cat "$T/err"; fail "partitions mismatch: rc=$rc"; }
"$SW_BIN" feed --bus "$BUS" --stream P --subject q --partitions 4 -q "$T/one.nmea" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "stream 'P' does not take subjects 'q.>'" "$T/err" || { cat "$T/err"; fail "subject mismatch: rc=$rc"; }
"$SW_BIN" feed --bus "$BUS,nats://127.0.0.1:$(free_port)" --stream P --subject p --partitions 4 --replicas 3 -q "$T/one.nmea" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "stream 'P' is not replicated as asked (it has 1 replicas, not 3)" "$T/err" || { cat "$T/err"; fail "replicas mismatch: rc=$rc"; }
"$SW_BIN" feed --bus "$BUS" --stream R3 --subject r3 --replicas 3 -q "$T/one.nmea" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "cannot create the stream 'R3': .*" "$T/err" || { cat "$T/err"; fail "R3 on one server: rc=$rc"; }
echo "RESULT: a stream of other partitions, subjects or replicas: refused, exit 1; --replicas 3 on one server: $(cat "$T/err")"

# ---- a stream that refuses the messages (made by hand with a 64-byte message limit)
$JS "$NATS_PORT" create SMALL 'small.>' "sanctwatch raw AIS, partitions=256" 64 || fail "create SMALL"
"$SW_BIN" feed --bus "$BUS" --stream SMALL --subject small "$T/one.nmea" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "the server refused message 'small\.[0-9]*': .*" "$T/err" && grep -q " 1 failed" "$T/err" ||
    { cat "$T/err"; fail "refused message: rc=$rc"; }
echo "RESULT: a refused message: $(grep refused "$T/err"), exit 1"

# ---- hostile input
python3 - "$T/hostile.nmea" "$T/expect" <<'PY'
import random, sys
random.seed(7)
def cs(s):
    x = 0
    for ch in s.encode('latin-1'):
        x ^= ch
    return '%02X' % x
def sentence(count, num, seq, payload, fill):
    body = 'AIVDM,%d,%d,%s,A,%s,%d' % (count, num, seq, payload, fill)
    return '!%s*%s' % (body, cs(body))
# a type 5 payload (424 bits, 71 characters), MMSI 440123456, split three ways
def enc(bits):
    bits += '0' * (-len(bits) % 6)
    out = ''
    for i in range(0, len(bits), 6):
        v = int(bits[i:i + 6], 2)
        out += chr(v + 48 if v < 40 else v + 56)
    return out, (-424) % 6
def t5(mmsi):
    b = format(5, '06b') + '00' + format(mmsi, '030b') + '0' * (424 - 38)
    return enc(b)[0]
A, B, C = t5(440123456), t5(440654321), t5(441000001)
pos = '15MgK45P3@G?fl0E`JbR0OwT0@MS'
lines = []
lines.append(sentence(1, 1, '', pos, 0))                       # valid
lines.append(''.join(chr(random.randrange(256)) for _ in range(3000)).replace('\n', ' '))
lines.append('x' * 100000)                                      # over-long
lines.append('!AIVDM,1,1,,A,' + pos + ',0*00')                   # bad checksum
lines.append('!AIVDM,1,1,,A,15Mg\0K45P3@G?fl0E,0*4E')            # NUL
lines.append(sentence(2, 2, '3', pos, 0))                       # orphan
for i in range(3):                                              # C: consecutive
    lines.append(sentence(3, i + 1, '1', C[i * 24:(i + 1) * 24], 2 if i == 2 else 0))
for i in range(3):                                              # A and B interleaved
    lines.append(sentence(3, i + 1, '2', A[i * 24:(i + 1) * 24], 2 if i == 2 else 0))
    lines.append(sentence(3, i + 1, '3', B[i * 24:(i + 1) * 24], 2 if i == 2 else 0))
D = t5(441999999)                                               # D: first line too long
tb = 'x:' + 'a' * 1100
lines.append('\\%s*%s\\%s' % (tb, cs(tb), sentence(2, 1, '4', D[:60], 0)))
lines.append(sentence(2, 2, '4', D[60:], 2))
lines.append(sentence(1, 1, '', pos, 0))                        # valid again
data = b''.join(l.encode('latin-1') + b'\n' for l in lines)
data += random.randbytes(200000)                                # binary junk to the end
open(sys.argv[1], 'wb').write(data + b'\n')
open(sys.argv[2], 'w').write(C[:24] + ' ' + A[:24] + ' ' + B[:24] + ' ' + D + '\n')
PY
"$SW_BIN" analyze -q --no-detect --db "$T/h.db" "$T/hostile.nmea" 2>/dev/null || fail "analyze hostile"
want=$(($(counter "$T/h.db" messages) - $(counter "$T/h.db" decode_error) - $(counter "$T/h.db" bad_mmsi)))
[ "$want" -ge 5 ] || fail "hostile file: analyze reads only $want messages"
"$SW_BIN" feed --bus "$BUS" --stream H --subject h "$T/hostile.nmea" 2>"$T/err" || { cat "$T/err"; fail "hostile: non-zero exit"; }
[ "$(summary "$T/err" published)" = "$want" ] || { cat "$T/err"; fail "hostile: published $(summary "$T/err" published), analyze reads $want"; }
[ "$(stream_msgs H)" = "$want" ] || fail "hostile: stream holds $(stream_msgs H), not $want"
grep -q "line_too_long *1$" "$T/err" && grep -q "nmea_checksum" "$T/err" && grep -q "nmea_nul" "$T/err" &&
    grep -q "nmea_orphan" "$T/err" && grep -q "rebuilt *1$" "$T/err" || { cat "$T/err"; fail "hostile: counters"; }
mal=$(summary "$T/err" malformed)
[ "$mal" -ge 5 ] || { cat "$T/err"; fail "hostile: malformed $mal"; }
$JS "$NATS_PORT" msgs H >"$T/h.jsonl" || fail "read H"
python3 - "$T/h.jsonl" "$T/expect" <<'PY' || exit 1
import json, re, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
c_first, a_first, b_first, d_payload = open(sys.argv[2]).read().split()
by = {m['headers']['Sw-Mmsi']: m for m in msgs}
c, a, b, d = by.get('441000001'), by.get('440123456'), by.get('440654321'), by.get('441999999')
if not (c and a and b and d):
    sys.exit('FAIL: the multi-sentence messages were not all published')
def raw3(m, first, seq):
    ls = m['data'].split('\n')
    return (len(ls) == 3 and first in ls[0] and 'Sw-Rebuilt' not in m['headers'] and
            all((',3,%d,%s,A,' % (i + 1, seq)) in l for i, l in enumerate(ls)))
for m, first, seq, what in ((c, c_first, 1, 'consecutive'), (a, a_first, 2, 'interleaved A'),
                            (b, b_first, 3, 'interleaved B')):
    if not raw3(m, first, seq):
        sys.exit('FAIL: %s three-sentence message not its own raw lines: %r' % (what, m['data']))
if d['headers'].get('Sw-Rebuilt') != '1' or re.search(r',1,1,,A,([^,]*),2\*', d['data']).group(1) != d_payload:
    sys.exit('FAIL: message with an over-long fragment not rebuilt with its payload: %r' % d['data'])
PY
echo "RESULT: hostile file: $want messages published as analyze reads them, $mal lines or messages malformed; three-sentence messages (two interleaved) raw, one with an over-long fragment rebuilt"

# ---- SIGINT while reading a live pipe (a line every 0.1 s): it stops there, what was read is
# acknowledged (the line reader fills its buffer from a pipe before it hands out lines: 60,000
# lines first), a clear message, exit 1
mkfifo "$T/intr"
"$SW_BIN" feed --bus "$BUS" --stream I --subject i "$T/intr" 2>"$T/err" &
FEED=$!
exec 3>"$T/intr"
yes "$(cat "$T/one.nmea")" | head -n 60000 >&3 # more than the reader asks a pipe for at once
( for i in $(seq 1 600); do cat "$T/one.nmea" || exit 0; sleep 0.1; done ) >&3 2>/dev/null &
PACER=$!
sleep 1
kill -INT $FEED
for i in $(seq 1 300); do kill -0 $FEED 2>/dev/null || break; sleep 0.1; done
kill -0 $FEED 2>/dev/null && { kill $FEED; fail "SIGINT: feed still running 30 s later"; }
wait $FEED; rc=$?
kill $PACER 2>/dev/null; wait $PACER 2>/dev/null
exec 3>&-
pub=$(summary "$T/err" published)
[ $rc = 1 ] && grep -q "interrupted in '$T/intr'; feeding it again publishes nothing twice" "$T/err" &&
    [ "$pub" -ge 1 ] && [ "$(summary "$T/err" stored)" = "$pub" ] && [ "$(stream_msgs I)" = "$pub" ] ||
    { cat "$T/err"; fail "SIGINT: rc=$rc"; }
echo "RESULT: SIGINT while reading a live pipe: exit 1, the $pub messages read were stored ($(grep interrupted "$T/err"))"

# ---- the server killed while feeding: acks never come; a clear message, exit 1
mkfifo "$T/fifo"
"$SW_BIN" feed --bus "$BUS" --stream K --subject k --ack-timeout 3 "$T/fifo" 2>"$T/err" &
FEED=$!
exec 3>"$T/fifo"
for i in $(seq 1 20); do cat "$T/one.nmea" >&3; done
sleep 0.5
kill -9 "${NATS_PIDS[-1]}"
wait "${NATS_PIDS[-1]}" 2>/dev/null
for i in $(seq 1 2000); do cat "$T/one.nmea" >&3 || break; done 2>/dev/null
exec 3>&-
for i in $(seq 1 600); do kill -0 $FEED 2>/dev/null || break; sleep 0.1; done
kill -0 $FEED 2>/dev/null && { kill $FEED; fail "feed still running 60 s after its server died"; }
wait $FEED; rc=$?
[ $rc = 1 ] && grep -Eq "^sanctwatch: feed: (cannot publish|[0-9]+ messages were not acknowledged|cannot wait)" "$T/err" ||
    { cat "$T/err"; fail "server killed: rc=$rc"; }
[ "$(summary "$T/err" published)" = $(($(summary "$T/err" stored) + $(summary "$T/err" duplicates) + $(summary "$T/err" failed))) ] ||
    { cat "$T/err"; fail "server killed: published is not stored + duplicates + failed"; }
echo "RESULT: server killed while feeding: $(grep '^sanctwatch' "$T/err" | head -1), exit 1"
exit 0
