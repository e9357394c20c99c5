#!/usr/bin/env bash
# The witness's HTTP endpoint, over real sockets: every answer c2sp.org/tlog-witness names
# (200 cosignature, 400 malformed or old size above the head, 403 no trusted signature, 404
# unknown log, 409 stale old size with the size as body and type text/x.tlog.size, 422 a proof
# that does not hold) and hostile traffic (oversized bodies declared and chunked, garbage,
# wrong method and path, slow clients holding headers or bodies, 40 requests at once): the
# witness answers each, closes idle connections, keeps serving and stops cleanly on SIGTERM.
set -u
BIN=${SW_BIN:?}
. "$(dirname "$0")/lib.sh"
setup swwitness-http
trap 'exec 3>&- 4>&- 2>/dev/null; stop_all; rm -rf "$T"' EXIT
expect() { # expect STATUS DESCRIPTION FILE
    local s; s=$(post w1 "$3")
    if [ "$s" = "$1" ]; then ok "$2: $s $(grep -i '^x-witness-reason' resp.hdr | cut -c1-100 | tr -d '\r')"; else bad "$2: got $s, want $1 ($(head -c 200 resp.body))"; fi
}
"$BIN" ledger keygen --key log.key --name http.example/log >/dev/null
"$BIN" ledger keygen --key other.key --name other.example/log >/dev/null
"$BIN" ledger keygen --key imp.key --name http.example/log >/dev/null # same name, other key
WTIMEOUT=2 start_witness w1 --log "http.example/log=$T/log.key.pub" || exit 1

events 1 6 | "$BIN" ledger append --db log.db - >/dev/null
"$BIN" ledger head --db log.db --key log.key --out h6.txt
cp log.db imp.db
"$BIN" ledger head --db imp.db --key imp.key --out imp.txt
"$BIN" ledger head --db log.db --key other.key --out other.txt
{ printf 'old 0\n\n'; cat h6.txt; } >ok0
{ printf 'old 0\n\n'; cat other.txt; } >unknown
{ printf 'old 0\n\n'; cat imp.txt; } >impostor
{ printf 'old 7\n\n'; cat h6.txt; } >above
{ printf 'old 0\nKgEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n'; cat h6.txt; } >proof0
{ printf 'old 3\n\n'; cat h6.txt; } >stale
printf 'hello\n' >garbage
{ printf 'old 0\n\n'; sed 's/^6$/7/' h6.txt; } >forged # size changed: the signature breaks

expect 404 "unknown log" unknown
expect 403 "signed by an untrusted key of the log's name" impostor
expect 403 "signature broken" forged
expect 400 "garbage" garbage
expect 400 "old size above the checkpoint's" above
expect 422 "a proof with old size 0" proof0
expect 200 "first head" ok0
grep -q "^— w1.example " resp.body && [ "$(wc -l <resp.body)" = 1 ] || bad "200 body is not one cosignature line"
{ cat h6.txt; cat resp.body; } >cosigned.txt
"$BIN" ledger verify --pub log.key.pub --witness "w1.example=$T/w1.key.pub" cosigned.txt >/dev/null 2>&1 || bad "the returned cosignature does not verify"
expect 409 "old size 3 where the witness holds 6" stale
[ "$(cat resp.body)" = 6 ] && grep -qi '^content-type: text/x.tlog.size' resp.hdr || bad "409 body/type: $(cat resp.body)"
events 7 9 | "$BIN" ledger append --db log.db - >/dev/null
"$BIN" ledger head --db log.db --key log.key --out h9.txt
"$BIN" ledger prove --db log.db --from 6 --to 9 --out p.json >/dev/null
# A proof that does not hold: the right length, one hash changed.
python3 - "$T" <<'PY' || bad "python3 could not build the requests"
import base64, json, sys
t = sys.argv[1]
p = json.load(open(t + "/p.json"))
hs = [base64.b64encode(bytes.fromhex(h)).decode() for h in p["path"]]
head = open(t + "/h9.txt").read()
open(t + "/good69", "w").write("old 6\n" + "".join(h + "\n" for h in hs) + "\n" + head)
bad = list(hs); raw = bytearray(base64.b64decode(bad[0])); raw[0] ^= 1; bad[0] = base64.b64encode(bytes(raw)).decode()
open(t + "/bad69", "w").write("old 6\n" + "".join(h + "\n" for h in bad) + "\n" + head)
open(t + "/many", "w").write("old 6\n" + "".join(hs[0] + "\n" for _ in range(64)) + "\n" + head)
PY
expect 422 "consistency proof with a changed hash" bad69
expect 400 "64 proof lines" many
expect 200 "6 -> 9 with the log's proof" good69

# Hostile traffic.
s=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$(url_of w1)/add-checkpoint"); [ "$s" = 405 ] && ok "GET: 405" || bad "GET: $s"
s=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 --data-binary @ok0 "$(url_of w1)/other"); [ "$s" = 404 ] && ok "other path: 404" || bad "other path: $s"
head -c 300000 /dev/zero | tr '\0' 'A' >big
# The client waits for the server's go-ahead (Expect: 100-continue), so the 413 is read before
# any of the body is sent; without it curl may still be writing the body when the server answers
# and closes, and see the connection reset (000) instead of the answer.
s=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -H 'Expect: 100-continue' \
    -H 'Content-Type: text/plain' --data-binary @big "$(url_of w1)/add-checkpoint")
[ "$s" = 413 ] && ok "300 kB body declared: 413" || bad "big body: $s"
s=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -H 'Transfer-Encoding: chunked' --data-binary @big "$(url_of w1)/add-checkpoint")
[ "$s" != 200 ] && ok "300 kB chunked body: connection closed ($s)" || bad "chunked big body: $s"
head -c 20000 /dev/urandom >noise
s=$(post w1 noise); [ "$s" = 400 ] && ok "random bytes: 400" || bad "noise: $s"
# Slow clients: headers never finished, a body never finished. Both are closed by the idle
# limit (2 s here) while others are served.
PORT=$(port_of w1)
exec 3<>"/dev/tcp/127.0.0.1/$PORT"; printf 'POST /add-checkpoint HTTP/1.1\r\nHost: x\r\n' >&3
exec 4<>"/dev/tcp/127.0.0.1/$PORT"; printf 'POST /add-checkpoint HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nold 0\n' >&4
{ printf 'old 9\n\n'; cat h9.txt; } >same9
expect 200 "served while two clients stall" same9
timeout 60 cat <&3 >slow3.txt; r3=$?
timeout 60 cat <&4 >slow4.txt; r4=$?
[ $r3 -eq 0 ] && [ $r4 -eq 0 ] && ok "stalled connections closed by the idle limit" || bad "slow clients not closed ($r3 $r4)"
exec 3>&- 4>&-
# 40 requests at once (re-cosigning the same head): every one answered 200.
for i in $(seq 1 40); do
    { printf 'old 9\n\n'; cat h9.txt; } >same$i
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 --data-binary @same$i "$(url_of w1)/add-checkpoint" >>codes.txt &
done
wait $(jobs -p | grep -v -x "$(cat w1.pid)") 2>/dev/null
n200=$(grep -c '^200$' codes.txt)
[ "$n200" = 40 ] && ok "40 concurrent requests: 40 x 200" || bad "concurrent: $(sort codes.txt | uniq -c | tr '\n' ' ')"
kill -0 "$(cat w1.pid)" && ok "witness alive after the hostile traffic" || bad "witness died"
stop_witness w1 && ok "clean exit on SIGTERM" || bad "exit status $? on SIGTERM: $(tail -5 w1.err)"
"$BIN" witness status --state w1.db | grep -q "cosigned http.example/log size 9" || bad "state after restart-less stop"
[ $fail -eq 0 ] && echo "RESULT: every tlog-witness status over HTTP (200 400 403 404 409 422, and 405 413) and hostile traffic answered; stalled clients closed; clean stop"
exit $fail
