/*
 * bench_analyze: the whole ingest path (line reading, NMEA framing, AIS decoding, dedup,
 * event-time ordering, vessel state, downsampled track store in SQLite) over a synthetic
 * recording of many vessels, in one process on one core. Prints messages/s and peak RSS.
 *
 *   bench_analyze [--messages N] [--vessels V] [--file F] [--db D]   run (writes F if absent)
 *   bench_analyze --write F [--messages N] [--vessels V] [--seed S] [--fleet 1|2]
 *                                                                   only write the recording
 *
 * The recording: V vessels moving on straight legs with occasional turns and stops, each
 * reporting in turn (type 1; 1% of the messages are type 5, sent as two sentences), 10% of
 * messages heard again by a second receiver, NMEA 4.0 tag blocks with receiver and time. The
 * vessels' MMSIs and IMO numbers are bench/fleet.h's: fleet 2 (default) has allocated MIDs
 * but for one vessel in 200; --fleet 1 writes the recordings of the figures measured before
 * 2026-12-07 (43% of the vessels with an unallocated MID). Without --file, the recording is
 * /tmp/sw-bench-N-V-fF.nmea.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/sim.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include "fleet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

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

static int fleet = 2; /* bench/fleet.h */

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
    int seq = 0, bad = 0;
    struct sw_buf out;
    sw_buf_init(&out, 0);
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
        uint32_t mmsi = fleet_mmsi(v, fleet);
        struct sw_aisenc_msg m;
        char pl[SW_AISENC_MAX_PAYLOAD + 1];
        size_t len;
        int fill, again = 0;
        memset(&m, 0, sizeof m);
        m.mmsi = mmsi;
        if (fleet_static(i, v, vessels, fleet)) { /* type 5, two sentences */
            m.type = 5;
            m.imo = fleet_imo(v, fleet);
            snprintf(m.callsign, sizeof m.callsign, "CALL");
            snprintf(m.name, sizeof m.name, "SHIP %ld", v % 1000000);
            snprintf(m.dest, sizeof m.dest, "NAMPO");
            m.ship_type = 70;
            m.to_bow = 100, m.to_stern = 20, m.to_port = 10, m.to_starboard = 10;
            m.eta_month = 3, m.eta_day = 1, m.eta_hour = 12, m.eta_minute = 0;
            m.draught_m = 8.0;
        } else {
            m.type = 1;
            m.nav_status = p->sog < 1 ? 1 : 0;
            m.lat = p->lat, m.lon = p->lon, m.sog_kn = p->sog, m.cog_deg = p->cog;
            m.heading = -1;
            m.second = (int)((t / 1000) % 60);
            again = urand() < 0.1 && written + 1 < messages; /* heard again, 1 s later */
        }
        sw_buf_reset(&out);
        if (sw_aisenc_encode(&m, pl, &len, &fill) ||
            sw_aisenc_nmea(pl, len, fill, "rA", t / 1000, 'A', seq, (int)(i % 100000), &out) ||
            (again && sw_aisenc_nmea(pl, len, fill, "rB", t / 1000 + 1, 'A', 0, 0, &out)) ||
            fwrite(out.data, 1, out.len, f) != out.len) {
            bad = 1;
            break;
        }
        if (m.type == 5) seq = (seq + 1) % 10;
        written += 1 + again;
    }
    sw_buf_release(&out);
    free(s);
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "bench_analyze: cannot write '%s'\n", path);
        return 1;
    }
    return 0;
}

/* user + system time between two readings */
static double cpu_s(const struct rusage *a, const struct rusage *b)
{
    return (double)(b->ru_utime.tv_sec - a->ru_utime.tv_sec) +
           (double)(b->ru_utime.tv_usec - a->ru_utime.tv_usec) / 1e6 +
           (double)(b->ru_stime.tv_sec - a->ru_stime.tv_sec) +
           (double)(b->ru_stime.tv_usec - a->ru_stime.tv_usec) / 1e6;
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
        else if (!strcmp(argv[i], "--fleet") && i + 1 < argc && (fleet = atoi(argv[i + 1])) >= 1 &&
                 fleet <= 2)
            i++;
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            rng_state = strtoull(argv[++i], NULL, 10) | 1;
        else {
            fprintf(stderr,
                    "usage: bench_analyze [--messages N] [--vessels V] [--file F] "
                    "[--db D] | --write F [--messages N] [--vessels V] [--seed S] [--fleet 1|2]\n");
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
        snprintf(fbuf, sizeof fbuf, "/tmp/sw-bench-%ld-%ld-f%d.nmea", messages, vessels, fleet);
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
    char err[SW_ERRMAX];
    sqlite3 *db;
    struct sw_pipeline *p;
    int skipped;
    if (sw_store_open(dbpath, &db, err) || sw_pipeline_new(&p, db, NULL, err)) {
        fprintf(stderr, "bench_analyze: %s\n", err);
        return 1;
    }
    struct rusage r0, rm, r1;
    getrusage(RUSAGE_SELF, &r0);
    double t0 = now_s();
    if (sw_pipeline_input(p, file, &skipped, err)) {
        fprintf(stderr, "bench_analyze: %s\n", err);
        return 1;
    }
    getrusage(RUSAGE_SELF, &rm);
    if (sw_pipeline_finish(p, err)) {
        fprintf(stderr, "bench_analyze: %s\n", err);
        return 1;
    }
    double wall = now_s() - t0;
    getrusage(RUSAGE_SELF, &r1);
    double cpu = cpu_s(&r0, &r1), cpu_end = cpu_s(&rm, &r1);
    const uint64_t *c = sw_pipeline_counters(p);
    size_t nv = sw_vessels_count(sw_pipeline_vessels(p));
    printf("analyze bench: %llu messages (%llu lines), %zu vessels\n",
           (unsigned long long)c[SW_IC_MESSAGES], (unsigned long long)c[SW_IC_LINES], nv);
    printf("  wall %.2f s, cpu %.2f s: %.0f messages/s (wall), %.0f messages/s (cpu)\n", wall, cpu,
           (double)c[SW_IC_MESSAGES] / wall, (double)c[SW_IC_MESSAGES] / cpu);
    printf("  of the cpu: %.2f s reading the input, %.2f s ending the run (pending "
           "records, vessel rows, saved state, commit)\n",
           cpu - cpu_end, cpu_end);
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
