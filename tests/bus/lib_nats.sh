# Sourced by the bus tests: a private nats-server on ports it picks itself (-p -1, -m -1),
# its store in the test's temporary directory, stopped by the EXIT trap.
#   nats_start [-js]   starts one; sets NATS_PORT (clients) and NATS_MON (monitoring)
#   stream_msgs NAME   messages in stream NAME (from the monitoring endpoint /jsz)
#   pos DB             the stream position a worker committed in database DB
# Skips the test visibly (exit 77) when nats-server is absent. Needs $T (mktemp -d).
command -v nats-server >/dev/null || { echo "SKIP: nats-server absent (scripts/deps.sh installs it)"; exit 77; }
NATS_PIDS=()
nats_cleanup() { for p in "${NATS_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap nats_cleanup EXIT
# Every server started is stopped by the trap; .ci/run also lists them (SW_NATS_PIDS, a file)
# to check that none outlived its test.
nats_started() { NATS_PIDS+=("$1"); [ -z "${SW_NATS_PIDS:-}" ] || echo "$1" >>"$SW_NATS_PIDS"; }
nats_start() {
    local d
    d=$(mktemp -d "$T/nats.XXXXXX")
    nats-server "$@" -a 127.0.0.1 -p -1 -m -1 -sd "$d/store" -l "$d/log" &
    nats_started $!
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
# The stream position a worker committed in database $1 (empty when none yet).
pos() { sqlite3 "$1" "SELECT lines FROM ingest_inputs WHERE input LIKE 'nats:%'" 2>/dev/null; }
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
# A three-node JetStream cluster on 127.0.0.1 (cluster "sw", servers n1 n2 n3), each with its
# own configuration, store and log in $T/cl/nI, stopped by the EXIT trap.
#   cluster_start        sets CL_PORT[i], CL_MON[i] (i = 1..3), CL_BUS (all three client
#                        addresses, comma-separated) and CL_PID[i]; returns when every node
#                        names the same meta leader
#   cluster_kill I       SIGKILL node I (and reap it);  cluster_restart I  starts it again
#   stream_leader NAME   the node number (1..3) that leads stream NAME, empty when none
# Ports: nine bound at once to port 0 by python and released, then given to the nodes; when a
# node fails to bind (another test took the port in between), the whole start is retried.
CL_PORT=() CL_MON=() CL_ROUTE=() CL_PID=()
cluster_node() {
    local i=$1 d=$T/cl/n$1 j routes=""
    for j in 1 2 3; do [ "$j" = "$i" ] || routes="$routes \"nats-route://127.0.0.1:${CL_ROUTE[$j]}\","; done
    mkdir -p "$d"
    cat >"$d/conf" <<CONF
server_name: n$i
listen: 127.0.0.1:${CL_PORT[$i]}
http: 127.0.0.1:${CL_MON[$i]}
jetstream { store_dir: "$d/store" }
cluster {
  name: sw
  listen: 127.0.0.1:${CL_ROUTE[$i]}
  routes: [$routes ]
}
CONF
    nats-server -c "$d/conf" -l "$d/log" 3>&- &
    CL_PID[$i]=$!
    nats_started $!
}
cluster_meta_leader() { # the meta leader node $1 names, empty when none
    curl -sf "http://127.0.0.1:${CL_MON[$1]}/jsz" 2>/dev/null |
        python3 -c 'import json,sys; print((json.load(sys.stdin).get("meta_cluster") or {}).get("leader") or "")' 2>/dev/null
}
cluster_start() {
    local try i ok l
    for try in 1 2 3 4 5; do
        rm -rf "$T/cl"
        read -r -a ports < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(9)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
        for i in 1 2 3; do
            CL_PORT[$i]=${ports[$((i * 3 - 3))]} CL_ROUTE[$i]=${ports[$((i * 3 - 2))]} CL_MON[$i]=${ports[$((i * 3 - 1))]}
        done
        for i in 1 2 3; do cluster_node "$i"; done
        for _ in $(seq 1 300); do
            ok=1
            for i in 1 2 3; do
                kill -0 "${CL_PID[$i]}" 2>/dev/null || { ok=dead; break; }
                l=$(cluster_meta_leader "$i")
                [ -n "$l" ] || ok=0
            done
            [ "$ok" = 1 ] || [ "$ok" = dead ] && break
            sleep 0.1
        done
        if [ "$ok" = 1 ]; then
            CL_BUS="nats://127.0.0.1:${CL_PORT[1]},nats://127.0.0.1:${CL_PORT[2]},nats://127.0.0.1:${CL_PORT[3]}"
            echo "NOTE: cluster up (try $try): clients ${CL_PORT[*]}, meta leader $(cluster_meta_leader 1)"
            return 0
        fi
        echo "NOTE: cluster start $try failed ($ok), retrying on other ports"
        for i in 1 2 3; do grep -i "error\|fatal" "$T/cl/n$i/log" 2>/dev/null | head -2; kill -KILL "${CL_PID[$i]}" 2>/dev/null; wait "${CL_PID[$i]}" 2>/dev/null; done
    done
    echo "FAIL: the three-node cluster did not start"
    exit 1
}
cluster_kill() { kill -KILL "${CL_PID[$1]}" 2>/dev/null; wait "${CL_PID[$1]}" 2>/dev/null; }
cluster_restart() { cluster_node "$1"; }
stream_leader() {
    local i l
    for i in 1 2 3; do
        kill -0 "${CL_PID[$i]}" 2>/dev/null || continue
        l=$(curl -sf "http://127.0.0.1:${CL_MON[$i]}/jsz?streams=true" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
for a in d.get("account_details", []):
    for s in a.get("stream_detail", []):
        if s["name"] == sys.argv[1]: print((s.get("cluster") or {}).get("leader") or "")' "$1" 2>/dev/null)
        [ -n "$l" ] && { echo "${l#n}"; return; }
    done
}
