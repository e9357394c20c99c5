#!/usr/bin/env bash
# Lists the functions of src/ longer than MAX lines (default 150; STYLE: no function over 150
# lines, table-driven decoders and JSON writers aside). A function is counted from the line
# of its name to the brace that closes its body (the house style, clang-format with Linux
# braces, puts a definition's name and its opening '{' in column 0). Exits 1 when one is found that is not in the
# ALLOWED list below, with the reason it is allowed.
#   scripts/check-functions.sh [MAX] [FILE...]
set -eu
cd "$(dirname "$0")/.."
MAX=${1:-150}
shift || true
# file:function  why it may be longer
ALLOWED='
src/ais/ais_app.c:*       table-driven decoder (one case per message type and field)
src/ais/ais_decode.c:*    table-driven decoder (one case per message type and field)
src/ais/ais_json.c:*      JSON writer (one case per message type, fields in gpsd order)
'
files=("$@")
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(git ls-files 'src/*.c')
found=$(for f in "${files[@]}"; do
    awk -v max="$MAX" -v file="$f" '
        # brace depth, with comments, strings and character constants taken out
        { line = $0
          if (incomment) { if (sub(/^.*\*\//, "", line)) incomment = 0; else next }
          gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, "", line)
          if (sub(/\/\*.*$/, "", line)) incomment = 1
          sub(/\/\/.*$/, "", line)
          gsub(/\\./, "", line); gsub(/"[^"]*"/, "", line); gsub(/\047[^\047]*\047/, "", line) }
        depth == 0 && /^[A-Za-z_].*\(/ && !/;[[:space:]]*$/ { name = $0; start = FNR }
        depth == 0 && /^\{/ && name != "" { open = start }
        { depth += gsub(/\{/, "{", line) - gsub(/\}/, "}", line) }
        depth == 0 && open { n = FNR - open + 1
            if (n > max) { fn = name; sub(/\(.*/, "", fn); sub(/.*[ *]/, "", fn)
                           printf "%s:%d: %s is %d lines\n", file, open, fn, n }
            open = 0; name = "" }
    ' "$f"
done)
status=0
while IFS= read -r line; do
    [ -n "$line" ] || continue
    file=${line%%:*} fn=$(sed -E 's/^[^ ]+ ([A-Za-z0-9_]+) is .*/\1/' <<<"$line")
    why=$(grep -E "^$file:(\*|$fn) " <<<"$ALLOWED" | sed -E 's/^[^ ]+ +//' || true)
    if [ -n "$why" ]; then echo "allowed: $line ($why)"; else echo "$line"; status=1; fi
done <<<"$found"
exit $status
