/*
 * sanctwatch users: the accounts of the service (sanctwatch/serve.h; docs/serve.md). A new or
 * reset account gets a generated one-time password, printed once, that must be changed at the
 * first login: there is no default password. Run it on a store that is not being served (the
 * dashboard's admin page manages accounts while it is).
 */
#include "cli.h"

#include "sanctwatch/error.h"
#include "sanctwatch/serve.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <string.h>

static const char usage_text[] =
    "usage: sanctwatch users add [--db DB] [--role viewer|analyst|admin | --admin] NAME\n"
    "       sanctwatch users passwd [--db DB] NAME\n"
    "       sanctwatch users del [--db DB] NAME\n"
    "       sanctwatch users list [--db DB]\n\n"
    "Accounts of 'sanctwatch serve'. add creates the store if needed and prints a one-time\n"
    "password that must be changed at the first login (role viewer by default; --admin is\n"
    "--role admin); passwd prints a new one-time password and ends the user's sessions and\n"
    "API tokens; del removes an account. Roles: admin (users), analyst (reviews,\n"
    "watchlists), viewer (read only).\n";

static int list_row(void *ctx, const struct sw_user_row *u)
{
    char c[32], l[32];
    printf("%s\t%s\t%s\t%s%s\n", u->name, sw_role_name(u->role), sw_time_format(u->created, 0, c),
           u->last_login == SW_TIME_NONE ? "never" : sw_time_format(u->last_login, 0, l),
           u->must_change ? "\tmust change password" : "");
    return 0;
}

/* The store's writer connection, under the database's writer lock (store.h): refused while
 * the store is being served or analyzed, with the holder named. */
static int open_db(const char *path, int create, sqlite3 **db)
{
    char err[SW_ERRMAX];
    int rc = sw_store_open_writer(path, create, db, err);
    if (rc) cli_error("%s", err);
    return rc;
}

int cmd_users(int argc, char **argv)
{
    const char *db_path = SW_STORE_DEFAULT_PATH, *name = NULL, *sub = argc > 1 ? argv[1] : NULL;
    int role = SW_ROLE_VIEWER;
    if (!sub || !strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        fputs(usage_text, sub ? stdout : stderr);
        return sub ? 0 : 2;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--db") && i + 1 < argc) {
            db_path = argv[++i];
        } else if (!strcmp(a, "--admin")) {
            role = SW_ROLE_ADMIN;
        } else if (!strcmp(a, "--role") && i + 1 < argc) {
            if (!(role = sw_role_parse(argv[++i]))) {
                cli_error("users: unknown role '%s' (viewer, analyst, admin)", argv[i]);
                return 2;
            }
        } else if (a[0] == '-' || name) {
            cli_error("users: unexpected '%s'", a);
            fputs(usage_text, stderr);
            return 2;
        } else {
            name = a;
        }
    }
    int is_list = !strcmp(sub, "list");
    if (!is_list && strcmp(sub, "add") && strcmp(sub, "passwd") && strcmp(sub, "del")) {
        cli_error("users: unknown command '%s'", sub);
        fputs(usage_text, stderr);
        return 2;
    }
    if (is_list == (name != NULL)) {
        fputs(usage_text, stderr);
        return 2;
    }
    sqlite3 *db;
    char err[SW_ERRMAX] = "", otp[SW_OTP_LEN + 1];
    if (open_db(db_path, !strcmp(sub, "add"), &db)) return 1;
    int rc;
    if (is_list)
        rc = sw_user_list(db, list_row, NULL, err);
    else if (!strcmp(sub, "add"))
        rc = sw_user_add(db, name, role, otp, err);
    else if (!strcmp(sub, "passwd"))
        rc = sw_user_reset(db, name, otp, err);
    else
        rc = sw_user_del(db, name, err);
    sw_store_close(db);
    if (rc) {
        cli_error("%s", err[0] ? err : sw_strerror(rc));
        return 1;
    }
    if (!strcmp(sub, "add") || !strcmp(sub, "passwd"))
        printf("one-time password for '%s' (%s): %s\nit must be changed at the first login\n", name,
               !strcmp(sub, "add") ? sw_role_name(role) : "reset", otp);
    else if (!strcmp(sub, "del"))
        printf("removed '%s'\n", name);
    return 0;
}
