/*
 * Internals of the service (src/serve/ only), by concept:
 *   store.c     the SQL of module "serve": users, sessions, tokens, watchlists, alerts
 *   accounts.c  users and passwords (the public sw_user_* calls)
 *   auth.c      who a request is: session cookies, API tokens, CSRF, login rate limits
 *   params.c    strict parsing of query parameters and request bodies
 *   http.c      the libmicrohttpd daemon: limits, routing, answers, static files, TLS
 *   sse.c       the event stream hub: a ring of messages fanned out to suspended clients
 *   writer.c    the writer thread's side: queued work, alerts, heads, witnesses, publishing
 *   watch.c     watchlists matched against records and events
 *   api_read.c  the read endpoints (query.h, ledger.h, screen.h)
 *   api_write.c the endpoints that change state (through the writer queue)
 */
#ifndef SW_SERVE_INT_H
#define SW_SERVE_INT_H

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/serve.h"
#include "sanctwatch/witness.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>

#define SRV_BODY_MAX (64 * 1024)            /* request bodies */
#define SRV_HEADER_MEMORY (32 * 1024)       /* request line and headers */
#define SRV_SESSION_MS (12 * 3600 * 1000LL) /* a session lasts 12 h */
#define SRV_TOKEN_BYTES 32
#define SRV_TOKEN_TEXT 64 /* hex of SRV_TOKEN_BYTES, NUL not included */
#define SRV_CSRF_TEXT 32
#define SRV_QUEUE_MAX 256     /* queued writes at most */
#define SRV_WAIT_MS 15000     /* a request waits this long for its commit */
#define SRV_RING 4096         /* event stream messages kept for live clients */
#define SRV_PENDING_MAX 20000 /* messages waiting for their commit */
#define SRV_WARM_POLL_MS 20   /* the map's snapshot builder looks for a new commit */
#define SRV_WARM_IDLE_MS 1000 /* the builder idle this long: map requests build themselves */
#define SRV_PING_MS 10000     /* event stream keep-alive */

/* ---------------------------------------------------------------------- the caller */

struct srv_user {
    int64_t id, session; /* session 0: an API token */
    char name[SW_USER_NAME_MAX + 1];
    int role, must_change;
    char csrf[SRV_CSRF_TEXT + 1];
};

/* --------------------------------------------------------------------------- store.c */

int srv_db_user_get(sqlite3 *db, const char *name, int64_t *id, int *role, char *pwhash,
                    size_t pwcap, int *must_change);
int srv_db_user_insert(sqlite3 *db, const char *name, int role, const char *pwhash, int must,
                       int64_t now);
int srv_db_user_password(sqlite3 *db, const char *name, const char *pwhash, int must,
                         int64_t keep_session);
int srv_db_user_delete(sqlite3 *db, const char *name);
int srv_db_user_login(sqlite3 *db, int64_t id, int64_t now);
int srv_db_users(sqlite3 *db, sw_user_fn fn, void *ctx);
int srv_db_session_insert(sqlite3 *db, int64_t user, const uint8_t hash[32], const char *csrf,
                          int64_t now, int64_t expires, const char *addr, int64_t *id);
/* The user of a live session or token by its hash: SW_OK, SW_ENOTFOUND (unknown, expired). */
int srv_db_session_user(sqlite3 *db, const uint8_t hash[32], int64_t now, struct srv_user *u);
int srv_db_token_user(sqlite3 *db, const uint8_t hash[32], int64_t now, struct srv_user *u);
int srv_db_session_delete(sqlite3 *db, int64_t id);
int srv_db_token_insert(sqlite3 *db, int64_t user, const uint8_t hash[32], const char *label,
                        int64_t now, int64_t expires, int64_t *id);
int srv_db_token_delete(sqlite3 *db, int64_t user, int64_t id);
typedef int (*srv_token_fn)(void *ctx, int64_t id, const char *label, int64_t created,
                            int64_t expires);
int srv_db_tokens(sqlite3 *db, int64_t user, srv_token_fn fn, void *ctx);
/* Expired sessions and tokens removed. */
int srv_db_expire(sqlite3 *db, int64_t now);

struct srv_watch_row {
    int64_t id;
    const char *kind, *value, *norm, *label, *created_by;
    int64_t created;
};
typedef int (*srv_watch_fn)(void *ctx, const struct srv_watch_row *w);
int srv_db_watch_add(sqlite3 *db, const char *kind, const char *value, const char *norm,
                     const char *label, const char *by, int64_t now, int64_t *id);
int srv_db_watch_del(sqlite3 *db, int64_t id);
int srv_db_watches(sqlite3 *db, srv_watch_fn fn, void *ctx);

struct srv_alert_row {
    int64_t id, time;
    const char *kind; /* "vessel" (a watched vessel was heard) or "event" */
    int64_t watch;
    uint32_t mmsi, imo;
    const char *name, *event, *label;
};
typedef int (*srv_alert_fn)(void *ctx, const struct srv_alert_row *a);
int srv_db_alert_add(sqlite3 *db, const struct srv_alert_row *a, int64_t *id);
int srv_db_alerts(sqlite3 *db, int64_t after, size_t limit, srv_alert_fn fn, void *ctx);
int64_t srv_db_alert_last(sqlite3 *db);

/* A write of the service inside the writer's open transaction: atomic on its own (a savepoint
 * released, or rolled back when fn fails), so a refused write leaves the writer's work whole. */
int srv_db_atomic(sqlite3 *db, int (*fn)(void *ctx, sqlite3 *db), void *ctx);

/* --------------------------------------------------------------------------- auth.c */

/* Random token (hex, SRV_TOKEN_TEXT + 1 bytes) and its SHA-256. */
void srv_token_new(char *text, uint8_t hash[32]);
/* SHA-256 of a token's text; SW_EINVAL when it is not a token's shape. */
int srv_token_hash(const char *text, uint8_t hash[32]);
int srv_password_hash(const char *password, char *out, size_t cap);
int srv_password_check(const char *hash, const char *password);
void srv_otp(char *out); /* SW_OTP_LEN + 1 bytes */

struct srv_limiter; /* failed logins per account and per address, in memory, bounded */
int srv_limiter_new(struct srv_limiter **out);
void srv_limiter_free(struct srv_limiter *l);
/* 0 when a login may be tried now, else the seconds to wait. The windows are kept on the
 * monotonic clock (sw_time_mono_ms), read by the limiter itself. */
int srv_limiter_check(struct srv_limiter *l, const char *user, const char *addr);
void srv_limiter_fail(struct srv_limiter *l, const char *user, const char *addr);
void srv_limiter_ok(struct srv_limiter *l, const char *user);

/* --------------------------------------------------------------------------- params.c */

/* Query parameters of a request, checked: every name must be one the endpoint knows (400
 * "unknown parameter 'x'" otherwise), given once. */
#define SRV_MAX_PARAMS 16
struct srv_params {
    size_t n;
    const char *name[SRV_MAX_PARAMS], *value[SRV_MAX_PARAMS];
    char err[SW_ERRMAX]; /* the first problem, naming the parameter */
    const char *bad;     /* its name */
};
/* Collect the arguments of c (names allowed: a NULL-terminated list). SW_EINVAL with p->err. */
int srv_params_collect(struct srv_params *p, struct MHD_Connection *c, const char *const *allowed);
/* The same from name/value pairs (tests and the fuzz target). */
int srv_params_add(struct srv_params *p, const char *name, const char *value,
                   const char *const *allowed);
const char *srv_param(const struct srv_params *p, const char *name);
/* Typed values: SW_OK (absent leaves *out), SW_EINVAL with p->err naming the parameter. */
int srv_param_u64(struct srv_params *p, const char *name, uint64_t lo, uint64_t hi, uint64_t *out);
int srv_param_double(struct srv_params *p, const char *name, double lo, double hi, double *out);
int srv_param_time(struct srv_params *p, const char *name, int64_t *out);
int srv_param_bbox(struct srv_params *p, const char *name, double out[4], int *set);
int srv_param_bool(struct srv_params *p, const char *name, int *out);
/* One of choices (NULL-terminated): its index. */
int srv_param_enum(struct srv_params *p, const char *name, const char *const *choices, int *out);
/* Text of at most max bytes without control characters. */
int srv_param_text(struct srv_params *p, const char *name, size_t max, const char **out);
/* Comma-separated event types (detect.h names), at most max. */
int srv_param_types(struct srv_params *p, const char *name, const char **types, size_t max,
                    size_t *n);
/* An MMSI (1..999999999) or IMO (1000000..9999999) in a path segment or value. */
int srv_parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out);

/* Request bodies: a JSON object (duplicate keys refused); members read with checks. */
int srv_body_object(const char *body, size_t len, json_t **out, char *err);
int srv_body_string(json_t *o, const char *name, size_t max, int required, int multiline,
                    const char **out, char *err);

/* --------------------------------------------------------------------------- sse.c */

struct srv_hub;
int srv_hub_new(struct srv_hub **out);
void srv_hub_free(struct srv_hub *h);
/* Add committed messages (the writer, after a commit): data is one JSON object text; id the
 * position "<ledger size>.<last alert id>" after it. Wakes the clients. */
void srv_hub_publish(struct srv_hub *h, const char *event, const char *id, const char *data);
/* Where the stream stands: the position of the last message published and (seq, optional)
 * the ring's next sequence number, read together. */
void srv_hub_position(struct srv_hub *h, uint64_t *ledger, int64_t *alert, uint64_t *seq);
void srv_hub_set_position(struct srv_hub *h, uint64_t ledger, int64_t alert);
/* Wake every client (keep-alive, shutdown). */
void srv_hub_wake(struct srv_hub *h, int closing);
/* A response streaming the hub to connection c: first replay (the messages missed since
 * Last-Event-ID up to the position read with seq, formatted; or NULL; taken), then the ring
 * from seq on. */
struct MHD_Response *srv_hub_response(struct srv_hub *h, struct MHD_Connection *c,
                                      struct sw_buf *replay, uint64_t seq);
size_t srv_hub_clients(struct srv_hub *h);

/* ------------------------------------------------------------------------- writer.c */

/* Work for the writer: fn runs in the writer's transaction (inside srv_db_atomic); the
 * submitter waits until the commit that holds it. */
struct srv_job {
    int (*fn)(struct sw_serve *s, sqlite3 *db, struct srv_job *j);
    void *arg;
    int rc;              /* fn's result, or the commit's error */
    char err[SW_ERRMAX]; /* fn's message */
    int64_t out_id;      /* what fn made (a row id, a leaf) */
    int force_head;      /* sign a head in this commit (a review) */
    int state, refs;     /* internal */
    struct srv_job *next;
};
/* Queue j and wait for its commit. SW_OK: j->rc says how fn went; SW_EAGAIN: the queue is
 * full or the writer did not commit in time (j->rc unknown). */
int srv_submit(struct sw_serve *s, struct srv_job *j);

/* The writer's end (sw_serve_free): queued work fails. The witness thread (started when a
 * key and a policy are given) and its stop. */
void srv_writer_end(struct sw_serve *s);
int srv_witness_start(struct sw_serve *s);
void srv_witness_stop(struct sw_serve *s);
/* A recorded review (its record and leaf) for the stream, after the commit (a job). */
void srv_pend_review(struct sw_serve *s, const json_t *rv, uint64_t leaf);
/* The summary of an event the stream and the event list carry (a new reference). */
json_t *srv_event_summary(const json_t *ev);

/* ----------------------------------------------------------------------- watch.c */

struct srv_watch;
int srv_watch_new(struct srv_watch **out, const char *screen_data);
void srv_watch_free(struct srv_watch *w);
/* Normalise a watched name the way vessel names are matched ("" when nothing remains). */
int srv_watch_norm(struct srv_watch *w, const char *name, char *out, size_t cap);
/* Reload the watchlist from the store (the writer, after a change). */
int srv_watch_load(struct srv_watch *w, sqlite3 *db);
/* A record's vessel: appended to pending alerts when it matches a watch (once per watch and
 * vessel for this process). */
int srv_watch_vessel(struct srv_watch *w, uint32_t mmsi, uint32_t imo, const char *name, int64_t t);
/* An event's vessels. */
int srv_watch_event(struct srv_watch *w, const json_t *ev);
/* Pending alerts, taken (the writer stores them before the commit). */
size_t srv_watch_take(struct srv_watch *w, struct srv_alert_row **rows, char ***strings);
void srv_watch_release(struct srv_alert_row *rows, char **strings, size_t n);

/* ------------------------------------------------------------------------ the service */

struct sw_serve {
    struct sw_serve_opts o;
    char *db_path, *host, *web_dir, *screen_data;
    struct MHD_Daemon *d;
    unsigned port;
    int tls;
    char *cert_pem, *key_pem;
    pthread_key_t reader_key;
    /* keys */
    int has_key;
    struct sw_ledger_key key;
    char *pub_text; /* verifier key line */
    struct sw_witness_policy *policy;
    /* the writer */
    sqlite3 *wdb;
    struct sw_ledger *wlg;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct srv_job *queue, *queue_tail, *ran; /* queued; run in the open transaction */
    size_t nqueue;
    int writer_dead;
    int64_t last_head_ms;
    uint64_t head_size;
    int want_head;
    json_t *pending; /* array of [event, data] waiting for the commit */
    uint64_t pending_ledger;
    int64_t pending_alert;
    struct srv_watch *watch;
    int watch_dirty;
    /* witnesses: a thread submits each new head */
    pthread_t wit_thread;
    pthread_mutex_t wit_mu;
    pthread_cond_t wit_cv;
    int wit_running, wit_stop;
    char *wit_note; /* the head signed in the open transaction (writer only) */
    char *wit_next; /* the committed head the witness thread submits next */
    /* readers */
    struct sw_grid_share *grids;  /* the area grid of the vessels, shared by the HTTP threads */
    _Atomic uint64_t generation;  /* 1 + the writer's commits: the grids' generation */
    _Atomic int64_t map_asked_ms; /* sw_time_mono_ms of the map's last request (0 never) */
    pthread_t warm_thread;        /* builds the map's snapshot after each commit (http.c) */
    int warm_running;
    struct srv_hub *hub;
    struct srv_limiter *limiter;
    pthread_mutex_t screen_mu;
    struct sw_screen_index *screen;
    int64_t screen_tried; /* when the index was last tried (ms) */
    pthread_t ping_thread;
    int ping_running;
    pthread_mutex_t log_mu;
};

void srv_log(struct sw_serve *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A reader's connection (one per HTTP thread, read-only) with its ledger handle. */
struct srv_reader {
    sqlite3 *db;
    struct sw_ledger *lg;
};
int srv_reader_get(struct sw_serve *s, struct srv_reader **out);

/* ---------------------------------------------------------------------------- http.c */

/* What a handler answers: status, JSON body (taken) or text. */
struct srv_req {
    struct sw_serve *s;
    struct MHD_Connection *c;
    const char *method, *url;
    const char *body;
    size_t body_len;
    struct srv_user user; /* when authenticated */
    int authed;
    char addr[64];
    /* the route's captures */
    char arg[2][512];
    struct srv_params params;
};
/* JSON text of v as the service sends it: compact, ASCII, reals to 15 digits, and < > & as
 * \u003c \u003e \u0026 so that no answer or stream message can be taken for markup.
 * malloc'd; NULL on failure. */
char *srv_json_text(const json_t *v);
enum MHD_Result srv_json(struct srv_req *r, unsigned status, json_t *body);
/* A JSON text written by the caller (escaped as srv_json_text does): b's bytes are taken. */
enum MHD_Result srv_json_buf(struct srv_req *r, unsigned status, struct sw_buf *b);
/* {"error": msg} with status; msg may name a parameter (param, or NULL). */
enum MHD_Result srv_error(struct srv_req *r, unsigned status, const char *param, const char *fmt,
                          ...) __attribute__((format(printf, 4, 5)));
enum MHD_Result srv_respond(struct srv_req *r, unsigned status, struct MHD_Response *resp);
/* The stored error of a read function: SW_EINVAL 400, SW_ENOTFOUND 404, else 500 (logged). */
enum MHD_Result srv_fail(struct srv_req *r, int rc, const char *err);

/* Handlers (api_read.c, api_write.c). */
typedef enum MHD_Result (*srv_handler)(struct srv_req *r);
enum MHD_Result api_health(struct srv_req *r);
enum MHD_Result api_vessels(struct srv_req *r);
enum MHD_Result api_vessel(struct srv_req *r);
enum MHD_Result api_track(struct srv_req *r);
enum MHD_Result api_events(struct srv_req *r);
enum MHD_Result api_event(struct srv_req *r);
enum MHD_Result api_head(struct srv_req *r);
enum MHD_Result api_screen(struct srv_req *r);
enum MHD_Result api_designated(struct srv_req *r);
enum MHD_Result api_reviews(struct srv_req *r);
enum MHD_Result api_alerts(struct srv_req *r);
enum MHD_Result api_watchlist(struct srv_req *r);
enum MHD_Result api_stream(struct srv_req *r);
enum MHD_Result api_me(struct srv_req *r);
enum MHD_Result api_login(struct srv_req *r);
enum MHD_Result api_logout(struct srv_req *r);
enum MHD_Result api_password(struct srv_req *r);
enum MHD_Result api_review(struct srv_req *r);
enum MHD_Result api_watch_add(struct srv_req *r);
enum MHD_Result api_watch_del(struct srv_req *r);
enum MHD_Result api_users(struct srv_req *r);
enum MHD_Result api_user_add(struct srv_req *r);
enum MHD_Result api_user_del(struct srv_req *r);
enum MHD_Result api_tokens(struct srv_req *r);
enum MHD_Result api_token_add(struct srv_req *r);
enum MHD_Result api_token_del(struct srv_req *r);

/* Authenticate r from its cookie or bearer token (auth.c): 1 when a user is known. */
int srv_authenticate(struct srv_req *r);
/* A state-changing request with a session must carry its CSRF token: 1 when it does (or
 * uses an API token). */
int srv_csrf_ok(struct srv_req *r);

int srv_http_start(struct sw_serve *s, char *err);
void srv_http_stop(struct sw_serve *s);

#endif
