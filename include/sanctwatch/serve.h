/*
 * The monitoring service (`sanctwatch serve`, docs/serve.md, docs/api.md): a versioned JSON API
 * (/api/v1), Server-Sent Events of new events, reviews and alerts, and the dashboard's static
 * files, on libmicrohttpd (thread pool on epoll, optional TLS through GnuTLS), beside the
 * engine of `analyze` running on live feeds in one writer thread.
 *
 * Readers and the writer. The HTTP threads read the store through their own read-only SQLite
 * connections (one per thread, WAL) and only through query.h, ledger.h, screen.h and the
 * accounts below. Everything that writes (reviews, sessions, watchlists, accounts, alerts,
 * heads) is done by the one writer thread: a request hands its work to the writer through a
 * bounded queue and waits until the commit that holds it. The writer is either the ingest
 * pipeline (sw_serve_pipeline_config and sw_serve_attach make its commits carry the queued
 * work, commit by time so readers see new data within half a second, and publish what was
 * committed) or, without feeds, sw_serve_run_idle.
 *
 * Accounts (module "serve" of the store, its own migrations): users with roles admin >
 * analyst > viewer, passwords hashed with libsodium's argon2id (crypto_pwhash_str), sessions
 * and API tokens stored as SHA-256 hashes of random tokens, watchlists and alerts.
 *
 * Ownership: sw_serve_new allocates, sw_serve_free releases; the options' strings are copied.
 * The library never prints: the caller's log callback gets one line per request and event.
 */
#ifndef SANCTWATCH_SERVE_H
#define SANCTWATCH_SERVE_H

#include <signal.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "sanctwatch/ledger.h"

/* -------------------------------------------------------------------------- accounts */

enum sw_role { SW_ROLE_VIEWER = 1, SW_ROLE_ANALYST = 2, SW_ROLE_ADMIN = 3 };
/* "viewer", "analyst", "admin"; "?" otherwise. Static storage. */
const char *sw_role_name(int role);
/* The role of a name, or 0. */
int sw_role_parse(const char *name);

#define SW_USER_NAME_MAX 64
#define SW_PASSWORD_MIN 12
#define SW_PASSWORD_MAX 256
/* A generated one-time password: 20 characters of an unambiguous alphabet (~100 bits). */
#define SW_OTP_LEN 20

/* Migrations of module "serve": users, sessions, api_tokens, watchlist, alerts. */
int sw_serve_migrate(sqlite3 *db);

/* A user name: 1 to SW_USER_NAME_MAX bytes of letters, digits, '.', '_', '-', '@'. */
int sw_user_name_ok(const char *name);
/* Add a user with a generated one-time password written to otp (SW_OTP_LEN + 1 bytes) that
 * must be changed at the first login. SW_EEXISTS when the name is taken, SW_EINVAL for a bad
 * name or role. Runs in its own transaction unless one is open. */
int sw_user_add(sqlite3 *db, const char *name, int role, char *otp, char *err);
/* A new one-time password for a user (must be changed at the next login); the user's
 * sessions and tokens are revoked. SW_ENOTFOUND. */
int sw_user_reset(sqlite3 *db, const char *name, char *otp, char *err);
/* Set a password chosen by the user (SW_PASSWORD_MIN..SW_PASSWORD_MAX bytes, else
 * SW_EINVAL); clears the must-change mark; other sessions are revoked, keep_session (a
 * session id, or 0) is kept. */
int sw_user_set_password(sqlite3 *db, const char *name, const char *password, int64_t keep_session,
                         char *err);
/* Remove a user with their sessions and tokens. SW_ENOTFOUND. */
int sw_user_del(sqlite3 *db, const char *name, char *err);
struct sw_user_row {
    int64_t id;
    const char *name;
    int role;
    int must_change;
    int64_t created, last_login; /* ms, SW_TIME_NONE never */
};
typedef int (*sw_user_fn)(void *ctx, const struct sw_user_row *u);
int sw_user_list(sqlite3 *db, sw_user_fn fn, void *ctx, char *err);

/* --------------------------------------------------------------------------- service */

struct sw_serve_opts {
    const char *db_path;  /* the store (readers open it read-only) */
    const char *host;     /* numeric address to listen on (default 127.0.0.1) */
    unsigned port;        /* 0: any free port (see sw_serve_port) */
    unsigned threads;     /* HTTP worker threads (default 4) */
    unsigned timeout_s;   /* idle connection limit (default 10) */
    unsigned max_conn;    /* connections at once (default 1024) */
    unsigned max_per_ip;  /* per client address (default 256) */
    const char *tls_cert; /* PEM file names: HTTPS when both are given */
    const char *tls_key;
    const char *web_dir;             /* the dashboard's files (NULL: API only) */
    const struct sw_ledger_key *key; /* signs heads after new records (NULL: no signing) */
    const char *witnesses;           /* witness policy file (docs/witness.md) or NULL */
    unsigned head_interval_s;        /* sign a head at most this often (default 60; at once
                                        after a review) */
    unsigned witness_timeout_s;      /* each witness exchange (default 10) */
    const char *screen_data;         /* screening tables (data/screening) */
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
};

struct sw_serve;
/* Open the service on the writer's connection wdb (the caller's, which must outlive it): applies
 * the "serve" and "ledger" migrations, loads the watchlists, starts listening (readers open
 * their own connections to opts->db_path). err (SW_ERRMAX bytes) says why on failure. */
int sw_serve_new(struct sw_serve **out, sqlite3 *wdb, const struct sw_serve_opts *opts, char *err);
/* The port listened on. */
unsigned sw_serve_port(const struct sw_serve *s);
/* Stop accepting, end the event streams, fail queued work, free. */
void sw_serve_free(struct sw_serve *s);

/* Writer side, with the ingest pipeline (ingest.h): give the pipeline's config the hooks
 * (checkpoint_ms if unset: 500; checkpoint_due: work queued; committed: publish), then,
 * once the pipeline and its detectors exist, attach them (a commit hook running the queued
 * work, a consumer for the watchlists, a listener for the events). det may be NULL. */
struct sw_pipeline_config;
struct sw_pipeline;
struct sw_detect;
void sw_serve_pipeline_config(struct sw_serve *s, struct sw_pipeline_config *cfg);
int sw_serve_attach(struct sw_serve *s, struct sw_pipeline *p, struct sw_detect *det);
/* Writer side without a pipeline (no feeds, or after them): run queued work in transactions of
 * its own until *stop is set. SW_OK, or the error that stopped it (err says why). */
int sw_serve_run_idle(struct sw_serve *s, volatile sig_atomic_t *stop, char *err);

#endif
