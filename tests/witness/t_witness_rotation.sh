#!/usr/bin/env bash
# Key rotation (issue 16): the log key is rotated ('ledger rotate' writes the new key and a
# statement signed by both keys); a head signed by the new key is refused by a verifier that
# knows only the old key, and accepted once it is given the statement (--rotation), with the
# audit of the whole database, old and new heads, passing the same way. A witness trusting
# both log keys for the origin (two --log) cosigns across the rotation without a gap. A
# witness key is rotated the same way: a verifier told the old witness key and the statement
# counts the new key's cosignature for that witness. A statement from an untrusted key, or a
# tampered one, is refused.
set -u
BIN=${SW_BIN:?}
. "$(dirname "$0")/lib.sh"
setup swwitness-rot
O=rot.example/log
"$BIN" ledger keygen --key old.key --name $O >/dev/null
"$BIN" ledger rotate --key old.key --new-key new.key --out log-rotation.txt 2>/dev/null || bad "ledger rotate"
head -1 new.key.pub | grep -q "^$O+" || bad "new key is not named for the origin"
start_witness w1 --log "$O=$T/old.key.pub" --log "$O=$T/new.key.pub" || exit 1
{ policy_line w1; echo "quorum 1"; } >policy

events 1 5 | "$BIN" ledger append --db log.db - >/dev/null
"$BIN" ledger head --db log.db --key old.key --witnesses policy --out h1.txt 2>/dev/null || bad "head under the old key"
events 6 9 | "$BIN" ledger append --db log.db - >/dev/null
"$BIN" ledger head --db log.db --key new.key --witnesses policy --out h2.txt 2>err.txt && ok "the witness cosigned the new key's head (5 -> 9)" || { bad "head under the new key"; cat err.txt; }

"$BIN" ledger verify --pub old.key.pub h2.txt >out.txt 2>&1 && bad "old verifier accepted the new key unprompted" || ok "old verifier alone refuses: $(cat out.txt)"
"$BIN" ledger verify --pub old.key.pub --rotation log-rotation.txt --witnesses policy h2.txt >out.txt 2>&1 \
    && ok "old verifier with the rotation statement accepts: $(head -1 out.txt)" || { bad "rotation not accepted"; cat out.txt; }
"$BIN" ledger prove --db log.db --from 5 --to 9 --out p.json >/dev/null
"$BIN" ledger verify --pub old.key.pub --rotation log-rotation.txt --old h1.txt --head h2.txt --proof p.json >/dev/null 2>&1 \
    && ok "the new key's head extends the old key's" || bad "consistency across the rotation"
"$BIN" ledger verify --pub old.key.pub --rotation log-rotation.txt --db log.db >/dev/null 2>&1 \
    && ok "audit of heads under both keys" || bad "audit with the rotation"
"$BIN" ledger verify --pub old.key.pub --db log.db >/dev/null 2>&1 && bad "audit without the statement passed" || true

# A statement about another key, and a tampered one.
"$BIN" ledger keygen --key stranger.key --name $O >/dev/null
"$BIN" ledger rotate --key stranger.key --new-key stranger2.key --out stranger-rotation.txt 2>/dev/null
"$BIN" ledger verify --pub old.key.pub --rotation stranger-rotation.txt h2.txt >out.txt 2>&1 \
    && bad "a stranger's statement accepted" || grep -q "not about a trusted key" out.txt || bad "stranger: $(cat out.txt)"
sed 's/^time 20/time 19/' log-rotation.txt >tampered.txt
"$BIN" ledger verify --pub old.key.pub --rotation tampered.txt h2.txt >out.txt 2>&1 \
    && bad "a tampered statement accepted" || ok "tampered statement refused: $(cat out.txt)"

# The witness rotates its key: the old verifier counts the new key's cosignature.
stop_witness w1
"$BIN" witness rotate --key w1.key --new-key w1b.key --out w-rotation.txt 2>/dev/null || bad "witness rotate"
mv w1.key w1-old.key; mv w1.key.pub w1-old.key.pub; cp w1b.key w1.key; cp w1b.key.pub w1.key.pub
start_witness w1 --log "$O=$T/old.key.pub" --log "$O=$T/new.key.pub" || exit 1
{ policy_line w1; echo "quorum 1"; } >policy
events 10 12 | "$BIN" ledger append --db log.db - >/dev/null
"$BIN" ledger head --db log.db --key new.key --witnesses policy --out h3.txt 2>err.txt || { bad "head with the rotated witness"; cat err.txt; }
"$BIN" ledger verify --pub old.key.pub --rotation log-rotation.txt --witness "w1.example=$T/w1-old.key.pub" --quorum 1 h3.txt >out.txt 2>&1 \
    && bad "old witness key counted the new key's cosignature unprompted" || ok "old witness key alone: $(cat out.txt)"
"$BIN" ledger verify --pub old.key.pub --rotation log-rotation.txt --rotation w-rotation.txt --witness "w1.example=$T/w1-old.key.pub" --quorum 1 h3.txt >out.txt 2>&1 \
    && ok "with the witness's statement: $(tail -1 out.txt)" || { bad "witness rotation"; cat out.txt; }
stop_all
[ $fail -eq 0 ] && echo "RESULT: log key and witness key rotated; old verifiers accept the new keys only with the signed rotation statements"
exit $fail
