/*
 * The witness's HTTP endpoint on libmicrohttpd: POST <prefix>/add-checkpoint and nothing else.
 * A thread pool on epoll; every connection has an idle time limit, a memory limit for its
 * headers and a hard limit for its body (a sw_buf of SW_WITNESS_BODY_MAX bytes: a declared
 * length above it is answered 413 at once, an undeclared one that grows past it closes the
 * connection). The answer itself comes from sw_witness_add_checkpoint.
 */
#include "sanctwatch/witness.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"

#include "net/httpd.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define PATH_MAX_LEN 256
#define HEADER_MEMORY (32 * 1024)

struct sw_witness_server {
    struct MHD_Daemon *d;
    struct sw_witness *w;
    char path[PATH_MAX_LEN];
    void (*log)(void *ctx, const char *peer, const struct sw_witness_reply *r);
    void *log_ctx;
    pthread_mutex_t log_mu;
};

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type,
                                 const char *text, size_t len, const char *reason)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED) MHD_add_response_header(r, "Allow", "POST");
    /* The 409 body must be the size alone: the reason travels in a header too. */
    if (reason && *reason) MHD_add_response_header(r, "X-Witness-Reason", reason);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void peer_name(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "?");
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    char host[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, host,
                  sizeof host);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, host,
                  sizeof host);
    snprintf(out, cap, "%s", host);
}

static enum MHD_Result finish(struct sw_witness_server *s, struct MHD_Connection *c,
                              struct sw_httpd_conn *k)
{
    struct sw_witness_reply r;
    sw_witness_add_checkpoint(s->w, k->body.data ? k->body.data : "", k->body.len,
                              (int64_t)time(NULL), &r);
    if (s->log) {
        char peer[INET6_ADDRSTRLEN + 8];
        peer_name(c, peer, sizeof peer);
        pthread_mutex_lock(&s->log_mu);
        s->log(s->log_ctx, peer, &r);
        pthread_mutex_unlock(&s->log_mu);
    }
    enum MHD_Result ret =
        send_text(c, (unsigned)r.status, r.content_type ? r.content_type : "text/plain",
                  r.body ? r.body : "", r.body ? r.body_len : 0, r.status == 200 ? NULL : r.reason);
    sw_witness_reply_release(&r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct sw_witness_server *s = cls;
    struct sw_httpd_conn *k = *con_cls;
    static const char plain[] = "text/plain; charset=utf-8";
    if (!k) {
        if (strcmp(url, s->path))
            return send_text(c, MHD_HTTP_NOT_FOUND, plain, "not found\n", 10, NULL);
        if (strcmp(method, MHD_HTTP_METHOD_POST))
            return send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, plain, "use POST\n", 9, NULL);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > SW_WITNESS_BODY_MAX) {
            char msg[64];
            int n = snprintf(msg, sizeof msg, "request body over %u bytes\n",
                             (unsigned)SW_WITNESS_BODY_MAX);
            return send_text(c, MHD_HTTP_CONTENT_TOO_LARGE, plain, msg, (size_t)n, NULL);
        }
        k = calloc(1, sizeof *k);
        if (!k) return MHD_NO;
        sw_buf_init(&k->body, SW_WITNESS_BODY_MAX);
        *con_cls = k;
        return MHD_YES;
    }
    if (*upload_size) {
        /* Undeclared length past the limit: no answer can be queued mid-body, so close. */
        if (sw_buf_append(&k->body, upload, *upload_size)) return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    return finish(s, c, k);
}

int sw_witness_server_start(struct sw_witness *w, const struct sw_witness_server_opts *o,
                            struct sw_witness_server **out, unsigned *bound_port, char *err)
{
    struct sockaddr_storage ss;
    int v6;
    const char *host = o->host ? o->host : "127.0.0.1";
    const char *prefix = o->prefix ? o->prefix : "";
    *out = NULL;
    if (o->port > 65535 || sw_httpd_bind_addr(host, o->port, &ss, &v6)) {
        if (err)
            snprintf(err, SW_ERRMAX, "cannot listen on '%s' port %u: not a numeric address", host,
                     o->port);
        return SW_EINVAL;
    }
    struct sw_witness_server *s = calloc(1, sizeof *s);
    if (!s) return SW_ENOMEM;
    if (snprintf(s->path, sizeof s->path, "%s/add-checkpoint", prefix) >= (int)sizeof s->path) {
        free(s);
        return SW_EINVAL;
    }
    s->w = w;
    s->log = o->log;
    s->log_ctx = o->log_ctx;
    pthread_mutex_init(&s->log_mu, NULL);
    unsigned threads = o->threads ? o->threads : 2;
    unsigned max_conn = o->max_conn ? o->max_conn : 128;
    unsigned per_ip = max_conn < 32 ? max_conn : 32;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | (v6 ? MHD_USE_IPv6 : 0);
    s->d = MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
        o->timeout_s ? o->timeout_s : 10u, MHD_OPTION_CONNECTION_LIMIT, max_conn,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)HEADER_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, sw_httpd_completed, s, MHD_OPTION_END);
    if (!s->d) {
        if (err) snprintf(err, SW_ERRMAX, "cannot listen on %s port %u", host, o->port);
        pthread_mutex_destroy(&s->log_mu);
        free(s);
        return SW_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_LISTEN_FD);
    struct sockaddr_storage got;
    socklen_t gl = sizeof got;
    *bound_port = o->port;
    if (di && getsockname(di->listen_fd, (struct sockaddr *)&got, &gl) == 0)
        *bound_port = ntohs(got.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&got)->sin6_port
                                                      : ((struct sockaddr_in *)&got)->sin_port);
    *out = s;
    return SW_OK;
}

void sw_witness_server_stop(struct sw_witness_server *s)
{
    if (!s) return;
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->log_mu);
    free(s);
}
