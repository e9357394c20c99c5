/*
 * The endpoints of /api/v1 that change state (docs/api.md): logging in and out, passwords,
 * reviews, watchlists, users and API tokens. Checks and the slow work (argon2id hashing,
 * building a review) run in the HTTP thread; the write itself is handed to the writer
 * (srv_submit) and the answer waits for the commit that holds it. A session is a random
 * token in an HttpOnly, SameSite=Strict cookie (Secure under TLS); the store keeps its
 * SHA-256 and the session's CSRF token, which every other state-changing request must send
 * back in X-CSRF-Token.
 */
#include "serve_int.h"

#include "sanctwatch/query.h"
#include "sanctwatch/timeutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON object body, or the 400 answered. */
static int body(struct srv_req *r, json_t **o, enum MHD_Result *ret)
{
    char err[SW_ERRMAX];
    const char *ct = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Content-Type");
    if (!ct || strncmp(ct, "application/json", 16)) {
        *ret = srv_error(r, 415, NULL, "send the body as application/json");
        return -1;
    }
    if (srv_body_object(r->body, r->body_len, o, err) == SW_OK) return 0;
    *ret = srv_error(r, 400, NULL, "%s", err);
    return -1;
}

#define BODY(r, o)                                                                                 \
    json_t *o;                                                                                     \
    do {                                                                                           \
        enum MHD_Result ret_;                                                                      \
        if (body(r, &o, &ret_)) return ret_;                                                       \
    } while (0)

static int no_params(struct srv_req *r)
{
    static const char *const none[] = {NULL};
    return srv_params_collect(&r->params, r->c, none);
}

#define NO_PARAMS(r)                                                                               \
    do {                                                                                           \
        if (no_params(r)) return srv_error(r, 400, NULL, "%s", (r)->params.err);                   \
    } while (0)

/* Submit a job and answer the usual failures: 0 when the job ran and committed (j->rc says
 * how it went). */
static int submit(struct srv_req *r, struct srv_job *j, enum MHD_Result *ret)
{
    int rc = srv_submit(r->s, j);
    if (rc == SW_OK && j->rc != SW_EDB) return 0;
    if (rc == SW_OK) {
        srv_log(r->s, "error: cannot write: %s", j->err);
        *ret = srv_error(r, 500, NULL, "the store cannot be written: %s", j->err);
    } else {
        *ret = srv_error(r, 503, NULL, "the writer is busy; try again");
    }
    return -1;
}

static json_t *me_json(const struct srv_user *u, int tls)
{
    return json_pack("{ss ss sb ss sb}", "name", u->name, "role", sw_role_name(u->role),
                     "must_change", u->must_change, "csrf", u->csrf, "tls", tls);
}

enum MHD_Result api_me(struct srv_req *r)
{
    NO_PARAMS(r);
    return srv_json(r, 200, me_json(&r->user, r->s->tls));
}

/* ------------------------------------------------------------------------------ login */

struct login {
    int64_t user, session;
    uint8_t hash[32];
    const char *csrf, *addr;
};

/* The hash an unknown name is checked against, made once: the handlers run on the HTTP
 * server's threads, so it is built under pthread_once, not behind an unsynchronised flag. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];
static void dummy_setup(void)
{
    srv_password_hash("not a password of anyone", dummy_hash, sizeof dummy_hash);
}

static int login_fn(struct sw_serve *s, sqlite3 *db, struct srv_job *j)
{
    struct login *l = j->arg;
    int64_t now = sw_time_now_ms();
    int rc = srv_db_session_insert(db, l->user, l->hash, l->csrf, now, now + SRV_SESSION_MS,
                                   l->addr, &l->session);
    return rc ? rc : srv_db_user_login(db, l->user, now);
}

/* A request sent by a page of another site: its Origin names another host. */
static int cross_origin(struct srv_req *r)
{
    const char *origin = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Host");
    if (!origin) return 0;
    const char *o = strstr(origin, "://");
    return !host || !o || strcmp(o + 3, host) != 0;
}

static enum MHD_Result set_cookie(struct srv_req *r, json_t *o, const char *token, int max_age)
{
    char *text = srv_json_text(o), cookie[256];
    json_decref(o);
    if (!text) return MHD_NO;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    snprintf(cookie, sizeof cookie,
             "sw_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", token, max_age,
             r->s->tls ? "; Secure" : "");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    return srv_respond(r, 200, resp);
}

enum MHD_Result api_login(struct srv_req *r)
{
    NO_PARAMS(r);
    if (cross_origin(r)) return srv_error(r, 403, NULL, "a login from another site");
    BODY(r, o);
    const char *name = NULL, *pw = NULL;
    char err[SW_ERRMAX], hash[crypto_pwhash_STRBYTES];
    if (srv_body_string(o, "name", SW_USER_NAME_MAX, 1, 0, &name, err) ||
        srv_body_string(o, "password", SW_PASSWORD_MAX, 1, 0, &pw, err)) {
        json_decref(o);
        return srv_error(r, 400, NULL, "%s", err);
    }
    int wait = srv_limiter_check(r->s->limiter, name, r->addr);
    if (wait) {
        json_decref(o);
        return srv_error(r, 429, NULL, "too many failed logins; wait %d s", wait);
    }
    struct srv_reader *rd;
    if (srv_reader_get(r->s, &rd)) {
        json_decref(o);
        return srv_error(r, 503, NULL, "the store cannot be opened");
    }
    int64_t uid = 0;
    int role = 0, must = 0;
    int rc = srv_db_user_get(rd->db, name, &uid, &role, hash, sizeof hash, &must);
    if (rc == SW_EDB) {
        json_decref(o);
        return srv_fail(r, rc, sqlite3_errmsg(rd->db));
    }
    /* an unknown name costs what a wrong password costs */
    if (rc) pthread_once(&dummy_once, dummy_setup);
    int ok = srv_password_check(rc ? dummy_hash : hash, pw) == SW_OK && rc == SW_OK;
    if (!ok) {
        srv_limiter_fail(r->s->limiter, name, r->addr);
        json_decref(o);
        return srv_error(r, 401, NULL, "wrong name or password");
    }
    srv_limiter_ok(r->s->limiter, name);
    char token[SRV_TOKEN_TEXT + 1], csrf[SRV_TOKEN_TEXT + 1];
    uint8_t ch[32];
    struct login l = {uid, 0, {0}, csrf, r->addr};
    srv_token_new(token, l.hash);
    srv_token_new(csrf, ch);
    csrf[SRV_CSRF_TEXT] = '\0';
    struct srv_job j = {.fn = login_fn, .arg = &l};
    enum MHD_Result ret;
    struct srv_user u = {uid, 1, "", role, must, ""};
    snprintf(u.name, sizeof u.name, "%s", name);
    snprintf(u.csrf, sizeof u.csrf, "%.32s", csrf);
    json_decref(o);
    if (submit(r, &j, &ret)) return ret;
    if (j.rc) return srv_fail(r, j.rc, j.err);
    r->authed = 1;
    r->user = u;
    return set_cookie(r, me_json(&u, r->s->tls), token, (int)(SRV_SESSION_MS / 1000));
}

static int logout_fn(struct sw_serve *s, sqlite3 *db, struct srv_job *j)
{
    return srv_db_session_delete(db, *(int64_t *)j->arg);
}

enum MHD_Result api_logout(struct srv_req *r)
{
    NO_PARAMS(r);
    int64_t sid = r->user.session;
    struct srv_job j = {.fn = logout_fn, .arg = &sid};
    enum MHD_Result ret;
    if (sid && submit(r, &j, &ret)) return ret;
    return set_cookie(r, json_pack("{sb}", "logged_out", 1), "", 0);
}

struct pwchange {
    const char *name;
    char hash[crypto_pwhash_STRBYTES];
    int64_t keep;
};

static int password_fn(struct sw_serve *s, sqlite3 *db, struct srv_job *j)
{
    struct pwchange *p = j->arg;
    return srv_db_user_password(db, p->name, p->hash, 0, p->keep);
}

enum MHD_Result api_password(struct srv_req *r)
{
    NO_PARAMS(r);
    BODY(r, o);
    const char *old = NULL, *pw = NULL;
    char err[SW_ERRMAX], hash[crypto_pwhash_STRBYTES];
    int64_t uid;
    int role, must;
    struct srv_reader *rd;
    int rc = srv_body_string(o, "old", SW_PASSWORD_MAX, 1, 0, &old, err);
    if (!rc) rc = srv_body_string(o, "new", SW_PASSWORD_MAX, 1, 0, &pw, err);
    if (!rc && (strlen(pw) < SW_PASSWORD_MIN || !strcmp(pw, old))) {
        snprintf(err, sizeof err, "bad member 'new': %d to %d characters, not the old one",
                 SW_PASSWORD_MIN, SW_PASSWORD_MAX);
        rc = SW_EINVAL;
    }
    if (rc) {
        json_decref(o);
        return srv_error(r, 400, NULL, "%s", err);
    }
    if (srv_reader_get(r->s, &rd) ||
        srv_db_user_get(rd->db, r->user.name, &uid, &role, hash, sizeof hash, &must)) {
        json_decref(o);
        return srv_error(r, 503, NULL, "the store cannot be read");
    }
    if (srv_limiter_check(r->s->limiter, r->user.name, r->addr) || srv_password_check(hash, old)) {
        srv_limiter_fail(r->s->limiter, r->user.name, r->addr);
        json_decref(o);
        return srv_error(r, 403, NULL, "the old password is wrong");
    }
    struct pwchange p = {r->user.name, "", r->user.session};
    rc = srv_password_hash(pw, p.hash, sizeof p.hash);
    json_decref(o);
    if (rc) return srv_error(r, 500, NULL, "cannot hash the password");
    struct srv_job j = {.fn = password_fn, .arg = &p};
    enum MHD_Result ret;
    if (submit(r, &j, &ret)) return ret;
    if (j.rc) return srv_fail(r, j.rc, j.err);
    r->user.must_change = 0;
    return srv_json(r, 200, me_json(&r->user, r->s->tls));
}

/* ----------------------------------------------------------------------------- reviews */

static int review_fn(struct sw_serve *s, sqlite3 *db, struct srv_job *j)
{
    json_t *rv = j->arg;
    struct sw_ledger_rec rec;
    int rc = sw_ledger_record_events(s->wlg, &rv, 1, &rec);
    if (rc) return rc;
    if (rec.err) return rec.err == SW_EEXISTS ? SW_EEXISTS : rec.err;
    j->out_id = (int64_t)rec.leaf;
    return SW_OK;
}

/* After the commit: the review as a stream message was pended by the job (below). */
static int review_job(struct sw_serve *s, sqlite3 *db, struct srv_job *j);

enum MHD_Result api_review(struct srv_req *r)
{
    NO_PARAMS(r);
    BODY(r, o);
    const char *decision = NULL, *note = "";
    char err[SW_ERRMAX] = "";
    json_t *rv = NULL;
    int rc = srv_body_string(o, "decision", 16, 1, 0, &decision, err);
    if (!rc) rc = srv_body_string(o, "note", SW_REVIEW_NOTE_MAX, 0, 1, &note, err);
    if (!rc)
        rc = sw_review_new(r->arg[0], r->user.name, decision, note, sw_time_now_ms(), &rv, err);
    json_decref(o);
    if (rc) return srv_error(r, 400, NULL, "%s", err);
    struct srv_job j = {.fn = review_job, .arg = rv, .force_head = 1};
    enum MHD_Result ret;
    if (submit(r, &j, &ret)) {
        json_decref(rv);
        return ret;
    }
    if (j.rc == SW_ENOTFOUND) {
        json_decref(rv);
        return srv_error(r, 404, NULL, "no event '%.80s'", r->arg[0]);
    }
    if (j.rc) {
        json_decref(rv);
        return srv_fail(r, j.rc, j.err);
    }
    struct srv_reader *rd;
    char *head = NULL;
    if (!srv_reader_get(r->s, &rd)) sw_ledger_latest_head(rd->lg, (uint64_t)j.out_id + 1, &head);
    json_t *out = json_pack("{so sI so}", "review", rv, "leaf", (json_int_t)j.out_id, "head",
                            head ? json_string(head) : json_null());
    free(head);
    return srv_json(r, 201, out);
}

static int review_job(struct sw_serve *s, sqlite3 *db, struct srv_job *j)
{
    int rc = review_fn(s, db, j);
    if (!rc) srv_pend_review(s, j->arg, (uint64_t)j->out_id);
    return rc;
}

/* -------------------------------------------------------------------------- watchlist */

struct watch_add {
    const char *kind, *value, *label, *by;
    char norm[256];
};

static int watch_add_fn(struct sw_serve *s, sqlite3 *db, struct srv_job *j)
{
    struct watch_add *w = j->arg;
    if (!strcmp(w->kind, "name")) {
        srv_watch_norm(s->watch, w->value, w->norm, sizeof w->norm);
        if (!w->norm[0]) return SW_EINVAL;
    }
    int rc = srv_db_watch_add(db, w->kind, w->value, w->norm, w->label, w->by, sw_time_now_ms(),
                              &j->out_id);
    if (!rc) s->watch_dirty = 1;
    return rc;
}

enum MHD_Result api_watch_add(struct srv_req *r)
{
    NO_PARAMS(r);
    BODY(r, o);
    static const char *const kinds[] = {"imo", "mmsi", "name", NULL};
    struct watch_add w = {NULL, NULL, "", r->user.name, ""};
    char err[SW_ERRMAX] = "";
    int rc = srv_body_string(o, "kind", 8, 1, 0, &w.kind, err);
    if (!rc) rc = srv_body_string(o, "value", 64, 1, 0, &w.value, err);
    if (!rc) rc = srv_body_string(o, "label", 200, 0, 0, &w.label, err);
    int k = 0;
    while (!rc && kinds[k] && strcmp(kinds[k], w.kind))
        k++;
    if (!rc && !kinds[k]) {
        snprintf(err, sizeof err, "bad member 'kind': imo, mmsi or name");
        rc = SW_EINVAL;
    }
    uint32_t n;
    if (!rc && k < 2 && srv_parse_u32(w.value, k ? 1 : 1000000, k ? 999999999 : 9999999, &n)) {
        snprintf(err, sizeof err, "bad member 'value': %s", k ? "an MMSI" : "a 7-digit IMO number");
        rc = SW_EINVAL;
    }
    if (!rc && k < 2) snprintf(w.norm, sizeof w.norm, "%u", n);
    if (!rc && k == 2 && !*w.value) {
        snprintf(err, sizeof err, "bad member 'value': empty");
        rc = SW_EINVAL;
    }
    if (rc) {
        json_decref(o);
        return srv_error(r, 400, NULL, "%s", err);
    }
    struct srv_job j = {.fn = watch_add_fn, .arg = &w};
    enum MHD_Result ret;
    if (submit(r, &j, &ret)) {
        json_decref(o);
        return ret;
    }
    json_t *out = NULL;
    if (j.rc == SW_OK)
        out = json_pack("{sI ss ss ss}", "id", (json_int_t)j.out_id, "kind", w.kind, "value",
                        w.value, "label", w.label);
    json_decref(o);
    if (j.rc == SW_EEXISTS) return srv_error(r, 409, NULL, "that vessel is watched already");
    if (j.rc == SW_EINVAL) return srv_error(r, 400, NULL, "bad member 'value': no name left");
    if (j.rc) return srv_fail(r, j.rc, j.err);
    return srv_json(r, 201, out);
}

static int watch_del_fn(struct sw_serve *s, sqlite3 *db, struct srv_job *j)
{
    int rc = srv_db_watch_del(db, *(int64_t *)j->arg);
    if (!rc) s->watch_dirty = 1;
    return rc;
}

enum MHD_Result api_watch_del(struct srv_req *r)
{
    NO_PARAMS(r);
    uint32_t id;
    if (srv_parse_u32(r->arg[0], 1, UINT32_MAX, &id))
        return srv_error(r, 400, "id", "bad watchlist id '%.20s'", r->arg[0]);
    int64_t wid = id;
    struct srv_job j = {.fn = watch_del_fn, .arg = &wid};
    enum MHD_Result ret;
    if (submit(r, &j, &ret)) return ret;
    if (j.rc == SW_ENOTFOUND) return srv_error(r, 404, NULL, "no watchlist entry %u", id);
    if (j.rc) return srv_fail(r, j.rc, j.err);
    return srv_json(r, 200, json_pack("{sb}", "deleted", 1));
}

/* ------------------------------------------------------------------------------ users */

static int user_row(void *ctx, const struct sw_user_row *u)
{
    char b[32];
    json_t *o =
        json_pack("{ss ss sb ss}", "name", u->name, "role", sw_role_name(u->role), "must_change",
                  u->must_change, "created", sw_time_format(u->created, 0, b));
    if (o && u->last_login != SW_TIME_NONE)
        json_object_set_new(o, "last_login", json_string(sw_time_format(u->last_login, 0, b)));
    return o && !json_array_append_new(ctx, o) ? SW_OK : SW_ENOMEM;
}

enum MHD_Result api_users(struct srv_req *r)
{
    NO_PARAMS(r);
    struct srv_reader *rd;
    json_t *rows = json_array();
    if (srv_reader_get(r->s, &rd) || srv_db_users(rd->db, user_row, rows)) {
        json_decref(rows);
        return srv_error(r, 503, NULL, "the store cannot be read");
    }
    return srv_json(r, 200, json_pack("{so}", "users", rows));
}

struct user_add {
    const char *name;
    int role;
    char hash[crypto_pwhash_STRBYTES];
};

static int user_add_fn(struct sw_serve *s, sqlite3 *db, struct srv_job *j)
{
    struct user_add *u = j->arg;
    return srv_db_user_insert(db, u->name, u->role, u->hash, 1, sw_time_now_ms());
}

enum MHD_Result api_user_add(struct srv_req *r)
{
    NO_PARAMS(r);
    BODY(r, o);
    const char *name = NULL, *role = NULL;
    char err[SW_ERRMAX] = "", otp[SW_OTP_LEN + 1];
    struct user_add u = {NULL, 0, ""};
    int rc = srv_body_string(o, "name", SW_USER_NAME_MAX, 1, 0, &name, err);
    if (!rc) rc = srv_body_string(o, "role", 16, 1, 0, &role, err);
    if (!rc && !sw_user_name_ok(name)) {
        snprintf(err, sizeof err, "bad member 'name': letters, digits, '.', '_', '-', '@'");
        rc = SW_EINVAL;
    }
    if (!rc && !(u.role = sw_role_parse(role))) {
        snprintf(err, sizeof err, "bad member 'role': viewer, analyst or admin");
        rc = SW_EINVAL;
    }
    if (rc) {
        json_decref(o);
        return srv_error(r, 400, NULL, "%s", err);
    }
    u.name = name;
    srv_otp(otp);
    if (srv_password_hash(otp, u.hash, sizeof u.hash)) {
        json_decref(o);
        return srv_error(r, 500, NULL, "cannot hash the password");
    }
    struct srv_job j = {.fn = user_add_fn, .arg = &u};
    enum MHD_Result ret;
    if (submit(r, &j, &ret)) {
        json_decref(o);
        return ret;
    }
    json_t *out = json_pack("{ss ss ss}", "name", name, "role", sw_role_name(u.role),
                            "one_time_password", otp);
    json_decref(o);
    sodium_memzero(otp, sizeof otp);
    if (j.rc == SW_EEXISTS) {
        json_decref(out);
        return srv_error(r, 409, NULL, "user exists already");
    }
    if (j.rc) {
        json_decref(out);
        return srv_fail(r, j.rc, j.err);
    }
    return srv_json(r, 201, out);
}

static int user_del_fn(struct sw_serve *s, sqlite3 *db, struct srv_job *j)
{
    return srv_db_user_delete(db, j->arg);
}

enum MHD_Result api_user_del(struct srv_req *r)
{
    NO_PARAMS(r);
    if (!sw_user_name_ok(r->arg[0])) return srv_error(r, 400, "name", "bad user name");
    if (!strcmp(r->arg[0], r->user.name))
        return srv_error(r, 409, NULL, "an admin cannot remove their own account");
    struct srv_job j = {.fn = user_del_fn, .arg = r->arg[0]};
    enum MHD_Result ret;
    if (submit(r, &j, &ret)) return ret;
    if (j.rc == SW_ENOTFOUND) return srv_error(r, 404, NULL, "no such user");
    if (j.rc) return srv_fail(r, j.rc, j.err);
    return srv_json(r, 200, json_pack("{sb}", "deleted", 1));
}

/* ----------------------------------------------------------------------------- tokens */

static int token_row(void *ctx, int64_t id, const char *label, int64_t created, int64_t expires)
{
    char b[32], e[32];
    json_t *o = json_pack("{sI ss ss ss?}", "id", (json_int_t)id, "label", label, "created",
                          sw_time_format(created, 0, b), "expires",
                          expires == SW_TIME_NONE ? NULL : sw_time_format(expires, 0, e));
    return o && !json_array_append_new(ctx, o) ? SW_OK : SW_ENOMEM;
}

enum MHD_Result api_tokens(struct srv_req *r)
{
    NO_PARAMS(r);
    struct srv_reader *rd;
    json_t *rows = json_array();
    if (srv_reader_get(r->s, &rd) || srv_db_tokens(rd->db, r->user.id, token_row, rows)) {
        json_decref(rows);
        return srv_error(r, 503, NULL, "the store cannot be read");
    }
    return srv_json(r, 200, json_pack("{so}", "tokens", rows));
}

struct token_add {
    int64_t user, expires;
    uint8_t hash[32];
    const char *label;
};

static int token_add_fn(struct sw_serve *s, sqlite3 *db, struct srv_job *j)
{
    struct token_add *t = j->arg;
    return srv_db_token_insert(db, t->user, t->hash, t->label, sw_time_now_ms(), t->expires,
                               &j->out_id);
}

enum MHD_Result api_token_add(struct srv_req *r)
{
    NO_PARAMS(r);
    if (!r->user.session) return srv_error(r, 403, NULL, "log in to make a token");
    BODY(r, o);
    struct token_add t = {r->user.id, SW_TIME_NONE, {0}, NULL};
    char err[SW_ERRMAX] = "", token[SRV_TOKEN_TEXT + 1];
    int rc = srv_body_string(o, "label", 100, 1, 0, &t.label, err);
    json_t *days = json_object_get(o, "days");
    if (!rc && days &&
        (!json_is_integer(days) || json_integer_value(days) < 1 ||
         json_integer_value(days) > 3650)) {
        snprintf(err, sizeof err, "bad member 'days': 1 to 3650");
        rc = SW_EINVAL;
    }
    if (rc) {
        json_decref(o);
        return srv_error(r, 400, NULL, "%s", err);
    }
    if (days) t.expires = sw_time_now_ms() + json_integer_value(days) * 86400000LL;
    srv_token_new(token, t.hash);
    struct srv_job j = {.fn = token_add_fn, .arg = &t};
    enum MHD_Result ret;
    if (submit(r, &j, &ret)) {
        json_decref(o);
        return ret;
    }
    json_t *out = j.rc ? NULL
                       : json_pack("{sI ss ss}", "id", (json_int_t)j.out_id, "label", t.label,
                                   "token", token);
    json_decref(o);
    sodium_memzero(token, sizeof token);
    if (j.rc) return srv_fail(r, j.rc, j.err);
    return srv_json(r, 201, out);
}

static int token_del_fn(struct sw_serve *s, sqlite3 *db, struct srv_job *j)
{
    const int64_t *a = j->arg;
    return srv_db_token_delete(db, a[0], a[1]);
}

enum MHD_Result api_token_del(struct srv_req *r)
{
    NO_PARAMS(r);
    uint32_t id;
    if (srv_parse_u32(r->arg[0], 1, UINT32_MAX, &id))
        return srv_error(r, 400, "id", "bad token id '%.20s'", r->arg[0]);
    int64_t a[2] = {r->user.id, id};
    struct srv_job j = {.fn = token_del_fn, .arg = a};
    enum MHD_Result ret;
    if (submit(r, &j, &ret)) return ret;
    if (j.rc == SW_ENOTFOUND) return srv_error(r, 404, NULL, "no token %u of yours", id);
    if (j.rc) return srv_fail(r, j.rc, j.err);
    return srv_json(r, 200, json_pack("{sb}", "deleted", 1));
}
