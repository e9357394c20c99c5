/*
 * Sanctions lists: import of one edition into the store. Reads the files (plain or gzip,
 * "-" for stdin), tells their format by content, parses them into the edition model
 * (lists_int.h) and writes it in ONE transaction: new entries are 'added', entries whose
 * content hash changed are 'changed', active entries of the list missing from the edition
 * are 'removed' (kept, flagged inactive). Any error rolls everything back.
 */
#include "lists_int.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/store.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define LISTS_MAX_FILES 8

enum sw_list_format sw_lists_detect(const void *head, size_t len)
{
    const unsigned char *p = head, *end = p + len;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) p += 3;
    while (p < end && isspace(*p))
        p++;
    if (p >= end) return SW_LIST_FMT_UNKNOWN;
    if (*p == '[') return SW_LIST_FMT_JSON_ARRAY;
    if (*p == '{') return SW_LIST_FMT_FTM_JSON;
    if (*p == '<') {
        while (p < end) {
            while (p < end && isspace(*p))
                p++;
            if (p + 1 >= end || *p != '<') return SW_LIST_FMT_UNKNOWN;
            if (p[1] == '?' || p[1] == '!') { /* declaration, comment, doctype */
                const unsigned char *close = NULL;
                if (p[1] == '!' && p + 3 < end && p[2] == '-' && p[3] == '-') {
                    for (const unsigned char *c = p + 4; c + 2 < end && !close; c++)
                        if (c[0] == '-' && c[1] == '-' && c[2] == '>') close = c + 2;
                } else { /* a DOCTYPE may hold an internal subset in [...] */
                    int depth = 0;
                    for (const unsigned char *c = p + 2; c < end && !close; c++) {
                        if (*c == '[')
                            depth++;
                        else if (*c == ']')
                            depth--;
                        else if (*c == '>' && depth <= 0)
                            close = c;
                    }
                }
                if (!close) return SW_LIST_FMT_UNKNOWN;
                p = close + 1;
                continue;
            }
            const unsigned char *n = p + 1, *ne = n;
            while (ne < end && !isspace(*ne) && *ne != '>' && *ne != '/')
                ne++;
            const unsigned char *colon = memchr(n, ':', (size_t)(ne - n));
            if (colon) n = colon + 1;
            size_t nl = (size_t)(ne - n);
            if (nl == 17 && !memcmp(n, "CONSOLIDATED_LIST", 17)) return SW_LIST_FMT_UN_XML;
            if (nl == 7 && !memcmp(n, "sdnList", 7)) return SW_LIST_FMT_OFAC_XML;
            return SW_LIST_FMT_UNKNOWN;
        }
        return SW_LIST_FMT_UNKNOWN;
    }
    if (isdigit(*p)) { /* OFAC CSV: count the fields of the first record */
        int fields = 1, quoted = 0;
        for (; p < end; p++) {
            if (*p == '"')
                quoted = !quoted;
            else if (*p == ',' && !quoted)
                fields++;
            else if ((*p == '\n' || *p == '\r') && !quoted)
                break;
        }
        if (p >= end && quoted) return SW_LIST_FMT_UNKNOWN;
        switch (fields) {
        case 12:
            return SW_LIST_FMT_OFAC_SDN;
        case 6:
            return SW_LIST_FMT_OFAC_ADD;
        case 5:
            return SW_LIST_FMT_OFAC_ALT;
        case 2:
            return SW_LIST_FMT_OFAC_COMMENTS;
        default:
            return SW_LIST_FMT_UNKNOWN;
        }
    }
    return SW_LIST_FMT_UNKNOWN;
}

static int parse_one(struct lset *s, enum sw_list_format fmt, const char *data, size_t len)
{
    switch (fmt) {
    case SW_LIST_FMT_UN_XML:
        return lists_parse_un(s, data, len);
    case SW_LIST_FMT_OFAC_XML:
        return lists_parse_ofac_xml(s, data, len);
    case SW_LIST_FMT_FTM_JSON:
        return lists_parse_ftm(s, data, len);
    case SW_LIST_FMT_OFAC_SDN: {
        int rc = lists_parse_ofac_csv(s, fmt, data, len);
        return rc ? rc : lset_index(s);
    }
    case SW_LIST_FMT_OFAC_ADD:
    case SW_LIST_FMT_OFAC_ALT:
    case SW_LIST_FMT_OFAC_COMMENTS:
        if (!s->index) {
            int rc = lset_index(s);
            if (rc) return rc;
        }
        return lists_parse_ofac_csv(s, fmt, data, len);
    case SW_LIST_FMT_JSON_ARRAY:
        return lset_fail(s, SW_EUNSUPPORTED,
                         "a JSON array is not a list edition (a derived subset such as "
                         "sdn_*_dprk_related_vessels.json: import the sdn.csv it came from)");
    default:
        return lset_fail(s, SW_EUNSUPPORTED, "not a UN, OFAC or FollowTheMoney list file");
    }
}

int sw_lists_parse_mem(enum sw_list_format fmt, const void *data, size_t len, long *n_entries,
                       char err[SW_ERRMAX])
{
    struct lset s;
    lset_init(&s);
    int rc = parse_one(&s, fmt, data, len);
    if (!rc && (fmt == SW_LIST_FMT_OFAC_SDN || fmt == SW_LIST_FMT_OFAC_ADD ||
                fmt == SW_LIST_FMT_OFAC_ALT || fmt == SW_LIST_FMT_OFAC_COMMENTS))
        rc = lofac_csv_finish(&s);
    if (!rc) rc = lset_unique_refs(&s);
    if (n_entries) *n_entries = (long)s.n;
    if (err) snprintf(err, SW_ERRMAX, "%s", rc ? (s.err[0] ? s.err : sw_strerror(rc)) : "");
    lset_free(&s);
    return rc;
}

/* Whole file (gzip transparent) into b, bounded by b's maximum; *mtime gets the file's
 * modification time (0 for stdin and other non-regular files). */
static int read_all(const char *path, struct sw_buf *b, time_t *mtime)
{
    struct stat st;
    *mtime = strcmp(path, "-") && stat(path, &st) == 0 && S_ISREG(st.st_mode) ? st.st_mtime : 0;
    return sw_read_file(path, b);
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* A "YYYY-MM-DD" inside a file name. */
static int date_in_name(const char *name, char out[11])
{
    for (const char *p = name; strlen(p) >= 10; p++) {
        if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
            isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) && p[4] == '-' &&
            isdigit((unsigned char)p[5]) && isdigit((unsigned char)p[6]) && p[7] == '-' &&
            isdigit((unsigned char)p[8]) && isdigit((unsigned char)p[9])) {
            int64_t ms;
            if (sw_time_parse(p, 10, &ms) == SW_OK) {
                memcpy(out, p, 10);
                out[10] = '\0';
                return 1;
            }
        }
    }
    return 0;
}

/* ---- writing ---------------------------------------------------------------------------- */

enum {
    Q_SEL,
    Q_INS,
    Q_UPD,
    Q_TOUCH,
    Q_CHANGE,
    Q_NAME,
    Q_ID,
    Q_DOB,
    Q_NAT,
    Q_ADDR,
    Q_LINK,
    Q_FFLAG,
    Q_VESSEL,
    Q_DEL0,
    Q_NQ = Q_DEL0 + 8
};

static const char *const q_sql[Q_DEL0] = {
    "SELECT id, content_sha256, active FROM entries WHERE list=?1 AND ref=?2",
    "INSERT INTO entries(list, ref, source_id, type, name, programmes, listed_on, remarks,"
    " content_sha256, first_edition, last_edition, active) "
    "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?10,1)",
    "UPDATE entries SET source_id=?3, type=?4, name=?5, programmes=?6, listed_on=?7, remarks=?8,"
    " content_sha256=?9, last_edition=?10, active=1, removed_edition=NULL WHERE id=?11",
    "UPDATE entries SET last_edition=?1 WHERE id=?2",
    "INSERT INTO entry_changes(edition, entry, ref, change) VALUES(?,?,?,?)",
    "INSERT INTO entry_names(entry, name, quality, script, lang) VALUES(?1,?2,?3,?4,?5)",
    "INSERT INTO entry_ids(entry, kind, value, country, note, norm, valid) "
    "VALUES(?1,?2,?3,?4,?5,?6,?7)",
    "INSERT INTO entry_dobs(entry, date, year_from, year_to, note) VALUES(?1,?2,?3,?4,?5)",
    "INSERT INTO entry_nationalities(entry, country, kind) VALUES(?1,?2,?3)",
    "INSERT INTO entry_addresses(entry, kind, street, city, region, postal, country, note)"
    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    "INSERT INTO entry_links(entry, relation, target_ref, target_name) VALUES(?1,?2,?3,?4)",
    "INSERT INTO entry_former_flags(entry, flag) VALUES(?1,?2)",
    "INSERT INTO entry_vessels(entry, flag, vessel_type, tonnage, grt, owner) "
    "VALUES(?1,?2,?3,?4,?5,?6)",
};
static const char *const child_tables[8] = {"entry_names",         "entry_ids",       "entry_dobs",
                                            "entry_nationalities", "entry_addresses", "entry_links",
                                            "entry_former_flags",  "entry_vessels"};

struct writer {
    sqlite3 *db;
    sqlite3_stmt *q[Q_NQ];
    struct lset *s;
    int64_t eid;
    struct sw_lists_report *rep;
};

static void bind_text(sqlite3_stmt *q, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, i);
}

static int write_rows(struct writer *w, int64_t id, const struct lentry *e)
{
    int rc = SW_OK;
    for (size_t r = 0; r < e->nrows && !rc; r++) {
        char *const *f = e->rows[r].f;
        sqlite3_stmt *q = w->q[Q_NAME + e->rows[r].tab];
        sqlite3_bind_int64(q, 1, id);
        switch (e->rows[r].tab) {
        case LR_ID: {
            char norm[256];
            int valid = -1;
            if (sw_lists_norm_id(f[0], f[1], norm, sizeof norm))
                snprintf(norm, sizeof norm, "%.255s", f[1]);
            if (!strcmp(f[0], "imo")) {
                char *end;
                unsigned long v = strtoul(norm, &end, 10);
                valid = strlen(norm) == 7 && !*end && sw_lists_imo_valid((uint32_t)v);
            } else if (!strcmp(f[0], "mmsi")) {
                valid = strlen(norm) == 9;
            }
            for (int i = 0; i < 4; i++)
                bind_text(q, i + 2, f[i]);
            sqlite3_bind_text(q, 6, norm, -1, SQLITE_TRANSIENT);
            if (valid >= 0) sqlite3_bind_int(q, 7, valid);
            break;
        }
        case LR_DOB:
            bind_text(q, 2, f[0]);
            for (int i = 1; i <= 2; i++)
                if (f[i] && isdigit((unsigned char)f[i][0]))
                    sqlite3_bind_int(q, i + 2, (int)strtol(f[i], NULL, 10));
            bind_text(q, 5, f[3]);
            break;
        case LR_ADDR:
            for (int i = 0; i < 7; i++)
                bind_text(q, i + 2, f[i]);
            break;
        case LR_NAME:
        case LR_NAT:
        case LR_LINK:
        case LR_FFLAG: {
            int n = e->rows[r].tab == LR_NAME   ? 4
                    : e->rows[r].tab == LR_LINK ? 3
                    : e->rows[r].tab == LR_NAT  ? 2
                                                : 1;
            for (int i = 0; i < n; i++)
                bind_text(q, i + 2, f[i]);
            break;
        }
        }
        rc = sw_store_step(q);
    }
    if (!rc && (e->vflag || e->vtype || e->tonnage || e->grt || e->owner)) {
        sqlite3_stmt *q = w->q[Q_VESSEL];
        sqlite3_bind_int64(q, 1, id);
        bind_text(q, 2, e->vflag);
        bind_text(q, 3, e->vtype);
        bind_text(q, 4, e->tonnage);
        bind_text(q, 5, e->grt);
        bind_text(q, 6, e->owner);
        rc = sw_store_step(q);
    }
    return rc;
}

static int change(struct writer *w, int64_t id, const char *ref, const char *what)
{
    sqlite3_stmt *q = w->q[Q_CHANGE];
    sqlite3_bind_int64(q, 1, w->eid);
    sqlite3_bind_int64(q, 2, id);
    bind_text(q, 3, ref);
    bind_text(q, 4, what);
    return sw_store_step(q);
}

static int write_entry(struct writer *w, const struct lentry *e)
{
    char hex[65];
    int64_t id = 0;
    int exists = 0, same = 0, active = 0, rc;
    lentry_hash(e, hex);
    sqlite3_stmt *q = w->q[Q_SEL];
    bind_text(q, 1, w->s->list);
    bind_text(q, 2, e->ref);
    int st = sqlite3_step(q);
    if (st == SQLITE_ROW) {
        exists = 1;
        id = sqlite3_column_int64(q, 0);
        const char *h = (const char *)sqlite3_column_text(q, 1);
        same = h && !strcmp(h, hex);
        active = sqlite3_column_int(q, 2);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (st != SQLITE_ROW && st != SQLITE_DONE) return SW_EDB; /* not "a new entry" */
    if (exists && same && active) {
        q = w->q[Q_TOUCH];
        sqlite3_bind_int64(q, 1, w->eid);
        sqlite3_bind_int64(q, 2, id);
        return sw_store_step(q);
    }
    if (exists) {
        for (int t = 0; t < 8; t++) {
            sqlite3_bind_int64(w->q[Q_DEL0 + t], 1, id);
            if ((rc = sw_store_step(w->q[Q_DEL0 + t]))) return rc;
        }
    }
    q = w->q[exists ? Q_UPD : Q_INS];
    bind_text(q, 1, w->s->list);
    bind_text(q, 2, e->ref);
    bind_text(q, 3, e->source_id);
    bind_text(q, 4, sw_entry_type_name(e->type));
    bind_text(q, 5, e->name);
    bind_text(q, 6, e->programmes);
    bind_text(q, 7, e->listed_on);
    bind_text(q, 8, e->remarks);
    bind_text(q, 9, hex);
    sqlite3_bind_int64(q, 10, w->eid);
    if (exists) sqlite3_bind_int64(q, 11, id);
    if ((rc = sw_store_step(q))) return rc;
    if (!exists) id = sqlite3_last_insert_rowid(w->db);
    if ((rc = write_rows(w, id, e))) return rc;
    if (!exists || !active)
        w->rep->added++;
    else
        w->rep->changed++;
    return change(w, id, e->ref, !exists || !active ? "added" : "changed");
}

static int exec_bind(sqlite3 *db, const char *sql, const char *list, int64_t eid, long *changes)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) return SW_EDB;
    bind_text(q, 1, list);
    sqlite3_bind_int64(q, 2, eid);
    int rc = sqlite3_step(q) == SQLITE_DONE ? SW_OK : SW_EDB;
    if (changes) *changes = sqlite3_changes(db);
    sqlite3_finalize(q);
    return rc;
}

/* One value of a one-row query with ?1 = list (and ?2 = text2 when given): its text into out
 * (NULL: no row or NULL), or its integer into *num. SW_OK or SW_EDB. */
static int query_one(sqlite3 *db, const char *sql, const char *list, const char *text2, char *out,
                     size_t outsz, int64_t *num)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) return SW_EDB;
    bind_text(q, 1, list);
    if (text2) bind_text(q, 2, text2);
    int src = sqlite3_step(q);
    if (out) out[0] = '\0';
    if (src == SQLITE_ROW && out && sqlite3_column_text(q, 0))
        snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(q, 0));
    if (src == SQLITE_ROW && num) *num = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return src == SQLITE_ROW || src == SQLITE_DONE ? SW_OK : SW_EDB;
}

/* Step 1: is this edition new? 1 when the same bytes were imported (rep->already set), 0 when
 * it is to be written, SW_ERANGE when it is older than the loaded one, SW_EDB. */
static int check_edition(sqlite3 *db, struct lset *s, const char *sha, struct sw_lists_report *rep)
{
    int64_t id = 0;
    char latest[64];
    if (query_one(db, "SELECT id FROM list_editions WHERE list=?1 AND sha256=?2", s->list, sha,
                  NULL, 0, &id))
        return SW_EDB;
    if (id) {
        rep->already = 1;
        rep->edition_id = id;
        return 1;
    }
    /* an older edition than the one loaded would undo newer designations */
    if (query_one(db, "SELECT max(edition) FROM list_editions WHERE list=?1", s->list, NULL, latest,
                  sizeof latest, NULL))
        return SW_EDB;
    if (latest[0] && strcmp(latest, s->edition) > 0)
        return lset_fail(s, SW_ERANGE, "edition %s of list %s is older than the loaded edition %s",
                         s->edition, s->list, latest);
    return 0;
}

/* Step 2: the list_editions row (counts come in step 5); w->eid its id. */
static int insert_edition(struct writer *w, const char *files, const char *sha, const char *source)
{
    struct lset *s = w->s;
    sqlite3_stmt *q = NULL;
    char now[32];
    sw_time_format(sw_time_now_ms(), 0, now);
    if (sqlite3_prepare_v2(w->db,
                           "INSERT INTO list_editions(list, edition, format, files, sha256, "
                           "imported_at, n_orphans, source) VALUES(?,?,?,?,?,?,?,?)",
                           -1, &q, NULL) != SQLITE_OK)
        return SW_EDB;
    bind_text(q, 1, s->list);
    bind_text(q, 2, s->edition);
    bind_text(q, 3,
              s->format == SW_LIST_FMT_OFAC_SDN ? "ofac_csv" : sw_list_format_name(s->format));
    bind_text(q, 4, files);
    bind_text(q, 5, sha);
    bind_text(q, 6, now);
    sqlite3_bind_int64(q, 7, s->orphans);
    bind_text(q, 8, source);
    int src = sqlite3_step(q);
    sqlite3_finalize(q);
    if (src != SQLITE_DONE) return SW_EDB;
    w->eid = sqlite3_last_insert_rowid(w->db);
    return SW_OK;
}

/* Step 3: every entry of the edition (added, changed or seen again). */
static int write_entries(struct writer *w)
{
    struct lset *s = w->s;
    for (int i = 0; i < Q_DEL0; i++)
        if (sqlite3_prepare_v2(w->db, q_sql[i], -1, &w->q[i], NULL) != SQLITE_OK) return SW_EDB;
    for (int t = 0; t < 8; t++) {
        char sql[80];
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE entry=?1", child_tables[t]);
        if (sqlite3_prepare_v2(w->db, sql, -1, &w->q[Q_DEL0 + t], NULL) != SQLITE_OK) return SW_EDB;
    }
    for (size_t i = 0; i < s->n; i++) {
        int rc = write_entry(w, &s->e[i]);
        if (rc) return lset_fail(s, rc, "entry %s: %s", s->e[i].ref, sqlite3_errmsg(w->db));
        w->rep->n_type[s->e[i].type]++;
    }
    w->rep->n_entries = (long)s->n;
    return SW_OK;
}

/* Step 4: entries absent from the edition are removed (unless that is most of the list: a
 * partial file), and links inside the list resolved. */
static int remove_and_link(struct writer *w, long prev_active, int allow_mass_removal)
{
    struct lset *s = w->s;
    struct sw_lists_report *rep = w->rep;
    if (exec_bind(w->db,
                  "INSERT INTO entry_changes(edition, entry, ref, change) SELECT ?2, id, ref, "
                  "'removed' FROM entries WHERE list=?1 AND active=1 AND last_edition<>?2",
                  s->list, w->eid, &rep->removed))
        return SW_EDB;
    if (!allow_mass_removal && rep->removed > 10 && rep->removed * 2 > prev_active)
        return lset_fail(s, SW_ERANGE,
                         "edition %s would remove %ld of the %ld active entries of %s (a partial "
                         "file?); nothing imported",
                         s->edition, rep->removed, prev_active, s->list);
    if (exec_bind(w->db,
                  "UPDATE entries SET active=0, removed_edition=?2 WHERE list=?1 AND active=1 AND "
                  "last_edition<>?2",
                  s->list, w->eid, NULL) ||
        /* resolve links inside the list: by reference, else by the exact primary name */
        exec_bind(w->db,
                  "UPDATE entry_links SET target_entry=(SELECT t.id FROM entries t WHERE "
                  "t.list=?1 AND t.ref=entry_links.target_ref) WHERE target_ref IS NOT NULL AND"
                  " entry IN (SELECT id FROM entries WHERE list=?1 AND last_edition=?2)",
                  s->list, w->eid, NULL) ||
        exec_bind(w->db,
                  "UPDATE entry_links SET target_entry=(SELECT t.id FROM entries t WHERE "
                  "t.list=?1 AND t.name=entry_links.target_name ORDER BY t.active DESC, t.id "
                  "LIMIT 1) WHERE target_ref IS NULL AND target_name IS NOT NULL AND"
                  " entry IN (SELECT id FROM entries WHERE list=?1 AND last_edition=?2)",
                  s->list, w->eid, NULL))
        return SW_EDB;
    return SW_OK;
}

/* Step 5: the edition's counts. */
static int update_counts(struct writer *w)
{
    const struct sw_lists_report *rep = w->rep;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(w->db,
                           "UPDATE list_editions SET n_entries=?, n_person=?, n_organization=?, "
                           "n_vessel=?, n_aircraft=?, n_other=?, n_added=?, n_removed=?, "
                           "n_changed=? WHERE id=?",
                           -1, &q, NULL) != SQLITE_OK)
        return SW_EDB;
    sqlite3_bind_int64(q, 1, rep->n_entries);
    for (int t = 0; t < SW_ENTRY_NTYPES; t++)
        sqlite3_bind_int64(q, 2 + t, rep->n_type[t]);
    sqlite3_bind_int64(q, 7, rep->added);
    sqlite3_bind_int64(q, 8, rep->removed);
    sqlite3_bind_int64(q, 9, rep->changed);
    sqlite3_bind_int64(q, 10, w->eid);
    int src = sqlite3_step(q);
    sqlite3_finalize(q);
    return src == SQLITE_DONE ? SW_OK : SW_EDB;
}

/* Write one edition in one transaction, step by step; on any error nothing is written. */
static int write_edition(sqlite3 *db, struct lset *s, const char *files, const char *sha,
                         const struct sw_lists_import_opts *opts, struct sw_lists_report *rep)
{
    struct writer w = {.db = db, .s = s, .rep = rep};
    int64_t prev_active = 0;
    if (sw_store_exec(db, "BEGIN IMMEDIATE"))
        return lset_fail(s, SW_EDB, "cannot start a transaction: %s", sqlite3_errmsg(db));
    int rc = check_edition(db, s, sha, rep);
    if (rc == 1) { /* the same bytes again: nothing to do */
        sw_store_rollback(db, "ROLLBACK");
        return SW_OK;
    }
    if (!rc) rc = insert_edition(&w, files, sha, opts ? opts->source : NULL);
    if (!rc)
        rc = query_one(db, "SELECT count(*) FROM entries WHERE list=?1 AND active=1", s->list, NULL,
                       NULL, 0, &prev_active);
    if (!rc) rc = write_entries(&w);
    if (!rc) rc = remove_and_link(&w, (long)prev_active, opts ? opts->allow_mass_removal : 0);
    if (!rc) rc = update_counts(&w);
    for (int i = 0; i < Q_NQ; i++) /* keeping a failed step's message for the lines below */
        sw_store_finalize(w.q[i]);
    if (!rc && sw_store_exec(db, "COMMIT"))
        rc = lset_fail(s, SW_EDB, "cannot commit: %s", sqlite3_errmsg(db));
    if (rc) {
        if (!s->err[0]) lset_fail(s, SW_EDB, "database: %s", sqlite3_errmsg(db));
        sw_store_rollback(db, "ROLLBACK");
        return rc;
    }
    rep->edition_id = w.eid;
    return SW_OK;
}

static int is_companion(enum sw_list_format f)
{
    return f == SW_LIST_FMT_OFAC_ADD || f == SW_LIST_FMT_OFAC_ALT || f == SW_LIST_FMT_OFAC_COMMENTS;
}

int sw_lists_import(sqlite3 *db, const char *const *paths, size_t n,
                    const struct sw_lists_import_opts *opts, struct sw_lists_report *rep)
{
    struct sw_buf data[LISTS_MAX_FILES];
    enum sw_list_format fmt[LISTS_MAX_FILES];
    time_t mtime[LISTS_MAX_FILES];
    size_t order[LISTS_MAX_FILES];
    struct lset s;
    struct sw_buf files;
    int rc = SW_OK;
    memset(rep, 0, sizeof *rep);
    lset_init(&s);
    sw_buf_init(&files, 4096);
    if (n == 0 || n > LISTS_MAX_FILES) {
        snprintf(rep->err, sizeof rep->err, "one edition is 1 to %d files", LISTS_MAX_FILES);
        return SW_EINVAL;
    }
    for (size_t i = 0; i < n; i++)
        sw_buf_init(&data[i], LISTS_MAX_FILE);
    if ((rc = sw_lists_migrate(db))) {
        snprintf(rep->err, sizeof rep->err, "cannot set up the lists tables: %s",
                 sqlite3_errmsg(db));
        goto out;
    }
    /* read and recognise every file */
    size_t primary = n;
    for (size_t i = 0; i < n; i++) {
        errno = 0;
        if ((rc = read_all(paths[i], &data[i], &mtime[i]))) {
            snprintf(rep->err_file, sizeof rep->err_file, "%s", paths[i]);
            snprintf(rep->err, sizeof rep->err, "%s",
                     rc == SW_EIO && errno ? strerror(errno)
                     : rc == SW_ETOOBIG    ? "file larger than the 512 MiB limit"
                                           : sw_strerror(rc));
            goto out;
        }
        fmt[i] = sw_lists_detect(data[i].data ? data[i].data : "", data[i].len);
        if (!is_companion(fmt[i])) {
            if (primary < n) {
                snprintf(rep->err, sizeof rep->err,
                         "'%s' and '%s' are two editions: import them separately", paths[primary],
                         paths[i]);
                rc = SW_EINVAL;
                goto out;
            }
            primary = i;
        }
    }
    if (primary == n) {
        snprintf(rep->err, sizeof rep->err,
                 "OFAC add/alt/comments files need the sdn.csv they belong to");
        rc = SW_EINVAL;
        goto out;
    }
    if (n > 1 && fmt[primary] != SW_LIST_FMT_OFAC_SDN) {
        snprintf(rep->err, sizeof rep->err, "'%s' (%s) takes no companion files", paths[primary],
                 sw_list_format_name(fmt[primary]));
        rc = SW_EINVAL;
        goto out;
    }
    /* primary first, then the companions in format order: the same set hashes the same */
    order[0] = primary;
    for (size_t i = 0, k = 1; i < n; i++)
        if (i != primary) order[k++] = i;
    for (size_t a = 1; a < n; a++)
        for (size_t b = a + 1; b < n; b++)
            if (fmt[order[b]] < fmt[order[a]]) {
                size_t t = order[a];
                order[a] = order[b];
                order[b] = t;
            }
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        if (data[i].len)
            crypto_hash_sha256_update(&st, (const unsigned char *)data[i].data, data[i].len);
        if ((rc = sw_buf_printf(&files, "%s%s", k ? "; " : "", base(paths[i])))) goto out;
        if ((rc = parse_one(&s, fmt[i], data[i].data ? data[i].data : "", data[i].len))) {
            snprintf(rep->err_file, sizeof rep->err_file, "%s", paths[i]);
            snprintf(rep->err, sizeof rep->err, "%s", s.err[0] ? s.err : sw_strerror(rc));
            goto out;
        }
        sw_buf_release(&data[i]); /* parsed: its memory is no longer needed */
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    char sha[65];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(sha, sizeof sha, h, sizeof h);
    if (fmt[primary] == SW_LIST_FMT_OFAC_SDN && (rc = lofac_csv_finish(&s))) goto parse_fail;
    if ((rc = lset_unique_refs(&s))) goto parse_fail;
    if (s.n == 0) {
        rc = lset_fail(&s, SW_EFORMAT, "no entries in the file");
        goto parse_fail;
    }
    if (fmt[primary] == SW_LIST_FMT_OFAC_XML && strstr(base(paths[primary]), "cons"))
        snprintf(s.list, sizeof s.list, "ofac_cons");
    if (opts && opts->list) snprintf(s.list, sizeof s.list, "%s", opts->list);
    if (opts && opts->edition) {
        snprintf(s.edition, sizeof s.edition, "%s", opts->edition);
    } else if (!s.edition[0]) {
        char d[11];
        if (date_in_name(base(paths[primary]), d)) {
            snprintf(s.edition, sizeof s.edition, "%s", d);
        } else {
            char buf[32];
            int64_t ms = mtime[primary] ? (int64_t)mtime[primary] * 1000 : sw_time_now_ms();
            snprintf(s.edition, sizeof s.edition, "%.10s", sw_time_format(ms, 0, buf));
        }
    }
    snprintf(rep->list, sizeof rep->list, "%s", s.list);
    snprintf(rep->edition, sizeof rep->edition, "%s", s.edition);
    rep->format = fmt[primary];
    rep->orphans = s.orphans;
    if ((rc = write_edition(db, &s, files.data ? files.data : "", sha, opts, rep))) {
        snprintf(rep->err, sizeof rep->err, "%s", s.err[0] ? s.err : sw_strerror(rc));
        memset(rep->n_type, 0, sizeof rep->n_type);
        rep->n_entries = rep->added = rep->removed = rep->changed = 0;
        rep->edition_id = 0;
    }
    goto out;
parse_fail:
    snprintf(rep->err_file, sizeof rep->err_file, "%s", paths[primary]);
    snprintf(rep->err, sizeof rep->err, "%s", s.err[0] ? s.err : sw_strerror(rc));
out:
    for (size_t i = 0; i < n; i++)
        sw_buf_release(&data[i]);
    sw_buf_release(&files);
    lset_free(&s);
    return rc;
}
