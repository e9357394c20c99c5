/*
 * Canonical JSON for the ledger: the exact bytes a leaf hashes. Strict parsing (jansson with
 * duplicate keys rejected) and one encoding (sorted keys, compact, UTF-8 as is, reals at 15
 * significant digits so the encoding is idempotent). docs/ledger.md defines it precisely.
 * An event's leaf input leaves out evidence.leaf and evidence.sha256, which the ledger fills in
 * after hashing.
 */
#include "sanctwatch/ledger.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sw_canon_parse(const char *text, size_t len, json_t **out, char *err)
{
    json_error_t je;
    *out = NULL;
    if (len > SW_CANON_MAX) {
        if (err) snprintf(err, SW_ERRMAX, "longer than %u bytes", SW_CANON_MAX);
        return SW_ETOOBIG;
    }
    json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        if (err) snprintf(err, SW_ERRMAX, "%.160s at column %d", je.text, je.column);
        return SW_EFORMAT;
    }
    *out = v;
    return SW_OK;
}

/* jansson's own dump: what sw_buf_json leaves to it, and its verdict on what it refuses. */
static int canon_dump_jansson(const json_t *v, char **out, size_t *len)
{
    size_t need = json_dumpb(v, NULL, 0, SW_CANON_FLAGS);
    if (need == 0) return SW_EFORMAT; /* jansson refuses (e.g. a non-finite real, invalid UTF-8) */
    if (need > SW_CANON_MAX) return SW_ETOOBIG;
    char *s = malloc(need + 1);
    if (!s) return SW_ENOMEM;
    if (json_dumpb(v, s, need, SW_CANON_FLAGS) != need) {
        free(s);
        return SW_EFORMAT;
    }
    s[need] = '\0';
    *out = s;
    *len = need;
    return SW_OK;
}

int sw_canon_dump(const json_t *v, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!json_is_object(v) && !json_is_array(v)) return SW_EINVAL;
    /* The same bytes as json_dumpb with SW_CANON_FLAGS, written by sw_buf_json in one pass
     * (about a third of the cost of recording an event was jansson's dump); what it refuses
     * goes to jansson, whose answer (text or error) is the one given. */
    struct sw_buf b;
    sw_buf_init(&b, SW_CANON_MAX);
    int rc = sw_buf_grow(&b, 1024);
    if (rc == SW_OK) rc = sw_buf_json(&b, v, SW_JSON_SORT_KEYS);
    if (rc == SW_ENOMEM) {
        sw_buf_release(&b);
        return rc;
    }
    if (rc) {
        sw_buf_release(&b);
        return canon_dump_jansson(v, out, len);
    }
    *out = sw_buf_detach(&b, len);
    return SW_OK;
}

int sw_canon_event(const json_t *event, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!json_is_object(event)) return SW_EFORMAT;
    const json_t *id = json_object_get(event, "id");
    const json_t *type = json_object_get(event, "type");
    if (!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) > 256 ||
        !json_is_string(type) || json_string_length(type) == 0)
        return SW_EFORMAT;
    if (memchr(json_string_value(id), '\0', json_string_length(id))) return SW_EFORMAT;
    const json_t *evi = json_object_get(event, "evidence");
    if (!evi || (json_is_object(evi) && json_object_size(evi) && !json_object_get(evi, "leaf") &&
                 !json_object_get(evi, "sha256")))
        return sw_canon_dump(event, out, len); /* nothing to leave out: no copy */
    json_t *copy = json_copy((json_t *)event); /* shallow: only the top level is changed */
    if (!copy) return SW_ENOMEM;
    int rc = SW_OK;
    json_t *ev = json_object_get(copy, "evidence");
    if (ev) {
        if (!json_is_object(ev)) {
            rc = SW_EFORMAT;
            goto fail;
        }
        json_t *ev2 = json_copy(ev);
        if (!ev2) {
            rc = SW_ENOMEM;
            goto fail;
        }
        json_object_del(ev2, "leaf");
        json_object_del(ev2, "sha256");
        if (json_object_size(ev2) == 0) {
            json_decref(ev2);
            json_object_del(copy, "evidence");
        } else if (json_object_set_new(copy, "evidence", ev2)) {
            rc = SW_ENOMEM;
            goto fail;
        }
    }
    rc = sw_canon_dump(copy, out, len);
fail:
    json_decref(copy);
    return rc;
}
