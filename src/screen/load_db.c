/*
 * Fills a screening index from the lists module (sw_lists_each_active, sanctwatch/lists.h):
 * every active entry, its names with their quality, its identifiers, a vessel's details and
 * the subject it shares with entries of other lists. Entry keys are "<list>:<ref>". No SQL
 * here: the lists tables are the lists module's.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/lists.h"
#include "sanctwatch/screen.h"

#include <stdio.h>
#include <string.h>

/* The first identifier of kind (vessels carry one IMO, MMSI and call sign, as a rule). */
static const char *first_id(const struct sw_lists_entry_view *e, const char *kind)
{
    for (size_t i = 0; i < e->n_ids; i++)
        if (e->ids[i].kind && e->ids[i].norm && !strcmp(e->ids[i].kind, kind))
            return e->ids[i].norm;
    return NULL;
}

static int add_view(void *ctx, const struct sw_lists_entry_view *e)
{
    struct sw_screen_index *idx = ctx;
    char key[512];
    int type = SW_SCREEN_OTHER;
    sw_screen_type_parse(e->type, &type);
    snprintf(key, sizeof key, "%s:%s", e->list, e->ref);
    int rc = sw_screen_index_add_entry(idx, key, e->list, e->ref, type);
    for (size_t i = 0; !rc && i < e->n_names; i++) {
        if (!e->names[i].name) continue;
        rc = sw_screen_index_add_name(idx, key, type, e->names[i].name,
                                      sw_screen_quality_parse(e->names[i].quality));
        if (rc == SW_ETOOBIG) rc = SW_OK; /* a name ICU cannot expand within bounds: skipped */
    }
    for (size_t i = 0; !rc && i < e->n_ids; i++)
        if (e->ids[i].kind && e->ids[i].norm)
            rc = sw_screen_index_add_id(idx, key, e->ids[i].kind, e->ids[i].norm);
    if (!rc && type == SW_SCREEN_VESSEL) {
        struct sw_screen_vessel v = {first_id(e, "imo"),
                                     first_id(e, "mmsi"),
                                     first_id(e, "call_sign"),
                                     e->flag,
                                     e->vessel_type,
                                     e->tonnage,
                                     e->grt};
        rc = sw_screen_index_set_vessel(idx, key, &v);
    }
    if (!rc && e->subject) rc = sw_screen_index_set_subject(idx, key, e->subject);
    return rc;
}

int sw_screen_index_load_db(struct sw_screen_index *idx, sqlite3 *db)
{
    if (!idx || !db) return SW_EINVAL;
    int rc = sw_lists_each_active(db, add_view, idx);
    return rc ? rc : sw_screen_index_build(idx);
}
