#!/usr/bin/env bash
# Issue 15, must-show 1: over several simulated seeds (tanker calls at Nampo, dark calls, STS in
# Korea Bay, Rajin-Vostochny shuttles with dark legs, hard negatives), possible_port_call and
# corridor_voyage reach precision and recall of 0.95 against the simulator's truth, and the cap
# tracker's delivery count and volume are within 10% of the truth's.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 absent"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
SEEDS=${SW_CASES_SEEDS:-"1 2 3 4"}
for s in $SEEDS; do
    "$SW_BIN" simulate --seed "$s" --out "$T/s$s.nmea" --truth "$T/t$s.json" 2>/dev/null ||
        fail "simulate seed $s"
    "$SW_BIN" analyze -q --db "$T/a$s.db" --events "$T/e$s.jsonl" "$T/s$s.nmea" ||
        fail "analyze seed $s"
    "$SW_BIN" eval --json "$T/t$s.json" "$T/e$s.jsonl" >"$T/r$s.json" || fail "eval seed $s"
    "$SW_BIN" cases --db "$T/a$s.db" --cap --json >"$T/c$s.json" || fail "cases seed $s"
done
python3 - "$T" $SEEDS <<'PY' || exit 1
import json, sys
d, seeds = sys.argv[1], sys.argv[2:]
tot = {t: [0, 0, 0] for t in ("possible_port_call", "corridor_voyage")}
neg = 0
n_truth = n_found = 0
v_truth = [0.0] * 3
v_found = [0.0] * 3
opt = 0
for s in seeds:
    r = json.load(open(f"{d}/r{s}.json"))
    for ty in tot:
        x = r["types"].get(ty, {"tp": 0, "fp": 0, "fn": 0})
        for i, k in enumerate(("tp", "fp", "fn")):
            tot[ty][i] += x[k]
    neg += sum(1 for h in r["on_negatives"] if h["type"] in tot)
    cap_t = json.load(open(f"{d}/t{s}.json"))["cap"]
    cap_f = json.load(open(f"{d}/c{s}.json"))["cap"]
    n_truth += cap_t["certain"]
    opt += sum(1 for x in cap_t["deliveries"] if x["optional"])
    n_found += len(cap_f["deliveries"])
    for i in range(3):
        v_truth[i] += cap_t["bbl"][i]
        v_found[i] += sum(y["bbl"][i] for y in cap_f["years"])
    print(f"NOTE seed {s}: deliveries truth {cap_t['certain']} found {len(cap_f['deliveries'])}, "
          f"barrels at 50% truth {cap_t['bbl'][1]:.0f} found {sum(y['bbl'][1] for y in cap_f['years']):.0f}")
bad = 0
for ty, (tp, fp, fn) in tot.items():
    p = tp / (tp + fp) if tp + fp else 0
    rc = tp / (tp + fn) if tp + fn else 0
    print(f"RESULT {ty} tp={tp} fp={fp} fn={fn} precision={p:.3f} recall={rc:.3f}")
    if p < 0.95 or rc < 0.95:
        print(f"FAIL: {ty} below 0.95"); bad = 1
print(f"RESULT events of these types on hard negatives: {neg}")
bad |= neg > 0
dn = abs(n_found - n_truth) / n_truth if n_truth else 1
print(f"RESULT cap deliveries: truth {n_truth} (+{opt} optional), found {n_found}, error {100*dn:.1f}%")
bad |= not (n_truth - 0.1 * n_truth <= n_found <= n_truth + opt + 0.1 * n_truth)
for i, f in enumerate(("33%", "50%", "90%")):
    dv = abs(v_found[i] - v_truth[i]) / v_truth[i] if v_truth[i] else 1
    print(f"RESULT cap barrels at {f}: truth {v_truth[i]:.0f}, found {v_found[i]:.0f}, error {100*dv:.1f}%")
    bad |= dv > 0.10
sys.exit(1 if bad else 0)
PY
echo "ok: seeds $SEEDS"
