/*
 * sanctwatch lists: import sanctions-list editions (UN consolidated XML, OFAC SDN CSV set and
 * XML, OpenSanctions FollowTheMoney JSON lines) into the store, and show what is loaded.
 * The engine is sanctwatch/lists.h; this file only groups files, prints and sets the exit
 * status.
 */
#include "cli.h"

#include "sanctwatch/error.h"
#include "sanctwatch/lists.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_ARGS_FILES 256

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sanctwatch lists import [--db DB] [--list NAME] [--edition DATE]\n"
            "                               [--allow-removals] FILE...\n"
            "       sanctwatch lists show [--db DB] [--list L] [--type T]\n"
            "       sanctwatch lists changes [--db DB] [--list L] [--edition N]\n"
            "       sanctwatch lists vessels [--db DB] [--list L] [--programme P]\n\n"
            "import  load list editions: the UN Security Council consolidated list (XML),\n"
            "        OFAC's SDN CSV set (sdn.csv with add/alt/comments, given together) or\n"
            "        XML (sdn.xml, consolidated.xml), OpenSanctions FollowTheMoney JSON\n"
            "        lines. Formats are recognised by content; .gz is read transparently.\n"
            "        Each edition is one transaction: a bad file changes nothing.\n"
            "show    entries per list and type (active and removed), and the editions\n"
            "changes entries added, removed or changed by an edition (default: the latest\n"
            "        edition of each list)\n"
            "vessels designated vessels with IMO (flagged when the check digit is wrong),\n"
            "        MMSI, call sign, flag and type, one a line (tab-separated)\n\n"
            "  --db DB        database (default %s)\n"
            "  --list NAME    list name instead of the one read from the file\n"
            "  --edition DATE edition date (YYYY-MM-DD) instead of the one read from the file\n"
            "                 or its name\n"
            "  --allow-removals  accept an edition that removes more than half of a list\n"
            "                 (refused by default: it looks like a partial file)\n",
            SW_STORE_DEFAULT_PATH);
}

/* Only import creates a database: show/changes/vessels on a misspelt --db must not print an
 * empty table as if no list were loaded. */
static int open_db(const char *path, int create, sqlite3 **db)
{
    char err[SW_ERRMAX];
    if (create ? sw_store_open(path, db, err) : sw_store_open_existing(path, db, err)) {
        cli_error("%s", err);
        return -1;
    }
    if (sw_lists_migrate(*db)) {
        cli_error("cannot set up the lists tables in '%s': %s", path, sqlite3_errmsg(*db));
        sw_store_close(*db);
        return -1;
    }
    return 0;
}

/* Format of a file from its first bytes (gzip transparent); UNKNOWN when unreadable. */
static enum sw_list_format peek(const char *path)
{
    if (!strcmp(path, "-")) return SW_LIST_FMT_UNKNOWN;
    gzFile gz = gzopen(path, "rb");
    if (!gz) return SW_LIST_FMT_UNKNOWN;
    char head[8192];
    int n = gzread(gz, head, sizeof head - 1);
    gzclose(gz);
    if (n <= 0) return SW_LIST_FMT_UNKNOWN;
    head[n] = '\0';
    return sw_lists_detect(head, (size_t)n);
}

static int companion(enum sw_list_format f)
{
    return f == SW_LIST_FMT_OFAC_ADD || f == SW_LIST_FMT_OFAC_ALT || f == SW_LIST_FMT_OFAC_COMMENTS;
}

static int import_one(sqlite3 *db, const char *const *paths, size_t n,
                      const struct sw_lists_import_opts *o)
{
    struct sw_lists_report r;
    int rc = sw_lists_import(db, paths, n, o, &r);
    if (rc) {
        if (r.err_file[0])
            cli_error("cannot import '%s': %s", r.err_file, r.err);
        else
            cli_error("cannot import '%s': %s", paths[0], r.err[0] ? r.err : sw_strerror(rc));
        return 1;
    }
    if (r.already) {
        printf("%s %s: already imported (edition %lld), nothing changed\n", r.list, r.edition,
               (long long)r.edition_id);
        return 0;
    }
    printf("%s %s (%s): %ld entries:", r.list, r.edition, sw_list_format_name(r.format),
           r.n_entries);
    for (int t = 0; t < SW_ENTRY_NTYPES; t++)
        printf(" %ld %s%s", r.n_type[t], sw_entry_type_name(t), t + 1 < SW_ENTRY_NTYPES ? "," : "");
    printf("; %ld added, %ld removed, %ld changed", r.added, r.removed, r.changed);
    if (r.orphans) printf("; %ld orphan rows ignored", r.orphans);
    printf("\n");
    return 0;
}

static int cmd_import(int argc, char **argv, const char *dbpath, struct sw_lists_import_opts *o)
{
    if (argc < 1) {
        usage(stderr);
        return 2;
    }
    if (argc > MAX_ARGS_FILES) {
        cli_error("at most %d files at once", MAX_ARGS_FILES);
        return 2;
    }
    enum sw_list_format fmt[MAX_ARGS_FILES];
    int sdn = -1, ncomp = 0;
    for (int i = 0; i < argc; i++) {
        fmt[i] = peek(argv[i]);
        if (fmt[i] == SW_LIST_FMT_OFAC_SDN) {
            if (sdn >= 0) {
                cli_error("'%s' and '%s' are both sdn.csv files: import each CSV set on its own",
                          argv[sdn], argv[i]);
                return 2;
            }
            sdn = i;
        }
        ncomp += companion(fmt[i]);
    }
    if (ncomp && sdn < 0) {
        cli_error("OFAC add/alt/comments files need the sdn.csv they belong to");
        return 2;
    }
    sqlite3 *db;
    if (open_db(dbpath, 1, &db)) return 1;
    int status = 0;
    if (sdn >= 0) { /* the CSV set is one edition */
        const char *set[8];
        size_t n = 0;
        set[n++] = argv[sdn];
        for (int i = 0; i < argc; i++)
            if (companion(fmt[i])) {
                if (n == 8) {
                    cli_error("too many add/alt/comments files for one sdn.csv");
                    sw_store_close(db);
                    return 2;
                }
                set[n++] = argv[i];
            }
        status |= import_one(db, set, n, o);
    }
    for (int i = 0; i < argc; i++) {
        if (i == sdn || companion(fmt[i])) continue;
        const char *one[1] = {argv[i]};
        status |= import_one(db, one, 1, o);
    }
    sw_store_close(db);
    return status;
}

static void type_row(sqlite3_stmt *q)
{
    printf("%-16s %-13s %8lld %8lld\n", (const char *)sqlite3_column_text(q, 0),
           (const char *)sqlite3_column_text(q, 1), sqlite3_column_int64(q, 2),
           sqlite3_column_int64(q, 3));
}

static void edition_row(sqlite3_stmt *q)
{
    printf("  #%lld %s %s (%s) imported %s: %lld entries, %lld added, %lld removed, "
           "%lld changed, %lld orphans [%s]\n",
           sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1),
           (const char *)sqlite3_column_text(q, 2), (const char *)sqlite3_column_text(q, 3),
           (const char *)sqlite3_column_text(q, 4), sqlite3_column_int64(q, 5),
           sqlite3_column_int64(q, 6), sqlite3_column_int64(q, 7), sqlite3_column_int64(q, 8),
           sqlite3_column_int64(q, 9), (const char *)sqlite3_column_text(q, 10));
}

/* Every column, tab-separated, "-" for NULL; control characters of hostile list text (a tab
 * or newline would shift the columns, ESC drive the terminal) written as \xHH. */
static void tsv_row(sqlite3_stmt *q)
{
    int n = sqlite3_column_count(q);
    for (int c = 0; c < n; c++) {
        const char *v = (const char *)sqlite3_column_text(q, c);
        for (const char *p = v ? v : "-"; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                printf("\\x%02x", (unsigned)(unsigned char)*p);
            else
                putchar(*p);
        putchar(c + 1 < n ? '\t' : '\n');
    }
}

/* Run sql with ?1 = p1 and ?2 = p2 as text (NULL when absent; ?2 the integer p2i instead when
 * that is > 0), print header once the statement is ready, then row() for each row.
 * SQLITE_DONE, or the SQLite error. */
static int each_row(sqlite3 *db, const char *sql, const char *p1, const char *p2, long long p2i,
                    const char *header, void (*row)(sqlite3_stmt *))
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK) return rc;
    if (p1) sqlite3_bind_text(q, 1, p1, -1, SQLITE_STATIC);
    if (p2)
        sqlite3_bind_text(q, 2, p2, -1, SQLITE_STATIC);
    else if (p2i > 0)
        sqlite3_bind_int64(q, 2, p2i);
    if (header) fputs(header, stdout);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        row(q);
    sqlite3_finalize(q);
    return rc;
}

/* The end of every read-only command: the error if rc is not SQLITE_DONE, the exit status. */
static int close_db(sqlite3 *db, const char *dbpath, int rc)
{
    int status = rc != SQLITE_DONE;
    if (status) cli_error("cannot read '%s': %s", dbpath, sqlite3_errmsg(db));
    sw_store_close(db);
    return status;
}

static int cmd_show(const char *dbpath, const char *list, const char *type)
{
    sqlite3 *db;
    if (open_db(dbpath, 0, &db)) return 1;
    int rc =
        each_row(db,
                 "SELECT list, type, sum(active), sum(1-active) FROM entries"
                 " WHERE (?1 IS NULL OR list=?1) AND (?2 IS NULL OR type=?2)"
                 " GROUP BY list, type ORDER BY list, type",
                 list, type, 0, "list             type            active  removed\n", type_row);
    if (rc == SQLITE_DONE)
        rc = each_row(db,
                      "SELECT id, list, edition, format, imported_at, n_entries, n_added,"
                      " n_removed, n_changed, n_orphans, files FROM list_editions"
                      " WHERE (?1 IS NULL OR list=?1) ORDER BY list, id",
                      list, NULL, 0, "\neditions:\n", edition_row);
    return close_db(db, dbpath, rc);
}

static int cmd_changes(const char *dbpath, const char *list, const char *edition)
{
    sqlite3 *db;
    if (open_db(dbpath, 0, &db)) return 1;
    long long ed = 0;
    if (edition) { /* an edition id that is not there must not read as "no changes" */
        char *end;
        errno = 0;
        ed = strtoll(edition, &end, 10);
        sqlite3_stmt *q = NULL;
        int rc = SQLITE_DONE;
        if (!errno && end != edition && !*end && ed > 0 &&
            sqlite3_prepare_v2(db, "SELECT 1 FROM list_editions WHERE id=?1", -1, &q, NULL) ==
                SQLITE_OK) {
            sqlite3_bind_int64(q, 1, ed);
            rc = sqlite3_step(q);
        }
        sqlite3_finalize(q);
        if (rc != SQLITE_ROW) {
            cli_error("no edition '%s' in '%s'; 'sanctwatch lists show' lists them", edition,
                      dbpath);
            sw_store_close(db);
            return 1;
        }
    }
    int rc =
        each_row(db,
                 "SELECT e.list, e.edition, c.change, c.ref, n.type, n.name FROM entry_changes c"
                 " JOIN list_editions e ON e.id=c.edition JOIN entries n ON n.id=c.entry"
                 " WHERE (?1 IS NULL OR e.list=?1) AND (CASE WHEN ?2 IS NULL THEN"
                 " e.id=(SELECT max(id) FROM list_editions x WHERE x.list=e.list) ELSE e.id=?2 END)"
                 " ORDER BY e.list, c.change, c.ref",
                 list, NULL, ed, NULL, tsv_row);
    return close_db(db, dbpath, rc);
}

static int list_vessels(const char *dbpath, const char *list, const char *programme)
{
    sqlite3 *db;
    if (open_db(dbpath, 0, &db)) return 1;
    int rc = each_row(
        db,
        "SELECT e.list, e.ref, e.name,"
        " (SELECT group_concat(norm || CASE valid WHEN 0 THEN '(bad check digit)' ELSE '' END,"
        "  ' ') FROM entry_ids WHERE entry=e.id AND kind='imo'),"
        " (SELECT group_concat(norm, ' ') FROM entry_ids WHERE entry=e.id AND kind='mmsi'),"
        " (SELECT group_concat(norm, ' ') FROM entry_ids WHERE entry=e.id AND"
        "  kind='call_sign'),"
        " v.flag, v.vessel_type, e.programmes FROM entries e"
        " LEFT JOIN entry_vessels v ON v.entry=e.id"
        " WHERE e.type='vessel' AND e.active=1 AND (?1 IS NULL OR e.list=?1)"
        " AND (?2 IS NULL OR instr(e.programmes, ?2) > 0)"
        " ORDER BY e.list, e.name",
        list, programme, 0, "list\tref\tname\timo\tmmsi\tcall_sign\tflag\ttype\tprogrammes\n",
        tsv_row);
    return close_db(db, dbpath, rc);
}

int cmd_lists(int argc, char **argv)
{
    const char *dbpath = SW_STORE_DEFAULT_PATH, *list = NULL, *type = NULL, *edition = NULL,
               *programme = NULL;
    struct sw_lists_import_opts o = {NULL, NULL, 0};
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        usage(stdout);
        return 0;
    }
    int i = 2;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--allow-removals")) {
            o.allow_mass_removal = 1;
            continue;
        }
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-' || !a[1]) break;
        const char **slot = !strcmp(a, "--db")          ? &dbpath
                            : !strcmp(a, "--list")      ? &list
                            : !strcmp(a, "--type")      ? &type
                            : !strcmp(a, "--edition")   ? &edition
                            : !strcmp(a, "--programme") ? &programme
                                                        : NULL;
        if (!slot) {
            cli_error("unknown option '%s'; see 'sanctwatch lists --help'", a);
            return 2;
        }
        if (i + 1 >= argc) {
            cli_error("option '%s' needs a value", a);
            return 2;
        }
        *slot = argv[++i];
    }
    /* an option the subcommand does not use must not be ignored silently */
    if (type && strcmp(sub, "show") && strcmp(sub, "stats")) {
        cli_error("'--type' is for 'lists show'");
        return 2;
    }
    if (programme && strcmp(sub, "vessels")) {
        cli_error("'--programme' is for 'lists vessels'");
        return 2;
    }
    if (edition && strcmp(sub, "changes") && strcmp(sub, "import")) {
        cli_error("'--edition' is for 'lists import' and 'lists changes'");
        return 2;
    }
    if (o.allow_mass_removal && strcmp(sub, "import")) {
        cli_error("'--allow-removals' is for 'lists import'");
        return 2;
    }
    if (!strcmp(sub, "import")) {
        int64_t ms;
        if (edition && (strlen(edition) != 10 || sw_time_parse(edition, 10, &ms))) {
            cli_error("--edition '%s' is not a date (YYYY-MM-DD)", edition);
            return 2;
        }
        o.list = list;
        o.edition = edition;
        return cmd_import(argc - i, argv + i, dbpath, &o);
    }
    if (i < argc) {
        cli_error("'lists %s' takes no file arguments", sub);
        return 2;
    }
    if (type) { /* a misspelt type would print an empty table */
        int t = 0;
        while (t < SW_ENTRY_NTYPES && strcmp(type, sw_entry_type_name(t)))
            t++;
        if (t == SW_ENTRY_NTYPES) {
            cli_error("unknown type '%s' (person, organization, vessel, aircraft or other)", type);
            return 2;
        }
    }
    if (!strcmp(sub, "show") || !strcmp(sub, "stats")) return cmd_show(dbpath, list, type);
    if (!strcmp(sub, "changes")) return cmd_changes(dbpath, list, edition);
    if (!strcmp(sub, "vessels")) return list_vessels(dbpath, list, programme);
    cli_error("'%s' is not a lists command; see 'sanctwatch lists --help'", sub);
    return 2;
}
