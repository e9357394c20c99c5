/*
 * sanctwatch lists: import sanctions-list editions (UN consolidated XML, OFAC SDN CSV set and
 * XML, OpenSanctions FollowTheMoney JSON lines) into the store, and show what is loaded.
 * The engine is sanctwatch/lists.h; this file only groups files, prints and sets the exit
 * status.
 */
#include "cli.h"

#include "sanctwatch/config.h"
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
            "       sanctwatch lists fetch [--db DB] [--list un|ofac]... [--url NAME=URL]...\n"
            "                              [--config FILE] [--allow-removals]\n"
            "       sanctwatch lists show [--db DB] [--list L] [--type T]\n"
            "       sanctwatch lists changes [--db DB] [--list L] [--edition N]\n"
            "       sanctwatch lists vessels [--db DB] [--list L] [--programme P]\n\n"
            "import  load list editions: the UN Security Council consolidated list (XML),\n"
            "        OFAC's SDN CSV set (sdn.csv with add/alt/comments, given together) or\n"
            "        XML (sdn.xml, consolidated.xml), OpenSanctions FollowTheMoney JSON\n"
            "        lines. Formats are recognised by content; .gz is read transparently.\n"
            "        Each edition is one transaction: a bad file changes nothing.\n"
            "fetch   download the official publications (UN consolidated XML, OFAC SDN CSV\n"
            "        set from the Sanctions List Service) with conditional requests, check\n"
            "        them (status, content type, length, format) and import a new edition\n"
            "        only when they changed; a bad download changes nothing\n"
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
            "                 (refused by default: it looks like a partial file)\n"
            "  --url NAME=URL fetch: another address for un, ofac_sdn, ofac_add, ofac_alt or\n"
            "                 ofac_comments\n"
            "  --config FILE  fetch: the same names in the [lists] section of an INI file\n",
            SW_STORE_DEFAULT_PATH);
}

/* Only import creates a database: show/changes/vessels on a misspelt --db must not print an
 * empty table as if no list were loaded. Import is the writer (one at a time: store.h). */
static int open_db(const char *path, int create, sqlite3 **db)
{
    char err[SW_ERRMAX];
    if (create ? sw_store_open_writer(path, 1, db, err) : sw_store_open_existing(path, db, err)) {
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

/* One line per edition: what it holds and what it changed. */
static void print_report(const struct sw_lists_report *r)
{
    if (r->already) {
        printf("%s %s: already imported (edition %lld), nothing changed\n", r->list, r->edition,
               (long long)r->edition_id);
        return;
    }
    printf("%s %s (%s): %ld entries:", r->list, r->edition, sw_list_format_name(r->format),
           r->n_entries);
    for (int t = 0; t < SW_ENTRY_NTYPES; t++)
        printf(" %ld %s%s", r->n_type[t], sw_entry_type_name(t),
               t + 1 < SW_ENTRY_NTYPES ? "," : "");
    printf("; %ld added, %ld removed, %ld changed", r->added, r->removed, r->changed);
    if (r->orphans) printf("; %ld orphan rows ignored", r->orphans);
    printf("\n");
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
    print_report(&r);
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

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

static int type_row(void *ctx, int n, const char *const *c)
{
    printf("%-16s %-13s %8s %8s\n", or_dash(c[0]), or_dash(c[1]), or_dash(c[2]), or_dash(c[3]));
    return 0;
}

static int edition_row(void *ctx, int n, const char *const *c)
{
    printf("  #%s %s %s (%s) imported %s: %s entries, %s added, %s removed, %s changed, "
           "%s orphans [%s]\n",
           or_dash(c[0]), or_dash(c[1]), or_dash(c[2]), or_dash(c[3]), or_dash(c[4]), or_dash(c[5]),
           or_dash(c[6]), or_dash(c[7]), or_dash(c[8]), or_dash(c[9]), or_dash(c[10]));
    if (c[11]) /* fetched: where from */
        for (const char *p = c[11]; *p;) {
            const char *e = strchr(p, '\n');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            printf("     from %.*s\n", (int)l, p);
            p += l + (e != NULL);
        }
    return 0;
}

/* Every column, tab-separated, "-" for NULL; control characters of hostile list text (a tab
 * or newline would shift the columns, ESC drive the terminal) written as \xHH. */
static int tsv_row(void *ctx, int n, const char *const *cols)
{
    for (int c = 0; c < n; c++) {
        for (const char *p = or_dash(cols[c]); *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                printf("\\x%02x", (unsigned)(unsigned char)*p);
            else
                putchar(*p);
        putchar(c + 1 < n ? '\t' : '\n');
    }
    return 0;
}

/* The end of every read-only command: the error if rc is not SW_OK, the exit status. */
static int close_db(sqlite3 *db, const char *dbpath, int rc)
{
    if (rc) cli_error("cannot read '%s': %s", dbpath, sqlite3_errmsg(db));
    sw_store_close(db);
    return rc != SW_OK;
}

static int cmd_show(const char *dbpath, const char *list, const char *type)
{
    sqlite3 *db;
    if (open_db(dbpath, 0, &db)) return 1;
    struct sw_lists_filter f = {list, type, NULL, 0};
    fputs("list             type            active  removed\n", stdout);
    int rc = sw_lists_table(db, SW_LISTS_TYPES, &f, type_row, NULL);
    if (!rc) {
        fputs("\neditions:\n", stdout);
        rc = sw_lists_table(db, SW_LISTS_EDITIONS, &f, edition_row, NULL);
    }
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
        int ok = !errno && end != edition && !*end && ed > 0;
        if (ok) ok = sw_lists_edition_exists(db, ed);
        if (ok < 0) return close_db(db, dbpath, ok);
        if (!ok) {
            cli_error("no edition '%s' in '%s'; 'sanctwatch lists show' lists them", edition,
                      dbpath);
            sw_store_close(db);
            return 1;
        }
    }
    struct sw_lists_filter f = {list, NULL, NULL, ed};
    return close_db(db, dbpath, sw_lists_table(db, SW_LISTS_CHANGES, &f, tsv_row, NULL));
}

static int list_vessels(const char *dbpath, const char *list, const char *programme)
{
    sqlite3 *db;
    if (open_db(dbpath, 0, &db)) return 1;
    struct sw_lists_filter f = {list, NULL, programme, 0};
    fputs("list\tref\tname\timo\tmmsi\tcall_sign\tflag\ttype\tprogrammes\n", stdout);
    return close_db(db, dbpath, sw_lists_table(db, SW_LISTS_VESSELS, &f, tsv_row, NULL));
}

/* NAME=URL into the fetch options. */
static int set_url(struct sw_lists_fetch_opts *fo, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char name[32];
    enum sw_lists_pub p;
    if (!eq || (size_t)(eq - arg) >= sizeof name) return -1;
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = '\0';
    if (sw_lists_pub_parse(name, &p) || !eq[1]) return -1;
    fo->url[p] = eq + 1;
    return 0;
}

/* [lists] un = URL, ofac_sdn = URL ... of an INI file; --url given on the command line wins. */
static int urls_from_config(struct sw_lists_fetch_opts *fo, const char *path,
                            struct sw_config **cfg)
{
    size_t line = 0;
    int rc = sw_config_load(cfg, path, &line);
    if (rc) {
        cli_error("cannot read '%s'%s: %s", path, line ? " at a line" : "", sw_strerror(rc));
        return -1;
    }
    for (int p = 0; p < SW_PUB_N; p++) {
        char key[48];
        snprintf(key, sizeof key, "lists.%s", sw_lists_pub_name((enum sw_lists_pub)p));
        const char *v = sw_config_get(*cfg, key);
        if (v && !fo->url[p]) fo->url[p] = v;
    }
    return 0;
}

static int fetch_one(sqlite3 *db, const char *list, const struct sw_lists_fetch_opts *fo)
{
    struct sw_lists_fetch_report r;
    int rc = sw_lists_fetch(db, list, fo, &r);
    if (rc) {
        cli_error("lists fetch %s: %s; the store is unchanged", list,
                  r.err[0] ? r.err : sw_strerror(rc));
        return 1;
    }
    if (r.not_modified)
        printf("%s: not modified since the last fetch, nothing imported\n", list);
    else
        print_report(&r.imp);
    return 0;
}

static int cmd_fetch(int argc, char **argv)
{
    const char *dbpath = SW_STORE_DEFAULT_PATH, *config = NULL, *lists[2];
    int nlists = 0;
    struct sw_lists_fetch_opts fo;
    memset(&fo, 0, sizeof fo);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--allow-removals")) {
            fo.allow_mass_removal = 1;
        } else if (!strcmp(a, "--db") && has) {
            dbpath = argv[++i];
        } else if (!strcmp(a, "--config") && has) {
            config = argv[++i];
        } else if (!strcmp(a, "--url") && has) {
            if (set_url(&fo, argv[++i])) {
                cli_error("--url '%s' is not NAME=URL (un, ofac_sdn, ofac_add, ofac_alt, "
                          "ofac_comments)",
                          argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--list") && has) {
            const char *l = argv[++i];
            if (strcmp(l, "un") && strcmp(l, "ofac")) {
                cli_error("unknown list '%s' to fetch (un, ofac)", l);
                return 2;
            }
            if (nlists < 2 && !(nlists == 1 && !strcmp(lists[0], l))) lists[nlists++] = l;
        } else {
            cli_error("unknown option '%s'; see 'sanctwatch lists --help'", a);
            return 2;
        }
    }
    if (!nlists) {
        lists[nlists++] = "un";
        lists[nlists++] = "ofac";
    }
    struct sw_config *cfg = NULL;
    if (config && urls_from_config(&fo, config, &cfg)) return 1;
    sqlite3 *db;
    int status = 1;
    if (!open_db(dbpath, 1, &db)) {
        status = 0;
        for (int k = 0; k < nlists; k++)
            status |= fetch_one(db, lists[k], &fo);
        sw_store_close(db);
    }
    sw_config_free(cfg);
    return status;
}

int cmd_lists(int argc, char **argv)
{
    const char *dbpath = SW_STORE_DEFAULT_PATH, *list = NULL, *type = NULL, *edition = NULL,
               *programme = NULL;
    struct sw_lists_import_opts o = {NULL, NULL, 0, NULL};
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(sub, "fetch")) return cmd_fetch(argc - 1, argv + 1);
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
