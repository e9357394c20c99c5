# Helpers of the witness script tests: start 'sanctwatch witness serve' on a port the kernel
# picks (port 0, read back from --port-file), stop every process started (the caller's trap
# calls stop_all), and post raw add-checkpoint bodies with curl.
# Globals: BIN (the CLI), T (the test's temporary directory).
WPIDS=""
# setup NAME: a fresh temporary directory $T, removed on exit with every witness stopped; cd
# there. ok/bad report a check; bad makes the test fail ($fail).
setup() {
    T=$(mktemp -d "/tmp/$1.XXXXXX") || exit 1
    trap 'stop_all; rm -rf "$T"' EXIT
    cd "$T" || exit 1
    fail=0
}
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
# start_witness NAME LOGARG... : key NAME.key (made once), state NAME.db, port in NAME.port.
start_witness() {
    local n=$1; shift
    [ -f "$T/$n.key" ] || "$BIN" witness keygen --key "$T/$n.key" --name "$n.example" >/dev/null || return 1
    rm -f "$T/$n.port"
    "$BIN" witness serve --key "$T/$n.key" --state "$T/$n.db" --listen 127.0.0.1:0 \
        --port-file "$T/$n.port" --timeout "${WTIMEOUT:-10}" "$@" >"$T/$n.out" 2>>"$T/$n.err" &
    local pid=$!
    echo "$pid" >"$T/$n.pid"
    WPIDS="$WPIDS $pid"
    local i
    for i in $(seq 1 200); do # up to 20 s (the ASan build starts slowly)
        [ -s "$T/$n.port" ] && return 0
        kill -0 "$pid" 2>/dev/null || { echo "witness $n died:"; cat "$T/$n.err"; return 1; }
        sleep 0.1
    done
    echo "witness $n did not start"; return 1
}
port_of() { cat "$T/$1.port"; }
url_of() { echo "http://127.0.0.1:$(port_of "$1")"; }
# stop_witness NAME: SIGTERM, then wait for a clean exit (status 0).
stop_witness() {
    local pid; pid=$(cat "$T/$1.pid")
    kill -TERM "$pid" 2>/dev/null
    wait "$pid"; local rc=$?
    WPIDS=$(echo "$WPIDS" | tr ' ' '\n' | grep -vx "$pid" | tr '\n' ' ')
    return $rc
}
stop_all() {
    local p
    for p in $WPIDS; do kill -TERM "$p" 2>/dev/null; done
    for p in $WPIDS; do wait "$p" 2>/dev/null; done
    WPIDS=""
}
# post NAME FILE : POST FILE to NAME's add-checkpoint; prints "STATUS" and keeps the body in
# $T/resp.body and the headers in $T/resp.hdr.
post() {
    curl -s -o "$T/resp.body" -D "$T/resp.hdr" -w '%{http_code}' --max-time 20 \
        -H 'Content-Type: text/plain' --data-binary "@$2" "$(url_of "$1")/add-checkpoint"
}
# policy_line NAME : "witness NAME.example VKEY URL"
policy_line() { echo "witness $1.example $(cat "$T/$1.key.pub") $(url_of "$1")"; }
# events FROM TO [SALT]: JSON lines of events FROM..TO (SALT changes their content: a fork)
events() {
    local i
    for i in $(seq "$1" "$2"); do
        printf '{"id":"ev-%04d","type":"port_call","details":{"n":%d,"salt":"%s"}}\n' "$i" "$i" "${3:-}"
    done
}
