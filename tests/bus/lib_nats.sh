# Sourced by the bus tests: a private nats-server on ports it picks itself (-p -1, -m -1),
# its store in the test's temporary directory, stopped by the EXIT trap.
#   nats_start [-js]   starts one; sets NATS_PORT (clients) and NATS_MON (monitoring)
#   stream_msgs NAME   messages in stream NAME (from the monitoring endpoint /jsz)
# Skips the test visibly (exit 77) when nats-server is absent. Needs $T (mktemp -d).
command -v nats-server >/dev/null || { echo "SKIP: nats-server absent (scripts/deps.sh installs it)"; exit 77; }
NATS_PIDS=()
nats_cleanup() { for p in "${NATS_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap nats_cleanup EXIT
nats_start() {
    local d
    d=$(mktemp -d "$T/nats.XXXXXX")
    nats-server "$@" -a 127.0.0.1 -p -1 -m -1 -sd "$d/store" -l "$d/log" &
    NATS_PIDS+=($!)
    for _ in $(seq 1 100); do grep -q "Server is ready" "$d/log" 2>/dev/null && break; sleep 0.1; done
    NATS_PORT=$(sed -n 's/.*Listening for client connections on .*:\([0-9]*\)$/\1/p' "$d/log")
    NATS_MON=$(sed -n 's/.*Starting http monitor on .*:\([0-9]*\)$/\1/p' "$d/log")
    [ -n "$NATS_PORT" ] && [ -n "$NATS_MON" ] || { cat "$d/log"; echo "FAIL: nats-server did not start"; exit 1; }
}
stream_msgs() {
    curl -sf "http://127.0.0.1:$NATS_MON/jsz?streams=true" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(s["state"]["messages"] for a in d.get("account_details", [])
          for s in a.get("stream_detail", []) if s["name"] == sys.argv[1]))' "$1"
}
# A port nothing listens on: bound, then released.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# The summary line's field: "feed: N published, N stored, N duplicates, N malformed, N failed".
summary() { sed -n "s/^feed: .*\b\([0-9][0-9]*\) $2\b.*/\1/p" "$1" | tail -1; }
# What the worker tests compare between runs: events, ledger, vessel picture of database $1.
db_dump() {
    local t
    for t in events event_vessels ledger_state ledger_tiles vessels track identity_history; do
        echo "== $t"
        sqlite3 "$1" "SELECT * FROM $t ORDER BY 1,2"
    done
}
