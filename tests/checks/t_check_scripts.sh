#!/usr/bin/env bash
# The house checks can fail (a check that cannot fail is a defect): scripts/check-sql.sh and
# scripts/check-docs.sh, run on a copy of the tracked tree (7 MB) made into a git checkout,
# pass the tree as it is, and each refuses what it exists to refuse:
#   check-sql:  SQL in the CLI; a module naming another module's table (lists' entries from
#               the vessel queries); SQLite prepared outside the store files; a table created
#               that no line lists. Transaction control in the CLI passes.
#   check-docs: a doc naming a file or a function that does not exist.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v python3 >/dev/null || { echo "SKIP: python3 absent"; exit 77; }
command -v git >/dev/null || { echo "SKIP: git absent"; exit 77; }
git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1 || { echo "SKIP: not a git checkout"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$ROOT" || exit 1
git ls-files | tar -cf - -T - | tar -xf - -C "$T" || fail "copy"
cd "$T" || exit 1
git init -q . && git add -A >/dev/null || fail "git"

scripts/check-sql.sh >out 2>&1 || { cat out; fail "check-sql refuses the tree as it is"; }
scripts/check-docs.sh >out 2>&1 || { cat out; fail "check-docs refuses the tree as it is"; }

# $1: what to expect in the output, the rest: a command changing the copy
refused() {
    local want=$1 file=$2
    shift 2
    cp "$file" "$file.keep"
    "$@"
    scripts/check-sql.sh >out 2>&1 && { cat out; fail "check-sql passed: $want"; }
    grep -q "$want" out || { cat out; fail "check-sql did not say '$want'"; }
    mv "$file.keep" "$file"
}
refused "src/cli/cmd_vessels.c:.*SQL outside the store's own files" src/cli/cmd_vessels.c \
    sed -i '1i static const char *q_ = "SELECT mmsi FROM vessels WHERE imo = ?1";' src/cli/cmd_vessels.c
refused "src/vessel/query.c:.*names table entries of src/lists" src/vessel/query.c \
    sed -i '1i static const char q_[] = " FROM entries e WHERE e.active = 1";' src/vessel/query.c
refused "src/report/report.c:.*sqlite3_prepare_v2 outside" src/report/report.c \
    sed -i '$a static int f_(sqlite3 *db, const char *s) { sqlite3_stmt *st; return sqlite3_prepare_v2(db, s, -1, \&st, NULL); }' src/report/report.c
refused "creates table extra_notes" src/ledger/ledger.c \
    sed -i '1i static const char c_[] = "CREATE TABLE extra_notes(id INTEGER)";' src/ledger/ledger.c
cp src/cli/cmd_vessels.c keep
sed -i '1i static const char *t_[] = {"BEGIN IMMEDIATE", "COMMIT", "ROLLBACK TO x; RELEASE x"};' src/cli/cmd_vessels.c
scripts/check-sql.sh >out 2>&1 || { cat out; fail "check-sql refused transaction control in the CLI"; }
mv keep src/cli/cmd_vessels.c

echo 'The walk names `src/ingest/nowhere.c` and `sw_pipeline_nowhere()`.' >>docs/architecture.md
scripts/check-docs.sh >out 2>&1 && { cat out; fail "check-docs passed a missing file and function"; }
grep -q "no file src/ingest/nowhere.c" out && grep -q "no function sw_pipeline_nowhere()" out ||
    { cat out; fail "check-docs did not name both"; }
echo "RESULT: check-sql and check-docs pass the tree and refuse SQL in the CLI, a module reading another's table, SQLite prepared outside the store files, an unlisted table, a missing file and function"
echo "ok"
