#!/usr/bin/env python3
"""Print a sanctwatch database as text that two equivalent runs print alike: every table's
rows sorted, with the columns that hold wall-clock times of the run (migrations, ingest runs,
list imports) or a signature over such a time (signed tree heads) masked, and the saved
vessel and detector states (ingest_state_log, ingest_carry) by their length only: two runs of
one build on one input already differ there (bytes of the saved records never set; see
scripts/compare-outputs.sh).
Usage: dbdump.py DB"""
import sqlite3
import sys

MASK = {
    ("schema_migrations", "applied_at"),
    ("ingest_runs", "started"),
    ("ingest_runs", "finished"),
    ("list_editions", "imported_at"),
    ("ledger_heads", "time_ms"),
    ("ledger_heads", "note"),
}
LENGTH_ONLY = {"ingest_state_log", "ingest_carry"}

db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
tables = [r[0] for r in db.execute(
    "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
for t in tables:
    cols = [r[1] for r in db.execute("PRAGMA table_info(%s)" % t)]
    sel = ", ".join("'*'" if (t, c) in MASK
                    else "CASE typeof(%s) WHEN 'blob' THEN 'blob of ' || length(%s) || ' bytes' "
                         "ELSE quote(%s) END" % (c, c, c) if t in LENGTH_ONLY
                    else "quote(%s)" % c for c in cols)
    rows = sorted(db.execute("SELECT %s FROM %s" % (sel, t)).fetchall(), key=repr)
    print("== %s (%s): %d rows" % (t, ", ".join(cols), len(rows)))
    for r in rows:
        print("|".join(str(v) for v in r))
