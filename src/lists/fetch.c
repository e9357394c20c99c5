/*
 * Fetching the official publications (sanctwatch/lists.h: sw_lists_fetch): the UN Security
 * Council consolidated XML and OFAC's SDN CSV set, with libcurl. Conditional requests from
 * what each server said last (table list_sources), every download checked (HTTP status,
 * content type, complete length, size bound, format by content) and hashed, then imported
 * through sw_lists_import from a private temporary folder, so an edition is only written
 * when something changed and a bad download changes nothing.
 */
#include "lists_int.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* libcurl's global set-up, once per process and safe from any thread (the server, --jobs),
 * as src/witness/client.c does it; a failure shows as the first transfer's error. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_setup(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

#define DEFAULT_MAX ((size_t)512 << 20)
#define HDR_MAX 256

static const char *const pub_names[SW_PUB_N] = {"un", "ofac_sdn", "ofac_add", "ofac_alt",
                                                "ofac_comments"};
static const char *const pub_urls[SW_PUB_N] = {
    SW_LISTS_UN_URL, SW_LISTS_OFAC_URL "SDN.CSV", SW_LISTS_OFAC_URL "ADD.CSV",
    SW_LISTS_OFAC_URL "ALT.CSV", SW_LISTS_OFAC_URL "SDN_COMMENTS.CSV"};
/* The format each publication must be, by content. */
static const enum sw_list_format pub_fmt[SW_PUB_N] = {SW_LIST_FMT_UN_XML, SW_LIST_FMT_OFAC_SDN,
                                                      SW_LIST_FMT_OFAC_ADD, SW_LIST_FMT_OFAC_ALT,
                                                      SW_LIST_FMT_OFAC_COMMENTS};

int sw_lists_pub_parse(const char *name, enum sw_lists_pub *out)
{
    for (int i = 0; name && i < SW_PUB_N; i++)
        if (!strcmp(name, pub_names[i])) {
            *out = (enum sw_lists_pub)i;
            return SW_OK;
        }
    return SW_EINVAL;
}

const char *sw_lists_pub_name(enum sw_lists_pub p)
{
    return (unsigned)p < SW_PUB_N ? pub_names[p] : "unknown";
}

const char *sw_lists_pub_default_url(enum sw_lists_pub p)
{
    return (unsigned)p < SW_PUB_N ? pub_urls[p] : "";
}

/* One download. */
struct dl {
    enum sw_lists_pub pub;
    const char *url;
    char etag[HDR_MAX], last_modified[HDR_MAX]; /* sent: from list_sources */
    char new_etag[HDR_MAX], new_lm[HDR_MAX], ctype[HDR_MAX];
    long status;
    struct sw_buf body;
    char sha[65];
};

static int fail(struct sw_lists_fetch_report *rep, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rep->err, sizeof rep->err, fmt, ap);
    va_end(ap);
    return rc;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ctx)
{
    struct dl *d = ctx;
    return sw_buf_append(&d->body, p, sz * n) ? 0 : sz * n; /* 0 stops: over max_bytes */
}

/* A header value into out, trimmed, when the line is "name: value". */
static void header_value(const char *line, size_t len, const char *name, char *out)
{
    size_t nl = strlen(name);
    if (len <= nl + 1 || strncasecmp(line, name, nl) || line[nl] != ':') return;
    const char *v = line + nl + 1, *e = line + len;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
        e--;
    snprintf(out, HDR_MAX, "%.*s", (int)(e - v), v);
}

static size_t on_header(char *p, size_t sz, size_t n, void *ctx)
{
    struct dl *d = ctx;
    header_value(p, sz * n, "ETag", d->new_etag);
    header_value(p, sz * n, "Last-Modified", d->new_lm);
    header_value(p, sz * n, "Content-Type", d->ctype);
    return sz * n;
}

/* GET d->url (conditional when cond and a validator is known). */
static int get(struct dl *d, int cond, const struct sw_lists_fetch_opts *o,
               struct sw_lists_fetch_report *rep)
{
    CURL *c = curl_easy_init();
    if (!c) return fail(rep, SW_ENOMEM, "cannot start a transfer");
    struct curl_slist *h = NULL;
    char line[HDR_MAX + 32];
    if (cond && d->etag[0]) {
        snprintf(line, sizeof line, "If-None-Match: %s", d->etag);
        h = curl_slist_append(h, line);
    }
    if (cond && d->last_modified[0]) {
        snprintf(line, sizeof line, "If-Modified-Since: %s", d->last_modified);
        h = curl_slist_append(h, line);
    }
    sw_buf_reset(&d->body);
    d->new_etag[0] = d->new_lm[0] = d->ctype[0] = '\0';
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, d->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, d);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, d);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, o && o->timeout_s > 0 ? o->timeout_s : 300L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* gzip/deflate, decoded by curl */
    curl_easy_setopt(c, CURLOPT_USERAGENT, "sanctwatch-lists-fetch");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &d->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    if (cc == CURLE_WRITE_ERROR)
        return fail(rep, SW_ETOOBIG, "'%s': more than %zu bytes: refused", d->url, d->body.max);
    if (cc == CURLE_PARTIAL_FILE)
        return fail(rep, SW_ETRUNCATED, "'%s': transfer cut short after %zu bytes: refused", d->url,
                    d->body.len);
    if (cc != CURLE_OK)
        return fail(rep, SW_EIO, "cannot fetch '%s': %s", d->url,
                    cerr[0] ? cerr : curl_easy_strerror(cc));
    rep->bytes += (long)d->body.len;
    return SW_OK;
}

/* The content type a publication may come as: XML for the UN, CSV or plain bytes for OFAC;
 * never an HTML page (a portal's error or login page served with 200). */
static int type_ok(enum sw_lists_pub p, const char *ct)
{
    if (!ct[0]) return 1; /* not said: the content decides */
    static const char *const xml[] = {"application/xml", "text/xml", "application/octet-stream",
                                      NULL};
    static const char *const csv[] = {"text/csv",
                                      "text/plain",
                                      "application/csv",
                                      "application/octet-stream",
                                      "application/vnd.ms-excel",
                                      NULL};
    const char *const *ok = p == SW_PUB_UN ? xml : csv;
    for (int i = 0; ok[i]; i++)
        if (!strncasecmp(ct, ok[i], strlen(ok[i]))) return 1;
    return 0;
}

/* A 200 response: content type, format by content, hash. */
static int check_body(struct dl *d, struct sw_lists_fetch_report *rep)
{
    if (!type_ok(d->pub, d->ctype))
        return fail(rep, SW_EFORMAT, "'%s': content type '%s' is not a %s: refused", d->url,
                    d->ctype, d->pub == SW_PUB_UN ? "UN XML list" : "CSV file");
    if (d->body.len == 0) return fail(rep, SW_EFORMAT, "'%s': empty response: refused", d->url);
    enum sw_list_format f = sw_lists_detect(d->body.data, d->body.len);
    if (f != pub_fmt[d->pub])
        return fail(rep, SW_EFORMAT, "'%s': content is %s, not %s: refused", d->url,
                    sw_list_format_name(f), sw_list_format_name(pub_fmt[d->pub]));
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)d->body.data, d->body.len);
    sodium_bin2hex(d->sha, sizeof d->sha, h, sizeof h);
    return SW_OK;
}

/* What the server said last for d->url (validators for a conditional request). */
static int load_validators(sqlite3 *db, struct dl *d)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, "SELECT etag, last_modified FROM list_sources WHERE url=?1", -1, &q,
                           NULL) != SQLITE_OK)
        return SW_EDB;
    sqlite3_bind_text(q, 1, d->url, -1, SQLITE_STATIC);
    int src = sqlite3_step(q);
    if (src == SQLITE_ROW) {
        const char *e = (const char *)sqlite3_column_text(q, 0);
        const char *l = (const char *)sqlite3_column_text(q, 1);
        snprintf(d->etag, HDR_MAX, "%s", e ? e : "");
        snprintf(d->last_modified, HDR_MAX, "%s", l ? l : "");
    }
    sqlite3_finalize(q);
    return src == SQLITE_ROW || src == SQLITE_DONE ? SW_OK : SW_EDB;
}

/* Remember what the server said (after an import that succeeded or found the same bytes). */
static int save_validators(sqlite3 *db, const char *list, const struct dl *d, int64_t edition)
{
    sqlite3_stmt *q = NULL;
    char now[32];
    sw_time_format(sw_time_now_ms(), 0, now);
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO list_sources(url, list, etag, last_modified,"
                           " sha256, bytes, checked_at, edition) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
                           -1, &q, NULL) != SQLITE_OK)
        return SW_EDB;
    sqlite3_bind_text(q, 1, d->url, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, list, -1, SQLITE_STATIC);
    if (d->new_etag[0]) sqlite3_bind_text(q, 3, d->new_etag, -1, SQLITE_STATIC);
    if (d->new_lm[0]) sqlite3_bind_text(q, 4, d->new_lm, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, d->sha, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)d->body.len);
    sqlite3_bind_text(q, 7, now, -1, SQLITE_STATIC);
    if (edition > 0) sqlite3_bind_int64(q, 8, edition);
    int src = sqlite3_step(q);
    sqlite3_finalize(q);
    return src == SQLITE_DONE ? SW_OK : SW_EDB;
}

/* The file name a download is imported as: the OFAC sdn.csv carries its edition date in
 * its name (from Last-Modified, else today), as sw_lists_import reads it. */
static void file_name(const struct dl *d, char *out, size_t outsz)
{
    static const char *const base[SW_PUB_N] = {"consolidated.xml", "sdn", "add.csv", "alt.csv",
                                               "sdn_comments.csv"};
    if (d->pub != SW_PUB_OFAC_SDN) {
        snprintf(out, outsz, "%s", base[d->pub]);
        return;
    }
    time_t t = d->new_lm[0] ? curl_getdate(d->new_lm, NULL) : (time_t)-1;
    if (t == (time_t)-1) t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, outsz, "sdn_%04d-%02d-%02d.csv", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Write the downloads into a private folder and import them as one edition. */
static int import_downloads(sqlite3 *db, struct dl *d, int n, const struct sw_lists_fetch_opts *o,
                            struct sw_lists_fetch_report *rep)
{
    char dir[] = "/tmp/sanctwatch-fetch-XXXXXX", paths[SW_PUB_N][128];
    const char *pp[SW_PUB_N];
    struct sw_buf src;
    if (!mkdtemp(dir))
        return fail(rep, SW_EIO, "cannot make a temporary folder: %s", strerror(errno));
    sw_buf_init(&src, 64 * 1024);
    int rc = SW_OK;
    for (int i = 0; i < n && !rc; i++) {
        char name[64];
        file_name(&d[i], name, sizeof name);
        snprintf(paths[i], sizeof paths[i], "%s/%s", dir, name);
        pp[i] = paths[i];
        FILE *f = fopen(paths[i], "wb");
        if (!f || fwrite(d[i].body.data, 1, d[i].body.len, f) != d[i].body.len || fclose(f)) {
            if (f) fclose(f);
            rc = fail(rep, SW_EIO, "cannot write '%s': %s", paths[i], strerror(errno));
            break;
        }
        rc =
            sw_buf_printf(&src, "%s%s sha256=%s bytes=%zu etag=%s last-modified=%s", i ? "\n" : "",
                          d[i].url, d[i].sha, d[i].body.len, d[i].new_etag[0] ? d[i].new_etag : "-",
                          d[i].new_lm[0] ? d[i].new_lm : "-");
    }
    if (!rc) {
        struct sw_lists_import_opts io = {NULL, NULL, o ? o->allow_mass_removal : 0, src.data};
        rc = sw_lists_import(db, pp, (size_t)n, &io, &rep->imp);
        if (rc)
            fail(rep, rc, "%s%s%s", rep->imp.err_file[0] ? rep->imp.err_file : "",
                 rep->imp.err_file[0] ? ": " : "", rep->imp.err);
    }
    for (int i = 0; i < n; i++)
        unlink(paths[i]);
    rmdir(dir);
    sw_buf_release(&src);
    return rc;
}

int sw_lists_fetch(sqlite3 *db, const char *list, const struct sw_lists_fetch_opts *o,
                   struct sw_lists_fetch_report *rep)
{
    memset(rep, 0, sizeof *rep);
    int first, n;
    if (list && !strcmp(list, "un"))
        first = SW_PUB_UN, n = 1;
    else if (list && !strcmp(list, "ofac"))
        first = SW_PUB_OFAC_SDN, n = SW_PUB_N - SW_PUB_OFAC_SDN;
    else
        return fail(rep, SW_EINVAL, "unknown list '%s' (un, ofac)", list ? list : "");
    int rc = sw_lists_migrate(db);
    if (rc) return fail(rep, rc, "cannot set up the lists tables: %s", sqlite3_errmsg(db));
    pthread_once(&curl_once, curl_setup);
    if (sodium_init() < 0) return fail(rep, SW_ENOMEM, "cannot start libsodium");
    struct dl d[SW_PUB_N];
    memset(d, 0, sizeof d);
    for (int i = 0; i < n; i++) {
        d[i].pub = (enum sw_lists_pub)(first + i);
        d[i].url = o && o->url[first + i] ? o->url[first + i] : pub_urls[first + i];
        sw_buf_init(&d[i].body, o && o->max_bytes ? o->max_bytes : DEFAULT_MAX);
    }
    int unchanged = 0;
    for (int i = 0; i < n && !rc; i++)
        if (!(rc = load_validators(db, &d[i])) && !(rc = get(&d[i], 1, o, rep)))
            unchanged += d[i].status == 304;
    if (!rc && unchanged == n) {
        rep->not_modified = 1;
        goto out;
    }
    for (int i = 0; i < n && !rc; i++) {
        if (d[i].status == 304) rc = get(&d[i], 0, o, rep); /* the set is imported whole */
        if (!rc && d[i].status != 200)
            rc = fail(rep, SW_EIO, "'%s': HTTP status %ld: refused", d[i].url, d[i].status);
        if (!rc) rc = check_body(&d[i], rep);
    }
    if (!rc) rc = import_downloads(db, d, n, o, rep);
    for (int i = 0; i < n && !rc; i++)
        if ((rc = save_validators(db, list, &d[i], rep->imp.edition_id)))
            fail(rep, rc, "cannot record the source: %s", sqlite3_errmsg(db));
out:
    for (int i = 0; i < n; i++)
        sw_buf_release(&d[i].body);
    return rc;
}
