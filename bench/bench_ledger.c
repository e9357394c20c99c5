/*
 * Ledger benchmark: append throughput into the SQLite-backed Merkle log (raw leaves, and
 * whole events with canonical JSON), then inclusion and consistency proof sizes and times at
 * 10^3, 10^5 and 10^7 leaves. Proof length should grow as ceil(log2 n); the time per proof
 * with it (a few stored-node reads per level). Figures are printed beside that expectation.
 *
 *   build/bench/bench_ledger [MAX_LEAVES] [DIR] [EVENTS]   (default 10000000, /tmp, 100000)
 *
 * MAX_LEAVES 0 runs the events part alone (e.g. under callgrind, for instructions per record).
 */
#include "sanctwatch/error.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(uint64_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state % n;
}

/* Leaf hashes of synthetic event-sized inputs (200 bytes each). */
static void make_leaves(uint8_t *out, uint64_t first, size_t n)
{
    char ev[200];
    memset(ev, 'x', sizeof ev);
    for (size_t i = 0; i < n; i++) {
        uint64_t v = first + i;
        memcpy(ev, &v, sizeof v);
        sw_merkle_leaf_hash(ev, sizeof ev, out + i * SW_HASH_LEN);
    }
}

static int grow(sqlite3 *db, struct sw_ledger *lg, uint64_t from, uint64_t to, double *secs,
                double *cpu)
{
    enum { BATCH = 10000 };
    static uint8_t buf[BATCH * SW_HASH_LEN];
    double t0 = now_s(), c0 = cpu_s();
    for (uint64_t i = from; i < to;) {
        size_t n = to - i > BATCH ? BATCH : (size_t)(to - i);
        make_leaves(buf, i, n);
        if (sw_store_exec(db, "BEGIN IMMEDIATE") || sw_ledger_append_leaves(lg, buf, n, NULL) ||
            sw_store_exec(db, "COMMIT")) {
            fprintf(stderr, "append failed: %s\n", sqlite3_errmsg(db));
            return -1;
        }
        i += n;
    }
    *secs = now_s() - t0;
    *cpu = cpu_s() - c0;
    return 0;
}

static void proofs_at(struct sw_ledger *lg, uint64_t size)
{
    enum { REPS = 1000 };
    uint8_t root[SW_HASH_LEN];
    uint64_t cur;
    static struct sw_proof p;
    sw_ledger_tree(lg, &cur, root);
    size_t inc_len = 0, con_len = 0, inc_max = 0, con_max = 0;
    double t0 = now_s(), c0 = cpu_s();
    int bad = 0;
    for (int r = 0; r < REPS; r++) {
        uint64_t idx = rnd(size);
        if (sw_ledger_prove_index(lg, idx, size, &p)) {
            bad++;
            continue;
        }
        inc_len += p.n;
        if (p.n > inc_max) inc_max = p.n;
    }
    double t_inc = (now_s() - t0) / REPS, c_inc = (cpu_s() - c0) / REPS;
    /* Verify the last one, and time verification. */
    double t1 = cpu_s();
    for (int r = 0; r < REPS; r++)
        if (sw_merkle_verify_inclusion(p.index, p.size, p.leaf,
                                       (const uint8_t(*)[SW_HASH_LEN])p.path, p.n, root))
            bad++;
    double t_ver = (cpu_s() - t1) / REPS;
    t0 = now_s();
    c0 = cpu_s();
    for (int r = 0; r < REPS; r++) {
        uint64_t old = 1 + rnd(size);
        if (sw_ledger_prove_consistency(lg, old, size, &p)) {
            bad++;
            continue;
        }
        con_len += p.n;
        if (p.n > con_max) con_max = p.n;
    }
    double t_con = (now_s() - t0) / REPS, c_con = (cpu_s() - c0) / REPS;
    unsigned lg2 = 0;
    while (((uint64_t)1 << lg2) < size)
        lg2++;
    printf("%8" PRIu64 " leaves, ceil(log2 n)=%2u | inclusion: %4.1f hashes avg, %2zu max "
           "(%3zu bytes), prove %5.0f us wall / %4.0f us CPU, verify %3.0f us CPU | "
           "consistency: %4.1f hashes avg, %2zu max, prove %5.0f us wall / %4.0f us CPU%s\n",
           size, lg2, (double)inc_len / REPS, inc_max, inc_max * SW_HASH_LEN, t_inc * 1e6,
           c_inc * 1e6, t_ver * 1e6, (double)con_len / REPS, con_max, t_con * 1e6, c_con * 1e6,
           bad ? "  (ERRORS)" : "");
}

static int bench_events(const char *dir, int N)
{
    enum { BATCH = 1000 };
    char path[4096];
    snprintf(path, sizeof path, "%s/bench_ledger_events.db", dir);
    unlink(path);
    sqlite3 *db;
    struct sw_ledger *lg;
    if (sw_store_open(path, &db, NULL) || sw_ledger_open(db, &lg)) return -1;
    json_t **ev = calloc(BATCH, sizeof *ev);
    struct sw_ledger_rec *rec = calloc(BATCH, sizeof *rec);
    double t0 = now_s(), c0 = cpu_s();
    for (int i = 0; i < N; i += BATCH) {
        int nb = N - i < BATCH ? N - i : BATCH;
        for (int k = 0; k < nb; k++) {
            char id[32];
            snprintf(id, sizeof id, "ev-%08d", i + k);
            ev[k] = json_pack("{s:s,s:s,s:s,s:s,s:f,s:f,s:[{s:i,s:s}],s:f,s:{s:s,s:i,s:f}}", "id",
                              id, "type", "encounter", "start", "2024-03-01T06:20:00Z", "end",
                              "2024-03-01T11:20:00Z", "lat", 30.9, "lon", 124.6, "vessels", "mmsi",
                              412000000 + i + k, "name", "VESSEL", "confidence", 0.9, "details",
                              "rule", "encounter", "positions", 212, "median_sog_kn", 0.4);
        }
        if (sw_store_exec(db, "BEGIN IMMEDIATE") || sw_ledger_record_events(lg, ev, nb, rec) ||
            sw_store_exec(db, "COMMIT"))
            return -1;
        for (int k = 0; k < nb; k++)
            json_decref(ev[k]);
    }
    double secs = now_s() - t0, cpu = cpu_s() - c0;
    printf("record_events: %d events (building the JSON, canonical form, id check, leaf, event "
           "row): %.0f events/s wall, %.0f per CPU second (batches of %d)\n",
           N, N / secs, N / cpu, BATCH);
    free(ev);
    free(rec);
    sw_ledger_close(lg);
    sw_store_close(db);
    unlink(path);
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t max = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000ULL;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    int nevents = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 100000;
    char path[4096];
    snprintf(path, sizeof path, "%s/bench_ledger.db", dir);
    unlink(path);
    sqlite3 *db;
    struct sw_ledger *lg;
    char err[SW_ERRMAX];
    if (sw_store_open(path, &db, err) || sw_ledger_open(db, &lg)) {
        fprintf(stderr, "cannot open '%s'\n", path);
        return 1;
    }
    printf("ledger bench: SQLite file %s (WAL), leaves of 200-byte inputs, transactions of "
           "10000 appends\n",
           path);
    uint64_t sizes[] = {1000, 100000, 1000000, 10000000};
    uint64_t have = 0;
    double total = 0, total_cpu = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && sizes[i] <= max; i++) {
        double secs, cpu;
        if (grow(db, lg, have, sizes[i], &secs, &cpu)) return 1;
        total += secs;
        total_cpu += cpu;
        if (sizes[i] >= 100000)
            printf("append: leaves %" PRIu64 "..%" PRIu64 ": %.0f appends/s wall, %.0f per CPU "
                   "second (so far: %.0f/s wall, %.0f/s CPU)\n",
                   have, sizes[i], (double)(sizes[i] - have) / secs,
                   (double)(sizes[i] - have) / cpu, (double)sizes[i] / total,
                   (double)sizes[i] / total_cpu);
        have = sizes[i];
        if (sizes[i] != 1000000) proofs_at(lg, have);
    }
    sw_ledger_close(lg);
    sw_store_close(db);
    if (nevents > 0 && bench_events(dir, nevents)) fprintf(stderr, "event bench failed\n");
    unlink(path);
    snprintf(path, sizeof path, "%s/bench_ledger.db-wal", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/bench_ledger.db-shm", dir);
    unlink(path);
    return 0;
}
