/*
 * Witness benchmark (issue 16), on loopback, everything in this process:
 *  1. cosigned heads per second through one witness: the log appends a leaf, signs a head
 *     and submits it with its consistency proof (sw_witness_collect, libcurl) to a witness
 *     serving HTTP (libmicrohttpd) whose state file is on disk with synchronous=FULL; beside
 *     it the same loop calling the witness logic directly (no HTTP) and signing heads alone;
 *  2. the delay a quorum of three adds to publishing a head: three witnesses, each head
 *     submitted to all three at once; beside it the delay of one witness and the sum of the
 *     three asked one after the other, and signing the head alone.
 * Figures are wall-clock medians and 90th percentiles over N heads.
 *
 *   build/bench/bench_witness [N] [DIR]     (default 300 heads, /tmp)
 */
#include "sanctwatch/error.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/store.h"
#include "sanctwatch/witness.h"

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

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void stats(const char *what, double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_d);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    printf("  %-46s median %7.3f ms  p90 %7.3f ms  mean %7.3f ms\n", what, v[n / 2] * 1e3,
           v[n * 9 / 10] * 1e3, sum / (double)n * 1e3);
}

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_) {                                                                                 \
            fprintf(stderr, "bench_witness: %s failed: %s\n", #x, sw_strerror(rc_));               \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

struct logside {
    sqlite3 *db;
    struct sw_ledger *lg;
    struct sw_ledger_key key;
};

static int proof_cb(void *ctx, uint64_t old_size, uint64_t new_size, uint8_t path[][SW_HASH_LEN],
                    size_t *n)
{
    static struct sw_proof p;
    int rc = sw_ledger_prove_consistency(ctx, old_size, new_size, &p);
    if (rc == SW_OK) {
        memcpy(path, p.path, p.n * SW_HASH_LEN);
        *n = p.n;
    }
    return rc;
}

/* Append one leaf and sign a head; *note malloc'd. */
static void grow_and_sign(struct logside *l, char **note)
{
    uint8_t h[SW_HASH_LEN];
    uint64_t size, first;
    uint8_t root[SW_HASH_LEN];
    CHECK(sw_ledger_tree(l->lg, &size, root));
    sw_merkle_leaf_hash(&size, sizeof size, h);
    CHECK(sw_ledger_append_leaves(l->lg, h, 1, &first));
    CHECK(sw_ledger_sign_head(l->lg, &l->key, 1700000000000, note));
}

static struct sw_witness *start(const char *dir, int i, const struct logside *l,
                                struct sw_witness_server **srv, unsigned *port)
{
    char path[4096], name[32], err[SW_ERRMAX];
    struct sw_ledger_key k;
    struct sw_witness *w;
    snprintf(path, sizeof path, "%s/bench-witness-%d-%d.db", dir, (int)getpid(), i);
    snprintf(name, sizeof name, "w%d.bench", i);
    unlink(path);
    CHECK(sw_ledger_key_generate_alg(name, SW_NOTE_COSIG_V1, &k));
    if (sw_witness_open(path, &k, &w, err)) {
        fprintf(stderr, "bench_witness: %s\n", err);
        exit(1);
    }
    CHECK(sw_witness_add_log(w, l->key.pub.name, &l->key.pub));
    struct sw_witness_server_opts o = {"127.0.0.1", 0, 2, 10, 0, NULL, NULL, NULL};
    if (srv) CHECK(sw_witness_server_start(w, &o, srv, port, err));
    sw_ledger_key_wipe(&k);
    return w;
}

static void peer_of(struct sw_witness_policy *p, struct sw_witness *w, unsigned port)
{
    char *vk;
    char url[64];
    CHECK(sw_ledger_pub_format(sw_witness_pub(w), &vk));
    vk[strlen(vk) - 1] = '\0';
    snprintf(url, sizeof url, "http://127.0.0.1:%u", port);
    CHECK(sw_witness_policy_add(p, sw_witness_pub(w)->name, vk, url));
    free(vk);
}

/* Submit note to the peers of p (at once), with known sizes; returns the wall time. */
static double submit(const struct sw_witness_policy *p, uint64_t *known, struct logside *l,
                     const char *note)
{
    struct sw_witness_outcome out[SW_WITNESS_MAX_PEERS];
    struct sw_checkpoint c;
    double t0 = now_s();
    CHECK(sw_witness_collect(p, known, note, strlen(note), proof_cb, l->lg, 10000, out, NULL));
    double t = now_s() - t0;
    CHECK(sw_checkpoint_parse(note, strlen(note), &c));
    for (size_t i = 0; i < p->n; i++) {
        if (out[i].err) {
            fprintf(stderr, "bench_witness: %s: %s\n", p->peer[i].name, out[i].msg);
            exit(1);
        }
        known[i] = c.size;
    }
    sw_witness_outcome_release(out, p->n);
    return t;
}

static void log_open(struct logside *l, const char *name)
{
    CHECK(sw_store_open(":memory:", &l->db, NULL));
    CHECK(sw_ledger_open(l->db, &l->lg));
    CHECK(sw_ledger_key_generate(name, &l->key));
}

static void log_close(struct logside *l)
{
    sw_ledger_close(l->lg);
    sw_store_close(l->db);
    sw_ledger_key_wipe(&l->key);
}

static void one_witness(size_t n, const char *dir)
{
    struct logside l;
    struct sw_witness_server *srv;
    unsigned port;
    struct sw_witness_policy *p = calloc(1, sizeof *p);
    double *sign = malloc(n * sizeof *sign), *direct = malloc(n * sizeof *direct),
           *http = malloc(n * sizeof *http);
    uint64_t known[1] = {0};
    log_open(&l, "bench.example/log");
    struct sw_witness *w = start(dir, 0, &l, &srv, &port);
    struct sw_witness *wd = start(dir, 9, &l, NULL, NULL);
    peer_of(p, w, port);
    double t_all = now_s();
    for (size_t i = 0; i < n; i++) {
        char *note, *body;
        size_t len;
        struct sw_witness_reply r;
        struct sw_proof pr;
        double t0 = now_s();
        grow_and_sign(&l, &note);
        sign[i] = now_s() - t0;
        http[i] = submit(p, known, &l, note);
        /* The same head through the witness logic alone (its own state, same old size). */
        memset(&pr, 0, sizeof pr);
        if (i > 0) CHECK(sw_ledger_prove_consistency(l.lg, i, i + 1, &pr));
        CHECK(sw_witness_request_format(i, (const uint8_t(*)[SW_HASH_LEN])pr.path, pr.n, note,
                                        strlen(note), &body, &len));
        t0 = now_s();
        CHECK(sw_witness_add_checkpoint(wd, body, len, 1700000000, &r));
        direct[i] = now_s() - t0;
        if (r.status != 200) {
            fprintf(stderr, "bench_witness: direct %d %s\n", r.status, r.reason);
            exit(1);
        }
        sw_witness_reply_release(&r);
        free(body);
        free(note);
    }
    t_all = now_s() - t_all;
    double sum_http = 0, sum_sign = 0;
    for (size_t i = 0; i < n; i++) {
        sum_http += http[i];
        sum_sign += sign[i];
    }
    printf("1. one witness, %zu heads (state on disk, synchronous=FULL):\n", n);
    printf("  cosigned heads per second through HTTP: %.0f (log signing included: %.0f)\n",
           (double)n / sum_http, (double)n / (sum_http + sum_sign));
    stats("log signs a head (baseline, no witness)", sign, n);
    stats("witness logic called directly (no HTTP)", direct, n);
    stats("one head through HTTP (request to verified line)", http, n);
    sw_witness_server_stop(srv);
    sw_witness_close(w);
    sw_witness_close(wd);
    log_close(&l);
    free(p);
    free(sign);
    free(direct);
    free(http);
}

static void quorum_three(size_t n, const char *dir)
{
    struct logside l;
    struct sw_witness_server *srv[3];
    struct sw_witness *w[3];
    unsigned port[3];
    struct sw_witness_policy *all = calloc(1, sizeof *all), *one = calloc(3, sizeof *one);
    double *sign = malloc(n * sizeof *sign), *par = malloc(n * sizeof *par),
           *seq = malloc(n * sizeof *seq), *single = malloc(n * sizeof *single);
    uint64_t known_all[3] = {0}, known_one[3][1] = {{0}};
    log_open(&l, "bench.example/quorum");
    for (int i = 0; i < 3; i++) {
        w[i] = start(dir, i + 1, &l, &srv[i], &port[i]);
        peer_of(all, w[i], port[i]);
        peer_of(&one[i], w[i], port[i]);
    }
    for (size_t i = 0; i < n; i++) {
        char *note;
        double t0 = now_s();
        grow_and_sign(&l, &note);
        sign[i] = now_s() - t0;
        if (i % 2 == 0) { /* alternate: all three at once, then one after the other */
            par[i / 2] = submit(all, known_all, &l, note);
        } else {
            double s = 0;
            for (int k = 0; k < 3; k++) {
                double t = submit(&one[k], known_one[k], &l, note);
                if (k == 0) single[i / 2] = t;
                s += t;
            }
            seq[i / 2] = s;
            for (int k = 0; k < 3; k++)
                known_all[k] = known_one[k][0];
            free(note);
            continue;
        }
        for (int k = 0; k < 3; k++)
            known_one[k][0] = known_all[k];
        free(note);
    }
    size_t h = n / 2;
    printf("2. delay added to publishing a head, %zu heads each way:\n", h);
    stats("log signs a head (no witness)", sign, n);
    stats("one witness", single, h);
    stats("quorum of three, asked at once (sanctwatch)", par, h);
    stats("three asked one after the other (for scale)", seq, h);
    for (int i = 0; i < 3; i++) {
        sw_witness_server_stop(srv[i]);
        sw_witness_close(w[i]);
    }
    log_close(&l);
    free(all);
    free(one);
    free(sign);
    free(par);
    free(seq);
    free(single);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 300;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    if (n < 10) n = 10;
    one_witness(n, dir);
    quorum_three(n, dir);
    char path[4096];
    for (int i = 0; i < 10; i++) {
        snprintf(path, sizeof path, "%s/bench-witness-%d-%d.db", dir, (int)getpid(), i);
        unlink(path);
        snprintf(path, sizeof path, "%s/bench-witness-%d-%d.db-wal", dir, (int)getpid(), i);
        unlink(path);
        snprintf(path, sizeof path, "%s/bench-witness-%d-%d.db-shm", dir, (int)getpid(), i);
        unlink(path);
    }
    return 0;
}
