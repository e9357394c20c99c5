#!/usr/bin/env bash
# Three witness processes, quorum two (issue 16): a consistent history is cosigned by all
# three and verifies with the quorum; a log that forks (one leaf rewritten, then new heads
# signed with the same key) is refused by every honest witness, at the same size (409, split
# view) and beyond it (422), and each keeps it as evidence; 'ledger verify' given both
# histories names the keys that signed both (the log key, and a witness that was made to
# forget its state); with one witness down the other two still make the quorum; the witness
# restarted from its state refuses a rollback (409 naming its size, 400 for an old size above
# the head) and then catches up from the size it holds.
set -u
BIN=${SW_BIN:?}
. "$(dirname "$0")/lib.sh"
setup swwitness-quorum

"$BIN" ledger keygen --key log.key --name partners.example/dprk-ais >/dev/null || exit 1
LOG="partners.example/dprk-ais=$T/log.key.pub"
for w in w1 w2 w3; do start_witness $w --log "$LOG" || exit 1; done
{ for w in w1 w2 w3; do policy_line $w; done; echo "quorum 2"; } >policy

# A consistent history: three heads, each cosigned by all three.
events 1 10 | "$BIN" ledger append --db log.db - >/dev/null
"$BIN" ledger head --db log.db --key log.key --witnesses policy --out h1.txt 2>err.txt \
    && grep -q "3 of 3 witnesses cosigned" err.txt && ok "head 1 (size 10) cosigned by 3" || { bad "head 1"; cat err.txt; }
events 11 17 | "$BIN" ledger append --db log.db - >/dev/null
"$BIN" ledger head --db log.db --key log.key --witnesses policy --out h2.txt 2>err.txt \
    && grep -q "3 of 3 witnesses cosigned" err.txt && ok "head 2 (size 17) cosigned by 3, each from the size it held" || { bad "head 2"; cat err.txt; }
grep -c "^— w[123].example " h2.txt | grep -qx 3 || bad "head 2 does not carry 3 cosignatures"
"$BIN" ledger verify --pub log.key.pub --witnesses policy h2.txt >out.txt 2>&1 \
    && grep -q "cosigned by 3 of 3 witnesses (quorum 2)" out.txt && ok "verify with quorum 2" || { bad "verify"; cat out.txt; }
"$BIN" ledger verify --pub log.key.pub --witness "w1.example=$T/w1.key.pub" --quorum 1 h2.txt >/dev/null 2>&1 \
    || bad "verify --witness NAME=PUBKEY --quorum 1"
for w in w1 w2 w3; do grep -q "200 cosigned 'partners.example/dprk-ais' at size 17 (old size 10)" $w.err || bad "$w did not cosign 10 -> 17"; done
"$BIN" ledger head --show --db log.db >shown.txt && grep -c "^— w" shown.txt | grep -qx 3 || bad "ledger head --show lacks the recorded cosignatures"
"$BIN" ledger verify --pub log.key.pub --witnesses policy --db log.db --head h2.txt >/dev/null 2>&1 || bad "audit with the cosigned head"

# A dishonest fourth witness: it cosigns the honest head, then forgets its state.
start_witness w4 --log "$LOG" || exit 1
{ policy_line w4; echo "quorum 1"; } >policy4
"$BIN" ledger head --db log.db --key log.key --witnesses policy4 --out h2b.txt 2>/dev/null || bad "w4 cosigns the honest head"
stop_witness w4; rm -f w4.db w4.db-wal w4.db-shm
start_witness w4 --log "$LOG" || exit 1

# The fork: the same events but one rewritten, then as many as the honest log (17).
{ events 1 4; events 5 5 rewritten; events 6 17; } | "$BIN" ledger append --db fork.db - >/dev/null
cp policy fork-policy
"$BIN" ledger head --db fork.db --key log.key --witnesses fork-policy --out f1.txt 2>err.txt
rc=$?
[ $rc -ne 0 ] && grep -q "0 of 3 witnesses cosigned" err.txt && ok "forked head of size 17 refused by all three" || { bad "fork at the same size (rc $rc)"; cat err.txt; }
for w in w1 w2 w3; do grep -q "409 split view" $w.err || bad "$w did not say split view"; done
# ... and grown beyond: the forger's own consistency proof fails at every witness.
events 18 20 | "$BIN" ledger append --db fork.db - >/dev/null
"$BIN" ledger head --db fork.db --key log.key --witnesses fork-policy --out f2.txt 2>err.txt \
    && bad "the grown fork was accepted" || ok "grown fork (size 20) refused: $(grep -c 'refused (422)' err.txt) witnesses answered 422"
grep -c "refused (422)" err.txt | grep -qx 3 || { bad "not three 422s"; cat err.txt; }
for w in w1 w2 w3; do
    "$BIN" witness status --state $w.db >st.txt 2>&1
    grep -q "refused  partners.example/dprk-ais size 17 .*(409): split view" st.txt && grep -q "size 20 .*(422): inconsistent" st.txt \
        || { bad "$w kept no evidence"; cat st.txt; }
done
ok "each honest witness kept both forked heads as evidence"
# The forgetful w4 (restarted on another port) cosigns the fork: it has signed both histories.
{ policy_line w4; echo "quorum 1"; } >policy4
"$BIN" ledger head --db fork.db --key log.key --witnesses policy4 --out f3.txt 2>/dev/null || bad "w4 (no state) cosigned the fork"
"$BIN" ledger verify --pub log.key.pub --old h2.txt --head f1.txt >out.txt 2>&1 \
    && bad "two roots at size 17 accepted" || { grep -q "split view" out.txt && grep -q "signed both histories: log key 'partners.example/dprk-ais'" out.txt && ok "split view at size 17 names the log key: $(grep -c 'signed both' out.txt) signer(s)" || { bad "split view report"; cat out.txt; }; }
"$BIN" ledger prove --db fork.db --from 17 --to 20 --out fp.json >/dev/null
"$BIN" ledger verify --pub log.key.pub --witness "w4.example=$T/w4.key.pub" --quorum 1 --old h2b.txt --head f3.txt --proof fp.json >out.txt 2>&1 \
    && bad "the fork's proof accepted against the honest head" \
    || { grep -q "signed both histories: witness 'w4.example'" out.txt && grep -q "signed both histories: log key" out.txt && ok "inconsistent heads name the log key and witness w4" || { bad "w4 not named"; cat out.txt; }; }

# One witness down: two still make the quorum.
stop_witness w3 || bad "w3 did not stop cleanly on SIGTERM"
events 18 25 | "$BIN" ledger append --db log.db - >/dev/null
"$BIN" ledger head --db log.db --key log.key --witnesses policy --out h3.txt 2>err.txt \
    && grep -q "2 of 3 witnesses cosigned (quorum 2)" err.txt && ok "w3 down: head 3 (size 25) still cosigned by a quorum" || { bad "quorum with one down"; cat err.txt; }
"$BIN" ledger verify --pub log.key.pub --witnesses policy h3.txt >/dev/null 2>&1 || bad "verify head 3 with quorum 2"
"$BIN" ledger verify --pub log.key.pub --witnesses policy --quorum 3 h3.txt >out.txt 2>&1 \
    && bad "quorum 3 met by 2" || grep -q "cosigned by 2 of the 3 witnesses; the quorum is 3" out.txt || bad "quorum 3 message: $(cat out.txt)"

# w3 restarted from its state (it holds size 17): a rollback is refused.
start_witness w3 --log "$LOG" || exit 1
{ for w in w1 w2 w3; do policy_line $w; done; echo "quorum 2"; } >policy
body() { printf 'old %s\n\n' "$1"; awk -v RS= 'NR==1 { print; print ""; exit }' "$2"; grep "^— partners" "$2"; }
body 0 h1.txt >rb0; body 10 h1.txt >rb10; body 17 h1.txt >rb17
s=$(post w3 rb0); [ "$s" = 409 ] && [ "$(cat resp.body)" = 17 ] && grep -qi "content-type: text/x.tlog.size" resp.hdr && ok "rollback to size 10 (old 0): 409 '17'" || bad "rollback old 0: $s $(cat resp.body)"
s=$(post w3 rb10); [ "$s" = 409 ] && ok "rollback claiming old 10: 409" || bad "rollback old 10: $s"
s=$(post w3 rb17); [ "$s" = 400 ] && ok "old 17 above the head's 10: 400" || bad "old 17: $s"
events 26 30 | "$BIN" ledger append --db log.db - >/dev/null
"$BIN" ledger head --db log.db --key log.key --witnesses policy --out h4.txt 2>err.txt \
    && grep -q "3 of 3 witnesses cosigned" err.txt && ok "w3 catches up from 17 to 30" || { bad "catch-up"; cat err.txt; }
grep -q "200 cosigned 'partners.example/dprk-ais' at size 30 (old size 17)" w3.err || bad "w3 did not catch up from 17"
"$BIN" report --db log.db --pub log.key.pub --out rep >/dev/null 2>&1 || bad "report"
grep -q "Cosigned by 3 witnesses:</p><ul class=\"cosigners\"><li>w1.example at " rep/report.html \
    && ok "the report's annex lists the 3 cosigners" || bad "report annex lacks the cosigners"
stop_all
[ $fail -eq 0 ] && echo "RESULT: 3 witnesses, quorum 2: consistent heads cosigned, fork refused by all (409 split view, 422), split-view signers named, quorum kept with one down, rollback refused after restart"
exit $fail
