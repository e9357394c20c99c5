#!/usr/bin/env bash
# Real recordings (AMSA terrestrial and exactEarth satellite feeds, the DMA Gatehouse stream)
# decode with every line accounted for per reason, and yield at least as many messages as
# Debian's gpsdecode (gpsd-clients) gets from the same file. Prints one AGREE line per file.
set -u
R="$SW_SHARED/data/ais/real"
[ -d "$R" ] || { echo "SKIP: real recordings absent at $R"; exit 77; }
command -v gpsdecode >/dev/null || { echo "SKIP: gpsdecode not installed (gpsd-clients)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0 files=0
for f in "$R"/amsa-risky/* "$R"/dma-aislib/*; do
    [ -f "$f" ] || continue
    files=$((files + 1))
    name=${f#$R/}
    if ! "$SW_BIN" decode "$f" >"$tmp/ours" 2>"$tmp/err"; then
        echo "FAIL $name: exit status"; cat "$tmp/err"; fails=$((fails + 1)); continue
    fi
    ours=$(grep -c '^{"class":"AIS"' "$tmp/ours")
    gpsd=$(gpsdecode -j <"$f" 2>/dev/null | grep -c '"class":"AIS"')
    s=$(sed -e 's/^decode: lines \([0-9]*\):/lines=\1/' -e 's/^decode: messages \([0-9]*\):/messages=\1/' "$tmp/err" | tr '\n' ' ')
    get() { printf '%s\n' $s | sed -n "s/^$1=//p"; }
    lines=$(get lines) sum=0
    for k in used empty comment other_nmea header checksum malformed garbage nul too_long oversize orphan incomplete evicted; do
        n=$(get $k); sum=$((sum + ${n:-0}))
    done
    want_lines=$(wc -l <"$f"); [ -n "$(tail -c1 "$f")" ] && want_lines=$((want_lines + 1))
    echo "AGREE $name ours=$ours gpsdecode=$gpsd lines=$lines"
    echo "RESULT $name: $(tr '\n' ' ' <"$tmp/err" | sed 's/decode: //g; s/ [a-z_0-9]*=0\b//g')"
    [ "$sum" = "$lines" ] || { echo "FAIL $name: reasons add up to $sum, not $lines"; fails=$((fails + 1)); }
    [ "$lines" = "$want_lines" ] || { echo "FAIL $name: $lines lines counted, file has $want_lines"; fails=$((fails + 1)); }
    [ "$(get decoded)" = "$ours" ] || { echo "FAIL $name: decoded=$(get decoded) but $ours JSON lines"; fails=$((fails + 1)); }
    [ "$ours" -ge "$gpsd" ] || { echo "FAIL $name: fewer messages than gpsdecode ($ours < $gpsd)"; fails=$((fails + 1)); }
    [ "$ours" -gt 0 ] || { echo "FAIL $name: nothing decoded"; fails=$((fails + 1)); }
done
[ "$files" -gt 0 ] || { echo "SKIP: no recordings found"; exit 77; }
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "$files recordings: at least as many messages as gpsdecode"
