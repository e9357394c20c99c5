/*
 * Users of the service: names, roles, passwords. `sanctwatch users` calls these on a store
 * that is not being served; the service's admin endpoints call them in its writer thread.
 * A new user, or a reset one, gets a generated one-time password that must be changed at the
 * first login: there is no default password.
 */
#include "serve_int.h"

#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *const role_names[] = {"?", "viewer", "analyst", "admin"};

const char *sw_role_name(int role)
{
    return role >= SW_ROLE_VIEWER && role <= SW_ROLE_ADMIN ? role_names[role] : "?";
}

int sw_role_parse(const char *name)
{
    for (int r = SW_ROLE_VIEWER; name && r <= SW_ROLE_ADMIN; r++)
        if (!strcmp(name, role_names[r])) return r;
    return 0;
}

int sw_user_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > SW_USER_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("._-@", name[i])) return 0;
    return 1;
}

/* Run fn in a transaction of its own, or atomically inside the caller's. */
static int in_tx(sqlite3 *db, int (*fn)(void *, sqlite3 *), void *ctx)
{
    if (!sqlite3_get_autocommit(db)) return srv_db_atomic(db, fn, ctx);
    if (sw_store_exec(db, "BEGIN IMMEDIATE")) return SW_EDB;
    int rc = fn(ctx, db);
    if (rc == SW_OK && sw_store_exec(db, "COMMIT")) rc = SW_EDB;
    if (rc != SW_OK) sw_store_rollback(db, "ROLLBACK"); /* say() reads its message after */
    return rc;
}

static void say(char *err, int rc, sqlite3 *db, const char *name, const char *what)
{
    if (!err) return;
    if (rc == SW_EDB)
        snprintf(err, SW_ERRMAX, "cannot %s '%s': %s", what, name, sqlite3_errmsg(db));
    else if (rc == SW_ENOTFOUND)
        snprintf(err, SW_ERRMAX, "no user '%s'", name);
    else if (rc == SW_EEXISTS)
        snprintf(err, SW_ERRMAX, "user '%s' exists already", name);
    else
        snprintf(err, SW_ERRMAX, "cannot %s '%s': %s", what, name, sw_strerror(rc));
}

struct pw {
    const char *name;
    int role, must;
    int64_t keep;
    char hash[crypto_pwhash_STRBYTES];
};

static int add_fn(void *ctx, sqlite3 *db)
{
    struct pw *p = ctx;
    return srv_db_user_insert(db, p->name, p->role, p->hash, 1, sw_time_now_ms());
}

static int pw_fn(void *ctx, sqlite3 *db)
{
    struct pw *p = ctx;
    return srv_db_user_password(db, p->name, p->hash, p->must, p->keep);
}

int sw_user_add(sqlite3 *db, const char *name, int role, char *otp, char *err)
{
    struct pw p = {name, role, 1, 0, ""};
    int rc;
    if (!sw_user_name_ok(name) || !sw_role_name(role)[1]) {
        if (err)
            snprintf(err, SW_ERRMAX, "bad user name '%.64s' (letters, digits, . _ - @)",
                     name ? name : "");
        return SW_EINVAL;
    }
    if ((rc = sw_serve_migrate(db))) {
        say(err, rc, db, name, "add");
        return rc;
    }
    srv_otp(otp);
    if ((rc = srv_password_hash(otp, p.hash, sizeof p.hash)) || (rc = in_tx(db, add_fn, &p)))
        say(err, rc, db, name, "add");
    return rc;
}

int sw_user_reset(sqlite3 *db, const char *name, char *otp, char *err)
{
    struct pw p = {name, 0, 1, 0, ""};
    int rc = sw_serve_migrate(db);
    srv_otp(otp);
    if (rc || (rc = srv_password_hash(otp, p.hash, sizeof p.hash)) || (rc = in_tx(db, pw_fn, &p)))
        say(err, rc, db, name, "reset");
    return rc;
}

int sw_user_set_password(sqlite3 *db, const char *name, const char *password, int64_t keep_session,
                         char *err)
{
    struct pw p = {name, 0, 0, keep_session, ""};
    size_t n = password ? strlen(password) : 0;
    if (n < SW_PASSWORD_MIN || n > SW_PASSWORD_MAX) {
        if (err)
            snprintf(err, SW_ERRMAX, "a password has %d to %d characters", SW_PASSWORD_MIN,
                     SW_PASSWORD_MAX);
        return SW_EINVAL;
    }
    int rc = srv_password_hash(password, p.hash, sizeof p.hash);
    if (rc || (rc = in_tx(db, pw_fn, &p))) say(err, rc, db, name, "set the password of");
    return rc;
}

static int del_fn(void *ctx, sqlite3 *db)
{
    return srv_db_user_delete(db, ctx);
}

int sw_user_del(sqlite3 *db, const char *name, char *err)
{
    int rc = sw_serve_migrate(db);
    if (rc || (rc = in_tx(db, del_fn, (void *)name))) say(err, rc, db, name, "remove");
    return rc;
}

int sw_user_list(sqlite3 *db, sw_user_fn fn, void *ctx, char *err)
{
    int rc = sw_store_has_table(db, "serve_users") ? srv_db_users(db, fn, ctx) : SW_OK;
    if (rc == SW_EDB && err)
        snprintf(err, SW_ERRMAX, "cannot read the users: %s", sqlite3_errmsg(db));
    return rc;
}
