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
    "       sanctwatch ledger head --show [--db DB] [--size N]\n"
    "       sanctwatch ledger prove [--db DB] --event ID [--size N] [--out FILE]\n"
    "       sanctwatch ledger prove [--db DB] --from N --to M [--out FILE]\n"
    "       sanctwatch ledger verify [--pub FILE] HEAD\n"
    "       sanctwatch ledger verify [--pub FILE] --head HEAD --proof PROOF [--event FILE]\n"
    "       sanctwatch ledger verify [--pub FILE] --old HEAD --head HEAD --proof PROOF\n"
    "       sanctwatch ledger verify [--pub FILE] --db DB [--head HEAD]\n"
    "\n"
    "  --db DB      database (default " SW_STORE_DEFAULT_PATH ")\n"
    "  --key FILE   secret key (default " SW_LEDGER_DEFAULT_KEY "); keygen also writes\n"
    "               FILE.pub (signed-note verifier key) and FILE.pub.pem (SPKI for openssl)\n"
    "  --pub FILE   public key (default " SW_LEDGER_DEFAULT_KEY ".pub)\n"
    "  --name NAME  key name and log origin (default " SW_LEDGER_DEFAULT_NAME ")\n"
    "  --batch N    events per transaction for append (default 1000); with --key a head is\n"
    "               signed and recorded in each batch's transaction\n"
    "See docs/ledger.md.\n";

struct opts {
    const char *db, *key, *pub, *name, *out, *event, *head, *old, *proof;
    uint64_t size, from, to, batch;
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
        static const char *const with_value[] = {"--db",    "--key",  "--pub",  "--name",  "--out",
                                                 "--event", "--head", "--old",  "--proof", "--size",
                                                 "--from",  "--to",   "--batch"};
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
        default:
            if (parse_u64_arg(a, val, &o->batch) || o->batch == 0 || o->batch > 1000000) {
                cli_error("ledger: --batch must be 1 to 1000000");
                return 2;
            }
        }
    }
    return 0;
}

/* Whole file (at most max bytes; "-" is stdin) into a NUL-terminated malloc'd buffer. */
static int read_file(const char *path, size_t max, char **out, size_t *len)
{
    struct sw_buf b;
    sw_buf_init(&b, max);
    int rc = sw_read_file(path, &b);
    *out = rc ? NULL : sw_buf_detach(&b, len);
    sw_buf_release(&b);
    if (*out) return 0;
    if (rc == SW_ETOOBIG)
        cli_error("'%s' is too large (over %zu bytes)", path, max);
    else if (rc == SW_EIO)
        cli_error("cannot open '%s': %s", path, strerror(errno));
    else
        cli_error("cannot read '%s': %s", path, sw_strerror(rc ? rc : SW_ENOMEM));
    return -1;
}

static int write_out(const char *path, const char *text, mode_t mode)
{
    if (!path || !strcmp(path, "-")) {
        fputs(text, stdout);
        return fflush(stdout) ? -1 : 0;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        cli_error("cannot create '%s': %s", path, strerror(errno));
        return -1;
    }
    if (sw_write_all(fd, text, strlen(text)) != SW_OK) {
        cli_error("cannot write '%s': %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (fsync(fd) || close(fd)) {
        cli_error("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Only append creates a database: a misspelt --db must not sign or prove an empty log. */
static int open_db(const char *path, int create, sqlite3 **db, struct sw_ledger **lg)
{
    char err[SW_ERRMAX];
    *lg = NULL;
    *db = NULL;
    if (create ? sw_store_open(path, db, err) : sw_store_open_existing(path, db, err)) {
        cli_error("%s", err);
        return -1;
    }
    int rc = sw_ledger_open(*db, lg);
    if (rc) {
        cli_error("cannot set up the ledger in '%s': %s (%s)", path, sw_strerror(rc),
                  sqlite3_errmsg(*db));
        sw_store_close(*db);
        *db = NULL;
        return -1;
    }
    return 0;
}

static int load_key(const char *path, struct sw_ledger_key *k)
{
    int rc = sw_ledger_key_load(path, k);
    if (rc == SW_OK) return 0;
    if (rc == SW_EIO)
        cli_error("cannot read key '%s': %s", path, strerror(errno));
    else if (rc == SW_EINVAL && errno == EPERM)
        cli_error("secret key '%s' is accessible by others; run 'chmod 600 %s'", path, path);
    else if (rc == SW_EINVAL)
        cli_error("cannot use key '%s': not a regular file", path);
    else
        cli_error("cannot use key '%s': %s", path, sw_strerror(rc));
    return -1;
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
    struct sw_ledger_key k;
    char pub[4096], pem[4096];
    char *text = NULL, *ptext = NULL;
    int ret = 1;
    if (snprintf(pub, sizeof pub, "%s.pub", o->key) >= (int)sizeof pub ||
        snprintf(pem, sizeof pem, "%s.pub.pem", o->key) >= (int)sizeof pem) {
        cli_error("ledger: key path too long");
        return 2;
    }
    int rc = sw_ledger_key_generate(o->name, &k);
    if (rc == SW_EINVAL) {
        cli_error("ledger: invalid key name '%s' (printable ASCII without spaces or '+')", o->name);
        return 2;
    }
    if (rc) {
        cli_error("ledger: cannot generate a key: %s", sw_strerror(rc));
        return 1;
    }
    if (access(pub, F_OK) == 0) {
        cli_error("'%s' already exists; not overwriting a key", pub);
        goto fail;
    }
    rc = sw_ledger_key_save(o->key, &k);
    if (rc == SW_EEXISTS) {
        cli_error("'%s' already exists; not overwriting a key", o->key);
        goto fail;
    }
    if (rc) {
        cli_error("cannot write '%s': %s", o->key, strerror(errno));
        goto fail;
    }
    if (sw_ledger_pub_format(&k.pub, &text) || sw_ledger_pub_pem(&k.pub, &ptext)) {
        cli_error("out of memory");
        goto fail;
    }
    if (write_out(pub, text, 0644) || write_out(pem, ptext, 0644)) goto fail;
    printf("secret key: %s (mode 0600)\npublic key: %s\n           %s\nverifier key: %s", o->key,
           pub, pem, text);
    ret = 0;
fail:
    free(text);
    free(ptext);
    sw_ledger_key_wipe(&k);
    return ret;
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
        cli_error("cannot record events from '%s': %s (%s)", path, sw_strerror(rc),
                  sqlite3_errmsg(db));
        sw_store_exec(db, "ROLLBACK");
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
        if (load_key(o->key, &key)) return 1;
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

/* -------------------------------------------------------------------------- head */

static int do_head(struct opts *o)
{
    sqlite3 *db = NULL;
    struct sw_ledger *lg = NULL;
    struct sw_ledger_key k;
    char *note = NULL;
    int ret = 1, have_key = 0;
    if (!o->show) {
        if (load_key(o->key, &k)) return 1;
        have_key = 1;
    }
    if (open_db(o->db, 0, &db, &lg)) goto fail;
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
        cli_error("cannot %s the head: %s", o->show ? "read" : "sign", sw_strerror(rc));
        goto fail;
    }
    if (write_out(o->out, note, 0644)) goto fail;
    ret = 0;
fail:
    free(note);
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
            if (sw_ledger_latest_head(lg, 0, &note) == SW_OK &&
                sw_checkpoint_parse(note, strlen(note), &c) == SW_OK)
                size = c.size;
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
        cli_error("cannot build the proof: %s", sw_strerror(rc));
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
    if (write_out(o->out, text, 0644)) goto fail;
    ret = 0;
fail:
    free(text);
    sw_proof_release(&p);
    sw_ledger_close(lg);
    sw_store_close(db);
    return ret;
}

/* ------------------------------------------------------------------------ verify */

static int read_head(const char *path, const struct sw_ledger_pub *pub, struct sw_checkpoint *c)
{
    char *text;
    size_t len;
    if (read_file(path, SW_CHECKPOINT_MAX, &text, &len)) return -1;
    int rc = sw_checkpoint_verify(text, len, pub, c);
    free(text);
    if (rc == SW_EFORMAT) {
        cli_error("'%s' is not a signed tree head (checkpoint)", path);
        return -1;
    }
    if (rc) {
        cli_error("verification failed: head '%s' is not signed by key '%s'", path, pub->name);
        return -1;
    }
    if (strcmp(c->origin, pub->name)) {
        cli_error("verification failed: head '%s' is for log '%s', not '%s'", path, c->origin,
                  pub->name);
        return -1;
    }
    return 0;
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

static int do_verify(struct opts *o)
{
    struct sw_ledger_pub pub;
    struct sw_checkpoint head, old;
    const char *head_path = o->head;
    if (!head_path && o->nargs == 1) head_path = o->args[0];
    if (o->nargs > (o->head ? 0 : 1)) {
        cli_error("ledger verify: too many arguments");
        return 2;
    }
    if (!head_path && !o->db_set) {
        cli_error("ledger verify: give a HEAD file, --db DB, or both");
        return 2;
    }
    if (load_pub(o, &pub)) return 1;
    if (head_path && read_head(head_path, &pub, &head)) return 1;
    if (o->old && read_head(o->old, &pub, &old)) return 1;
    if (o->proof) {
        char *text;
        size_t len;
        struct sw_proof p;
        if (!head_path) {
            cli_error("ledger verify: --proof needs --head HEAD");
            return 2;
        }
        if (read_file(o->proof, SW_PROOF_MAX, &text, &len)) return 1;
        int rc = sw_proof_parse(text, len, &p);
        free(text);
        if (rc) {
            cli_error("'%s' is not a proof file: %s", o->proof, sw_strerror(rc));
            return 1;
        }
        if (p.kind == SW_PROOF_CONSISTENCY && !o->old) {
            cli_error("ledger verify: a consistency proof needs --old HEAD");
            sw_proof_release(&p);
            return 2;
        }
        if (o->event && p.kind == SW_PROOF_INCLUSION) {
            json_t *ev;
            char why[SW_ERRMAX];
            if (read_file(o->event, SW_CANON_MAX, &text, &len)) {
                sw_proof_release(&p);
                return 1;
            }
            rc = sw_canon_parse(text, len, &ev, why);
            free(text);
            if (rc) {
                cli_error("'%s' is not a JSON event: %s", o->event, why);
                sw_proof_release(&p);
                return 1;
            }
            sw_proof_release(&p);
            p.event = ev; /* check this event, not the one the proof carries */
        }
        rc = sw_proof_verify(&p, &head, o->old ? &old : NULL);
        if (rc) {
            cli_error("verification failed: the %s proof '%s' does not hold",
                      p.kind == SW_PROOF_INCLUSION ? "inclusion" : "consistency", o->proof);
            sw_proof_release(&p);
            return 1;
        }
        if (p.kind == SW_PROOF_INCLUSION)
            printf("ok: %s '%s' is leaf %" PRIu64 " of the log at size %" PRIu64 "\n",
                   p.event ? "event" : "leaf",
                   p.event ? json_string_value(json_object_get(p.event, "id")) : "", p.index,
                   p.size);
        else
            printf("ok: the log at size %" PRIu64 " extends the log at size %" PRIu64 "\n", p.size,
                   p.old_size);
        sw_proof_release(&p);
        return 0;
    }
    if (o->old) {
        cli_error("ledger verify: --old needs --proof");
        return 2;
    }
    if (o->db_set) {
        sqlite3 *db = NULL;
        struct sw_ledger *lg = NULL;
        char msg[SW_ERRMAX];
        if (open_db(o->db, 0, &db, &lg)) return 1;
        int rc = sw_ledger_audit(lg, &pub, head_path ? &head : NULL, msg);
        uint64_t size = 0;
        uint8_t root[SW_HASH_LEN];
        if (rc == SW_OK) rc = sw_ledger_tree(lg, &size, root);
        sw_ledger_close(lg);
        sw_store_close(db);
        if (rc == SW_EVERIFY) {
            cli_error("verification failed: %s", msg);
            return 1;
        }
        if (rc) {
            cli_error("cannot audit '%s': %s", o->db, sw_strerror(rc));
            return 1;
        }
        printf("ok: %s holds %" PRIu64 " events matching every recorded signed head%s\n", o->db,
               size, head_path ? " and the given head" : "");
        return 0;
    }
    print_head("ok: signed head", &head);
    return 0;
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
    else {
        cli_error("ledger: unknown subcommand '%s'; see 'sanctwatch ledger --help'", sub);
        rc = 2;
    }
    free(o.args);
    return rc;
}
