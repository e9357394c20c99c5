/*
 * Who a request is, and the secrets behind it: random tokens (sessions, API tokens) of 32
 * bytes, kept in the store only as their SHA-256; argon2id password hashes (libsodium
 * crypto_pwhash_str, interactive limits); one-time passwords; the CSRF check of requests
 * that change state; and the login limiter (failures per account and per address within 15
 * minutes, in a fixed table).
 */
#include "serve_int.h"

#include "sanctwatch/timeutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ secrets */

void srv_token_new(char *text, uint8_t hash[32])
{
    uint8_t raw[SRV_TOKEN_BYTES];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(text, SRV_TOKEN_TEXT + 1, raw, sizeof raw);
    crypto_hash_sha256(hash, (const unsigned char *)text, SRV_TOKEN_TEXT);
    sodium_memzero(raw, sizeof raw);
}

int srv_token_hash(const char *text, uint8_t hash[32])
{
    size_t n = 0;
    while (n <= SRV_TOKEN_TEXT && text[n])
        if (!((text[n] >= '0' && text[n] <= '9') || (text[n] >= 'a' && text[n] <= 'f')) ||
            ++n > SRV_TOKEN_TEXT)
            return SW_EINVAL;
    if (n != SRV_TOKEN_TEXT) return SW_EINVAL;
    crypto_hash_sha256(hash, (const unsigned char *)text, SRV_TOKEN_TEXT);
    return SW_OK;
}

int srv_password_hash(const char *password, char *out, size_t cap)
{
    if (cap < crypto_pwhash_STRBYTES) return SW_EINVAL;
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return SW_ENOMEM;
    return SW_OK;
}

int srv_password_check(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? SW_OK : SW_EVERIFY;
}

void srv_otp(char *out)
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY3479"; /* 48 */
    for (int i = 0; i < SW_OTP_LEN; i++)
        out[i] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
    out[SW_OTP_LEN] = '\0';
}

/* ---------------------------------------------------------------------- the caller */

static int from_cookie(struct srv_req *r, struct srv_reader *rd, int64_t now)
{
    const char *v = MHD_lookup_connection_value(r->c, MHD_COOKIE_KIND, "sw_session");
    uint8_t h[32];
    if (!v || srv_token_hash(v, h)) return 0;
    return srv_db_session_user(rd->db, h, now, &r->user) == SW_OK;
}

static int from_bearer(struct srv_req *r, struct srv_reader *rd, int64_t now)
{
    const char *v = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Authorization");
    uint8_t h[32];
    if (!v || strncmp(v, "Bearer ", 7) || srv_token_hash(v + 7, h)) return 0;
    return srv_db_token_user(rd->db, h, now, &r->user) == SW_OK;
}

int srv_authenticate(struct srv_req *r)
{
    struct srv_reader *rd;
    int64_t now = sw_time_now_ms();
    r->authed = 0;
    if (srv_reader_get(r->s, &rd)) return 0;
    r->authed = from_bearer(r, rd, now) || from_cookie(r, rd, now);
    return r->authed;
}

int srv_csrf_ok(struct srv_req *r)
{
    if (!r->authed) return 0;
    if (!r->user.session) return 1; /* an API token is not sent by browsers on their own */
    const char *v = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "X-CSRF-Token");
    size_t n = strlen(r->user.csrf);
    return v && n && strlen(v) == n && sodium_memcmp(v, r->user.csrf, n) == 0;
}

/* ---------------------------------------------------------------------- login limits */

#define LIM_SLOTS 4096
#define LIM_WINDOW_MS (15 * 60 * 1000LL)
#define LIM_USER 5  /* failures per account in the window */
#define LIM_ADDR 20 /* per address */

struct lim_slot {
    uint64_t key;
    int64_t start;
    unsigned fails;
};

struct srv_limiter {
    pthread_mutex_t mu;
    uint8_t hkey[crypto_shorthash_KEYBYTES];
    struct lim_slot s[LIM_SLOTS];
};

int srv_limiter_new(struct srv_limiter **out)
{
    struct srv_limiter *l = calloc(1, sizeof *l);
    if (!l) return SW_ENOMEM;
    pthread_mutex_init(&l->mu, NULL);
    randombytes_buf(l->hkey, sizeof l->hkey);
    *out = l;
    return SW_OK;
}

void srv_limiter_free(struct srv_limiter *l)
{
    if (!l) return;
    pthread_mutex_destroy(&l->mu);
    free(l);
}

static uint64_t lim_key(struct srv_limiter *l, char kind, const char *s)
{
    uint8_t in[SW_USER_NAME_MAX + 80], h[8];
    size_t n = strlen(s);
    if (n > sizeof in - 1) n = sizeof in - 1;
    in[0] = (uint8_t)kind;
    memcpy(in + 1, s, n);
    crypto_shorthash(h, in, n + 1, l->hkey);
    uint64_t k;
    memcpy(&k, h, 8);
    return k | 1; /* 0 marks a free slot */
}

/* The slot of key (found, or the free or oldest one taken for it when create). */
static struct lim_slot *lim_slot(struct srv_limiter *l, uint64_t key, int64_t now, int create)
{
    struct lim_slot *victim = NULL;
    size_t h = (size_t)(key % LIM_SLOTS);
    for (size_t i = 0; i < 16; i++) {
        struct lim_slot *s = &l->s[(h + i) % LIM_SLOTS];
        if (s->key == key) {
            if (now - s->start >= LIM_WINDOW_MS) s->fails = 0, s->start = now;
            return s;
        }
        if (!victim || !s->key || s->start < victim->start) victim = s;
    }
    if (!create) return NULL;
    victim->key = key;
    victim->start = now;
    victim->fails = 0;
    return victim;
}

static int lim_wait(const struct lim_slot *s, unsigned max, int64_t now)
{
    if (!s || s->fails < max) return 0;
    int64_t w = (s->start + LIM_WINDOW_MS - now + 999) / 1000;
    return w > 0 ? (int)w : 0;
}

int srv_limiter_check(struct srv_limiter *l, const char *user, const char *addr)
{
    int64_t now = sw_time_mono_ms();
    pthread_mutex_lock(&l->mu);
    int a = lim_wait(lim_slot(l, lim_key(l, 'u', user), now, 0), LIM_USER, now);
    int b = lim_wait(lim_slot(l, lim_key(l, 'a', addr), now, 0), LIM_ADDR, now);
    pthread_mutex_unlock(&l->mu);
    return a > b ? a : b;
}

void srv_limiter_fail(struct srv_limiter *l, const char *user, const char *addr)
{
    int64_t now = sw_time_mono_ms();
    pthread_mutex_lock(&l->mu);
    lim_slot(l, lim_key(l, 'u', user), now, 1)->fails++;
    lim_slot(l, lim_key(l, 'a', addr), now, 1)->fails++;
    pthread_mutex_unlock(&l->mu);
}

void srv_limiter_ok(struct srv_limiter *l, const char *user)
{
    pthread_mutex_lock(&l->mu);
    struct lim_slot *s = lim_slot(l, lim_key(l, 'u', user), sw_time_mono_ms(), 0);
    if (s) s->fails = 0;
    pthread_mutex_unlock(&l->mu);
}
