#!/usr/bin/env bash
# 'sanctwatch ledger' end to end: keygen (owner-only secret key, refused when readable by
# others or when it would overwrite), append (idempotent, conflicting ids refused), head,
# inclusion and consistency proofs verified offline with only the public key and the files,
# forged files refused, and the signed head checked with the stock openssl CLI (skipped
# visibly when openssl is absent).
set -u
BIN=${SW_BIN:?}
T=$(mktemp -d /tmp/swledger-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
fail=0
check() { # $1 description, then the command; must succeed
    local d=$1; shift
    if ! "$@" >out.txt 2>err.txt; then echo "FAIL: $d"; cat err.txt; fail=1; fi
}
refuse() { # $1 description, then the command; must fail
    local d=$1; shift
    if "$@" >out.txt 2>err.txt; then echo "FAIL: accepted: $d"; fail=1; else echo "refused ($d): $(cat err.txt)"; fi
}
check "keygen" "$BIN" ledger keygen --key k --name cli.test/log
[ "$(stat -c %a k)" = 600 ] || { echo "FAIL: secret key mode $(stat -c %a k)"; fail=1; }
refuse "keygen over an existing key" "$BIN" ledger keygen --key k
for i in 1 2 3 4 5; do
    printf '{"id":"e%d","type":"port_call","start":"2024-03-0%dT00:00:00Z","end":null,"port":{"name":"Nampo","country":"KP"},"details":{"hours":%d.25}}\n' $i $i $i
done >a.jsonl
check "append" "$BIN" ledger append --db t.db a.jsonl
grep -q "recorded 5 new events" out.txt || { echo "FAIL: $(cat out.txt)"; fail=1; }
check "append again" "$BIN" ledger append --db t.db a.jsonl
grep -q "recorded 0 new events (5 already present" out.txt || { echo "FAIL: not idempotent: $(cat out.txt)"; fail=1; }
gzip -c a.jsonl >a.jsonl.gz
check "append gzip from stdin" sh -c "\"$BIN\" ledger append --db z.db - <a.jsonl.gz"
grep -q "recorded 5 new events" out.txt || { echo "FAIL: stdin/gzip: $(cat out.txt)"; fail=1; }
check "head 1" "$BIN" ledger head --db t.db --key k --out h5
printf '{"id":"e6","type":"loitering","start":"2024-03-06T00:00:00Z"}\n{"id":"e2","type":"port_call","start":"2024-03-02T00:00:00Z"}\nnot json\n' >b.jsonl
refuse "conflicting id and a bad line" "$BIN" ledger append --db t.db b.jsonl
grep -q "b.jsonl:2: event 'e2' is already recorded with different content" err.txt || { echo "FAIL: conflict message"; fail=1; }
grep -q "b.jsonl:3: invalid JSON" err.txt || { echo "FAIL: bad-line message"; fail=1; }
check "head 2" "$BIN" ledger head --db t.db --key k --out h6
check "verify head" "$BIN" ledger verify --pub k.pub h6
grep -q "size 6" out.txt || { echo "FAIL: $(cat out.txt)"; fail=1; }
check "prove e3" "$BIN" ledger prove --db t.db --event e3 --out p3.json
check "verify inclusion" "$BIN" ledger verify --pub k.pub --head h6 --proof p3.json
check "prove e3 at size 5" "$BIN" ledger prove --db t.db --event e3 --size 5 --out p3old.json
check "verify inclusion at 5" "$BIN" ledger verify --pub k.pub --head h5 --proof p3old.json
check "prove consistency" "$BIN" ledger prove --db t.db --from 5 --to 6 --out c.json
check "verify consistency" "$BIN" ledger verify --pub k.pub --old h5 --head h6 --proof c.json
check "audit" "$BIN" ledger verify --pub k.pub --db t.db --head h5
# Forgeries and misuse.
refuse "inclusion proof against the wrong head" "$BIN" ledger verify --pub k.pub --head h5 --proof p3.json
refuse "consistency with heads swapped" "$BIN" ledger verify --pub k.pub --old h6 --head h5 --proof c.json
sed 's/"hours": 3.25/"hours": 3.5/' p3.json >p3x.json
refuse "proof carrying an edited event" "$BIN" ledger verify --pub k.pub --head h6 --proof p3x.json
sed '2s/6/7/' h6 >h7
refuse "head with an edited size" "$BIN" ledger verify --pub k.pub h7
"$BIN" ledger keygen --key other --name cli.test/log >/dev/null
refuse "head checked with another key" "$BIN" ledger verify --pub other.pub h6
refuse "unknown event" "$BIN" ledger prove --db t.db --event nope
chmod 644 k
refuse "secret key readable by others" "$BIN" ledger head --db t.db --key k
chmod 600 k
refuse "proof file that is not JSON" "$BIN" ledger verify --pub k.pub --head h6 --proof a.jsonl
# Regression: a directory given as a file said "input/output error" / "invalid argument".
mkdir -p adir
for c in "append --db t.db --key k adir" "verify --pub adir h6" "head --db t.db --key adir"; do
    refuse "directory: $c" "$BIN" ledger $c
    [ ! -s out.txt ] && grep -q "'adir': Is a directory$" err.txt || { echo "FAIL: directory message for '$c': $(cat err.txt)"; fail=1; }
done
# Regression: head/prove on a misspelt --db created it and signed a head of the empty log.
for c in "head --db nodb.db --key k" "head --show --db nodb.db" "prove --db nodb.db --event e1"; do
    refuse "absent database: $c" "$BIN" ledger $c
    [ ! -e nodb.db ] && [ ! -s out.txt ] && grep -q "cannot open 'nodb.db': No such file or directory" err.txt || { echo "FAIL: absent database '$c' (created or wrong message)"; fail=1; }
done
refuse "public key that is not a regular file" "$BIN" ledger verify --pub /dev/null h6
grep -q "not a regular file" err.txt || { echo "FAIL: /dev/null key message: $(cat err.txt)"; fail=1; }
# Stock tools: the signed text and signature of the head check with openssl.
if command -v openssl >/dev/null && openssl pkeyutl -help 2>&1 | grep -q rawin; then
    awk '/^$/ { exit } { print }' h6 >msg
    tail -n 1 h6 | awk '{ print $3 }' | base64 -d | tail -c 64 >sig
    if openssl pkeyutl -verify -pubin -inkey k.pub.pem -rawin -in msg -sigfile sig >/dev/null; then
        echo "AGREE: openssl pkeyutl -verify -rawin accepts the signed head"
    else echo "FAIL: openssl rejects the signed head"; fail=1; fi
    printf 'x' >>msg
    if openssl pkeyutl -verify -pubin -inkey k.pub.pem -rawin -in msg -sigfile sig >/dev/null 2>&1; then
        echo "FAIL: openssl accepts an altered head"; fail=1
    fi
else
    echo "SKIP: openssl with pkeyutl -rawin not installed; stock-tool check not run"
fi
exit $fail
