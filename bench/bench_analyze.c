/*
 * bench_analyze: the whole ingest path (line reading, NMEA framing, AIS decoding, dedup,
 * event-time ordering, vessel state, downsampled track store in SQLite) over a synthetic
 * recording of many vessels, in one process on one core. Prints messages/s and peak RSS.
 *
 *   bench_analyze [--messages N] [--vessels V] [--file F] [--db D]   run (writes F if absent)
 *   bench_analyze --write F [--messages N] [--vessels V] [--seed S]  only write the recording
 *
 * The recording: V vessels moving on straight legs with occasional turns and stops, each
 * reporting in turn (type 1, a type 5 every 100th report, sent as two sentences), 10% of
 * messages heard again by a second receiver, NMEA 4.0 tag blocks with receiver and time.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct bits {
    unsigned char b[128];
    int n;
};

static void put(struct bits *w, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, w->n++)
        if ((v >> i) & 1) w->b[w->n / 8] |= (unsigned char)(0x80 >> (w->n % 8));
}

static void put_text(struct bits *w, const char *s, int chars)
{
    for (int i = 0; i < chars; i++) {
        int c = i < (int)strlen(s) ? s[i] : '@';
        put(w, (uint64_t)(c >= 64 ? c - 64 : c), 6);
    }
}

/* Armour bits [from, to) into out; returns the number of characters. */
static int armour(const struct bits *w, int from, int to, char *out)
{
    int k = 0;
    for (int i = from; i < to; i += 6) {
        int v = 0;
        for (int j = 0; j < 6; j++) {
            int bit = i + j;
            v = v << 1 | (bit < to && (w->b[bit / 8] & (0x80 >> (bit % 8))) ? 1 : 0);
        }
        out[k++] = (char)(v < 40 ? v + 48 : v + 56);
    }
    out[k] = '\0';
    return k;
}

static unsigned cks(const char *s, size_t n)
{
    unsigned c = 0;
    for (size_t i = 0; i < n; i++)
        c ^= (unsigned char)s[i];
    return c;
}

/* One sentence with its tag block. */
static void sentence(FILE *f, const char *rx, int64_t t_ms, int total, int num, int seq,
                     const char *payload, int fill)
{
    char tag[96], body[160];
    int tl = snprintf(tag, sizeof tag, "s:%s,c:%lld", rx, (long long)(t_ms / 1000));
    int bl;
    if (total == 1)
        bl = snprintf(body, sizeof body, "AIVDM,1,1,,A,%s,%d", payload, fill);
    else
        bl = snprintf(body, sizeof body, "AIVDM,%d,%d,%d,A,%s,%d", total, num, seq, payload, fill);
    fprintf(f, "\\%s*%02X\\!%s*%02X\n", tag, cks(tag, (size_t)tl), body, cks(body, (size_t)bl));
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static double urand(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

struct ship {
    double lat, lon, sog, cog;
};

static int write_recording(const char *path, long messages, long vessels)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench_analyze: cannot open '%s'\n", path);
        return 1;
    }
    struct ship *s = calloc((size_t)vessels, sizeof *s);
    if (!s) {
        fclose(f);
        return 1;
    }
    for (long v = 0; v < vessels; v++) {
        s[v].lat = 20 + urand() * 30; /* the Yellow Sea and around, roughly */
        s[v].lon = 115 + urand() * 30;
        s[v].sog = urand() < 0.2 ? 0.1 : 5 + urand() * 10;
        s[v].cog = urand() * 360;
    }
    const int64_t t0 = 1709251200000LL;             /* 2024-03-01T00:00:00Z */
    const double dt_ms = 10000.0 / (double)vessels; /* each vessel every 10 s */
    long written = 0;
    int seq = 0;
    for (long i = 0; written < messages; i++) {
        long v = i % vessels;
        int64_t t = t0 + (int64_t)((double)i * dt_ms);
        struct ship *p = &s[v];
        if (urand() < 0.01) p->cog = fmod(p->cog + 30 + urand() * 60, 360); /* a turn */
        if (urand() < 0.005) p->sog = p->sog < 1 ? 8 : 0.1;                 /* stop or start */
        double d = p->sog * 1852.0 / 3600.0 * 10;                           /* metres in 10 s */
        p->lat += d * cos(p->cog * M_PI / 180) / 111195.0;
        p->lon += d * sin(p->cog * M_PI / 180) / (111195.0 * cos(p->lat * M_PI / 180));
        if (p->lat > 60 || p->lat < 0) p->cog = fmod(p->cog + 180, 360);
        uint32_t mmsi = 200000000u + (uint32_t)(v * 7919 % 500000000);
        char rx[8] = "rA";
        struct bits w;
        char pl[96];
        memset(&w, 0, sizeof w);
        if (i % 100 == 99) { /* type 5, two sentences */
            char name[32];
            snprintf(name, sizeof name, "SHIP %ld", v % 1000000);
            put(&w, 5, 6), put(&w, 0, 2), put(&w, mmsi, 30), put(&w, 0, 2);
            put(&w, (uint64_t)(9000000 + v % 999999), 30);
            put_text(&w, "CALL", 7), put_text(&w, name, 20), put(&w, 70, 8);
            put(&w, 100, 9), put(&w, 20, 9), put(&w, 10, 6), put(&w, 10, 6), put(&w, 1, 4);
            put(&w, 3, 4), put(&w, 1, 5), put(&w, 12, 5), put(&w, 0, 6), put(&w, 80, 8);
            put_text(&w, "NAMPO", 20), put(&w, 0, 1), put(&w, 0, 1);
            armour(&w, 0, 360, pl);
            sentence(f, rx, t, 2, 1, seq, pl, 0);
            int n = armour(&w, 360, 424, pl);
            (void)n;
            sentence(f, rx, t, 2, 2, seq, pl, 2);
            seq = (seq + 1) % 10;
        } else {
            put(&w, 1, 6), put(&w, 0, 2), put(&w, mmsi, 30);
            put(&w, p->sog < 1 ? 1 : 0, 4), put(&w, 128, 8);
            put(&w, (uint64_t)lround(p->sog * 10), 10), put(&w, 1, 1);
            put(&w, (uint64_t)(int64_t)lround(p->lon * 600000) & 0xFFFFFFF, 28);
            put(&w, (uint64_t)(int64_t)lround(p->lat * 600000) & 0x7FFFFFF, 27);
            put(&w, (uint64_t)lround(p->cog * 10) % 3600, 12), put(&w, 511, 9);
            put(&w, (uint64_t)((t / 1000) % 60), 6), put(&w, 0, 2), put(&w, 0, 3);
            put(&w, 0, 1), put(&w, 0, 19);
            armour(&w, 0, 168, pl);
            sentence(f, rx, t, 1, 1, 0, pl, 0);
            if (urand() < 0.1 && written + 1 < messages) { /* heard again, 1 s later */
                sentence(f, "rB", t + 1000, 1, 1, 0, pl, 0);
                written++;
            }
        }
        written++;
    }
    free(s);
    if (fclose(f) != 0) {
        fprintf(stderr, "bench_analyze: cannot write '%s'\n", path);
        return 1;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long messages = 5000000, vessels = 100000;
    const char *file = NULL, *dbpath = NULL, *write_only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--messages") && i + 1 < argc)
            messages = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--vessels") && i + 1 < argc)
            vessels = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--file") && i + 1 < argc)
            file = argv[++i];
        else if (!strcmp(argv[i], "--db") && i + 1 < argc)
            dbpath = argv[++i];
        else if (!strcmp(argv[i], "--write") && i + 1 < argc)
            write_only = argv[++i];
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            rng_state = strtoull(argv[++i], NULL, 10) | 1;
        else {
            fprintf(stderr, "usage: bench_analyze [--messages N] [--vessels V] [--file F] "
                            "[--db D] | --write F [--messages N] [--vessels V] [--seed S]\n");
            return 2;
        }
    }
    if (messages < 1 || vessels < 1) {
        fprintf(stderr, "bench_analyze: bad --messages or --vessels\n");
        return 2;
    }
    if (write_only) return write_recording(write_only, messages, vessels);
    char fbuf[512], dbuf[512];
    if (!file) {
        snprintf(fbuf, sizeof fbuf, "/tmp/sw-bench-%ld-%ld.nmea", messages, vessels);
        file = fbuf;
    }
    if (access(file, R_OK) != 0) {
        fprintf(stderr, "writing %s (%ld messages, %ld vessels)...\n", file, messages, vessels);
        if (write_recording(file, messages, vessels)) return 1;
    }
    if (!dbpath) {
        snprintf(dbuf, sizeof dbuf, "/tmp/sw-bench-%d.db", (int)getpid());
        dbpath = dbuf;
    }
    char err[256];
    sqlite3 *db;
    struct sw_pipeline *p;
    int skipped;
    if (sw_store_open(dbpath, &db, err) || sw_pipeline_new(&p, db, NULL, err)) {
        fprintf(stderr, "bench_analyze: %s\n", err);
        return 1;
    }
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    double t0 = now_s();
    if (sw_pipeline_input(p, file, &skipped, err) || sw_pipeline_finish(p, err)) {
        fprintf(stderr, "bench_analyze: %s\n", err);
        return 1;
    }
    double wall = now_s() - t0;
    getrusage(RUSAGE_SELF, &r1);
    double cpu = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) +
                 (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6 +
                 (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) +
                 (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
    const uint64_t *c = sw_pipeline_counters(p);
    size_t nv = sw_vessels_count(sw_pipeline_vessels(p));
    printf("analyze bench: %llu messages (%llu lines), %zu vessels\n",
           (unsigned long long)c[SW_IC_MESSAGES], (unsigned long long)c[SW_IC_LINES], nv);
    printf("  wall %.2f s, cpu %.2f s: %.0f messages/s (wall), %.0f messages/s (cpu)\n", wall, cpu,
           (double)c[SW_IC_MESSAGES] / wall, (double)c[SW_IC_MESSAGES] / cpu);
    printf("  peak RSS %.1f MB (of which SQLite at most %.1f MB)\n", (double)r1.ru_maxrss / 1024.0,
           (double)sqlite3_memory_highwater(0) / 1048576.0);
    printf("  accepted %llu, duplicate %llu, late %llu, reorder_forced %llu, track_points %llu\n",
           (unsigned long long)c[SW_IC_ACCEPTED], (unsigned long long)c[SW_IC_DUPLICATE],
           (unsigned long long)c[SW_IC_LATE], (unsigned long long)c[SW_IC_FORCED],
           (unsigned long long)c[SW_IC_TRACK_POINTS]);
    sw_pipeline_free(p);
    sw_store_close(db);
    if (!strncmp(dbpath, "/tmp/sw-bench-", 14)) {
        char x[600];
        unlink(dbpath);
        snprintf(x, sizeof x, "%s-wal", dbpath);
        unlink(x);
        snprintf(x, sizeof x, "%s-shm", dbpath);
        unlink(x);
    }
    return 0;
}
