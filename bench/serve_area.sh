#!/usr/bin/env bash
# CPU time of the service per area query: a store of VESSELS (100,000) vessels from
# bench_analyze's synthetic recording (as bench/serve.sh builds it), `sanctwatch serve` on it
# without a feed, N (300) random 5 x 5 degree areas in compact rows (the dashboard's map
# request) asked one after another by one curl, and the server's user+system CPU (from
# /proc/PID/stat) before and after: CPU ms a request and bytes a response. With BASE=DIR (a
# build directory of another commit) the same requests go to that build's server too,
# alternately ROUNDS (3) times, and both are printed, each with the SHA-256 of all its
# responses (the same for both when they answer byte for byte the same).
# Usage: [BASE=build-old] [ROUNDS=3] bench/serve_area.sh [VESSELS] [N]   (BUILD=build default)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build} ROUNDS=${ROUNDS:-3}
V=${1:-100000} N=${2:-300}
T=$(mktemp -d /tmp/sw-bench-area-XXXXXX)
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT
F=/tmp/sw-bench-$((V * 10))-$V-f2.nmea
[ -f "$F" ] || "$ROOT/$BUILD/bench/bench_analyze" --write "$F" --messages $((V * 10)) --vessels "$V" --fleet 2
SW="$ROOT/$BUILD/sanctwatch"
"$SW" analyze -q --db "$T/b.db" "$F"
OTP=$("$SW" users add --db "$T/b.db" --role viewer bench | sed -n 's/.*: \([A-Za-z0-9]*\)$/\1/p' | head -1)
start() { # $1: the build's sanctwatch
    rm -f "$T/port"
    "$1" serve --db "$T/b.db" --listen 127.0.0.1:0 --port-file "$T/port" --quiet --threads 4 2>>"$T/serve.log" &
    SRV=$!
    for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
    U="http://127.0.0.1:$(cat "$T/port")/api/v1"
}
start "$SW"
CSRF=$(curl -s -c "$T/cj" -H 'Content-Type: application/json' -d "{\"name\":\"bench\",\"password\":\"$OTP\"}" "$U/login" | sed 's/.*"csrf":"\([0-9a-f]*\)".*/\1/')
curl -s -b "$T/cj" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
    -d "{\"old\":\"$OTP\",\"new\":\"bench password 1\"}" "$U/password" >/dev/null
TOKEN=$(curl -s -b "$T/cj" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
    -d '{"label":"bench"}' "$U/tokens" | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=
RANDOM=7
i=0
for _ in $(seq "$N"); do
    s=$((20 + RANDOM % 30)) w=$((115 + RANDOM % 30))
    echo "url = \"PATH/vessels?bbox=$s,$w,$((s + 5)),$((w + 5))&format=compact&limit=5000\""
    echo "output = \"OUT/$(printf %04d "$i")\""
    i=$((i + 1))
done >"$T/areas"
measure() { # $1: label, $2: sanctwatch
    start "$2"
    rm -rf "$T/out"; mkdir "$T/out"
    sed "s#PATH#$U#; s#OUT#$T/out#" "$T/areas" >"$T/cfg"
    local w=""
    for _ in 1 2 3 4 5 6 7 8; do # every HTTP thread's connection has read once
        curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$U/vessels?bbox=30,125,35,130&format=compact&limit=5000" &
        w="$w $!"
    done
    wait $w
    local t0 t1
    t0=$(awk '{print $14 + $15}' /proc/$SRV/stat)
    curl -s -K "$T/cfg" -H "Authorization: Bearer $TOKEN" -w '%{http_code} %{size_download}\n' >"$T/codes"
    t1=$(awk '{print $14 + $15}' /proc/$SRV/stat)
    kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=
    awk -v l="$1" -v n="$N" -v c=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" \
        -v sum="$(cat "$T"/out/* | sha256sum | cut -c1-16)" \
        '$1 != 200 {bad++} {b += $2} END {printf "%-28s %d areas, %d not 200: server CPU %.2f ms a request, %d bytes a response, sha256 of all %s\n", l, n, bad, c * 1000 / hz / n, b / NR, sum}' "$T/codes"
}
echo "== $V vessels, $N areas of 5 x 5 degrees a round; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
    measure "round $r $BUILD" "$SW"
    [ -n "${BASE:-}" ] && measure "round $r $BASE" "$ROOT/$BASE/sanctwatch"
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
