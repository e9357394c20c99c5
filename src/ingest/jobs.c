/*
 * analyze --jobs N (N >= 2): the record path in two threads (src/ingest/pipeline_int.h).
 * Thread A, the caller, reads, frames, decodes, orders, deduplicates and updates the vessel
 * state; for each record it then pushes {the record, a copy of the updated vessel (plain data),
 * what the update produced for the store} into a bounded single-producer single-consumer ring.
 * Thread B pops the entries in order, copies each vessel into a mirror vessel table (the table
 * the stages are attached to), and does what --jobs 1 does after the vessel update, through the
 * same function (ing_apply): the store's writes, the stages, the consumers.
 *
 * Why the output is that of --jobs 1 by construction: B sees the records in the order A
 * delivers them, and when B handles a record, the mirror holds every vessel exactly as A's
 * table held it when A delivered that record (vessels are created in record order, so the
 * mirror's slots are A's: checked for every record), so the stages read the same vessels, their
 * own and others'. Everything that reads or writes the stages' state or the database outside
 * the record path (checkpoints, commit hooks, state saves and loads, the end of the run, the
 * start and end of an input) waits first until B has drained the ring (ing_sync): B is then idle
 * and A alone touches the stages and SQLite, as with one thread. During a run only B uses the
 * database connection (the store's writes moved to it with the stages): SQLite's per-connection
 * state (sqlite3_changes, error messages) is never shared between the threads. Vessel flags a
 * stage sets on the mirror (sw_vessels_touch) are carried to A's table at each sync, before a
 * save reads them.
 *
 * Waiting: each side spins briefly, then sleeps on a condition variable (on 2 cores a spinning
 * waiter takes the CPU the other thread needs). A full ring wakes A when half of it is free
 * again; an empty one wakes B after a few entries, at a sync, or when A waits for input.
 */
#include "pipeline_int.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RING_N 1024 /* entries (a power of two) */
#define RING_MASK (RING_N - 1)
#define SPIN 256         /* polls before sleeping */
#define WAKE_BATCH 16    /* an empty ring's sleeper is woken after this many entries */
#define PREFETCH_AHEAD 4 /* B's stage prefetch hints, entries ahead */

struct entry {
    struct sw_record r;
    struct sw_vessel v; /* the vessel after its update (not for aids) */
    struct sw_vessel_out out;
};

struct ing_jobs {
    struct sw_pipeline *p;
    struct entry *ring;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t wake_a, wake_b;
    /* shared, each on its own cache line */
    _Alignas(64) atomic_size_t head;   /* entries pushed (A) */
    _Alignas(64) atomic_size_t tail;   /* entries done (B) */
    _Alignas(64) atomic_size_t a_want; /* A sleeps until tail >= this (0: not sleeping) */
    atomic_int b_sleeping;
    atomic_int quit;
    atomic_int err;      /* B's first error (then it discards what follows) */
    char msg[SW_ERRMAX]; /* its message when not the database's (written before err) */
    double cpu_b;        /* B's CPU seconds, when it ended */
    uint64_t b_sleeps;   /* B's (read after the join) */
};

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    atomic_signal_fence(memory_order_seq_cst);
#endif
}

static double thread_cpu(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the mirror */

int ing_mirror_put(struct sw_pipeline *p, size_t slot, const struct sw_vessel *v, char *msg)
{
    size_t n = sw_vessels_count(p->mvs);
    int rc = SW_OK;
    struct sw_vessel *m;
    if (slot < n && (m = sw_vessels_at(p->mvs, slot))->mmsi == v->mmsi) {
        *m = *v;
    } else if (slot == n) {
        rc = sw_vessels_restore(p->mvs, v);
        m = rc == SW_OK ? sw_vessels_at(p->mvs, slot) : NULL;
    } else {
        rc = SW_EINVAL;
        m = NULL;
    }
    if (rc != SW_OK || !m || m->mmsi != v->mmsi) {
        if (msg)
            snprintf(msg, SW_ERRMAX,
                     "internal error: --jobs: the stages' vessel table went apart from the "
                     "pipeline's at vessel %u (slot %zu of %zu): %s",
                     v->mmsi, slot, n, sw_strerror(rc ? rc : SW_EINVAL));
        return rc ? rc : SW_EINVAL;
    }
    m->dirty = 0; /* the mirror's flags are the stages' touches alone (ing_sync) */
    return SW_OK;
}

/* ---- thread B */

static void fail_b(struct ing_jobs *j, int rc)
{
    int zero = 0;
    atomic_compare_exchange_strong(&j->err, &zero, rc);
}

static void run_entry(struct ing_jobs *j, struct entry *e)
{
    struct sw_pipeline *p = j->p;
    const struct sw_vessel *v = NULL;
    int rc;
    if (atomic_load_explicit(&j->err, memory_order_relaxed)) return; /* discarded */
    if (e->r.kind != SW_REC_AID) {
        if ((rc = ing_mirror_put(p, e->out.slot, &e->v, j->msg)) != SW_OK) {
            fail_b(j, rc);
            return;
        }
        v = sw_vessels_at(p->mvs, e->out.slot);
    }
    if ((rc = ing_apply(p, &e->r, v, &e->out)) != SW_OK) fail_b(j, rc);
}

/* Cache hints for the record PREFETCH_AHEAD entries on, when it is already there: its vessel
 * in the mirror (about to be written) and the stages' per-vessel state. */
static void prefetch(struct ing_jobs *j, size_t t, size_t h)
{
    const struct sw_pipeline *p = j->p;
    if (h - t <= PREFETCH_AHEAD) return;
    const struct entry *e = &j->ring[(t + PREFETCH_AHEAD) & RING_MASK];
    if (e->r.kind == SW_REC_AID) return;
    const char *m = (const char *)sw_vessels_at(p->mvs, e->out.slot);
    if (m)
        for (size_t off = 0; off < sizeof(struct sw_vessel); off += 64)
            __builtin_prefetch(m + off, 1);
    for (size_t i = 0; i < p->nstages; i++)
        if (p->stages[i]->prefetch) p->stages[i]->prefetch(p->stages[i]->ctx, e->out.slot);
}

/* B waits for entries after t: 1 when told to quit with none left. */
static int wait_b(struct ing_jobs *j, size_t t)
{
    for (int i = 0; i < SPIN; i++) {
        if (atomic_load_explicit(&j->head, memory_order_acquire) != t) return 0;
        relax();
    }
    pthread_mutex_lock(&j->mu);
    j->b_sleeps++;
    atomic_store(&j->b_sleeping, 1);
    while (atomic_load(&j->head) == t && !atomic_load(&j->quit))
        pthread_cond_wait(&j->wake_b, &j->mu);
    atomic_store(&j->b_sleeping, 0);
    pthread_mutex_unlock(&j->mu);
    return atomic_load(&j->head) == t;
}

static void *thread_b(void *arg)
{
    struct ing_jobs *j = arg;
    size_t t = atomic_load(&j->tail);
    for (;;) {
        size_t h = atomic_load_explicit(&j->head, memory_order_acquire);
        if (h == t) {
            if (wait_b(j, t)) break;
            continue;
        }
        for (; t != h; t++) {
            prefetch(j, t, h);
            run_entry(j, &j->ring[t & RING_MASK]);
            atomic_store(&j->tail, t + 1); /* seq_cst: against a_want (wait_a) */
            size_t want = atomic_load(&j->a_want);
            if (want && t + 1 >= want) {
                pthread_mutex_lock(&j->mu);
                pthread_cond_signal(&j->wake_a);
                pthread_mutex_unlock(&j->mu);
            }
        }
    }
    j->cpu_b = thread_cpu();
    return NULL;
}

/* ---- thread A */

static void wake_b(struct ing_jobs *j)
{
    pthread_mutex_lock(&j->mu);
    pthread_cond_signal(&j->wake_b);
    pthread_mutex_unlock(&j->mu);
}

/* A waits until B has done `want` entries. */
static void wait_a(struct sw_pipeline *p, struct ing_jobs *j, size_t want)
{
    for (int i = 0; i < SPIN; i++) {
        if (atomic_load_explicit(&j->tail, memory_order_acquire) >= want) return;
        relax();
    }
    if (atomic_load(&j->b_sleeping)) wake_b(j); /* entries it has not been woken for */
    p->js.a_sleeps++;
    pthread_mutex_lock(&j->mu);
    atomic_store(&j->a_want, want);
    while (atomic_load(&j->tail) < want)
        pthread_cond_wait(&j->wake_a, &j->mu);
    atomic_store(&j->a_want, 0);
    pthread_mutex_unlock(&j->mu);
}

int ing_jobs_start(struct sw_pipeline *p)
{
    struct ing_jobs *j = calloc(1, sizeof *j);
    sigset_t all, old;
    if (!j) return SW_ENOMEM;
    if (!(j->ring = malloc(RING_N * sizeof *j->ring))) {
        free(j);
        return SW_ENOMEM;
    }
    j->p = p;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->wake_a, NULL);
    pthread_cond_init(&j->wake_b, NULL);
    /* signals go to A, whose reads they interrupt (a stop), never to B */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&j->th, NULL, thread_b, j);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&j->wake_a);
        pthread_cond_destroy(&j->wake_b);
        pthread_mutex_destroy(&j->mu);
        free(j->ring);
        free(j);
        return SW_ENOMEM;
    }
    p->jobs = j;
    return SW_OK;
}

/* Vessel flags the stages set on the mirror, onto A's table (B idle). */
static void carry_touches(struct sw_pipeline *p)
{
    uint64_t n = sw_vessels_touches(p->mvs);
    if (n == p->mtouches) return;
    p->mtouches = n;
    const uint8_t bits = SW_VESSEL_DIRTY_STATE | SW_VESSEL_DIRTY_LOG;
    size_t nv = sw_vessels_count(p->mvs);
    for (size_t i = 0; i < nv; i++) {
        struct sw_vessel *m = sw_vessels_at(p->mvs, i);
        if (m->dirty & bits) sw_vessels_at(p->vs, i)->dirty |= m->dirty & bits;
        m->dirty = 0;
    }
}

int ing_sync(struct sw_pipeline *p)
{
    struct ing_jobs *j = p->jobs;
    if (!p->mvs) return SW_OK;
    if (j) {
        p->js.syncs++;
        wait_a(p, j, atomic_load_explicit(&j->head, memory_order_relaxed));
    }
    carry_touches(p);
    return j ? atomic_load(&j->err) : SW_OK;
}

int ing_jobs_push(struct sw_pipeline *p, const struct sw_record *r, const struct sw_vessel *v,
                  const struct sw_vessel_out *out)
{
    struct ing_jobs *j = p->jobs;
    size_t h = atomic_load_explicit(&j->head, memory_order_relaxed);
    if (atomic_load_explicit(&j->err, memory_order_relaxed)) return ing_sync(p);
    if (h - atomic_load_explicit(&j->tail, memory_order_acquire) == RING_N) {
        p->js.a_waits++;
        wait_a(p, j, h - RING_N / 2 + 1); /* room for half the ring */
    }
    struct entry *e = &j->ring[h & RING_MASK];
    e->r = *r;
    if (v) {
        e->v = *v;
        e->out.slot = out->slot;
        e->out.n_points = out->n_points;
        for (int i = 0; i < out->n_points; i++)
            e->out.points[i] = out->points[i];
        e->out.identity_closed = out->identity_closed;
        if (out->identity_closed) e->out = *out;
    }
    atomic_store(&j->head, h + 1); /* seq_cst: against b_sleeping (wait_b) */
    if (((h + 1) % WAKE_BATCH) == 0 && atomic_load(&j->b_sleeping)) wake_b(j);
    return SW_OK;
}

void ing_jobs_kick(struct sw_pipeline *p)
{
    struct ing_jobs *j = p->jobs;
    if (j && atomic_load(&j->b_sleeping)) wake_b(j);
}

void ing_jobs_stop(struct sw_pipeline *p)
{
    struct ing_jobs *j = p->jobs;
    if (!j) return;
    fail_b(j, SW_EAGAIN); /* what is left is not needed (a stop or an error) */
    atomic_store(&j->quit, 1);
    wake_b(j);
    pthread_join(j->th, NULL);
    p->js.cpu_b = j->cpu_b;
    p->js.b_sleeps = j->b_sleeps;
    pthread_cond_destroy(&j->wake_a);
    pthread_cond_destroy(&j->wake_b);
    pthread_mutex_destroy(&j->mu);
    free(j->ring);
    free(j);
    p->jobs = NULL;
}

const char *ing_jobs_message(struct sw_pipeline *p)
{
    struct ing_jobs *j = p->jobs;
    return j && atomic_load(&j->err) && j->msg[0] ? j->msg : NULL;
}

void ing_store_error(struct sw_pipeline *p, char *err)
{
    const char *m = ing_jobs_message(p);
    if (m && err)
        snprintf(err, SW_ERRMAX, "%s", m);
    else if (!m)
        ing_seterr(err, "cannot store", p->db);
}

double ing_thread_cpu(void)
{
    return thread_cpu();
}
