#!/usr/bin/env bash
# make install into a scratch DESTDIR: the installed program reports its version, finds its
# data beside itself (no source tree, no environment), runs the bundled example end to end
# (scripts/example.sh with SW= the installed program), finds its data through SW_DATADIR
# and SANCTWATCH_DATA when moved away from it, and 'man sanctwatch-analyze' shows the page.
set -u
ROOT=${SW_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${SW_BUILD:-$ROOT/build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
unset SW_DATADIR SANCTWATCH_DATA

# The default PREFIX (/usr/local) is the one the build was made with: nothing is rebuilt.
make -C "$ROOT" -s install BUILD="$BUILD_DIR" DESTDIR="$T/dest" >"$T/make.log" 2>&1 ||
    { cat "$T/make.log"; fail "make install"; }
P=$T/dest/usr/local
SW=$P/bin/sanctwatch
[ -x "$SW" ] || fail "no program at $SW"
for f in ports.csv detect.conf mid.csv land/ne_10m_land.txt.gz screening/stopwords.txt \
    screening/korean_romanization.tsv zones/kp_eez.geojson examples/sdn_2024-05-03.csv.gz; do
    [ -f "$P/share/sanctwatch/$f" ] || fail "data file $f not installed"
done
# one man page for sanctwatch and for each command of 'sanctwatch --help'
[ -f "$P/share/man/man1/sanctwatch.1" ] || fail "man page sanctwatch.1 not installed"
cmds=$("$SW" --help | sed -n 's/^  \([a-z]*\) .*/\1/p')
[ "$(wc -w <<<"$cmds")" -ge 10 ] || fail "commands not read from --help: $cmds"
for c in $cmds; do
    [ -f "$P/share/man/man1/sanctwatch-$c.1" ] || fail "no man page for command '$c'"
done

# --version prints the one version string (include/sanctwatch/version.h)
want=$(sed -n 's/^#define SW_VERSION "\(.*\)"/\1/p' "$ROOT/include/sanctwatch/version.h")
[ "$("$SW" --version)" = "sanctwatch $want" ] || fail "--version: $("$SW" --version)"
# and the installed man pages name the same one (the sources in docs/man name none)
for m in "$P"/share/man/man1/sanctwatch*.1; do
    head -1 "$m" | grep -q "\"sanctwatch $want\"" || fail "$(basename "$m") does not name version $want"
done
! grep -l '"sanctwatch [0-9]' "$ROOT"/docs/man/*.1 || fail "a man page in docs/man names a version of its own"

# Away from the source tree: the data beside the installed program is found.
mkdir -p "$T/work"
(cd "$T/work" && "$SW" simulate --seed 2 --hours 24 --vessels 2 --out s.nmea --truth t.json) \
    >"$T/sim.log" 2>&1 || { cat "$T/sim.log"; fail "installed simulate cannot find its data"; }

# The example, run by the installed program with its installed example files.
SW=$SW EXAMPLES=$P/share/sanctwatch/examples OUT=$T/example bash "$ROOT/scripts/example.sh" \
    >"$T/example.log" 2>&1 || { tail -20 "$T/example.log"; fail "example with the installed program"; }
[ -s "$T/example/report/report.html" ] || fail "example wrote no report"
grep -q '"type":"listed_vessel"\|"type":"encounter"' "$T/example/events.jsonl" ||
    fail "example found no events"

# Moved away from its data: SW_DATADIR, or the older SANCTWATCH_DATA, points to it.
mkdir -p "$T/moved/bin"
cp "$SW" "$T/moved/bin/sanctwatch"
M=$T/moved/bin/sanctwatch
(cd "$T/work" && SW_DATADIR=$P/share/sanctwatch "$M" simulate --seed 2 --hours 24 --vessels 2 \
    --out s2.nmea --truth t2.json) >/dev/null 2>&1 || fail "SW_DATADIR not followed"
cmp -s "$T/work/s.nmea" "$T/work/s2.nmea" || fail "SW_DATADIR: other output"
(cd "$T/work" && SANCTWATCH_DATA=$P/share/sanctwatch "$M" simulate --seed 2 --hours 24 \
    --vessels 2 --out s3.nmea --truth t3.json) >/dev/null 2>&1 || fail "SANCTWATCH_DATA not followed"

# man sanctwatch-analyze
if command -v man >/dev/null 2>&1; then
    MANPATH=$P/share/man MANWIDTH=80 man sanctwatch-analyze 2>"$T/man.err" >"$T/man.txt" ||
        { cat "$T/man.err"; fail "man sanctwatch-analyze"; }
    grep -q "sanctwatch-analyze *- build the picture of every vessel" "$T/man.txt" ||
        { head "$T/man.txt"; fail "man page text"; }
    grep -q -- "--lateness SEC" "$T/man.txt" || fail "man page options"
else
    echo "NOTE: man is not installed; the man pages were checked as installed files only"
fi

make -C "$ROOT" -s uninstall BUILD="$BUILD_DIR" DESTDIR="$T/dest" >/dev/null 2>&1 || fail "uninstall"
[ ! -e "$SW" ] && [ ! -e "$P/share/sanctwatch" ] || fail "uninstall left files"
echo "ok"
