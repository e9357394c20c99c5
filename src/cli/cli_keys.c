/*
 * Files and keys shared by the commands that sign or verify notes (ledger, witness): reading
 * and writing small files, loading signer and verifier keys, generating and rotating keys.
 */
#include "cli.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/timeutil.h"
#include "sanctwatch/witness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_read_file(const char *path, size_t max, char **out, size_t *len)
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

int cli_write_out(const char *path, const char *text, unsigned mode)
{
    if (!path || !strcmp(path, "-")) {
        fputs(text, stdout);
        return fflush(stdout) ? -1 : 0;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
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

int cli_load_key(const char *path, struct sw_ledger_key *k)
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

int cli_load_vkey(const char *arg, struct sw_ledger_pub *p)
{
    /* A verifier key given inline, else a file holding one. */
    if (sw_ledger_pub_parse(arg, strlen(arg), p) == SW_OK) return 0;
    int rc = sw_ledger_pub_load(arg, p);
    if (rc == SW_OK) return 0;
    if (rc == SW_EIO && errno == ENOENT && strchr(arg, '+'))
        cli_error("'%s' is neither a verifier key nor a file", arg);
    else if (rc == SW_EIO)
        cli_error("cannot read public key '%s': %s", arg, strerror(errno));
    else if (rc == SW_EINVAL)
        cli_error("cannot use public key '%s': not a regular file", arg);
    else
        cli_error("cannot use public key '%s': %s", arg, sw_strerror(rc));
    return -1;
}

/* Write k to path (0600, never overwriting) and its verifier key to path.pub. */
static int save_pair(const char *path, const struct sw_ledger_key *k, char **vkey)
{
    char pub[4096];
    *vkey = NULL;
    if (snprintf(pub, sizeof pub, "%s.pub", path) >= (int)sizeof pub) {
        cli_error("key path too long");
        return -1;
    }
    if (access(pub, F_OK) == 0) {
        cli_error("'%s' already exists; not overwriting a key", pub);
        return -1;
    }
    int rc = sw_ledger_key_save(path, k);
    if (rc == SW_EEXISTS) {
        cli_error("'%s' already exists; not overwriting a key", path);
        return -1;
    }
    if (rc) {
        cli_error("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    if (sw_ledger_pub_format(&k->pub, vkey)) {
        cli_error("out of memory");
        return -1;
    }
    return cli_write_out(pub, *vkey, 0644);
}

int cli_keygen(const char *path, const char *name, unsigned alg, int pem)
{
    struct sw_ledger_key k;
    char *vkey = NULL, *ptext = NULL, pemp[4096];
    int ret = 1;
    int rc = sw_ledger_key_generate_alg(name, alg, &k);
    if (rc == SW_EINVAL) {
        cli_error("invalid key name '%s' (printable ASCII without spaces or '+')", name);
        return 2;
    }
    if (rc) {
        cli_error("cannot generate a key: %s", sw_strerror(rc));
        return 1;
    }
    if (pem && snprintf(pemp, sizeof pemp, "%s.pub.pem", path) >= (int)sizeof pemp) {
        cli_error("key path too long");
        goto fail;
    }
    if (save_pair(path, &k, &vkey)) goto fail;
    if (pem && (sw_ledger_pub_pem(&k.pub, &ptext) || cli_write_out(pemp, ptext, 0644))) goto fail;
    printf("secret key: %s (mode 0600)\npublic key: %s.pub\n", path, path);
    if (pem) printf("           %s\n", pemp);
    printf("verifier key: %s", vkey);
    ret = 0;
fail:
    free(vkey);
    free(ptext);
    sw_ledger_key_wipe(&k);
    return ret;
}

int cli_rotate(const char *old_path, const char *new_path, const char *out)
{
    struct sw_ledger_key old, next;
    char *vkey = NULL, *stmt = NULL;
    int ret = 1;
    if (cli_load_key(old_path, &old)) return 1;
    int rc = sw_ledger_key_generate_alg(old.pub.name, old.pub.alg, &next);
    if (rc) {
        cli_error("cannot generate a key: %s", sw_strerror(rc));
        goto fail;
    }
    if (save_pair(new_path, &next, &vkey)) goto fail;
    rc = sw_key_rotation_sign(&old, &next, sw_time_now_ms(), &stmt);
    if (rc) {
        cli_error("cannot sign the rotation statement: %s", sw_strerror(rc));
        goto fail;
    }
    if (cli_write_out(out, stmt, 0644)) goto fail;
    if (out && strcmp(out, "-"))
        fprintf(stderr, "new key: %s (verifier key in %s.pub); rotation statement: %s\n", new_path,
                new_path, out);
    ret = 0;
fail:
    free(vkey);
    free(stmt);
    sw_ledger_key_wipe(&old);
    sw_ledger_key_wipe(&next);
    return ret;
}
