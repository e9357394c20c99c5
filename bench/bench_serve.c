/*
 * Benchmark of `sanctwatch serve` (bench/serve.sh runs it): the live feed and the clients.
 *   bench_serve --feed-port-file F --go FILE [--vessels V] [--rate R] [--clients C]
 *               [--seconds S] [--sse N] [--think-ms M]
 * It listens as the TCP feed the service connects to (port written to F), waits until FILE
 * holds "HTTPPORT TOKEN", then, in one run:
 *   A  the feed at R messages/s (positions of V vessels, the MMSIs of bench/fleet.h, times
 *      now) for S seconds, no clients: the messages/s the service took (TCP backpressure
 *      slows the feed when the service falls behind);
 *   B  the same feed with C clients (a thread and a keep-alive connection each) asking for
 *      vessels in a random 5x5 degree box and for events, in turn: requests/s, p50 and p99
 *      latency of each kind, and the messages/s taken meanwhile: a closed loop, each client
 *      asking again as soon as it has its answer, the worst case;
 *   B' the same C clients pausing a random 0.5 M to 1.5 M ms (M = 1000: an analyst's map and
 *      event list refreshed about once a second) after each answer, each starting at a random
 *      moment of the first M ms: the load a team of C analysts makes, with the same figures
 *      (skipped with --think-ms 0);
 *   Each phase's feed keeps R messages/s from its start: it does not send what the service
 *   did not take in an earlier phase (B's backlog was sent at full speed during B').
 *   C  N event-stream clients (one poll loop) while the feed goes on at R/10: every second a
 *      vessel of an unallocated MID is sent (an identity_fraud event at once); the delay from
 *      its sentence leaving the feed to each client reading the event: p50, p99, max, and how
 *      many of N x markers arrived.
 */
#include "sanctwatch/buf.h"
#include "sanctwatch/sim.h"
#include "fleet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static double urand(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* ---------------------------------------------------------------------------- the feed */

static int feed_fd = -1;
static long nvessels = 100000;
static atomic_long rate;        /* messages/s wanted */
static atomic_long sent;        /* messages written */
static atomic_int marker_next;  /* markers asked for */
static double marker_sent[256]; /* when marker k left */
static atomic_int stop_feed;
static atomic_int feed_restart; /* a phase begins: the feed's schedule starts again */

struct ship {
    double lat, lon, sog, cog;
};

static int put_msg(struct sw_buf *b, uint32_t mmsi, double lat, double lon, double sog, double cog,
                   int64_t t)
{
    struct sw_aisenc_msg m;
    char pl[SW_AISENC_MAX_PAYLOAD + 1];
    size_t len;
    int fill;
    memset(&m, 0, sizeof m);
    m.type = 1;
    m.mmsi = mmsi;
    m.lat = lat, m.lon = lon, m.sog_kn = sog, m.cog_deg = cog;
    m.heading = -1;
    m.second = (int)(t % 60);
    if (sw_aisenc_encode(&m, pl, &len, &fill)) return -1;
    return sw_aisenc_nmea(pl, len, fill, "rA", t, 'A', 0, 0, b);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

static void *feed_main(void *arg)
{
    struct ship *s = calloc((size_t)nvessels, sizeof *s);
    struct sw_buf b;
    sw_buf_init(&b, 0);
    for (long v = 0; v < nvessels; v++) {
        s[v].lat = 20 + urand() * 30;
        s[v].lon = 115 + urand() * 30;
        s[v].sog = 5 + urand() * 10;
        s[v].cog = urand() * 360;
    }
    long i = 0;
    int markers_done = 0;
    double t0 = mono();
    long base = 0;
    long cur_rate = atomic_load(&rate);
    while (!atomic_load(&stop_feed)) {
        long r = atomic_load(&rate);
        if (r != cur_rate || atomic_exchange(&feed_restart, 0))
            t0 = mono(), base = atomic_load(&sent), cur_rate = r;
        long due = (long)((mono() - t0) * (double)r) - (atomic_load(&sent) - base);
        if (due <= 0) {
            usleep(1000);
            continue;
        }
        if (due > 2000) due = 2000;
        sw_buf_reset(&b);
        int64_t now = (int64_t)time(NULL);
        for (long k = 0; k < due; k++, i++) {
            long v = i % nvessels;
            struct ship *p = &s[v];
            p->lat += 0.0001 * cos(p->cog * M_PI / 180);
            p->lon += 0.0001 * sin(p->cog * M_PI / 180);
            put_msg(&b, fleet_mmsi(v, 2), p->lat, p->lon, p->sog, p->cog, now);
        }
        int want = atomic_load(&marker_next);
        if (markers_done < want && markers_done < 256) { /* a vessel of MID 200: an event */
            put_msg(&b, 200999000u + (uint32_t)markers_done, 35, 125, 3, 90, now);
            put_msg(&b, 201000001u, 35, 125, 3, 90, now + 1); /* releases it from the buffer */
            marker_sent[markers_done++] = mono();
        }
        if (write_all(feed_fd, b.data, b.len)) break;
        atomic_fetch_add(&sent, due);
    }
    sw_buf_release(&b);
    free(s);
    return NULL;
}

/* -------------------------------------------------------------------------- HTTP clients */

static int http_port;
static char token[128];
static atomic_int clients_stop;

static int connect_local(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)http_port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One request on a keep-alive connection: the status, the body read whole. */
static int request(int fd, const char *path, char *buf, size_t cap)
{
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", path, token);
    if (write_all(fd, req, (size_t)n)) return -1;
    size_t got = 0;
    char *end = NULL;
    while (!end) {
        ssize_t r = read(fd, buf + got, cap - 1 - got);
        if (r <= 0) return -1;
        got += (size_t)r;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    char *cl = strstr(buf, "Content-Length:"); /* as libmicrohttpd spells it */
    long body = cl ? strtol(cl + 15, NULL, 10) : 0;
    size_t need = (size_t)(end - buf) + 4 + (size_t)body;
    while (got < need) { /* the rest of the body, into a scratch area */
        char scratch[65536];
        size_t want = need - got < sizeof scratch ? need - got : sizeof scratch;
        ssize_t r = read(fd, scratch, want);
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return (int)strtol(buf + 9, NULL, 10);
}

struct worker {
    pthread_t th;
    int id;
    int think_ms; /* the pause after each answer, 0.5x to 1.5x; 0: none */
    double *lat[2];
    size_t n[2], cap;
    long errors;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    char buf[1 << 16], path[256];
    int fd = connect_local();
    uint64_t r = 0x1234567ULL * (uint64_t)(w->id + 1);
    if (w->think_ms > 0) /* analysts do not all ask in the same instant: a random start */
        usleep((useconds_t)((r >> 7) % (uint64_t)w->think_ms * 1000));
    for (long k = 0; fd >= 0 && !atomic_load(&clients_stop); k++) {
        int kind = (int)(k & 1);
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        if (kind == 0) {
            int s = 20 + (int)(r % 30), wl = 115 + (int)((r >> 8) % 30);
            snprintf(path, sizeof path,
                     "/api/v1/vessels?bbox=%d,%d,%d,%d&format=compact&limit=5000", s, wl, s + 5,
                     wl + 5);
        } else {
            snprintf(path, sizeof path, "/api/v1/events?limit=50&order=time");
        }
        double t = mono();
        int st = request(fd, path, buf, sizeof buf);
        double dt = mono() - t;
        if (st != 200) {
            w->errors++;
            close(fd);
            fd = connect_local();
            continue;
        }
        if (w->n[kind] < w->cap) w->lat[kind][w->n[kind]++] = dt;
        if (w->think_ms > 0) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            long us = (long)w->think_ms * (500 + (long)(r % 1001));
            for (; us > 0 && !atomic_load(&clients_stop); us -= 100000)
                usleep((useconds_t)(us < 100000 ? us : 100000));
        }
    }
    if (fd >= 0) close(fd);
    return NULL;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
    if (!n) return NAN;
    size_t k = (size_t)(p * (double)(n - 1) + 0.5);
    return v[k];
}

/* ------------------------------------------------------------------------ event streams */

struct sse {
    int fd;
    char tail[64];
    size_t tlen;
    double seen[256];
};

static void sse_scan(struct sse *c, const char *data, size_t n, double now)
{
    char buf[65536 + 64];
    if (n > 65536) n = 65536;
    memcpy(buf, c->tail, c->tlen);
    memcpy(buf + c->tlen, data, n);
    size_t len = c->tlen + n;
    buf[len] = '\0';
    for (char *p = buf; (p = strstr(p, "\"mmsi\":200999")); p += 13) {
        int k = (int)strtol(p + 13, NULL, 10);
        if (k >= 0 && k < 256 && p[16] && !c->seen[k]) c->seen[k] = now;
    }
    c->tlen = len < 40 ? len : 40;
    memcpy(c->tail, buf + len - c->tlen, c->tlen);
}

static void run_sse(int nclients, int seconds)
{
    struct sse *c = calloc((size_t)nclients, sizeof *c);
    struct pollfd *pf = calloc((size_t)nclients, sizeof *pf);
    char req[256], buf[65536];
    int n = snprintf(req, sizeof req,
                     "GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
                     token);
    int open = 0;
    for (int i = 0; i < nclients; i++) {
        c[i].fd = connect_local();
        if (c[i].fd >= 0 && write_all(c[i].fd, req, (size_t)n) == 0) open++;
        pf[i].fd = c[i].fd;
        pf[i].events = POLLIN;
    }
    double start = mono(), next_marker = start + 2;
    int markers = 0;
    while (mono() - start < seconds) {
        if (mono() >= next_marker && markers < 256 && mono() - start < seconds - 3) {
            atomic_store(&marker_next, ++markers);
            next_marker += 1;
        }
        if (poll(pf, (nfds_t)nclients, 50) <= 0) continue;
        double now = mono();
        for (int i = 0; i < nclients; i++)
            if (pf[i].revents & POLLIN) {
                ssize_t r = read(pf[i].fd, buf, sizeof buf);
                if (r <= 0) {
                    close(pf[i].fd);
                    pf[i].fd = -1;
                    continue;
                }
                sse_scan(&c[i], buf, (size_t)r, now);
            }
    }
    size_t cap = (size_t)nclients * (size_t)markers, got = 0;
    double *d = malloc((cap ? cap : 1) * sizeof *d);
    for (int i = 0; i < nclients; i++)
        for (int k = 0; k < markers; k++)
            if (c[i].seen[k] > 0) d[got++] = c[i].seen[k] - marker_sent[k];
    qsort(d, got, sizeof *d, cmpd);
    printf("C  event stream: %d clients connected of %d, %d events sent, %zu of %zu deliveries "
           "arrived; delay sentence -> client: p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
           open, nclients, markers, got, cap, pct(d, got, 0.5) * 1000, pct(d, got, 0.99) * 1000,
           got ? d[got - 1] * 1000 : NAN);
    for (int i = 0; i < nclients; i++)
        if (pf[i].fd >= 0) close(pf[i].fd);
    free(d);
    free(c);
    free(pf);
}

/* ------------------------------------------------------------------------------- main */

static double feed_phase(int seconds)
{
    long s0 = atomic_load(&sent);
    double t0 = mono();
    sleep((unsigned)seconds);
    return (double)(atomic_load(&sent) - s0) / (mono() - t0);
}

/* Phase B (think_ms 0) or B': nclients clients on area and event queries for `seconds`, while
 * the feed goes on; prints their latency and the ingest's rate beside `base` (phase A). */
static void run_clients(const char *tag, int nclients, int think_ms, int seconds, double base)
{
    struct worker *w = calloc((size_t)nclients, sizeof *w);
    atomic_store(&clients_stop, 0);
    atomic_store(&feed_restart, 1); /* at RATE from now: not what an earlier phase fell behind */
    for (int i = 0; i < nclients; i++) {
        w[i].id = i;
        w[i].think_ms = think_ms;
        w[i].cap = 200000;
        w[i].lat[0] = malloc(w[i].cap * sizeof(double));
        w[i].lat[1] = malloc(w[i].cap * sizeof(double));
        pthread_create(&w[i].th, NULL, worker_main, &w[i]);
    }
    double with = feed_phase(seconds);
    atomic_store(&clients_stop, 1);
    size_t n[2] = {0, 0};
    long errors = 0;
    for (int i = 0; i < nclients; i++) {
        pthread_join(w[i].th, NULL);
        n[0] += w[i].n[0], n[1] += w[i].n[1];
        errors += w[i].errors;
    }
    char who[96];
    if (think_ms > 0)
        snprintf(who, sizeof who, "%d clients pausing ~%d ms", nclients, think_ms);
    else
        snprintf(who, sizeof who, "%d clients", nclients);
    static const char *const kind[2] = {"vessels in a 5x5 degree box", "events (50)"};
    for (int k = 0; k < 2; k++) {
        double *all = malloc((n[k] ? n[k] : 1) * sizeof *all);
        size_t m = 0;
        for (int i = 0; i < nclients; i++) {
            memcpy(all + m, w[i].lat[k], w[i].n[k] * sizeof *all);
            m += w[i].n[k];
            free(w[i].lat[k]);
        }
        qsort(all, m, sizeof *all, cmpd);
        printf("%-2s %s, %s: %zu requests, %.0f/s, p50 %.1f ms, p99 %.1f ms\n", tag, who, kind[k],
               m, (double)m / seconds, pct(all, m, 0.5) * 1000, pct(all, m, 0.99) * 1000);
        free(all);
    }
    printf("%-2s live ingest with the clients: %.0f messages/s taken (%.0f%% of A); %ld failed "
           "requests\n",
           tag, with, base > 0 ? 100 * with / base : NAN, errors);
    fflush(stdout);
    free(w);
}

int main(int argc, char **argv)
{
    const char *port_file = NULL, *go = NULL;
    long want_rate = 50000;
    int nclients = 200, seconds = 15, nsse = 500, think_ms = 1000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        long num = strtol(v, NULL, 10);
        if (!strcmp(a, "--feed-port-file"))
            port_file = v, i++;
        else if (!strcmp(a, "--go"))
            go = v, i++;
        else if (!strcmp(a, "--vessels"))
            nvessels = num, i++;
        else if (!strcmp(a, "--rate"))
            want_rate = num, i++;
        else if (!strcmp(a, "--clients"))
            nclients = (int)num, i++;
        else if (!strcmp(a, "--seconds"))
            seconds = (int)num, i++;
        else if (!strcmp(a, "--sse"))
            nsse = (int)num, i++;
        else if (!strcmp(a, "--think-ms"))
            think_ms = (int)num, i++;
        else {
            fprintf(stderr, "usage: bench_serve --feed-port-file F --go FILE [--vessels V] "
                            "[--rate R] [--clients C] [--seconds S] [--sse N] [--think-ms M]\n");
            return 2;
        }
    }
    if (!port_file || !go || nvessels < 1 || nclients < 1 || think_ms < 0) return 2;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 4) ||
        getsockname(lfd, (struct sockaddr *)&a, &al))
        return 1;
    FILE *pf = fopen(port_file, "w");
    if (!pf) return 1;
    fprintf(pf, "%u\n", (unsigned)ntohs(a.sin_port));
    fclose(pf);
    feed_fd = accept(lfd, NULL, NULL); /* the service connects at its start */
    for (int i = 0; i < 1200; i++) {
        FILE *g = fopen(go, "r");
        if (g && fscanf(g, "%d %127s", &http_port, token) == 2) {
            fclose(g);
            break;
        }
        if (g) fclose(g);
        usleep(100000);
    }
    if (!http_port) return 1;
    pthread_t feed;
    atomic_store(&rate, want_rate);
    pthread_create(&feed, NULL, feed_main, NULL);
    sleep(3); /* the service's clock moves to now */
    double base = feed_phase(seconds);
    printf("A  live ingest alone: %.0f messages/s taken (feed offered %ld/s, %d s)\n", base,
           want_rate, seconds);
    fflush(stdout);
    run_clients("B", nclients, 0, seconds, base);
    if (think_ms > 0) run_clients("B'", nclients, think_ms, seconds, base);
    fflush(stdout);
    atomic_store(&rate, want_rate / 10);
    if (nsse > 0) run_sse(nsse, seconds);
    atomic_store(&stop_feed, 1);
    pthread_join(feed, NULL);
    close(feed_fd);
    return 0;
}
