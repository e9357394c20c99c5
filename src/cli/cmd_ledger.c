/*
 * sanctwatch ledger: the command line of the evidence ledger (keygen, append, head, prove,
 * verify). A thin layer over sanctwatch/ledger.h; file formats are in docs/ledger.md.
 */
#include "cli.h"

#include "sanctwatch/error.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"
#include "sanctwatch/witness.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: sanctwatch ledger keygen [--key FILE] [--name NAME]\n"
    "       sanctwatch ledger append [--db DB] [--key FILE] [--batch N] FILE.jsonl...\n"
    "       sanctwatch ledger head [--db DB] [--key FILE] [--out FILE]\n"
    "                              [--witnesses POLICY] [--quorum K] [--witness-timeout SEC]\n"
    "       sanctwatch ledger head --show [--db DB] [--size N]\n"
    "       sanctwatch ledger prove [--db DB] --event ID [--size N] [--out FILE]\n"
    "       sanctwatch ledger prove [--db DB] --from N --to M [--out FILE]\n"
    "       sanctwatch ledger rotate --key OLD --new-key NEW [--out STATEMENT]\n"
    "       sanctwatch ledger verify [--pub FILE] [WITNESSES] [--rotation STATEMENT...] HEAD\n"
    "       sanctwatch ledger verify [--pub FILE] --head HEAD --proof PROOF [--event FILE]\n"
    "       sanctwatch ledger verify [--pub FILE] [WITNESSES] --old HEAD --head HEAD [--proof "
    "PROOF]\n"
    "       sanctwatch ledger verify [--pub FILE] --db DB [--head HEAD]\n"
    "\n"
    "  --db DB      database (default " SW_STORE_DEFAULT_PATH ")\n"
    "  --key FILE   secret key (default " SW_LEDGER_DEFAULT_KEY "); keygen also writes\n"
    "               FILE.pub (signed-note verifier key) and FILE.pub.pem (SPKI for openssl)\n"
    "  --pub FILE   public key (default " SW_LEDGER_DEFAULT_KEY ".pub)\n"
    "  --name NAME  key name and log origin (default " SW_LEDGER_DEFAULT_NAME ")\n"
    "  --batch N    events per transaction for append (default 1000); with --key a head is\n"
    "               signed and recorded in each batch's transaction\n"
    "  --witnesses POLICY  witnesses to submit heads to and to require: lines\n"
    "               'witness NAME VKEY [URL]' and 'quorum K' (docs/witness.md)\n"
    "  WITNESSES    --witnesses POLICY, or --witness NAME=PUBKEY (repeat; a verifier key or a\n"
    "               file holding one) with --quorum K (default: every witness named)\n"
    "  --rotation STATEMENT  a key-rotation statement ('ledger rotate', 'witness rotate'):\n"
    "               trust the new key of a trusted log or witness key\n"
    "  --old A --head B  without --proof: heads of one size must have one root; a failed\n"
    "               check names every key that signed both histories\n"
    "See docs/ledger.md and docs/witness.md.\n";

#define MAX_REPEAT 32

struct opts {
    const char *db, *key, *pub, *name, *out, *event, *head, *old, *proof;
    const char *witnesses, *new_key;
    const char *witness[MAX_REPEAT], *rotation[MAX_REPEAT];
    int nwitness, nrotation;
    uint64_t size, from, to, batch, quorum, wtimeout;
    int show, have_from, have_to, key_set, db_set;
    int nargs;
    char **args;
};

static int parse_u64_arg(const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') {
        cli_error("ledger: %s expects a number, not '%s'", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* Returns 0, or 2 (usage error) after printing why. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
    static char *noargs[1];
    memset(o, 0, sizeof *o);
    o->db = SW_STORE_DEFAULT_PATH;
    o->key = SW_LEDGER_DEFAULT_KEY;
    o->name = SW_LEDGER_DEFAULT_NAME;
    o->batch = 1000;
    o->args = noargs;
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args) return 2;
    o->args = args;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !strcmp(a, "-")) {
            args[o->nargs++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--show")) {
            o->show = 1;
            continue;
        }
        static const char *const with_value[] = {
            "--db",     "--key",      "--pub",     "--name",           "--out",
            "--event",  "--head",     "--old",     "--proof",          "--size",
            "--from",   "--to",       "--batch",   "--witnesses",      "--witness",
            "--quorum", "--rotation", "--new-key", "--witness-timeout"};
        const char *val = NULL;
        size_t k;
        for (k = 0; k < sizeof with_value / sizeof with_value[0]; k++) {
            size_t n = strlen(with_value[k]);
            if (!strcmp(a, with_value[k])) {
                if (i + 1 >= argc) {
                    cli_error("ledger: option '%s' needs a value", a);
                    return 2;
                }
                val = argv[++i];
                break;
            }
            if (!strncmp(a, with_value[k], n) && a[n] == '=') {
                val = a + n + 1;
                break;
            }
        }
        if (!val) {
            cli_error("ledger: unknown option '%s'", a);
            return 2;
        }
        switch (k) {
        case 0:
            o->db = val;
            o->db_set = 1;
            break;
        case 1:
            o->key = val;
            o->key_set = 1;
            break;
        case 2:
            o->pub = val;
            break;
        case 3:
            o->name = val;
            break;
        case 4:
            o->out = val;
            break;
        case 5:
            o->event = val;
            break;
        case 6:
            o->head = val;
            break;
        case 7:
            o->old = val;
            break;
        case 8:
            o->proof = val;
            break;
        case 9:
            if (parse_u64_arg(a, val, &o->size)) return 2;
            break;
        case 10:
            if (parse_u64_arg(a, val, &o->from)) return 2;
            o->have_from = 1;
            break;
        case 11:
            if (parse_u64_arg(a, val, &o->to)) return 2;
            o->have_to = 1;
            break;
        case 12:
            if (parse_u64_arg(a, val, &o->batch) || o->batch == 0 || o->batch > 1000000) {
                cli_error("ledger: --batch must be 1 to 1000000");
                return 2;
            }
            break;
        case 13:
            o->witnesses = val;
            break;
        case 14:
        case 16:
            if ((k == 14 ? o->nwitness : o->nrotation) == MAX_REPEAT) {
                cli_error("ledger: at most %d of '%s'", MAX_REPEAT, a);
                return 2;
            }
            if (k == 14)
                o->witness[o->nwitness++] = val;
            else
                o->rotation[o->nrotation++] = val;
            break;
        case 15:
            if (parse_u64_arg(a, val, &o->quorum) || o->quorum == 0 ||
                o->quorum > SW_WITNESS_MAX_PEERS) {
                cli_error("ledger: --quorum must be 1 to %d", SW_WITNESS_MAX_PEERS);
                return 2;
            }
            break;
        case 17:
            o->new_key = val;
            break;
        default:
            if (parse_u64_arg(a, val, &o->wtimeout) || o->wtimeout == 0 || o->wtimeout > 3600) {
                cli_error("ledger: --witness-timeout must be 1 to 3600 seconds");
                return 2;
            }
        }
    }
    return 0;
}

/* Why a ledger call failed: SQLite's own message for a database error (read before anything
 * else runs on db), else the code's. */
static const char *reason(sqlite3 *db, int rc)
{
    return rc == SW_EDB && db ? sqlite3_errmsg(db) : sw_strerror(rc);
}

/* Only append creates a database: a misspelt --db must not sign or prove an empty log.
 * create: 0 read, 1 write (append: creates it), 2 write an existing one (head); writers hold
 * the database's writer lock (store.h). */
static int open_db(const char *path, int create, sqlite3 **db, struct sw_ledger **lg)
{
    char err[SW_ERRMAX];
    *lg = NULL;
    *db = NULL;
    if (create ? sw_store_open_writer(path, create == 1, db, err)
               : sw_store_open_existing(path, db, err)) {
        cli_error("%s", err);
        return -1;
    }
    int rc = sw_ledger_open(*db, lg);
    if (rc) {
        cli_error("cannot set up the ledger in '%s': %s", path, reason(*db, rc));
        sw_store_close(*db);
        *db = NULL;
        return -1;
    }
    return 0;
}

static int load_pub(const struct opts *o, struct sw_ledger_pub *p)
{
    char def[4096];
    const char *path = o->pub;
    if (!path) {
        snprintf(def, sizeof def, "%s.pub", SW_LEDGER_DEFAULT_KEY);
        path = def;
    }
    int rc = sw_ledger_pub_load(path, p);
    if (rc == SW_OK) return 0;
    if (rc == SW_EIO)
        cli_error("cannot read public key '%s': %s", path, strerror(errno));
    else if (rc == SW_EINVAL)
        cli_error("cannot use public key '%s': not a regular file", path);
    else
        cli_error("cannot use public key '%s': %s", path, sw_strerror(rc));
    return -1;
}

/* ------------------------------------------------------------------------ keygen */

static int do_keygen(struct opts *o)
{
    return cli_keygen(o->key, o->name, SW_NOTE_ED25519, 1);
}

/* ------------------------------------------------------------------------ append */

struct batch {
    json_t **ev;
    uint64_t *line;
    struct sw_ledger_rec *rec;
    size_t n;
};

static int flush_batch(sqlite3 *db, struct sw_ledger *lg, struct batch *b, const char *path,
                       const struct sw_ledger_key *k, uint64_t *added, uint64_t *had, uint64_t *bad)
{
    int rc = sw_store_exec(db, "BEGIN IMMEDIATE");
    if (rc == SW_OK) rc = sw_ledger_record_events(lg, b->ev, b->n, b->rec);
    uint64_t new_here = 0;
    for (size_t i = 0; rc == SW_OK && i < b->n; i++)
        if (b->rec[i].err == SW_OK && !b->rec[i].existed) new_here++;
    if (rc == SW_OK && k && new_here > 0) rc = sw_ledger_sign_head(lg, k, sw_time_now_ms(), NULL);
    if (rc == SW_OK) rc = sw_store_exec(db, "COMMIT");
    if (rc) {
        cli_error("cannot record events from '%s': %s", path, reason(db, rc));
        sw_store_rollback(db, "ROLLBACK");
        goto done;
    }
    for (size_t i = 0; i < b->n; i++) {
        const struct sw_ledger_rec *r = &b->rec[i];
        if (r->err == SW_EEXISTS) {
            cli_error("%s:%" PRIu64 ": event '%s' is already recorded with different content; "
                      "not replaced",
                      path, b->line[i], json_string_value(json_object_get(b->ev[i], "id")));
            (*bad)++;
        } else if (r->err) {
            cli_error("%s:%" PRIu64 ": not an event (needs string \"id\" and \"type\", "
                      "ISO 8601 \"start\"/\"end\"): %s",
                      path, b->line[i], sw_strerror(r->err));
            (*bad)++;
        } else if (r->existed) {
            (*had)++;
        } else {
            (*added)++;
        }
    }
done:
    for (size_t i = 0; i < b->n; i++)
        json_decref(b->ev[i]);
    b->n = 0;
    return rc ? -1 : 0;
}

static int do_append(struct opts *o)
{
    if (o->nargs < 1) {
        cli_error("ledger append: no input; give FILE.jsonl (or - for stdin)");
        return 2;
    }
    struct sw_ledger_key key, *k = NULL;
    int ret = 1;
    sqlite3 *db = NULL;
    struct sw_ledger *lg = NULL;
    struct batch b = {0};
    uint64_t added = 0, had = 0, bad = 0;
    /* --key signs a head per batch; only when given explicitly. */
    if (o->key_set) {
        if (cli_load_key(o->key, &key)) return 1;
        k = &key;
    }
    if (open_db(o->db, 1, &db, &lg)) goto fail;
    b.ev = calloc(o->batch, sizeof *b.ev);
    b.line = calloc(o->batch, sizeof *b.line);
    b.rec = calloc(o->batch, sizeof *b.rec);
    if (!b.ev || !b.line || !b.rec) {
        cli_error("out of memory");
        goto fail;
    }
    for (int f = 0; f < o->nargs; f++) {
        const char *path = o->args[f];
        struct sw_lines *in;
        if (sw_lines_open(&in, path, SW_CANON_MAX)) {
            cli_error("cannot open '%s': %s", path, strerror(errno));
            goto fail;
        }
        const char *line;
        size_t len;
        int rc;
        while ((rc = sw_lines_next(in, &line, &len)) != SW_EOF) {
            uint64_t no = sw_lines_lineno(in);
            if (rc == SW_ETOOBIG) {
                cli_error("%s:%" PRIu64 ": line longer than %u bytes; skipped", path, no,
                          SW_CANON_MAX);
                bad++;
                continue;
            }
            if (rc) {
                cli_error("cannot read '%s': %s", path,
                          rc == SW_EIO ? strerror(errno) : sw_strerror(rc));
                sw_lines_free(in);
                goto fail;
            }
            size_t s = 0;
            while (s < len && (line[s] == ' ' || line[s] == '\t'))
                s++;
            if (s == len) continue;
            json_t *ev;
            char why[SW_ERRMAX];
            if (sw_canon_parse(line, len, &ev, why)) {
                cli_error("%s:%" PRIu64 ": invalid JSON: %s", path, no, why);
                bad++;
                continue;
            }
            b.ev[b.n] = ev;
            b.line[b.n] = no;
            if (++b.n == o->batch && flush_batch(db, lg, &b, path, k, &added, &had, &bad)) {
                sw_lines_free(in);
                goto fail;
            }
        }
        sw_lines_free(in);
        if (b.n && flush_batch(db, lg, &b, path, k, &added, &had, &bad)) goto fail;
    }
    uint64_t size;
    uint8_t root[SW_HASH_LEN];
    if (sw_ledger_tree(lg, &size, root) == SW_OK)
        printf("recorded %" PRIu64 " new events (%" PRIu64 " already present, %" PRIu64
               " refused); tree size %" PRIu64 "\n",
               added, had, bad, size);
    ret = bad ? 1 : 0;
fail:
    for (size_t i = 0; i < b.n; i++)
        json_decref(b.ev[i]);
    free(b.ev);
    free(b.line);
    free(b.rec);
    sw_ledger_close(lg);
    sw_store_close(db);
    if (k) sw_ledger_key_wipe(k);
    return ret;
}

/* -------------------------------------------------------------- witnesses, keys */

/* The witnesses of --witnesses and --witness NAME=PUBKEY, and --quorum. */
static int load_policy(const struct opts *o, struct sw_witness_policy *p)
{
    char err[SW_ERRMAX];
    memset(p, 0, sizeof *p);
    if (o->witnesses) {
        char *text;
        size_t len;
        if (cli_read_file(o->witnesses, 1u << 20, &text, &len)) return -1;
        int rc = sw_witness_policy_parse(text, len, p, err);
        free(text);
        if (rc) {
            cli_error("'%s': %s", o->witnesses, rc == SW_EFORMAT ? err : sw_strerror(rc));
            return -1;
        }
    }
    for (int i = 0; i < o->nwitness; i++) {
        const char *eq = strchr(o->witness[i], '=');
        struct sw_ledger_pub pub;
        char name[SW_LEDGER_NAME_MAX + 1], *vkey = NULL;
        if (!eq || eq == o->witness[i] || (size_t)(eq - o->witness[i]) > SW_LEDGER_NAME_MAX) {
            cli_error("ledger: --witness expects NAME=PUBKEY, not '%s'", o->witness[i]);
            return -1;
        }
        snprintf(name, sizeof name, "%.*s", (int)(eq - o->witness[i]), o->witness[i]);
        if (cli_load_vkey(eq + 1, &pub)) return -1;
        int rc = pub.alg != SW_NOTE_COSIG_V1 ? SW_EFORMAT : sw_ledger_pub_format(&pub, &vkey);
        if (rc == SW_OK) rc = sw_witness_policy_add(p, name, vkey, NULL);
        free(vkey);
        if (rc) {
            cli_error("ledger: --witness '%s': %s", name,
                      rc == SW_EINVAL    ? "the name is not the key's name"
                      : rc == SW_EFORMAT ? "not a witness (cosignature, type 0x04) key"
                                         : sw_strerror(rc));
            return -1;
        }
    }
    if (o->quorum && p->n == 0) {
        cli_error("ledger: --quorum needs witnesses (--witnesses POLICY or --witness NAME=PUBKEY)");
        return -1;
    }
    if (o->quorum) p->quorum = (unsigned)o->quorum;
    if (!p->quorum) p->quorum = sw_witness_policy_names(p);
    if (p->n && p->quorum > sw_witness_policy_names(p)) {
        cli_error("ledger: quorum %u is more than the %u witnesses named", p->quorum,
                  sw_witness_policy_names(p));
        return -1;
    }
    return 0;
}

struct trust {
    size_t nlog;
    struct sw_ledger_pub log[1 + MAX_REPEAT];
    struct sw_witness_policy wit;
};

/* Trust the new key of every statement signed by a trusted key; repeat for chains. */
static int apply_rotations(const struct opts *o, struct trust *t)
{
    int used[MAX_REPEAT] = {0}, progress = 1, left = o->nrotation;
    while (progress && left) {
        progress = 0;
        for (int i = 0; i < o->nrotation; i++) {
            char *text;
            size_t len;
            struct sw_ledger_pub next;
            if (used[i]) continue;
            if (cli_read_file(o->rotation[i], SW_CHECKPOINT_MAX, &text, &len)) return -1;
            int rc = SW_ENOTFOUND;
            for (size_t k = 0; rc == SW_ENOTFOUND && k < t->nlog; k++)
                if ((rc = sw_key_rotation_verify(text, len, &t->log[k], &next)) == SW_OK)
                    t->log[t->nlog++] = next;
            for (size_t k = 0; rc == SW_ENOTFOUND && k < t->wit.n; k++)
                if ((rc = sw_key_rotation_verify(text, len, &t->wit.peer[k].pub, &next)) == SW_OK &&
                    t->wit.n < SW_WITNESS_MAX_PEERS) {
                    t->wit.peer[t->wit.n] = t->wit.peer[k];
                    t->wit.peer[t->wit.n++].pub = next;
                }
            free(text);
            if (rc == SW_OK) {
                used[i] = progress = 1;
                left--;
            } else if (rc != SW_ENOTFOUND) {
                cli_error("rotation statement '%s' does not verify: %s", o->rotation[i],
                          sw_strerror(rc));
                return -1;
            }
        }
    }
    for (int i = 0; i < o->nrotation; i++)
        if (!used[i]) {
            cli_error("rotation statement '%s' is not about a trusted key", o->rotation[i]);
            return -1;
        }
    return 0;
}

/* Submit a freshly signed head to the policy's witnesses and record their cosignatures.
 * *cosigned gets the note with them; returns the number of distinct witnesses that signed. */
static unsigned witness_head(struct sw_ledger *lg, const struct sw_witness_policy *p,
                             unsigned timeout_s, const char *note, char **cosigned)
{
    uint64_t known[SW_WITNESS_MAX_PEERS] = {0};
    struct sw_witness_outcome out[SW_WITNESS_MAX_PEERS];
    unsigned count = 0;
    *cosigned = NULL;
    for (size_t i = 0; i < p->n; i++)
        sw_ledger_witness_size(lg, &p->peer[i].pub, &known[i]);
    int rc = sw_witness_collect(p, known, note, strlen(note), sw_ledger_consistency_path, lg,
                                timeout_s * 1000u, out, cosigned);
    if (rc) {
        cli_error("cannot submit the head to witnesses: %s", sw_strerror(rc));
        return 0;
    }
    for (size_t i = 0; i < p->n; i++) {
        if (out[i].err) {
            cli_warn("witness '%s': %s", p->peer[i].name, out[i].msg);
            continue;
        }
        rc = sw_ledger_add_cosignature(lg, note, &p->peer[i].pub, out[i].line);
        if (rc)
            cli_error("cannot record the cosignature of '%s': %s", p->peer[i].name,
                      sw_strerror(rc));
        else
            fprintf(stderr, "witness '%s' cosigned (%.3f s)\n", p->peer[i].name, out[i].seconds);
    }
    sw_witness_outcome_release(out, p->n);
    sw_witness_count(*cosigned ? *cosigned : note, strlen(*cosigned ? *cosigned : note), p, &count,
                     NULL, NULL, NULL);
    return count;
}

/* -------------------------------------------------------------------------- head */

static int do_head(struct opts *o)
{
    sqlite3 *db = NULL;
    struct sw_ledger *lg = NULL;
    struct sw_ledger_key k;
    struct sw_witness_policy *pol = calloc(1, sizeof *pol);
    char *note = NULL, *cosigned = NULL;
    int ret = 1, have_key = 0;
    if (!pol || load_policy(o, pol)) goto fail;
    if (!o->show) {
        if (cli_load_key(o->key, &k)) goto fail;
        have_key = 1;
    }
    if (open_db(o->db, o->show ? 0 : 2, &db, &lg)) goto fail;
    int rc;
    if (o->show)
        rc = o->size ? sw_ledger_head_at(lg, o->size, &note) : sw_ledger_latest_head(lg, 0, &note);
    else
        rc = sw_ledger_sign_head(lg, &k, sw_time_now_ms(), &note);
    if (rc == SW_ENOTFOUND) {
        cli_error("no signed head recorded%s; sign one with 'sanctwatch ledger head'",
                  o->size ? " of that size" : "");
        goto fail;
    }
    if (rc) {
        cli_error("cannot %s the head: %s", o->show ? "read" : "sign", reason(db, rc));
        goto fail;
    }
    unsigned count = 0;
    if (!o->show && pol->n)
        count = witness_head(lg, pol, o->wtimeout ? (unsigned)o->wtimeout : 10, note, &cosigned);
    if (cli_write_out(o->out, cosigned ? cosigned : note, 0644)) goto fail;
    ret = 0;
    if (!o->show && pol->n) {
        fprintf(stderr, "%u of %u witnesses cosigned (quorum %u)\n", count,
                sw_witness_policy_names(pol), pol->quorum);
        if (count < pol->quorum) {
            cli_error("the head is not witnessed by a quorum (%u of %u)", count, pol->quorum);
            ret = 1;
        }
    }
fail:
    free(note);
    free(cosigned);
    free(pol);
    sw_ledger_close(lg);
    sw_store_close(db);
    if (have_key) sw_ledger_key_wipe(&k);
    return ret;
}

/* ------------------------------------------------------------------------- prove */

static int do_prove(struct opts *o)
{
    sqlite3 *db = NULL;
    struct sw_ledger *lg = NULL;
    struct sw_proof p;
    char *text = NULL;
    int ret = 1, rc;
    memset(&p, 0, sizeof p);
    if (!o->event && !(o->have_from && o->have_to)) {
        cli_error("ledger prove: give --event ID, or --from N --to M");
        return 2;
    }
    if (open_db(o->db, 0, &db, &lg)) goto fail;
    if (o->event) {
        uint64_t size = o->size;
        if (size == 0) {
            /* Prove against the latest signed head, which the verifier will hold. */
            char *note = NULL;
            struct sw_checkpoint c;
            rc = sw_ledger_latest_head(lg, 0, &note);
            if (rc != SW_OK && rc != SW_ENOTFOUND) { /* not "no head" */
                cli_error("cannot read the signed heads: %s", reason(db, rc));
                goto fail;
            }
            if (rc == SW_OK && sw_checkpoint_parse(note, strlen(note), &c) == SW_OK) size = c.size;
            free(note);
            if (size == 0) {
                cli_error("no signed head recorded; sign one with 'sanctwatch ledger head' or "
                          "give --size");
                goto fail;
            }
        }
        rc = sw_ledger_prove_event(lg, o->event, size, &p);
        if (rc == SW_ENOTFOUND) {
            cli_error("no event '%s' in the ledger", o->event);
            goto fail;
        }
        if (rc == SW_ERANGE) {
            cli_error("event '%s' is not covered by a tree of size %" PRIu64 "; sign a newer head",
                      o->event, size);
            goto fail;
        }
    } else {
        rc = sw_ledger_prove_consistency(lg, o->from, o->to, &p);
        if (rc == SW_ERANGE) {
            cli_error("no consistency proof from %" PRIu64 " to %" PRIu64
                      " (need 0 < N <= M <= tree size)",
                      o->from, o->to);
            goto fail;
        }
    }
    if (rc) {
        cli_error("cannot build the proof: %s", reason(db, rc));
        goto fail;
    }
    if (sw_proof_format(&p, &text)) {
        cli_error("out of memory");
        goto fail;
    }
    size_t tl = strlen(text);
    char *t2 = realloc(text, tl + 2);
    if (!t2) goto fail;
    text = t2;
    text[tl] = '\n';
    text[tl + 1] = '\0';
    if (cli_write_out(o->out, text, 0644)) goto fail;
    ret = 0;
fail:
    free(text);
    sw_proof_release(&p);
    sw_ledger_close(lg);
    sw_store_close(db);
    return ret;
}

/* ------------------------------------------------------------------------ verify */

/* A head read from a file, verified under the trusted log keys and witness quorum. */
struct vhead {
    const char *path;
    struct sw_checkpoint c;
    char *text;
    size_t len;
    int wsigned[SW_WITNESS_MAX_PEERS];
    uint64_t wts[SW_WITNESS_MAX_PEERS];
    unsigned count;
};

static int check_witnesses(const struct trust *t, struct vhead *h)
{
    size_t bad = 0;
    int rc = sw_witness_count(h->text, h->len, &t->wit, &h->count, h->wsigned, h->wts, &bad);
    if (rc == SW_EVERIFY) {
        cli_error("verification failed: the cosignature of witness '%s' on '%s' does not verify",
                  t->wit.peer[bad].name, h->path);
        return -1;
    }
    if (rc) {
        cli_error("'%s' is not a signed tree head (checkpoint)", h->path);
        return -1;
    }
    if (h->count < t->wit.quorum) {
        cli_error("verification failed: head '%s' is cosigned by %u of the %u witnesses; the "
                  "quorum is %u",
                  h->path, h->count, sw_witness_policy_names(&t->wit), t->wit.quorum);
        return -1;
    }
    return 0;
}

static int read_head(const char *path, const struct trust *t, struct vhead *h)
{
    memset(h, 0, sizeof *h);
    h->path = path;
    if (cli_read_file(path, SW_CHECKPOINT_MAX, &h->text, &h->len)) return -1;
    int rc = SW_EVERIFY;
    size_t k;
    for (k = 0; k < t->nlog && rc == SW_EVERIFY; k++)
        rc = sw_checkpoint_verify(h->text, h->len, &t->log[k], &h->c);
    if (rc == SW_EFORMAT) {
        cli_error("'%s' is not a signed tree head (checkpoint)", path);
        return -1;
    }
    if (rc) {
        cli_error("verification failed: head '%s' is not signed by key '%s'%s", path,
                  t->log[0].name, t->nlog > 1 ? " (nor by a rotated key)" : "");
        return -1;
    }
    if (strcmp(h->c.origin, t->log[k - 1].name)) {
        cli_error("verification failed: head '%s' is for log '%s', not '%s'", path, h->c.origin,
                  t->log[k - 1].name);
        return -1;
    }
    return t->wit.n ? check_witnesses(t, h) : 0;
}

static void print_head(const char *what, const struct sw_checkpoint *c)
{
    char root[2 * SW_HASH_LEN + 1], t[32];
    for (int i = 0; i < SW_HASH_LEN; i++)
        snprintf(root + 2 * i, 3, "%02x", c->root[i]);
    printf("%s: log '%s', size %" PRIu64 ", root %s%s%s\n", what, c->origin, c->size, root,
           c->time_ms != SW_TIME_NONE ? ", signed at " : "",
           c->time_ms != SW_TIME_NONE ? sw_time_format(c->time_ms, 1, t) : "");
}

static void print_cosigners(const struct trust *t, const struct vhead *h)
{
    if (!t->wit.n) return;
    char tm[32];
    printf("cosigned by %u of %u witnesses (quorum %u):", h->count,
           sw_witness_policy_names(&t->wit), t->wit.quorum);
    for (size_t i = 0; i < t->wit.n; i++)
        if (h->wsigned[i])
            printf(" %s (%s)", t->wit.peer[i].name,
                   sw_time_format((int64_t)h->wts[i] * 1000, 0, tm));
    printf("\n");
}

/* Two histories of one log: name every trusted key that signed both. */
static void split_view(const struct trust *t, const struct vhead *a, const struct vhead *b,
                       const char *what)
{
    cli_error("verification failed: split view of log '%s': %s", a->c.origin, what);
    for (size_t k = 0; k < t->nlog; k++)
        if (sw_note_verify(a->text, a->len, &t->log[k], NULL) == SW_OK &&
            sw_note_verify(b->text, b->len, &t->log[k], NULL) == SW_OK)
            fprintf(stderr, "signed both histories: log key '%s' (key id %02x%02x%02x%02x)\n",
                    t->log[k].name, t->log[k].keyid[0], t->log[k].keyid[1], t->log[k].keyid[2],
                    t->log[k].keyid[3]);
    for (size_t i = 0; i < t->wit.n; i++)
        if (a->wsigned[i] && b->wsigned[i])
            fprintf(stderr, "signed both histories: witness '%s'\n", t->wit.peer[i].name);
}

static void vhead_free(struct vhead *h)
{
    free(h->text);
    h->text = NULL;
}

static int verify_two(const struct opts *o, const struct trust *t, const struct vhead *old,
                      const struct vhead *head, const struct sw_proof *p)
{
    char what[SW_ERRMAX + 64];
    if (!p) {
        if (old->c.size != head->c.size) {
            cli_error("ledger verify: heads of sizes %" PRIu64 " and %" PRIu64
                      " need --proof (a consistency proof)",
                      old->c.size, head->c.size);
            return 2;
        }
        if (memcmp(old->c.root, head->c.root, SW_HASH_LEN)) {
            snprintf(what, sizeof what,
                     "'%s' and '%s' are heads of size %" PRIu64 " with different roots", old->path,
                     head->path, head->c.size);
            split_view(t, old, head, what);
            return 1;
        }
        printf("ok: '%s' and '%s' are the same head of size %" PRIu64 "\n", old->path, head->path,
               head->c.size);
        return 0;
    }
    if (sw_proof_verify(p, &head->c, &old->c)) {
        if (old->c.size == head->c.size ||
            (p->old_size == old->c.size && p->size == head->c.size)) {
            snprintf(what, sizeof what,
                     "the consistency proof '%s' does not lead from '%s' (size %" PRIu64
                     ") to '%s' (size %" PRIu64 ")",
                     o->proof, old->path, old->c.size, head->path, head->c.size);
            split_view(t, old, head, what);
        } else {
            cli_error("verification failed: the consistency proof '%s' is for sizes %" PRIu64
                      " to %" PRIu64 ", not the heads' %" PRIu64 " to %" PRIu64,
                      o->proof, p->old_size, p->size, old->c.size, head->c.size);
        }
        return 1;
    }
    printf("ok: the log at size %" PRIu64 " extends the log at size %" PRIu64 "\n", p->size,
           p->old_size);
    return 0;
}

static int read_proof(const struct opts *o, struct sw_proof *p)
{
    char *text;
    size_t len;
    if (cli_read_file(o->proof, SW_PROOF_MAX, &text, &len)) return 1;
    int rc = sw_proof_parse(text, len, p);
    free(text);
    if (rc) {
        cli_error("'%s' is not a proof file: %s", o->proof, sw_strerror(rc));
        return 1;
    }
    if (o->event && p->kind == SW_PROOF_INCLUSION) {
        json_t *ev;
        char why[SW_ERRMAX];
        if (cli_read_file(o->event, SW_CANON_MAX, &text, &len)) goto fail;
        rc = sw_canon_parse(text, len, &ev, why);
        free(text);
        if (rc) {
            cli_error("'%s' is not a JSON event: %s", o->event, why);
            goto fail;
        }
        if (p->event) json_decref(p->event);
        p->event = ev; /* check this event, not the one the proof carries */
    }
    return 0;
fail:
    sw_proof_release(p);
    return 1;
}

static int verify_inclusion(const struct opts *o, const struct vhead *head, struct sw_proof *p)
{
    if (sw_proof_verify(p, &head->c, NULL)) {
        cli_error("verification failed: the inclusion proof '%s' does not hold", o->proof);
        return 1;
    }
    printf("ok: %s '%s' is leaf %" PRIu64 " of the log at size %" PRIu64 "\n",
           p->event ? "event" : "leaf",
           p->event ? json_string_value(json_object_get(p->event, "id")) : "", p->index, p->size);
    return 0;
}

static int verify_db(const struct opts *o, const struct trust *t, const struct vhead *head)
{
    sqlite3 *db = NULL;
    struct sw_ledger *lg = NULL;
    char msg[SW_ERRMAX];
    if (open_db(o->db, 0, &db, &lg)) return 1;
    int rc = sw_ledger_audit_keys(lg, t->log, t->nlog, head ? &head->c : NULL, msg);
    uint64_t size = 0;
    uint8_t root[SW_HASH_LEN];
    if (rc == SW_OK) rc = sw_ledger_tree(lg, &size, root);
    if (rc && rc != SW_EVERIFY) snprintf(msg, sizeof msg, "%s", reason(db, rc));
    sw_ledger_close(lg);
    sw_store_close(db);
    if (rc == SW_EVERIFY) {
        cli_error("verification failed: %s", msg);
        return 1;
    }
    if (rc) {
        cli_error("cannot audit '%s': %s", o->db, msg);
        return 1;
    }
    printf("ok: %s holds %" PRIu64 " events matching every recorded signed head%s\n", o->db, size,
           head ? " and the given head" : "");
    return 0;
}

static int do_verify(struct opts *o)
{
    struct trust *t = calloc(1, sizeof *t);
    struct vhead head = {0}, old = {0};
    struct sw_proof p;
    int have_proof = 0, ret = 1;
    const char *head_path = o->head;
    memset(&p, 0, sizeof p);
    if (!head_path && o->nargs == 1) head_path = o->args[0];
    if (o->nargs > (o->head ? 0 : 1) || (!head_path && !o->db_set) || (o->proof && !head_path)) {
        cli_error("ledger verify: give a HEAD file, --db DB, or both (--proof needs --head)");
        ret = 2;
        goto done;
    }
    if (!t || load_pub(o, &t->log[0]) || load_policy(o, &t->wit)) goto done;
    t->nlog = 1;
    if (apply_rotations(o, t)) goto done;
    if (head_path && read_head(head_path, t, &head)) goto done;
    if (o->old && read_head(o->old, t, &old)) goto done;
    if (o->proof && read_proof(o, &p)) goto done;
    have_proof = o->proof != NULL;
    if (have_proof && p.kind == SW_PROOF_CONSISTENCY && !o->old) {
        cli_error("ledger verify: a consistency proof needs --old HEAD");
        ret = 2;
    } else if (o->old) {
        ret = verify_two(o, t, &old, &head, have_proof ? &p : NULL);
    } else if (have_proof) {
        ret = verify_inclusion(o, &head, &p);
    } else if (o->db_set) {
        ret = verify_db(o, t, head_path ? &head : NULL);
    } else {
        print_head("ok: signed head", &head.c);
        ret = 0;
    }
    if (ret == 0 && head_path) print_cosigners(t, &head);
done:
    if (have_proof) sw_proof_release(&p);
    vhead_free(&head);
    vhead_free(&old);
    free(t);
    return ret;
}

static int do_rotate(struct opts *o)
{
    if (!o->key_set || !o->new_key) {
        cli_error("ledger rotate: give --key OLD and --new-key NEW");
        return 2;
    }
    return cli_rotate(o->key, o->new_key, o->out);
}

int cmd_ledger(int argc, char **argv)
{
    struct opts o;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    int rc = parse_opts(argc - 2, argv + 2, &o);
    if (rc) {
        free(o.args);
        return rc;
    }
    if (!strcmp(sub, "keygen"))
        rc = do_keygen(&o);
    else if (!strcmp(sub, "append"))
        rc = do_append(&o);
    else if (!strcmp(sub, "head"))
        rc = do_head(&o);
    else if (!strcmp(sub, "prove"))
        rc = do_prove(&o);
    else if (!strcmp(sub, "verify"))
        rc = do_verify(&o);
    else if (!strcmp(sub, "rotate"))
        rc = do_rotate(&o);
    else {
        cli_error("ledger: unknown subcommand '%s'; see 'sanctwatch ledger --help'", sub);
        rc = 2;
    }
    free(o.args);
    return rc;
}
