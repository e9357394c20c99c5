/*
 * Line sources: files and stdin (sanctwatch/lineio.h), a TCP client of a receiver or an
 * aggregator feed (it must connect when opened: an unreachable feed is an error; one that
 * drops later is reconnected with exponential backoff, 0.5 s doubling to 30 s) and a UDP
 * listener (one or more lines per datagram; kernel drops are read from SO_RXQ_OVFL so that
 * loss is counted, never silent). Sockets are polled every 200 ms so that a stop request or
 * an idle timeout is seen promptly.
 */
#include "source.h"

#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif
#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
#define MEMINFO_DROPS 8 /* SK_MEMINFO_DROPS in linux/sock_diag.h */

enum { SRC_LINES, SRC_TCP, SRC_UDP };

struct sw_source {
    int kind;
    struct sw_lines *lines;
    /* sockets */
    char host[256], port[32];
    int fd;
    char *buf;
    size_t cap, start, end, max_line;
    int skipping;
    uint64_t lineno, bytes;
    int64_t idle_exit_ms, last_data_ms, next_try_ms, backoff_ms;
    uint32_t ovfl_last;
    int dgram_pending; /* the buffer holds the rest of a datagram (lines without '\n') */
    struct sw_source_stats st;
};

static int tcp_connect(struct sw_source *s, char *why);

/* Datagrams dropped on this socket so far, from the kernel's socket memory info: this also
 * sees drops after the last datagram received (which SO_RXQ_OVFL cannot report). */
static void udp_drops(struct sw_source *s)
{
    uint32_t mi[16];
    socklen_t len = sizeof mi;
    memset(mi, 0, sizeof mi);
    if (s->fd >= 0 && getsockopt(s->fd, SOL_SOCKET, SO_MEMINFO, mi, &len) == 0 &&
        len > MEMINFO_DROPS * sizeof(uint32_t) && mi[MEMINFO_DROPS] > s->st.dropped)
        s->st.dropped = mi[MEMINFO_DROPS];
}

static int split_hostport(const char *s, char *host, size_t hsz, char *port, size_t psz)
{
    const char *colon;
    if (*s == '[') {
        const char *e = strchr(s, ']');
        if (!e || e[1] != ':') return SW_EINVAL;
        if ((size_t)(e - s - 1) >= hsz) return SW_EINVAL;
        memcpy(host, s + 1, (size_t)(e - s - 1));
        host[e - s - 1] = '\0';
        colon = e + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= hsz) return SW_EINVAL;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    }
    if (strlen(colon + 1) == 0 || strlen(colon + 1) >= psz) return SW_EINVAL;
    snprintf(port, psz, "%s", colon + 1);
    return SW_OK;
}

static int udp_bind(struct sw_source *s, char *err)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(s->host[0] ? s->host : NULL, s->port, &hints, &res);
    if (rc != 0) {
        snprintf(err, SW_ERRMAX, "cannot resolve '%.100s:%.20s': %s", s->host, s->port,
                 gai_strerror(rc));
        return SW_ENET;
    }
    s->fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int one = 1, rcvbuf = 8 << 20;
    if (s->fd >= 0) {
        setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(s->fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
        setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    if (s->fd < 0 || bind(s->fd, res->ai_addr, res->ai_addrlen) != 0) {
        snprintf(err, SW_ERRMAX, "cannot listen on udp '%.100s:%.20s': %s", s->host, s->port,
                 strerror(errno));
        freeaddrinfo(res);
        return SW_ENET;
    }
    freeaddrinfo(res);
    return SW_OK;
}

int sw_source_open(struct sw_source **out, const char *spec, size_t max_line, int64_t idle_exit_ms,
                   char *err)
{
    struct sw_source *s = calloc(1, sizeof *s);
    int rc;
    if (!s) return SW_ENOMEM;
    s->fd = -1;
    s->max_line = max_line ? max_line : SW_LINES_DEFAULT_MAX;
    s->idle_exit_ms = idle_exit_ms;
    s->last_data_ms = sw_time_mono_ms();
    s->backoff_ms = 500;
    if (strncmp(spec, "tcp://", 6) == 0 || strncmp(spec, "udp://", 6) == 0) {
        s->kind = spec[0] == 't' ? SRC_TCP : SRC_UDP;
        if (split_hostport(spec + 6, s->host, sizeof s->host, s->port, sizeof s->port)) {
            snprintf(err, SW_ERRMAX, "bad address '%s' (expected %s://HOST:PORT)", spec,
                     s->kind == SRC_TCP ? "tcp" : "udp");
            rc = SW_EINVAL;
            goto fail;
        }
        s->cap = s->max_line + 65536;
        s->buf = malloc(s->cap + 1);
        if (!s->buf) {
            rc = SW_ENOMEM;
            goto fail;
        }
        if (s->kind == SRC_UDP && (rc = udp_bind(s, err)) != SW_OK) goto fail;
        /* A feed that cannot be reached at the start is an error (a wrong address must not
         * read as a quiet feed); one that drops later is reconnected (tcp_next). */
        char why[SW_ERRMAX];
        if (s->kind == SRC_TCP && (rc = tcp_connect(s, why)) != SW_OK) {
            snprintf(err, SW_ERRMAX, "cannot connect to '%.80s': %.140s", spec, why);
            goto fail;
        }
    } else {
        s->kind = SRC_LINES;
        rc = sw_lines_open(&s->lines, spec, max_line);
        if (rc) {
            snprintf(err, SW_ERRMAX, "cannot open '%s': %s", spec, strerror(errno));
            goto fail;
        }
    }
    *out = s;
    return SW_OK;
fail:
    sw_source_free(s);
    return rc;
}

void sw_source_free(struct sw_source *s)
{
    if (!s) return;
    sw_lines_free(s->lines);
    if (s->fd >= 0) close(s->fd);
    free(s->buf);
    free(s);
}

int sw_source_live(const struct sw_source *s)
{
    return s->kind != SRC_LINES;
}

uint32_t sw_source_member(const struct sw_source *s)
{
    return s->kind == SRC_LINES ? sw_lines_member(s->lines) : 0;
}

uint64_t sw_source_lineno(const struct sw_source *s)
{
    return s->kind == SRC_LINES ? sw_lines_lineno(s->lines) : s->lineno;
}

uint64_t sw_source_offset(const struct sw_source *s)
{
    return s->kind == SRC_LINES ? sw_lines_offset(s->lines) : s->bytes;
}

uint64_t sw_source_size(const struct sw_source *s)
{
    return s->kind == SRC_LINES ? sw_lines_size(s->lines) : 0;
}

const struct sw_source_stats *sw_source_stats(struct sw_source *s)
{
    if (s->kind == SRC_UDP) udp_drops(s);
    return &s->st;
}

/* Resolve HOST and connect to each of its addresses in turn (5 s each: SO_SNDTIMEO bounds
 * connect on Linux). SW_OK with s->fd set, or SW_ENET with the reason in why (SW_ERRMAX
 * bytes): the resolver's for a host that cannot be resolved, else the last connect's. */
static int tcp_connect(struct sw_source *s, char *why)
{
    struct addrinfo hints, *res = NULL, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(s->host, s->port, &hints, &res);
    if (rc != 0) {
        snprintf(why, SW_ERRMAX, "cannot resolve '%.100s': %s", s->host,
                 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return SW_ENET;
    }
    int e = 0;
    for (ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            e = errno;
            continue;
        }
        struct timeval tv = {5, 0};
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            s->fd = fd;
            break;
        }
        e = errno == EINPROGRESS || errno == EAGAIN ? ETIMEDOUT : errno;
        close(fd);
    }
    freeaddrinfo(res);
    if (s->fd < 0) {
        snprintf(why, SW_ERRMAX, "%s", strerror(e ? e : ENETUNREACH));
        return SW_ENET;
    }
    s->st.reconnects++;
    s->backoff_ms = 500;
    s->start = s->end = 0;
    s->skipping = 0;
    return SW_OK;
}

/* One line out of buf[start, end) if there is a complete one (or, for a datagram, the rest). */
static int take_line(struct sw_source *s, const char **line, size_t *len)
{
    for (;;) {
        if (s->start >= s->end) return SW_EAGAIN;
        char *b = s->buf + s->start;
        char *nl = memchr(b, '\n', s->end - s->start);
        size_t n;
        if (nl) {
            n = (size_t)(nl - b);
            s->start += n + 1;
        } else if (s->kind == SRC_UDP) {
            n = s->end - s->start; /* a datagram's last line needs no '\n' */
            s->start = s->end;
        } else if (s->end - s->start > s->max_line) {
            s->skipping = 1; /* over-long: drop what we have and the rest up to '\n' */
            s->start = s->end;
            s->st.toolong++;
            s->lineno++;
            return SW_ETOOBIG;
        } else {
            return SW_EAGAIN;
        }
        if (s->skipping) {
            s->skipping = 0;
            continue;
        }
        s->lineno++;
        if (n > s->max_line) {
            s->st.toolong++;
            return SW_ETOOBIG;
        }
        if (n > 0 && b[n - 1] == '\r') n--;
        b[n] = '\0';
        *line = b;
        *len = n;
        return SW_OK;
    }
}

static int idle_check(struct sw_source *s)
{
    if (s->idle_exit_ms > 0 && sw_time_mono_ms() - s->last_data_ms > s->idle_exit_ms) return SW_EOF;
    return SW_EAGAIN;
}

static int tcp_next(struct sw_source *s, const char **line, size_t *len)
{
    int rc = take_line(s, line, len);
    if (rc != SW_EAGAIN) return rc;
    if (s->fd < 0) {
        int64_t now = sw_time_mono_ms();
        char why[SW_ERRMAX]; /* a feed that answered once is retried, whatever the reason */
        if (now >= s->next_try_ms && tcp_connect(s, why) != SW_OK) {
            s->next_try_ms = now + s->backoff_ms;
            s->backoff_ms = s->backoff_ms * 2 > 30000 ? 30000 : s->backoff_ms * 2;
        }
        if (s->fd < 0) {
            poll(NULL, 0, 100);
            return idle_check(s);
        }
    }
    struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
    if (poll(&pfd, 1, 200) <= 0) return idle_check(s);
    if (s->start > 0) {
        memmove(s->buf, s->buf + s->start, s->end - s->start);
        s->end -= s->start;
        s->start = 0;
    }
    ssize_t n = read(s->fd, s->buf + s->end, s->cap - s->end);
    if (n <= 0) {
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return SW_EAGAIN;
        close(s->fd); /* peer closed or failed: reconnect after the backoff */
        s->fd = -1;
        s->start = s->end = 0;
        s->next_try_ms = sw_time_mono_ms() + s->backoff_ms;
        return SW_EAGAIN;
    }
    s->end += (size_t)n;
    s->bytes += (uint64_t)n;
    s->last_data_ms = sw_time_mono_ms();
    return take_line(s, line, len);
}

static int udp_next(struct sw_source *s, const char **line, size_t *len)
{
    int rc = take_line(s, line, len);
    if (rc != SW_EAGAIN) return rc;
    struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
    if (poll(&pfd, 1, 200) <= 0) return idle_check(s);
    char cbuf[CMSG_SPACE(sizeof(uint32_t))];
    struct iovec iov = {.iov_base = s->buf, .iov_len = s->cap};
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    ssize_t n = recvmsg(s->fd, &mh, 0);
    if (n < 0) return errno == EINTR || errno == EAGAIN ? SW_EAGAIN : SW_ENET;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
            uint32_t total;
            memcpy(&total, CMSG_DATA(c), sizeof total);
            s->st.dropped += (uint32_t)(total - s->ovfl_last);
            s->ovfl_last = total;
        }
    if (mh.msg_flags & MSG_TRUNC) s->st.truncated++;
    s->start = 0;
    s->end = (size_t)n;
    s->bytes += (uint64_t)n;
    s->last_data_ms = sw_time_mono_ms();
    /* A datagram that is only a line break yields nothing. */
    while (s->end > 0 && (s->buf[s->end - 1] == '\n' || s->buf[s->end - 1] == '\r'))
        s->end--;
    if (s->end < (size_t)n) s->buf[s->end] = '\n', s->end++;
    return take_line(s, line, len);
}

int sw_source_next(struct sw_source *s, const char **line, size_t *len)
{
    switch (s->kind) {
    case SRC_TCP:
        return tcp_next(s, line, len);
    case SRC_UDP:
        return udp_next(s, line, len);
    default:
        return sw_lines_next(s->lines, line, len);
    }
}
