#!/usr/bin/env bash
# No SQL outside the store's own files (issue 17, must-show 3; STYLE: the database schema is
# private to the store, and each module that owns tables keeps its SQL in its own store
# files; reads from elsewhere go through sanctwatch/query.h or the owning module's functions).
#
# What it reads: every string literal of the C sources in src/ (comments taken out, adjacent
# literals and the lines of a macro joined, so "SELECT ..." " FROM x" is one statement).
# A literal is SQL when it starts with a statement keyword (SELECT INSERT UPDATE DELETE
# CREATE ALTER DROP REPLACE WITH PRAGMA VACUUM ATTACH ...) followed by more text, or when it
# names a table of the schema after FROM, JOIN, INTO, UPDATE, TABLE, REFERENCES or ON (the
# fragments of a statement built from macros).
#
# It fails when
#   1. SQL stands in a file that is not listed in OWNERS below (the CLI, the report, the
#      detectors, screening, the server outside src/serve/store.c, ...);
#   2. a listed file's SQL names a table that is not in its own line (a module reading
#      another module's tables: the lists tables are read only by src/lists, draught_history
#      only by src/cases, ...), or creates a table not listed;
#   3. a table is listed under files of two modules (folders) (one owner per table);
#   4. a file outside OWNERS calls SQLite's preparing or executing functions itself
#      (sqlite3_prepare*, sqlite3_exec, sw_store_prepare, sw_store_stmt_get), which would
#      run SQL this scan cannot see.
# Transaction control (BEGIN [IMMEDIATE], COMMIT, ROLLBACK [TO x], SAVEPOINT x, RELEASE x,
# run through sw_store_exec or sw_store_rollback) is not schema: it may stand anywhere that
# owns a transaction (analyze's pipeline, ledger append, the report signing a head, the
# server's writer and accounts).
#   scripts/check-sql.sh            check src/
#   scripts/check-sql.sh -v         also list every SQL literal with the tables it names
set -eu
cd "$(dirname "$0")/.."
VERBOSE=0
[ "${1:-}" = "-v" ] && VERBOSE=1
# file  tables it owns (and names in its SQL); one module (folder) per table
OWNERS='
src/store/store.c       schema_migrations sqlite_master
src/store/stmtcache.c   sqlite_master
src/ingest/schema.c     ingest_runs ingest_inputs ingest_vessel_state ingest_pending ingest_state_log ingest_carry vessels identity_history track aids
src/ingest/checkpoint.c ingest_runs ingest_inputs ingest_pending ingest_state_log ingest_vessel_state
src/ingest/saved.c      ingest_vessel_state ingest_state_log ingest_carry ingest_pending
src/vessel/store.c      vessels identity_history track aids
src/vessel/query.c      vessels identity_history track
src/cases/store.c       draught_history
src/ledger/ledger.c     events event_vessels ledger_tiles ledger_state ledger_heads ledger_cosignatures ledger_reviews ledger_incidents
src/ledger/query.c      events event_vessels ledger_reviews ledger_incidents
src/ledger/review.c     events ledger_reviews
src/lists/schema.c      list_editions entries entry_names entry_ids entry_dobs entry_nationalities entry_addresses entry_links entry_vessels entry_former_flags entry_changes list_sources
src/lists/import.c      list_editions entries entry_names entry_ids entry_dobs entry_nationalities entry_addresses entry_links entry_vessels entry_former_flags entry_changes
src/lists/read.c        list_editions entries entry_names entry_ids entry_vessels entry_changes
src/lists/query.c       list_editions entries entry_names entry_ids entry_vessels
src/lists/subject.c     entries entry_names entry_ids entry_dobs entry_nationalities
src/lists/fetch.c       list_sources
src/serve/store.c       serve_users serve_sessions serve_tokens serve_watch serve_alerts
src/witness/witness.c   witness_logs witness_refusals
'
# Tables whose module is not the folder of every file that names them: the vessel tables
# are created by the ingest module's migrations (src/ingest/schema.c, module "ingest" in
# schema_migrations, where existing databases recorded them) and otherwise read and written
# only by src/vessel, their owner.
TABLE_MODULE='vessels=src/vessel identity_history=src/vessel track=src/vessel aids=src/vessel'

mapfile -t files < <(git ls-files 'src/*.c' 'src/*.h')
OWNERS="$OWNERS" TABLE_MODULE="$TABLE_MODULE" VERBOSE="$VERBOSE" python3 - "${files[@]}" <<'EOF'
import os, re, sys

owners = {}
for line in os.environ["OWNERS"].strip().splitlines():
    f, *tabs = line.split()
    owners[f] = set(tabs)
override = dict(p.split("=") for p in os.environ["TABLE_MODULE"].split())
verbose = os.environ["VERBOSE"] == "1"
bad = []

table_module = {}
for f, tabs in owners.items():
    for t in tabs:
        mod = override.get(t, os.path.dirname(f))
        m = table_module.setdefault(t, mod)
        if m != mod:
            bad.append(f"OWNERS: table {t} listed under {m} and {mod} (one owner per table)")
known = set(table_module)

def literals(text):
    """(line, text) of every string literal, adjacent ones and macro lines joined."""
    text = text.replace("\\\n", "  ")  # a macro's continued lines: same line count kept below
    out, cur, cur_line, line, i, n, last = [], None, 0, 1, 0, len(text), None
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == '"':
            j, s = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    s.append(text[j : j + 2])
                    j += 2
                else:
                    s.append(text[j])
                    j += 1
            lit = "".join(s)
            if cur is not None and last is not None and not text[last:i].strip():
                cur += lit
            else:
                if cur is not None:
                    out.append((cur_line, cur))
                cur, cur_line = lit, line
            i, last = j + 1, j + 1
            continue
        if c == "\n":
            line += 1
        i += 1
    if cur is not None:
        out.append((cur_line, cur))
    return out

STMT = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|REPLACE|WITH|PRAGMA|VACUUM"
                  r"|ATTACH|DETACH|ANALYZE|REINDEX)\s+\S")
TX_ONE = (r"(BEGIN(\s+(IMMEDIATE|EXCLUSIVE|DEFERRED))?(\s+TRANSACTION)?|COMMIT|END\s+TRANSACTION"
          r"|ROLLBACK(\s+TO(\s+SAVEPOINT)?\s+\w+)?|SAVEPOINT\s+\w+|RELEASE(\s+SAVEPOINT)?\s+\w+)")
TX = re.compile(r"\s*" + TX_ONE + r"(\s*;\s*" + TX_ONE + r")*\s*;?\s*$")
REF = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|REFERENCES|TABLE(?:\s+IF\s+NOT\s+EXISTS)?"
                 r"|INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?\w+\s+ON)\s+([A-Za-z_]\w*)")
CREATE = re.compile(r"\bCREATE\s+(?:TEMP\w*\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_]\w*)")
CALLS = re.compile(r"\b(sqlite3_prepare\w*|sqlite3_exec|sw_store_prepare|sw_store_stmt_get)\s*\(")

for f in sys.argv[1:]:
    text = open(f, encoding="utf-8").read()
    mine = owners.get(f)
    for ln, s in literals(text):
        if TX.match(s):
            continue
        body = re.sub(r"'[^']*'", "''", s)
        refs = {t for t in REF.findall(body)}
        if not STMT.match(s) and not (refs & known):
            continue
        if verbose:
            print(f"{f}:{ln}: {sorted(refs & known)}: {s[:90]}")
        if mine is None:
            bad.append(f"{f}:{ln}: SQL outside the store's own files: {s[:70]!r}")
            continue
        for t in sorted(refs & known):
            if t not in mine:
                bad.append(f"{f}:{ln}: names table {t} of {table_module[t]}, not listed for {f}")
        for t in CREATE.findall(body):
            if t not in mine:
                bad.append(f"{f}:{ln}: creates table {t}, not listed in scripts/check-sql.sh")
    if mine is None:
        code = re.sub(r'"(\\.|[^"\\])*"', '""', text)
        for m in CALLS.finditer(code):
            ln = code.count("\n", 0, m.start()) + 1
            bad.append(f"{f}:{ln}: {m.group(1)} outside the store's own files")

for b in bad:
    print(b)
if bad:
    print(f"check-sql: {len(bad)} finding(s); SQL belongs in the owning module's store files "
          "(scripts/check-sql.sh lists them)", file=sys.stderr)
    sys.exit(1)
print(f"check-sql: SQL in {len(owners)} store files of {len(set(table_module.values()))} "
      f"modules, {len(known)} tables, each named only by its owner's files")
EOF
