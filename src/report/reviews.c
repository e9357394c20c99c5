/*
 * Analyst reviews in the report (ledger.h, "Reviews"): each incident's reviews that the
 * report's signed head covers, read through query.h (sw_query_reviews) into the incident's
 * model (report.json: "reviews"), and listed on the incident's page, newest last, every
 * string escaped. The hooks in report.c and html.c are one line each.
 */
#include "report_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/query.h"
#include "sanctwatch/timeutil.h"

#include <stdio.h>
#include <string.h>

struct rv {
    json_t *out;
    uint64_t size;
};

static int review_row(void *ctx, const struct sw_review_row *r)
{
    struct rv *v = ctx;
    char when[32];
    if (v->size && r->leaf >= v->size) return SW_OK; /* after the report's head */
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "id", r->id, "decision", r->decision,
                          "analyst", r->analyst, "note", r->note, "time",
                          r->time == SW_TIME_NONE ? "" : sw_time_format(r->time, 0, when), "leaf",
                          (json_int_t)r->leaf);
    return o && !json_array_append_new(v->out, o) ? SW_OK : SW_ENOMEM;
}

int rep_reviews_add(sqlite3 *db, json_t *inc, const char *id, uint64_t head_size, char *err)
{
    struct rv v = {json_array(), head_size};
    struct sw_review_filter f = {id, 0, 0};
    int rc = v.out ? sw_query_reviews(db, &f, review_row, &v, err) : SW_ENOMEM;
    if (rc == SW_OK && json_array_size(v.out))
        json_object_set_new(inc, "reviews", v.out);
    else
        json_decref(v.out);
    return rc;
}

void rep_reviews_write(FILE *f, const json_t *inc)
{
    const json_t *rs = json_object_get(inc, "reviews");
    size_t i;
    const json_t *r;
    if (!json_array_size(rs)) return;
    fputs("<div class=\"reviews\"><h4>analyst reviews (ledger records)</h4><ul>", f);
    json_array_foreach(rs, i, r)
    {
        rep_tag(f, "<li><b>", rep_str(r, "decision"), "</b> by ");
        rep_xml_escape(f, rep_str(r, "analyst"));
        rep_tag(f, ", ", rep_str(r, "time"), "");
        fprintf(f, " (leaf %lld)", (long long)json_integer_value(json_object_get(r, "leaf")));
        if (*rep_str(r, "note")) rep_tag(f, ": ", rep_str(r, "note"), "");
        fputs("</li>", f);
    }
    fputs("</ul></div>\n", f);
}
