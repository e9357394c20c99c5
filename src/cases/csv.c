/*
 * The cap tracker as CSV: one row per delivery, and one per year. Text fields come from AIS
 * (vessel names anyone can broadcast) and the lists, so they go through the one CSV writer
 * (sanctwatch/csvout.h): quoted as RFC 4180 asks, and a field that a spreadsheet would take
 * for a formula (= + - @ TAB CR first) gets a leading apostrophe.
 */
#include "cases_int.h"

#include <math.h>
#include <string.h>

#include "sanctwatch/csvout.h"
#include "sanctwatch/error.h"

/* A text field through the one CSV writer (sanctwatch/csvout.h: quoting, formula guard). */
static void field(FILE *f, const char *s, int last)
{
    sw_csv_put(f, s);
    fputc(last ? '\n' : ',', f);
}

static void num(FILE *f, const json_t *v, int last)
{
    if (json_is_number(v)) fprintf(f, "%.15g", json_number_value(v));
    fputc(last ? '\n' : ',', f);
}

int sw_cases_write_deliveries_csv(const json_t *model, FILE *f)
{
    const json_t *cap = json_object_get(model, "cap");
    fputs("year,time,kind,mmsi,imo,name,port,dwt_t,dwt_source,bbl_33,bbl_50,bbl_90,"
          "draught_before_m,draught_after_m,bbl_draught,cum_bbl_33,cum_bbl_50,cum_bbl_90,"
          "confidence,evidence,leaf\n",
          f);
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(cap, "deliveries"), i, d)
    {
        const json_t *bbl = json_object_get(d, "bbl"), *cum = json_object_get(d, "cum_bbl");
        const json_t *dr = json_object_get(d, "draught");
        const json_t *ev0 = json_array_get(json_object_get(d, "evidence"), 0);
        num(f, json_object_get(d, "year"), 0);
        field(f, json_string_value(json_object_get(d, "time")), 0);
        field(f, json_string_value(json_object_get(d, "kind")), 0);
        num(f, json_object_get(d, "mmsi"), 0);
        num(f, json_object_get(d, "imo"), 0);
        field(f, json_string_value(json_object_get(d, "name")), 0);
        field(f, json_string_value(json_object_get(d, "port")), 0);
        num(f, json_object_get(d, "dwt_t"), 0);
        field(f, json_string_value(json_object_get(d, "dwt_source")), 0);
        for (int k = 0; k < 3; k++)
            num(f, json_array_get(bbl, (size_t)k), 0);
        num(f, json_object_get(dr, "before_m"), 0);
        num(f, json_object_get(dr, "after_m"), 0);
        num(f, json_object_get(dr, "bbl"), 0);
        for (int k = 0; k < 3; k++)
            num(f, json_array_get(cum, (size_t)k), 0);
        num(f, json_object_get(d, "confidence"), 0);
        field(f, json_string_value(json_object_get(ev0, "id")), 0);
        num(f, json_object_get(ev0, "leaf"), 1);
    }
    return ferror(f) ? SW_EIO : SW_OK;
}

int sw_cases_write_years_csv(const json_t *model, FILE *f)
{
    const json_t *cap = json_object_get(model, "cap");
    fputs("year,deliveries,with_volume,with_draught,bbl_33,bbl_50,bbl_90,bbl_draught,cap_bbl,"
          "share_33,share_50,share_90\n",
          f);
    size_t i;
    json_t *y;
    json_array_foreach(json_object_get(cap, "years"), i, y)
    {
        const char *k[] = {"year", "deliveries", "with_volume", "with_draught"};
        for (int j = 0; j < 4; j++)
            num(f, json_object_get(y, k[j]), 0);
        for (int j = 0; j < 3; j++)
            num(f, json_array_get(json_object_get(y, "bbl"), (size_t)j), 0);
        num(f, json_object_get(y, "bbl_draught"), 0);
        num(f, json_object_get(y, "cap_bbl"), 0);
        for (int j = 0; j < 3; j++)
            num(f, json_array_get(json_object_get(y, "share_of_cap"), (size_t)j), j == 2);
    }
    return ferror(f) ? SW_EIO : SW_OK;
}
