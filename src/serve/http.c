/*
 * The HTTP side of the service on libmicrohttpd: a thread pool on epoll with suspend/resume
 * (the event stream), HTTPS through GnuTLS when a certificate is given, and hard limits on
 * everything a client controls: an idle time limit per connection (slow or idle clients are
 * cut off), 32 KiB for the request line and headers, 64 KiB for a body (413), connections
 * in all and per address. Requests are routed by method and path; each route says whether it
 * needs a login, which role, and whether it changes state (then a session must send its CSRF
 * token). Static files of the dashboard are served from one folder, by names of a safe
 * alphabet only, opened without following links. Every answer carries the security headers
 * (a strict Content-Security-Policy, nosniff, no framing, no referrer).
 */
#include "serve_int.h"

#include "net/httpd.h"

#include "sanctwatch/query.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include "sanctwatch/screen.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATIC_MAX (64u << 20)
#define SRV_BODY_MAX_TEXT "65536"

void srv_log(struct sw_serve *s, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (!s->o.log) return;
    pthread_mutex_lock(&s->log_mu);
    s->o.log(s->o.log_ctx, line);
    pthread_mutex_unlock(&s->log_mu);
}

/* ------------------------------------------------------------------- reader connections */

static void reader_close(void *p)
{
    struct srv_reader *r = p;
    if (!r) return;
    sw_ledger_close(r->lg);
    sw_store_close(r->db);
    free(r);
}

int srv_reader_get(struct sw_serve *s, struct srv_reader **out)
{
    struct srv_reader *r = pthread_getspecific(s->reader_key);
    char err[SW_ERRMAX];
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r) return SW_ENOMEM;
        int rc = sw_store_open_readonly(s->db_path, &r->db, err);
        if (!rc) rc = sw_ledger_open(r->db, &r->lg);
        if (rc) {
            srv_log(s, "cannot open a reader on '%s': %s", s->db_path,
                    r->db ? sqlite3_errmsg(r->db) : err);
            reader_close(r);
            return rc;
        }
        pthread_setspecific(s->reader_key, r);
    }
    *out = r;
    return SW_OK;
}

/* ---------------------------------------------------------------------------- answers */

static void security_headers(struct sw_serve *s, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; script-src 'self'; style-src 'self' "
                            "'unsafe-inline'; img-src 'self' data: blob:; worker-src 'self' blob:; "
                            "child-src blob:; connect-src 'self'; object-src 'none'; "
                            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
    if (s->tls) MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

enum MHD_Result srv_respond(struct srv_req *r, unsigned status, struct MHD_Response *resp)
{
    if (!resp) return MHD_NO;
    security_headers(r->s, resp);
    enum MHD_Result ret = MHD_queue_response(r->c, status, resp);
    MHD_destroy_response(resp);
    if (status >= 400 || strcmp(r->method, "GET"))
        srv_log(r->s, "%s %s %.200s %u%s%s", r->addr, r->method, r->url, status,
                r->authed ? " " : "", r->authed ? r->user.name : "");
    return ret;
}

char *srv_json_text(const json_t *v)
{
    char *t = v ? json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(15)) : NULL;
    size_t n = 0, extra = 0;
    for (; t && t[n]; n++)
        extra += t[n] == '<' || t[n] == '>' || t[n] == '&' ? 5 : 0;
    if (!t || !extra) return t;
    char *o = malloc(n + extra + 1), *w = o;
    for (size_t i = 0; o && i < n; i++) /* only inside strings: JSON's own syntax has none */
        if (t[i] == '<' || t[i] == '>' || t[i] == '&')
            w += snprintf(w, 7, "\\u%04x", (unsigned)t[i]);
        else
            *w++ = t[i];
    if (o) *w = '\0';
    free(t);
    return o;
}

enum MHD_Result srv_json(struct srv_req *r, unsigned status, json_t *body)
{
    char *text = srv_json_text(body);
    json_decref(body);
    if (!text) {
        static const char oom[] = "{\"error\":\"out of memory\"}";
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(sizeof oom - 1, (void *)oom, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        return srv_respond(r, 500, resp);
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return srv_respond(r, status, resp);
}

enum MHD_Result srv_json_buf(struct srv_req *r, unsigned status, struct sw_buf *b)
{
    size_t len;
    char *text = sw_buf_detach(b, &len);
    struct MHD_Response *resp =
        text ? MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return srv_respond(r, status, resp);
}

enum MHD_Result srv_error(struct srv_req *r, unsigned status, const char *param, const char *fmt,
                          ...)
{
    char msg[SW_ERRMAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *o = json_pack("{ss}", "error", msg);
    if (!o) o = json_pack("{ss}", "error", "bad request"); /* msg not UTF-8 */
    if (param) json_object_set_new(o, "parameter", json_string(param));
    if (status == 429 || status == 503) {
        char *text = srv_json_text(o);
        json_decref(o);
        if (!text) return MHD_NO;
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        MHD_add_response_header(resp, "Retry-After", status == 429 ? "60" : "5");
        return srv_respond(r, status, resp);
    }
    return srv_json(r, status, o);
}

enum MHD_Result srv_fail(struct srv_req *r, int rc, const char *err)
{
    if (rc == SW_EINVAL) return srv_error(r, 400, NULL, "%s", err && *err ? err : "bad request");
    if (rc == SW_ENOTFOUND) return srv_error(r, 404, NULL, "not found");
    srv_log(r->s, "error: %s", err && *err ? err : sw_strerror(rc));
    return srv_error(r, 500, NULL, "the store cannot be read: %s",
                     err && *err ? err : sw_strerror(rc));
}

/* ------------------------------------------------------------------------ static files */

static const char *content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".json", "application/json"},
                 {".geojson", "application/geo+json"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".ico", "image/x-icon"},
                 {".txt", "text/plain; charset=utf-8"},
                 {".map", "application/json"}};
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext)) return types[i].type;
    return "application/octet-stream";
}

/* A path under the web folder: segments of letters, digits, '.', '_', '-', none starting with
 * a dot, no empty segment. 1 when safe. */
static int safe_path(const char *p)
{
    if (*p != '/') return 0;
    size_t seg = 0;
    for (const char *c = p + 1;; c++) {
        if (*c == '/' || !*c) {
            if (seg == 0) return 0;
            if (!*c) return 1;
            seg = 0;
            continue;
        }
        if (seg == 0 && *c == '.') return 0;
        if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_' && *c != '-') return 0;
        if (++seg > 128 || c - p > 512) return 0;
    }
}

static enum MHD_Result serve_static(struct srv_req *r)
{
    struct sw_serve *s = r->s;
    if (!s->web_dir)
        return srv_error(r, 404, NULL,
                         "the dashboard is not built ('make web'); the API is at /api/v1");
    const char *path = !strcmp(r->url, "/") ? "/index.html" : r->url;
    if (!safe_path(path)) return srv_error(r, 404, NULL, "not found");
    int dfd = open(s->web_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return srv_error(r, 404, NULL, "not found");
    int fd = openat(dfd, path + 1, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    close(dfd);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX) {
        if (fd >= 0) close(fd);
        return srv_error(r, 404, NULL, "not found");
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(path));
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    return srv_respond(r, 200, resp);
}

/* ----------------------------------------------------------------------------- routes */

enum { OPEN = 0, LOGIN = 1 };
struct route {
    const char *method, *pattern; /* '*' matches one path segment */
    srv_handler h;
    int auth;      /* OPEN, or LOGIN */
    int role;      /* at least this role */
    int any_state; /* may be used while a password change is due */
};

static const struct route routes[] = {
    {"GET", "/api/v1/health", api_health, OPEN, 0, 1},
    {"POST", "/api/v1/login", api_login, OPEN, 0, 1},
    {"POST", "/api/v1/logout", api_logout, LOGIN, SW_ROLE_VIEWER, 1},
    {"GET", "/api/v1/me", api_me, LOGIN, SW_ROLE_VIEWER, 1},
    {"POST", "/api/v1/password", api_password, LOGIN, SW_ROLE_VIEWER, 1},
    {"GET", "/api/v1/vessels", api_vessels, LOGIN, SW_ROLE_VIEWER, 0},
    {"GET", "/api/v1/vessels/*", api_vessel, LOGIN, SW_ROLE_VIEWER, 0},
    {"GET", "/api/v1/vessels/*/track", api_track, LOGIN, SW_ROLE_VIEWER, 0},
    {"GET", "/api/v1/events", api_events, LOGIN, SW_ROLE_VIEWER, 0},
    {"GET", "/api/v1/events/*", api_event, LOGIN, SW_ROLE_VIEWER, 0},
    {"POST", "/api/v1/events/*/reviews", api_review, LOGIN, SW_ROLE_ANALYST, 0},
    {"GET", "/api/v1/reviews", api_reviews, LOGIN, SW_ROLE_VIEWER, 0},
    {"GET", "/api/v1/head", api_head, LOGIN, SW_ROLE_VIEWER, 0},
    {"GET", "/api/v1/screen", api_screen, LOGIN, SW_ROLE_VIEWER, 0},
    {"GET", "/api/v1/designated", api_designated, LOGIN, SW_ROLE_VIEWER, 0},
    {"GET", "/api/v1/alerts", api_alerts, LOGIN, SW_ROLE_VIEWER, 0},
    {"GET", "/api/v1/watchlist", api_watchlist, LOGIN, SW_ROLE_VIEWER, 0},
    {"POST", "/api/v1/watchlist", api_watch_add, LOGIN, SW_ROLE_ANALYST, 0},
    {"DELETE", "/api/v1/watchlist/*", api_watch_del, LOGIN, SW_ROLE_ANALYST, 0},
    {"GET", "/api/v1/stream", api_stream, LOGIN, SW_ROLE_VIEWER, 0},
    {"GET", "/api/v1/users", api_users, LOGIN, SW_ROLE_ADMIN, 0},
    {"POST", "/api/v1/users", api_user_add, LOGIN, SW_ROLE_ADMIN, 0},
    {"DELETE", "/api/v1/users/*", api_user_del, LOGIN, SW_ROLE_ADMIN, 0},
    {"GET", "/api/v1/tokens", api_tokens, LOGIN, SW_ROLE_VIEWER, 0},
    {"POST", "/api/v1/tokens", api_token_add, LOGIN, SW_ROLE_VIEWER, 0},
    {"DELETE", "/api/v1/tokens/*", api_token_del, LOGIN, SW_ROLE_VIEWER, 0},
};

/* Match url against pattern; captures into r->arg. */
static int match(const char *pattern, const char *url, struct srv_req *r)
{
    int k = 0;
    while (*pattern && *url) {
        if (*pattern == '*') {
            const char *e = strchr(url, '/');
            size_t n = e ? (size_t)(e - url) : strlen(url);
            if (n == 0 || n >= sizeof r->arg[0] || k == 2) return 0;
            memcpy(r->arg[k], url, n);
            r->arg[k++][n] = '\0';
            url += n;
            pattern++;
            continue;
        }
        if (*pattern++ != *url++) return 0;
    }
    return !*pattern && !*url;
}

static enum MHD_Result route(struct srv_req *r)
{
    const struct route *hit = NULL;
    int path_known = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (match(routes[i].pattern, r->url, r)) {
            path_known = 1;
            if (!strcmp(routes[i].method, r->method) ||
                (!strcmp(r->method, "HEAD") && !strcmp(routes[i].method, "GET"))) {
                hit = &routes[i];
                break;
            }
        }
    if (!hit) {
        if (strncmp(r->url, "/api/", 5) &&
            (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")))
            return serve_static(r);
        if (path_known) return srv_error(r, 405, NULL, "method %s not allowed here", r->method);
        return srv_error(r, 404, NULL, "no such endpoint");
    }
    if (hit->auth == LOGIN) {
        if (!srv_authenticate(r)) return srv_error(r, 401, NULL, "log in first");
        if (r->user.must_change && !hit->any_state)
            return srv_error(r, 403, NULL, "change your one-time password first");
        if (r->user.role < hit->role)
            return srv_error(r, 403, NULL, "this needs the %s role", sw_role_name(hit->role));
        if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD") && !srv_csrf_ok(r))
            return srv_error(r, 403, NULL, "missing or wrong CSRF token (X-CSRF-Token)");
    }
    return hit->h(r);
}

/* ----------------------------------------------------------------------- connections */

static void peer_name(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "?");
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)cap);
}

/* An error answer after which the connection is closed (its unread bytes are not a request). */
static enum MHD_Result close_with(struct srv_req *r, unsigned status, const char *msg)
{
    json_t *o = json_pack("{ss}", "error", msg);
    char *text = srv_json_text(o);
    json_decref(o);
    struct MHD_Response *resp =
        text ? MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    return srv_respond(r, status, resp);
}

/* The %XX unescaping of the path and the arguments, except that %00 stays as it is: a NUL
 * would cut a name short ("/index.html%00.js" read as "/index.html"). */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    static const char hexd[] = "0123456789abcdef";
    char *w = s;
    for (char *r = s; *r; r++) {
        const char *a, *b;
        if (r[0] == '%' && r[1] && r[2] && (a = strchr(hexd, tolower((unsigned char)r[1]))) &&
            (b = strchr(hexd, tolower((unsigned char)r[2]))) && (a != hexd || b != hexd)) {
            *w++ = (char)(((a - hexd) << 4) | (b - hexd));
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct sw_serve *s = cls;
    struct sw_httpd_conn *k = *con_cls;
    if (!k) {
        k = calloc(1, sizeof *k);
        if (!k) return MHD_NO;
        sw_buf_init(&k->body, SRV_BODY_MAX);
        *con_cls = k;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
        if (cl && strtoull(cl, NULL, 10) > SRV_BODY_MAX) k->too_big = 1;
        /* GET, HEAD and DELETE take no body, and libmicrohttpd does not read one for them:
         * its bytes would be taken for the next request on the connection */
        if (strcmp(method, "POST") && ((cl && strcmp(cl, "0")) || te)) k->unexpected = 1;
        if (!k->too_big && !k->unexpected) return MHD_YES;
    }
    if (*upload_size) {
        if (!k->too_big && sw_buf_append(&k->body, upload, *upload_size)) k->too_big = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    struct srv_req *r = calloc(1, sizeof *r);
    if (!r) return MHD_NO;
    r->s = s;
    r->c = c;
    r->method = method;
    r->url = url;
    r->body = k->body.data;
    r->body_len = k->body.len;
    peer_name(c, r->addr, sizeof r->addr);
    enum MHD_Result ret;
    if (k->unexpected)
        ret = close_with(r, 400, "a body where none belongs");
    else if (k->too_big)
        ret = close_with(r, 413, "request body over " SRV_BODY_MAX_TEXT " bytes");
    else
        ret = route(r);
    free(r);
    return ret;
}

/* Every stream's keep-alive: its clients are woken every 5 s (each sends a comment when it
 * sent nothing for SRV_PING_MS). */
static void *pinger(void *arg)
{
    struct sw_serve *s = arg;
    for (unsigned tick = 1;; tick++) {
        pthread_mutex_lock(&s->wit_mu);
        int stop = !s->ping_running;
        pthread_mutex_unlock(&s->wit_mu);
        if (stop) break;
        usleep(200000);
        if (tick % 25 == 0) srv_hub_wake(s->hub, 0);
    }
    return NULL;
}

/* The map's snapshot built off the request path: after each commit of the writer, while the
 * map was asked in the last 10 s, this thread builds the new generation's snapshot (100-200
 * ms at 100k vessels), and any a request asked for (sw_grid_share_background), so that map
 * requests find it built, or meanwhile the previous one. A request that built it held its
 * HTTP thread, and every connection that thread serves, for as long: that was the p99 of
 * bench/serve.sh (docs/serve.md). */
static void *warmer(void *arg)
{
    struct sw_serve *s = arg;
    struct srv_reader *rd = NULL;
    for (;;) {
        pthread_mutex_lock(&s->wit_mu);
        int stop = !s->warm_running;
        pthread_mutex_unlock(&s->wit_mu);
        if (stop) break;
        usleep(SRV_WARM_POLL_MS * 1000);
        uint64_t gen = atomic_load(&s->generation);
        int64_t asked = atomic_load(&s->map_asked_ms);
        if (!asked || sw_time_mono_ms() - asked > 10000) continue;
        if (rd || srv_reader_get(s, &rd) == SW_OK)
            sw_grid_share_refresh(rd->db, s->grids, gen, NULL);
    }
    return NULL; /* the reader is closed with the thread (reader_key) */
}

int srv_http_start(struct sw_serve *s, char *err)
{
    struct sockaddr_storage ss;
    int v6;
    if (s->o.port > 65535 || sw_httpd_bind_addr(s->host, s->o.port, &ss, &v6)) {
        snprintf(err, SW_ERRMAX, "cannot listen on '%s': not a numeric address", s->host);
        return SW_EINVAL;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                     (v6 ? MHD_USE_IPv6 : 0) | (s->tls ? MHD_USE_TLS : 0);
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_THREAD_POOL_SIZE, s->o.threads, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, s->o.timeout_s, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, s->o.max_conn, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->o.max_per_ip, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, SRV_HEADER_MEMORY, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)sw_httpd_completed, s},
        {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, s},
        {s->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, s->key_pem},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    s->d = MHD_start_daemon(flags, (uint16_t)s->o.port, NULL, NULL, on_request, s, MHD_OPTION_ARRAY,
                            opts, MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, SW_ERRMAX, "cannot listen on %s port %u%s", s->host, s->o.port,
                 s->tls ? " (check the TLS certificate and key)" : "");
        return SW_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_LISTEN_FD);
    struct sockaddr_storage got;
    socklen_t gl = sizeof got;
    s->port = s->o.port;
    if (di && getsockname(di->listen_fd, (struct sockaddr *)&got, &gl) == 0)
        s->port = ntohs(got.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&got)->sin6_port
                                                  : ((struct sockaddr_in *)&got)->sin_port);
    s->ping_running = 1;
    if (pthread_create(&s->ping_thread, NULL, pinger, s)) s->ping_running = 0;
    s->warm_running = 1;
    if (pthread_create(&s->warm_thread, NULL, warmer, s))
        s->warm_running = 0;
    else /* the map not asked for 10 s, the first request builds: the builder sleeps */
        sw_grid_share_background(s->grids, SRV_WARM_IDLE_MS);
    return SW_OK;
}

void srv_http_stop(struct sw_serve *s)
{
    if (!s->d) return;
    MHD_quiesce_daemon(s->d);
    if (s->ping_running) {
        pthread_mutex_lock(&s->wit_mu);
        s->ping_running = 0;
        pthread_mutex_unlock(&s->wit_mu);
        pthread_join(s->ping_thread, NULL);
    }
    if (s->warm_running) {
        pthread_mutex_lock(&s->wit_mu);
        s->warm_running = 0;
        pthread_mutex_unlock(&s->wit_mu);
        pthread_join(s->warm_thread, NULL);
    }
    /* every stream ends; a suspended connection must be resumed before the daemon stops */
    for (int i = 0; i < 50 && srv_hub_clients(s->hub); i++) {
        srv_hub_wake(s->hub, 1);
        usleep(20000);
    }
    MHD_stop_daemon(s->d);
    s->d = NULL;
}

/* --------------------------------------------------------------------------- the service */

static int read_pem(const char *path, char **out, char *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, SW_ERRMAX, "cannot open '%s': %s", path, strerror(errno));
        return SW_EIO;
    }
    struct sw_buf b;
    sw_buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t n;
    int rc = SW_OK;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = sw_buf_append(&b, chunk, n);
    if (!rc) rc = sw_buf_append(&b, "", 1);
    fclose(f);
    if (rc) {
        sw_buf_release(&b);
        snprintf(err, SW_ERRMAX, "cannot read '%s': %s", path, sw_strerror(rc));
        return rc;
    }
    *out = b.data;
    return SW_OK;
}

static int policy_load(struct sw_serve *s, const char *path, char *err)
{
    char *text = NULL;
    if (read_pem(path, &text, err)) return SW_EIO;
    s->policy = calloc(1, sizeof *s->policy);
    int rc = s->policy ? sw_witness_policy_parse(text, strlen(text), s->policy, err) : SW_ENOMEM;
    free(text);
    return rc;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int setup(struct sw_serve *s, sqlite3 *wdb, const struct sw_serve_opts *o, char *err)
{
    int rc;
    s->o = *o;
    if (!s->o.threads) s->o.threads = 4;
    if (!s->o.timeout_s) s->o.timeout_s = 10;
    if (!s->o.max_conn) s->o.max_conn = 1024;
    if (!s->o.max_per_ip) s->o.max_per_ip = 256;
    if (!s->o.head_interval_s) s->o.head_interval_s = 60;
    if (!s->o.witness_timeout_s) s->o.witness_timeout_s = 10;
    s->db_path = dup_or_null(o->db_path);
    s->host = strdup(o->host ? o->host : "127.0.0.1");
    s->web_dir = dup_or_null(o->web_dir);
    s->screen_data = dup_or_null(o->screen_data);
    s->wdb = wdb;
    if (!s->db_path || !s->host) return SW_ENOMEM;
    if ((rc = sw_serve_migrate(wdb)) || (rc = sw_ledger_open(wdb, &s->wlg))) {
        snprintf(err, SW_ERRMAX, "cannot set up '%s': %s", o->db_path, sqlite3_errmsg(wdb));
        return rc;
    }
    if (o->key) {
        s->has_key = 1;
        s->key = *o->key;
        if ((rc = sw_ledger_pub_format(&s->key.pub, &s->pub_text))) return rc;
        char *note = NULL;
        struct sw_checkpoint cp;
        if (sw_ledger_latest_head(s->wlg, 0, &note) == SW_OK &&
            sw_checkpoint_parse(note, strlen(note), &cp) == SW_OK) {
            s->head_size = cp.size;
            s->last_head_ms = cp.time_ms;
        }
        free(note);
    }
    if (o->witnesses && (rc = policy_load(s, o->witnesses, err))) return rc;
    if ((o->tls_cert != NULL) != (o->tls_key != NULL)) {
        snprintf(err, SW_ERRMAX, "TLS needs both a certificate and a key");
        return SW_EINVAL;
    }
    if (o->tls_cert) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            snprintf(err, SW_ERRMAX, "this libmicrohttpd has no TLS support");
            return SW_EUNSUPPORTED;
        }
        if ((rc = read_pem(o->tls_cert, &s->cert_pem, err)) ||
            (rc = read_pem(o->tls_key, &s->key_pem, err)))
            return rc;
        s->tls = 1;
    }
    if ((rc = srv_hub_new(&s->hub)) || (rc = srv_limiter_new(&s->limiter)) ||
        (rc = sw_grid_share_new(&s->grids)))
        return rc;
    atomic_store(&s->generation, 1);
    if ((rc = srv_watch_new(&s->watch, s->screen_data)) || (rc = srv_watch_load(s->watch, wdb))) {
        snprintf(err, SW_ERRMAX, "cannot load the watchlists: %s", sw_strerror(rc));
        return rc;
    }
    uint64_t size;
    uint8_t root[SW_HASH_LEN];
    if ((rc = sw_ledger_tree(s->wlg, &size, root))) return rc;
    s->pending_ledger = size;
    s->pending_alert = srv_db_alert_last(wdb);
    srv_hub_set_position(s->hub, size, s->pending_alert);
    if (!(s->pending = json_array())) return SW_ENOMEM;
    if ((rc = srv_witness_start(s))) return rc;
    return srv_http_start(s, err);
}

int sw_serve_new(struct sw_serve **out, sqlite3 *wdb, const struct sw_serve_opts *o, char *err)
{
    struct sw_serve *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s) return SW_ENOMEM;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_mutex_init(&s->wit_mu, NULL);
    pthread_cond_init(&s->wit_cv, NULL);
    pthread_mutex_init(&s->screen_mu, NULL);
    pthread_mutex_init(&s->log_mu, NULL);
    pthread_key_create(&s->reader_key, reader_close);
    err[0] = '\0';
    int rc = setup(s, wdb, o, err);
    if (rc) {
        if (!err[0]) snprintf(err, SW_ERRMAX, "cannot start the service: %s", sw_strerror(rc));
        sw_serve_free(s);
        return rc;
    }
    *out = s;
    return SW_OK;
}

unsigned sw_serve_port(const struct sw_serve *s)
{
    return s->port;
}

void sw_serve_free(struct sw_serve *s)
{
    if (!s) return;
    srv_writer_end(s);
    srv_http_stop(s);
    srv_witness_stop(s);
    struct srv_reader *r = pthread_getspecific(s->reader_key);
    reader_close(r);
    pthread_setspecific(s->reader_key, NULL);
    pthread_key_delete(s->reader_key);
    sw_ledger_close(s->wlg);
    srv_hub_free(s->hub);
    srv_limiter_free(s->limiter);
    sw_grid_share_free(s->grids);
    srv_watch_free(s->watch);
    sw_screen_index_free(s->screen);
    json_decref(s->pending);
    free(s->wit_note);
    sw_ledger_key_wipe(&s->key);
    free(s->pub_text);
    free(s->policy);
    free(s->cert_pem);
    if (s->key_pem) sodium_memzero(s->key_pem, strlen(s->key_pem));
    free(s->key_pem);
    free(s->db_path);
    free(s->host);
    free(s->web_dir);
    free(s->screen_data);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->wit_mu);
    pthread_cond_destroy(&s->wit_cv);
    pthread_mutex_destroy(&s->screen_mu);
    pthread_mutex_destroy(&s->log_mu);
    free(s);
}
