/*
 * The one search for the data directory (sanctwatch/datadir.h): environment, beside the
 * program (installed or source tree), the compiled-in default, the working directory.
 */
#include "sanctwatch/datadir.h"

#include "sanctwatch/error.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SW_DATADIR_DEFAULT
#define SW_DATADIR_DEFAULT "/usr/local/share/sanctwatch"
#endif

/* what the calling thread's last search skipped (thread-local: searches run in any thread) */
static _Thread_local const char *g_env_ignored;

static int is_datadir(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    int n = snprintf(p, sizeof p, "%s/ports.csv", dir);
    return n > 0 && (size_t)n < sizeof p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int put_dir(char *buf, size_t n, const char *dir)
{
    size_t l = strlen(dir);
    if (l >= n) return SW_ETOOBIG;
    memcpy(buf, dir, l + 1);
    return SW_OK;
}

int sw_datadir_program_dir(char *buf, size_t n)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) return SW_ENOTFOUND;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return SW_ENOTFOUND;
    *slash = '\0';
    return put_dir(buf, n, exe);
}

/* Beside the program: installed layout first, then the source tree. */
static int beside_exe(char *buf, size_t n)
{
    char exe[PATH_MAX];
    if (sw_datadir_program_dir(exe, sizeof exe) != SW_OK) return SW_ENOTFOUND;
    static const char *const rel[] = {"/../share/sanctwatch", "/../data", "/../../data",
                                      "/../../../data"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        char cand[PATH_MAX], real[PATH_MAX];
        int m = snprintf(cand, sizeof cand, "%s%s", exe, rel[i]);
        if (m > 0 && (size_t)m < sizeof cand && is_datadir(cand))
            return put_dir(buf, n, realpath(cand, real) ? real : cand);
    }
    return SW_ENOTFOUND;
}

int sw_datadir(char *buf, size_t n)
{
    static const char *const envs[] = {"SW_DATADIR", "SANCTWATCH_DATA"};
    g_env_ignored = NULL;
    for (size_t i = 0; i < sizeof envs / sizeof envs[0]; i++) {
        const char *env = getenv(envs[i]);
        if (!env || !*env) continue;
        if (is_datadir(env)) return put_dir(buf, n, env);
        if (!g_env_ignored) g_env_ignored = envs[i];
    }
    int rc = beside_exe(buf, n);
    if (rc != SW_ENOTFOUND) return rc;
    if (is_datadir(SW_DATADIR_DEFAULT)) return put_dir(buf, n, SW_DATADIR_DEFAULT);
    if (is_datadir("data")) return put_dir(buf, n, "data");
    return SW_ENOTFOUND;
}

int sw_datadir_path(const char *sub, char *buf, size_t n)
{
    char dir[PATH_MAX];
    int rc = sw_datadir(dir, sizeof dir);
    if (rc) return rc;
    int m = snprintf(buf, n, "%s/%s", dir, sub);
    return m < 0 || (size_t)m >= n ? SW_ETOOBIG : SW_OK;
}

const char *sw_datadir_env_ignored(void)
{
    return g_env_ignored;
}
