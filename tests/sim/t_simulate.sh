#!/usr/bin/env bash
# sanctwatch simulate and eval from the command line: the same seed gives the same bytes,
# the truth scored against itself gives precision and recall 1 for every type and kind (with
# the transit summaries equal and every reception label agreeing), a detector that reports
# only what is on the hard negatives gets them all flagged, --split-hours cuts the traffic
# by tag-block time into files that together hold every line, and bad options are refused
# with exit 2.
set -u
BIN=${SW_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$BIN" simulate --seed 5 --hours 24 --vessels 10 --out "$T/a.nmea" --truth "$T/a.json" 2>"$T/err" || fail "simulate: $(cat "$T/err")"
grep -q '^simulate: seed 5,' "$T/err" || fail "no summary line"
"$BIN" simulate --seed 5 --hours 24 --vessels 10 --out "$T/b.nmea" --truth "$T/b.json" 2>/dev/null || fail "simulate again"
cmp -s "$T/a.nmea" "$T/b.nmea" || fail "same seed, different NMEA"
cmp -s "$T/a.json" "$T/b.json" || fail "same seed, different truth"
"$BIN" simulate --seed 6 --hours 24 --vessels 10 --out "$T/c.nmea" --truth "$T/c.json" 2>/dev/null || fail "seed 6"
cmp -s "$T/a.nmea" "$T/c.nmea" && fail "different seeds, same NMEA"

# tag blocks with several sources, multi-sentence groups
grep -q '^\\s:r[A-Za-z]*,c:[0-9]*\*[0-9A-F][0-9A-F]\\!AIVDM,1,1,,[AB],' "$T/a.nmea" || fail "no single-sentence tag block line"
grep -q '^\\g:1-2-[0-9]*,s:' "$T/a.nmea" || fail "no g: group"
[ "$(grep -o '^\\[^*]*s:[A-Za-z0-9]*' "$T/a.nmea" | sed 's/.*s://' | sort -u | wc -l)" -ge 5 ] || fail "fewer than 5 receivers"

# the decoder reads every line
if "$BIN" decode --help >/dev/null 2>&1; then
    "$BIN" decode "$T/a.nmea" >"$T/dec.json" 2>"$T/dec.err" || fail "decode failed"
    grep -q 'checksum=0 malformed=0' "$T/dec.err" || fail "decoder rejected lines: $(tail -2 "$T/dec.err")"
fi

# truth as events -> perfect score; events on a negative are reported
python3 - "$T/a.json" "$T/ev.jsonl" "$T/neg.jsonl" <<'PY' || fail "python"
import json, sys
t = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for e in t["events"]:
        f.write(json.dumps({"type": e["type"], "start": e["start"], "end": e["end"],
                            "vessels": [{"mmsi": m} for m in e["vessels"]],
                            "details": e.get("details", {})}) + "\n")
    for z in t["zone_transits"]:
        day = z["day"] + "T00:00:00Z"
        f.write(json.dumps({"type": "zone_entry", "start": day, "end": day,
                            "vessels": [{"mmsi": z["mmsi"]}],
                            "details": {"kind": "transits", "zone": z["zone"],
                                        "entries": z["entries"]}}) + "\n")
with open(sys.argv[3], "w") as f:
    for n in t["negatives"]:
        f.write(json.dumps({"type": "encounter" if len(n["vessels"]) > 1 else "loitering",
                            "start": n["start"], "end": n["end"],
                            "vessels": [{"mmsi": m} for m in n["vessels"]]}) + "\n")
PY
"$BIN" eval --json "$T/a.json" "$T/ev.jsonl" >"$T/score.json" || fail "eval exit"
python3 - "$T/score.json" <<'PY' || fail "imperfect self-score: $(cat "$T/score.json")"
import json, sys
s = json.load(open(sys.argv[1]))
types = s["types"]
assert len(types) == 12, types.keys()
for k, r in types.items():
    assert r["truth"] > 0, k
    assert r["precision"] == 1.0 and r["recall"] == 1.0, (k, r)
assert s["on_negatives"] == []
for k, r in s["kinds"].items():
    assert r["precision"] == 1.0 and r["recall"] == 1.0, (k, r)
for k in ("identity_fraud/shared_mmsi", "identity_fraud/shared_imo", "zone_entry/entry"):
    assert s["kinds"][k]["truth"] > 0, k
z = s["zone_transits"]
assert z["truth"] > 0 and z["equal"] == z["truth"] == z["events"], z
rc = s["reception"]
assert rc["agree"] == s["types"]["ais_gap"]["truth"] and rc["disagree"] == 0, rc
print("RESULT self-score: 10 types and %d kinds, precision 1 and recall 1 each; %d transit "
      "summaries equal; %d reception labels agree" % (len(s["kinds"]), z["truth"], rc["agree"]))
PY
"$BIN" eval "$T/a.json" "$T/ev.jsonl" | grep -q '^encounter ' || fail "no table"
"$BIN" eval --json "$T/a.json" "$T/neg.jsonl" >"$T/negscore.json" || fail "eval negatives"
python3 - "$T/a.json" "$T/negscore.json" <<'PY' || fail "negatives not all flagged"
import json, sys
t = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2]))
assert len(s["on_negatives"]) == len(t["negatives"]), (len(s["on_negatives"]), len(t["negatives"]))
print("RESULT hard negatives: %d planted, %d flagged events" % (len(t["negatives"]), len(s["on_negatives"])))
PY

# --split-hours: FILE.000 ... hold the lines whose tag-block time falls in each 6 hours (a
# group's second sentence with its first), in delivery order; together every line once
"$BIN" simulate --seed 5 --hours 24 --vessels 10 --split-hours 6 --out "$T/s.nmea" --truth "$T/s.json" 2>/dev/null || fail "split"
# (regression: static data sent 1-2 s after a position in the last seconds of the run was
# stamped after the end and fell outside every file's hours)
cmp -s "$T/a.nmea" "$T/s.nmea" || fail "--split-hours changed the whole file"
cmp -s "$T/a.json" "$T/s.json" || fail "--split-hours changed the truth"
[ "$(ls "$T"/s.nmea.* | wc -l)" -eq 4 ] || fail "expected 4 split files: $(ls "$T")"
[ -e "$T/s.nmea.004" ] && fail "a fifth split file"
python3 - "$T/s.nmea" <<'PY' || fail "split files"
import re, sys, json
base = sys.argv[1]
whole = open(base).read().splitlines()
start = 1709251200
parts = []
for k in range(4):
    lines = open("%s.%03d" % (base, k)).read().splitlines()
    last = None
    for i, l in enumerate(lines):
        m = re.match(r"\\[^*]*c:(\d+)", l)
        if m:
            last = int(m.group(1))
            assert start + k * 21600 <= last < start + (k + 1) * 21600, (k, l)
        else:
            assert "g:2-2-" in l and last is not None, (k, l)
    parts.append(lines)
# the parts are the whole file's lines, each in its file's share and in delivery order
assert sorted(sum(parts, [])) == sorted(whole)
for p in parts:  # each part is a subsequence of the whole file
    j = 0
    for l in whole:
        if j < len(p) and l == p[j]:
            j += 1
    assert j == len(p), "delivery order not kept"
print("RESULT split: %d lines in 4 files of %s lines" % (len(whole), [len(p) for p in parts]))
PY

# errors
"$BIN" simulate --split-hours 0 --out "$T/x" --truth "$T/y" 2>/dev/null; [ $? -eq 2 ] || fail "split 0 not refused"
"$BIN" simulate --split-hours 6 --out - --truth "$T/y" 2>/dev/null >/dev/null; [ $? -eq 2 ] || fail "split to stdout not refused"
"$BIN" simulate --seed x --out "$T/x" --truth "$T/y" 2>/dev/null; [ $? -eq 2 ] || fail "bad seed not refused"
"$BIN" simulate --hours 5 --out "$T/x" --truth "$T/y" 2>/dev/null; [ $? -eq 2 ] || fail "short run not refused"
"$BIN" eval "$T/nope.json" "$T/ev.jsonl" 2>"$T/err"; [ $? -eq 1 ] || fail "missing truth not an error"
grep -q "cannot read '$T/nope.json': No such file or directory" "$T/err" || fail "message: $(cat "$T/err")"
echo '{"x":1}' >"$T/bad.json"
"$BIN" eval "$T/bad.json" "$T/ev.jsonl" 2>"$T/err"; [ $? -eq 1 ] || fail "bad truth accepted"
SANCTWATCH_DATA=/nonexistent "$BIN" simulate --data "$T" --out "$T/x" --truth "$T/y" 2>"$T/err"; [ $? -eq 1 ] || fail "missing data accepted"
# regression: --out and --truth naming one file (or both stdout) wrote the truth over the
# traffic, or mixed the two, and exited 0
"$BIN" simulate --out - --truth - >/dev/null 2>&1; [ $? -eq 2 ] || fail "both on stdout accepted"
"$BIN" simulate --out "$T/same" --truth "$T/same" 2>/dev/null; [ $? -eq 2 ] || fail "one file accepted"
"$BIN" simulate --out "$T/same" --truth "$T/./same" 2>"$T/err"; [ $? -eq 1 ] || fail "one file by two names accepted"
grep -q "are the same file" "$T/err" || fail "message: $(cat "$T/err")"
"$BIN" simulate --hours 24 --vessels 0 --out "$T/x" --truth - 2>/dev/null |
    python3 -c 'import json, sys; assert json.load(sys.stdin)["events"]' || fail "--truth - on stdout"
echo "ok"
