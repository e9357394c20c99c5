/*
 * report.html: the report a person reads, in the manner of the UN Panel of Experts' reports.
 * One self-contained file: inline CSS, inline SVG maps and timelines, a few lines of inline
 * script (expand/collapse, open everything before printing); nothing is fetched.
 *
 * The maps are drawn by map.c: viewBoxes onto coastline tiles and zones defined once.
 */
#include "sanctwatch/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/ais.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"
#include "sanctwatch/witness.h"
#include "report_int.h"

#define OPEN_LIMIT 200 /* sections start open when the report has at most this many incidents */
#define INDEX_OPEN_LIMIT 30

/* The witnesses that cosigned the head (docs/witness.md), and how a reader checks them. */
static void write_cosigners(FILE *f, const char *note)
{
    struct sw_cosigner c[SW_WITNESS_MAX_PEERS];
    size_t n = 0;
    char t[32];
    if (sw_witness_cosigners(note, strlen(note), c, SW_WITNESS_MAX_PEERS, &n) || n == 0) return;
    fprintf(f, "<p>Cosigned by %zu witness%s:</p><ul class=\"cosigners\">", n, n == 1 ? "" : "es");
    for (size_t i = 0; i < n; i++) {
        rep_tag(f, "<li>", c[i].name, " at ");
        fprintf(f, "%s</li>", sw_time_format((int64_t)c[i].timestamp * 1000, 0, t));
    }
    fputs("</ul><p>Check the cosignatures with <code>sanctwatch ledger verify --pub KEY.pub "
          "--witnesses POLICY head.txt</code>, POLICY naming the witnesses you trust and the "
          "quorum you require.</p>",
          f);
}

static void write_timeline(FILE *f, const json_t *inc, const json_t *vessels)
{
    json_t *ev = json_object_get(inc, "event");
    int64_t s, e;
    const char *st = rep_str(ev, "start"), *en = rep_str(ev, "end");
    if (sw_time_parse(st, strlen(st), &s) != SW_OK) return;
    if (sw_time_parse(en, strlen(en), &e) != SW_OK) e = s;
    int64_t t0 = s, t1 = e;
    size_t i, k;
    json_t *t, *p;
    json_array_foreach(json_object_get(inc, "tracks"), i, t)
    {
        json_array_foreach(json_object_get(t, "points"), k, p)
        {
            int64_t tm = json_integer_value(json_array_get(p, 0));
            t0 = tm < t0 ? tm : t0;
            t1 = tm > t1 ? tm : t1;
        }
    }
    if (t1 <= t0) t1 = t0 + 3600000;
    size_t lanes = json_array_size(json_object_get(inc, "tracks"));
    const double W = 640, left = 110, right = 10, lane = 18;
    double H = 34 + lane * (double)(lanes ? lanes : 1);
    double span = (double)(t1 - t0), pw = W - left - right;
#define TX(tm) (left + pw * (double)((tm)-t0) / span)
    fprintf(f,
            "<svg class=\"timeline\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
            "aria-label=\"timeline\">",
            W, H);
    fprintf(f, "<rect class=\"evspan\" x=\"%.1f\" y=\"2\" width=\"%.1f\" height=\"%.0f\"/>", TX(s),
            fmax(TX(e) - TX(s), 2.0), H - 20);
    json_array_foreach(json_object_get(inc, "tracks"), i, t)
    {
        char key[24];
        snprintf(key, sizeof key, "%lld",
                 (long long)json_integer_value(json_object_get(t, "mmsi")));
        const char *name = rep_str(json_object_get(vessels, key), "name");
        double y = 8 + lane * (double)i;
        fprintf(f, "<text x=\"4\" y=\"%.0f\" class=\"lane\">", y + 10);
        rep_xml_escape(f, *name ? name : key);
        fputs("</text>", f);
        fprintf(f, "<line class=\"laneline\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>",
                left, y + 7, W - right, y + 7);
        fprintf(f, "<path stroke=\"%s\" class=\"ticks\" d=\"", rep_track_colour(i));
        json_array_foreach(json_object_get(t, "points"), k, p)
        {
            fprintf(f, "M%.0f %.0fv10", TX(json_integer_value(json_array_get(p, 0))), y + 2);
        }
        fputs("\"/>", f);
    }
    char a[32], b2[32];
    sw_time_format(t0, 0, a);
    sw_time_format(t1, 0, b2);
    fprintf(f, "<text class=\"axis\" x=\"%.0f\" y=\"%.0f\">%.16s</text>", left, H - 4, a);
    fprintf(f, "<text class=\"axis\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%.16s</text>",
            W - right, H - 4, b2);
    fputs("</svg>\n", f);
#undef TX
}

/* Is this member of an event's details a threshold of its rule rather than a measurement?
 * The detectors put both side by side; the reader must not mistake a threshold
 * (min_duration_h 2) for a measured value. A threshold is "rule", a name ending in "_rule",
 * a parameter of the methods annex ("type.key") holding the configured value (loitering's
 * measured min_shore_distance_nm shares the name of its threshold), or one of the few
 * thresholds the detectors write under a name of their own. */
static int is_rule_param(const json_t *params, const char *type, const char *key,
                         const json_t *value)
{
    static const char *const own[][2] = {
        {"ais_gap", "min_hours_covered"}, {"port_call", "port_radius_km"},
        {"zone_entry", "reentry_h"},      {"dark_rendezvous", "min_alongside_h"},
        {"position_spoof", "min_fixes"},
    };
    size_t tl = strlen(type), kl = strlen(key), i;
    if (!strcmp(key, "rule") || (kl > 5 && !strcmp(key + kl - 5, "_rule"))) return 1;
    for (i = 0; i < sizeof own / sizeof own[0]; i++)
        if (!strcmp(own[i][0], type) && !strcmp(own[i][1], key)) return 1;
    json_t *kv;
    json_array_foreach(params, i, kv)
    {
        const char *name = json_string_value(json_array_get(kv, 0));
        const char *text = json_string_value(json_array_get(kv, 1));
        if (!name || !text || strncmp(name, type, tl) || name[tl] != '.' ||
            strcmp(name + tl + 1, key))
            continue;
        if (json_is_string(value)) return !strcmp(json_string_value(value), text);
        if (json_is_number(value)) {
            char *end;
            double x = strtod(text, &end);
            return end != text && !*end && fabs(x - json_number_value(value)) <= 1e-9 * fabs(x);
        }
        return 0;
    }
    return 0;
}

/* The members of obj as a two-column table; with params, only the rule's parameters (want 1)
 * or only the rest (want 0). */
static void write_kv_rows(FILE *f, const json_t *obj, const json_t *params, const char *type,
                          int want)
{
    fputs("<table class=\"kv\">", f);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        if (params && is_rule_param(params, type, k, v) != want) continue;
        rep_tag(f, "<tr><th>", k, "</th><td>");
        if (json_is_string(v)) {
            rep_xml_escape(f, json_string_value(v));
        } else if (json_is_real(v)) {
            fprintf(f, "%.6g", json_real_value(v)); /* measured values, not 17 digits */
        } else {
            rep_xml_json(f, v, 0);
        }
        fputs("</td></tr>", f);
    }
    fputs("</table>\n", f);
}

static void write_kv_table(FILE *f, const json_t *obj)
{
    write_kv_rows(f, obj, NULL, NULL, 0);
}

static void vessel_link(FILE *f, const json_t *vessels, json_int_t mmsi)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)mmsi);
    const json_t *d = json_object_get(vessels, key);
    fprintf(f, "<a href=\"#v-%s\">", key);
    rep_xml_escape(f, *rep_str(d, "name") ? rep_str(d, "name") : key);
    fputs("</a>", f);
}

static void write_vessels_table(FILE *f, const json_t *ev, const json_t *vessels)
{
    fputs("<table class=\"grid\"><tr><th>MMSI</th><th>name</th><th>IMO</th><th>call sign</th>"
          "<th>flag</th><th>designations</th></tr>",
          f);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(ev, "vessels"), i, v)
    {
        json_int_t mmsi = json_integer_value(json_object_get(v, "mmsi"));
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)mmsi);
        const json_t *d = json_object_get(vessels, key);
        fprintf(f, "<tr><td>%s</td><td>", key);
        vessel_link(f, vessels, mmsi);
        fputs("</td><td>", f);
        json_t *imo = json_object_get(v, "imo");
        if (!json_is_integer(imo)) imo = json_object_get(d, "imo");
        if (json_is_integer(imo)) fprintf(f, "%lld", (long long)json_integer_value(imo));
        rep_tag(f, "</td><td>", rep_str(d, "callsign"), "</td><td>");
        rep_xml_escape(f, *rep_str(v, "flag") ? rep_str(v, "flag") : rep_str(d, "flag"));
        fputs("</td><td>", f);
        size_t j;
        json_t *m;
        json_array_foreach(json_object_get(d, "designations"), j, m)
        {
            rep_tag(f, "<span class=\"desig\">", rep_str(m, "list"), " ");
            rep_xml_escape(f, rep_str(m, "ref"));
            rep_tag(f, " (", rep_str(m, "matched_on"), ")</span> ");
        }
        fputs("</td></tr>", f);
    }
    fputs("</table>\n", f);
}

static void write_evidence(FILE *f, const json_t *inc)
{
    json_t *ev = json_object_get(inc, "event"), *pr = json_object_get(inc, "proof");
    json_t *evid = json_object_get(ev, "evidence");
    fprintf(f, "<div class=\"evidence\"><p>Ledger leaf <b>%lld</b>, leaf hash <code>",
            (long long)json_integer_value(json_object_get(evid, "leaf")));
    rep_xml_escape(f, rep_str(pr, "leaf_hash"));
    fprintf(f, "</code>; included in the signed tree of size %lld by a proof of %zu hashes.</p>",
            (long long)json_integer_value(json_object_get(pr, "tree_size")),
            json_array_size(json_object_get(pr, "path")));
    fputs("<details class=\"proof\"><summary>inclusion proof and event record</summary><pre>", f);
    rep_xml_json(f, pr, 0);
    fputs("</pre><pre>", f);
    rep_xml_json(f, ev, JSON_SORT_KEYS);
    fputs("</pre></details></div>\n", f);
}

/* An incident recorded more than once: the ledger is append-only, so a completion (or an
 * update) is a new record naming the first; the page shows the latest and says so. */
static void write_history(FILE *f, const json_t *inc)
{
    const json_t *recs = json_object_get(inc, "records");
    const json_t *first = json_array_get(recs, 0);
    if (json_array_size(recs) < 2) return;
    fprintf(f, "<p class=\"history\">This incident has %zu ledger records; shown is the latest. ",
            json_array_size(recs));
    fputs(json_is_true(json_object_get(inc, "first_published_ongoing"))
              ? "It was first published while still ongoing, as record "
              : "It was first published as record ",
          f);
    rep_tag(f, "<code>", rep_str(first, "id"), "</code>");
    fprintf(f, " (leaf %lld).</p>\n",
            (long long)json_integer_value(json_object_get(first, "leaf")));
}

static void write_incident(FILE *f, const json_t *inc, const json_t *vessels, const json_t *params,
                           struct rep_map *map, size_t number)
{
    json_t *ev = json_object_get(inc, "event");
    fputs("<section class=\"incident\" id=\"i-", f);
    rep_xml_escape(f, rep_str(inc, "id"));
    fprintf(f, "\"><h3>%zu. ", number);
    rep_xml_escape(f, rep_str(ev, "type"));
    fputs(": ", f);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(ev, "vessels"), i, v)
    {
        if (i) fputs(" &amp; ", f);
        vessel_link(f, vessels, json_integer_value(json_object_get(v, "mmsi")));
    }
    rep_tag(f, "</h3>\n<p class=\"when\">", rep_str(ev, "start"), " – ");
    if (json_is_true(json_object_get(ev, "ongoing")))
        fputs("ongoing when the data ended", f);
    else
        rep_xml_escape(f, rep_str(ev, "end"));
    json_t *lat = json_object_get(ev, "lat"), *lon = json_object_get(ev, "lon");
    if (json_is_number(lat) && json_is_number(lon))
        fprintf(f, " · %.4f, %.4f", json_number_value(lat), json_number_value(lon));
    json_t *port = json_object_get(ev, "port");
    if (port) {
        rep_tag(f, " · port: ", rep_str(port, "name"), " (");
        rep_xml_escape(f, rep_str(port, "country"));
        fputs(")", f);
    }
    json_t *conf = json_object_get(ev, "confidence");
    if (json_is_number(conf)) fprintf(f, " · confidence %.2f", json_number_value(conf));
    fputs("</p>\n", f);
    write_history(f, inc);
    rep_reviews_write(f, inc);
    fputs("<div class=\"cols\"><div>", f);
    rep_map_write(map, f, inc);
    fputs("</div><div>", f);
    write_timeline(f, inc, vessels);
    write_vessels_table(f, ev, vessels);
    json_t *details = json_object_get(ev, "details");
    if (json_is_object(details)) {
        const char *type = rep_str(ev, "type");
        if (!json_is_array(params)) { /* no parameters to tell thresholds apart */
            fputs("<h4>rule and measurements</h4>", f);
            params = NULL;
        } else
            fputs("<h4>measurements</h4>", f);
        write_kv_rows(f, details, params, type, 0);
        if (params) {
            fputs("<h4>rule and its thresholds</h4>", f);
            write_kv_rows(f, details, params, type, 1);
        }
    }
    fputs("</div></div>\n", f);
    write_evidence(f, inc);
    fputs("</section>\n", f);
}

/* by_id: incident id -> incident, built once for all dossiers. */
static void write_dossier(FILE *f, const char *key, const json_t *d, const json_t *by_id)
{
    rep_tag(f, "<details class=\"dossier\" id=\"v-", key, "\"><summary>");
    rep_xml_escape(f, *rep_str(d, "name") ? rep_str(d, "name") : "(no name broadcast)");
    fprintf(f, " — MMSI %s", key);
    if (json_array_size(json_object_get(d, "designations")))
        fputs(" <span class=\"desig\">designation match</span>", f);
    fputs("</summary>\n", f);
    json_t *cur = json_deep_copy(d);
    json_object_del(cur, "identity_history");
    json_object_del(cur, "designations");
    json_object_del(cur, "incidents");
    /* For the reader: times once, in ISO 8601 (not also as epoch milliseconds), and the
     * ship type and navigation status codes with their ITU meaning. */
    const char *k;
    json_t *kv;
    void *tmp;
    json_object_foreach_safe(cur, tmp, k, kv)
    {
        char iso[64];
        snprintf(iso, sizeof iso, "%s_iso", k);
        if (json_object_get(cur, iso)) json_object_del(cur, k);
    }
    json_t *st = json_object_get(cur, "ship_type"), *ns = json_object_get(cur, "last_status");
    if (json_is_integer(st) && json_integer_value(st) >= 0 && json_integer_value(st) <= 255)
        json_object_set_new(cur, "ship_type",
                            json_sprintf("%lld (%s)", (long long)json_integer_value(st),
                                         sw_ais_shiptype_text((unsigned)json_integer_value(st))));
    if (json_is_integer(ns) && json_integer_value(ns) >= 0 && json_integer_value(ns) <= 15)
        json_object_set_new(cur, "last_status",
                            json_sprintf("%lld (%s)", (long long)json_integer_value(ns),
                                         sw_ais_status_text((unsigned)json_integer_value(ns))));
    write_kv_table(f, cur);
    json_decref(cur);
    fputs("<h4>identity history</h4><table class=\"grid\"><tr><th>from</th><th>to</th>"
          "<th>name</th><th>call sign</th><th>IMO</th><th>flag</th><th>type</th></tr>",
          f);
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(d, "identity_history"), i, h)
    {
        rep_tag(f, "<tr><td>", rep_str(h, "first_seen_iso"), "</td><td>");
        rep_xml_escape(f, rep_str(h, "last_seen_iso"));
        rep_tag(f, "</td><td>", rep_str(h, "name"), "</td><td>");
        rep_xml_escape(f, rep_str(h, "callsign"));
        fputs("</td><td>", f);
        if (json_is_integer(json_object_get(h, "imo")))
            fprintf(f, "%lld", (long long)json_integer_value(json_object_get(h, "imo")));
        rep_tag(f, "</td><td>", rep_str(h, "flag"), "</td><td>");
        if (json_is_integer(json_object_get(h, "ship_type")))
            fprintf(f, "%lld", (long long)json_integer_value(json_object_get(h, "ship_type")));
        fputs("</td></tr>", f);
    }
    fputs("</table>\n<h4>designation matches</h4>", f);
    json_t *des = json_object_get(d, "designations");
    if (!json_array_size(des)) fputs("<p>None on the lists loaded.</p>", f);
    json_array_foreach(des, i, h)
    {
        write_kv_table(f, h);
    }
    fputs("<h4>incidents</h4><ul>", f);
    json_t *id;
    json_array_foreach(json_object_get(d, "incidents"), i, id)
    {
        const json_t *ev = json_object_get(json_object_get(by_id, json_string_value(id)), "event");
        rep_tag(f, "<li><a href=\"#i-", json_string_value(id), "\">");
        rep_xml_escape(f, rep_str(ev, "type"));
        rep_tag(f, " ", rep_str(ev, "start"), "</a></li>");
    }
    fputs("</ul></details>\n", f);
}

static const char css[] =
    "body{font:15px/1.45 Georgia,'Times New Roman',serif;margin:0 auto;max-width:1100px;"
    "padding:0 16px;color:#111}h1{font-size:26px;margin:.6em 0 .2em}h2{border-bottom:2px solid "
    "#1a3d6d;color:#1a3d6d;margin-top:1.6em}h3{margin:.2em 0}h4{margin:.6em 0 .2em}"
    ".meta{color:#555}table{border-collapse:collapse;margin:.3em 0}td,th{border:1px solid "
    "#bbb;padding:2px 6px;text-align:left;vertical-align:top;font-size:13px}th{background:#eef2f7}"
    "table.kv th{width:12em}code,pre{font:12px/1.3 monospace}pre{white-space:pre-wrap;"
    "word-break:break-all;background:#f6f6f6;padding:6px;max-height:30em;overflow:auto}"
    "section.incident{border:1px solid #ccd;border-radius:4px;padding:8px 12px;margin:10px 0;"
    "break-inside:avoid}.cols{display:flex;flex-wrap:wrap;gap:12px}.cols>div{flex:1 1 420px}"
    "svg.map{width:100%;max-width:520px;height:auto;border:1px solid #889;background:#cfe3f3}"
    "svg.map .sea{fill:#cfe3f3}.land{fill:#efe8d8;stroke:none}.coast{fill:none;"
    "stroke:#7a6a4f;stroke-width:1;vector-effect:non-scaling-stroke}.zone{fill:#d33;fill-opacity:."
    "08;stroke:#d33;"
    "stroke-width:1;stroke-dasharray:4 3;vector-effect:non-scaling-stroke}"
    ".zone.transfer_area{fill:#e80;stroke:#e80}.zone.corridor{fill:#80e;stroke:#80e}"
    ".trk{fill:none;stroke-width:2;vector-effect:non-scaling-stroke}"
    ".ev{fill:none;stroke:#000;stroke-width:2.5;vector-effect:non-scaling-stroke}"
    ".port{fill:#333}.portname,.scaletext,.coord{fill:#333;font-family:sans-serif}"
    ".scale{stroke:#000;stroke-width:3;vector-effect:non-scaling-stroke}"
    "svg.timeline{width:100%;max-width:640px;height:auto}.evspan{fill:#fde3a7}"
    ".lane,.axis{font:11px sans-serif;fill:#333}.laneline{stroke:#ccc}.ticks{stroke-width:1}"
    ".desig{background:#b00;color:#fff;padding:0 4px;border-radius:3px;font-size:12px}"
    "details>summary{cursor:pointer;font-weight:bold}details.type>summary{font-size:18px;"
    "margin:.6em 0}.toolbar button{margin-right:6px}.nomap{color:#777}"
    "svg.defs{position:absolute;width:0;height:0;overflow:hidden}"
    "@media print{.toolbar{display:none}section.incident{page-break-inside:avoid}"
    "pre{max-height:none}body{max-width:none;font-size:11pt}.cols{flex-wrap:nowrap}"
    ".cols>div{flex:1 1 50%}svg.map{max-height:11cm}details.proof pre{font-size:7pt}}";

static const char script[] =
    "(function(){function all(o){document.querySelectorAll('details').forEach(function(d)"
    "{d.open=o;});}var b=document.getElementById('expand');if(b)b.addEventListener('click',"
    "function(){all(true);});b=document.getElementById('collapse');if(b)b.addEventListener("
    "'click',function(){all(false);});window.addEventListener('beforeprint',function(){"
    "all(true);});function openTo(){var h=location.hash.slice(1);if(!h)return;var e="
    "document.getElementById(h);while(e){if(e.tagName==='DETAILS')e.open=true;e=e.parentElement;"
    "}}window.addEventListener('hashchange',openTo);openTo();})();";

/* Title, the period and the toolbar. */
static void write_top(FILE *f, const json_t *model, size_t n)
{
    json_t *ledger = json_object_get(model, "ledger");
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>",
          f);
    rep_xml_escape(f, rep_str(model, "title"));
    fprintf(f, "</title><style>%s</style></head><body>\n<h1>", css);
    rep_xml_escape(f, rep_str(model, "title"));
    rep_tag(f, "</h1>\n<p class=\"meta\">Generated ", rep_str(model, "generated"), " by ");
    rep_xml_escape(f, rep_str(model, "generator"));
    json_t *flt = json_object_get(model, "filters");
    rep_tag(f, " · period: ", *rep_str(flt, "from") ? rep_str(flt, "from") : "start of data",
            " to ");
    rep_xml_escape(f, *rep_str(flt, "to") ? rep_str(flt, "to") : "end of data");
    fprintf(f,
            " · %zu incidents, the most significant first · every incident is a leaf of the "
            "evidence ledger whose signed tree head (size %lld) is in Annex C.</p>\n",
            n, (long long)json_integer_value(json_object_get(ledger, "size")));
    fputs("<p class=\"toolbar\"><button id=\"expand\" type=\"button\">expand all</button>"
          "<button id=\"collapse\" type=\"button\">collapse all</button></p>\n",
          f);
}

/* Summary by type and by month, and the index of incidents. */
static void write_summary(FILE *f, const json_t *summary, const json_t *incidents)
{
    size_t n = json_array_size(incidents);
    fputs("<h2 id=\"summary\">Summary</h2>\n<table class=\"grid\"><tr><th>type</th>"
          "<th>incidents</th></tr>",
          f);
    const char *type;
    json_t *cnt;
    json_object_foreach(json_object_get(summary, "by_type"), type, cnt)
    {
        rep_tag(f, "<tr><td><a href=\"#t-", type, "\">");
        rep_xml_escape(f, type);
        fprintf(f, "</a></td><td>%lld</td></tr>", (long long)json_integer_value(cnt));
    }
    fputs("</table>\n<h4>by month</h4><table class=\"grid\"><tr><th>month</th><th>incidents by "
          "type</th></tr>",
          f);
    const char *month;
    json_t *mt;
    json_object_foreach(json_object_get(summary, "by_month"), month, mt)
    {
        rep_tag(f, "<tr><td>", month, "</td><td>");
        const char *sep = ""; /* "a 1; b 2", no separator after the last */
        json_object_foreach(mt, type, cnt)
        {
            fputs(sep, f);
            rep_xml_escape(f, type);
            fprintf(f, " %lld", (long long)json_integer_value(cnt));
            sep = "; ";
        }
        fputs("</td></tr>", f);
    }
    fputs("</table>\n", f);
    fprintf(f,
            "<details class=\"index\"%s><summary>Index of incidents</summary><table class=\"grid\">"
            "<tr><th>#</th><th>type</th><th>start</th><th>vessels</th></tr>",
            n <= INDEX_OPEN_LIMIT ? " open" : "");
    size_t i;
    json_t *inc;
    json_array_foreach(incidents, i, inc)
    {
        json_t *ev = json_object_get(inc, "event");
        fprintf(f, "<tr><td>%zu</td><td><a href=\"#i-", i + 1);
        rep_xml_escape(f, rep_str(inc, "id"));
        rep_tag(f, "\">", rep_str(ev, "type"), "</a></td><td>");
        rep_xml_escape(f, rep_str(ev, "start"));
        fputs("</td><td>", f);
        char names[512];
        rep_event_vessels(ev, "mmsi", names, sizeof names);
        rep_xml_escape(f, names);
        fputs("</td></tr>", f);
    }
    fputs("</table></details>\n", f);
}

/* Incidents grouped by type, the types in the order of their most significant incident. */
static void write_incidents(FILE *f, const json_t *model, struct rep_map *map)
{
    json_t *incidents = json_object_get(model, "incidents");
    json_t *vessels = json_object_get(model, "vessels");
    json_t *summary = json_object_get(model, "summary");
    json_t *params = json_object_get(json_object_get(model, "methods"), "parameters");
    int open = json_array_size(incidents) <= OPEN_LIMIT;
    fputs("<h2 id=\"incidents\">Incidents</h2>\n", f);
    size_t number = 0, i;
    const char *type;
    json_t *cnt, *inc;
    json_object_foreach(json_object_get(summary, "by_type"), type, cnt)
    {
        fputs("<details class=\"type\" id=\"t-", f);
        rep_xml_escape(f, type);
        fprintf(f, "\"%s><summary>", open ? " open" : "");
        rep_xml_escape(f, type);
        fprintf(f, " (%lld)</summary>\n", (long long)json_integer_value(cnt));
        json_array_foreach(incidents, i, inc)
        {
            json_t *ev = json_object_get(inc, "event");
            if (strcmp(rep_str(ev, "type"), type) != 0) continue;
            write_incident(f, inc, vessels, params, map, ++number);
        }
        fputs("</details>\n", f);
    }
}

/* One row per vessel, zone and day of the zone transit summaries: entries at speed are
 * context, not incidents (docs/report.md). */
static void write_transits(FILE *f, const json_t *transits, const json_t *vessels)
{
    if (!json_array_size(transits)) return;
    fputs("<h2 id=\"transits\">Zone transits</h2>\n<p>Entries into watched zones at speed, "
          "summarised per vessel, zone and day; each row is a ledger record.</p>"
          "<table class=\"grid\"><tr><th>day</th><th>vessel</th><th>zone</th><th>entries</th>"
          "<th>hours inside</th><th>leaf</th></tr>",
          f);
    size_t i, j;
    json_t *t, *v;
    json_array_foreach(transits, i, t)
    {
        json_t *ev = json_object_get(t, "event"), *dt = json_object_get(ev, "details");
        rep_tag(f, "<tr><td>", rep_str(ev, "start"), "</td><td>");
        json_array_foreach(json_object_get(ev, "vessels"), j, v)
        {
            if (j) fputs(", ", f);
            vessel_link(f, vessels, json_integer_value(json_object_get(v, "mmsi")));
        }
        rep_tag(f, "</td><td>",
                *rep_str(dt, "zone_name") ? rep_str(dt, "zone_name") : rep_str(dt, "zone"),
                "</td><td>");
        rep_xml_json(f, json_object_get(dt, "entries"), JSON_ENCODE_ANY);
        fputs("</td><td>", f);
        rep_xml_json(f, json_object_get(dt, "hours_inside"), JSON_ENCODE_ANY);
        fprintf(f, "</td><td>%lld</td></tr>",
                (long long)json_integer_value(
                    json_object_get(json_object_get(ev, "evidence"), "leaf")));
    }
    fputs("</table>\n", f);
}

/* Annex A, the dossiers. */
static void write_dossiers(FILE *f, const json_t *model)
{
    json_t *incidents = json_object_get(model, "incidents");
    fputs("<h2 id=\"annex-a\">Annex A. Vessel dossiers</h2>\n", f);
    json_t *by_id = json_object(), *inc, *d;
    size_t i;
    json_array_foreach(incidents, i, inc)
    {
        json_object_set(by_id, rep_str(inc, "id"), inc);
    }
    const char *key;
    json_object_foreach(json_object_get(model, "vessels"), key, d)
    {
        write_dossier(f, key, d, by_id);
    }
    json_decref(by_id);
}

/* Annexes B (methods) and C (the signed head). */
static void write_methods_head(FILE *f, const json_t *model)
{
    json_t *ledger = json_object_get(model, "ledger");
    json_t *methods = json_object_get(model, "methods");
    rep_tag(f, "<h2 id=\"annex-b\">Annex B. Methods</h2>\n<p>", rep_str(methods, "ledger"),
            ".</p><h4>rules</h4>");
    write_kv_table(f, json_object_get(methods, "rules"));
    fputs("<h4>parameters</h4><table class=\"kv\">", f);
    size_t i;
    json_t *kv;
    json_array_foreach(json_object_get(methods, "parameters"), i, kv)
    {
        rep_tag(f, "<tr><th>", json_string_value(json_array_get(kv, 0)), "</th><td>");
        rep_xml_escape(f, json_string_value(json_array_get(kv, 1)));
        fputs("</td></tr>", f);
    }
    fputs("</table>\n<h2 id=\"annex-c\">Annex C. Signed tree head</h2>\n<p>Each incident's "
          "inclusion proof (under its evidence) leads from the event's leaf hash to this root. "
          "To verify offline, save the head below as <code>head.txt</code>, an incident's proof "
          "with its event as <code>proof.json</code>, and run <code>sanctwatch ledger verify "
          "--pub KEY.pub --head head.txt --proof proof.json</code>.</p><pre>",
          f);
    rep_xml_escape(f, rep_str(ledger, "note"));
    fputs("</pre>", f);
    write_cosigners(f, rep_str(ledger, "note"));
    if (*rep_str(ledger, "public_key")) {
        rep_tag(f, "<p>Verifier key:</p><pre>", rep_str(ledger, "public_key"), "</pre><pre>");
        rep_xml_escape(f, rep_str(ledger, "public_key_pem"));
        fputs("</pre>", f);
    }
}

/* Annex D: incidents withdrawn by a later record (the finished episode did not meet the rule
 * after all). They are not incidents; the records stay in the ledger. */
static void write_withdrawn(FILE *f, const json_t *withdrawn)
{
    if (!json_array_size(withdrawn)) return;
    fputs("\n<h2 id=\"annex-d\">Annex D. Withdrawn incidents</h2>\n<p>Published while "
          "ongoing, then withdrawn when the finished episode no longer met the rule. They are "
          "not incidents; their records stay in the ledger.</p><table class=\"grid\"><tr>"
          "<th>incident</th><th>type</th><th>start</th><th>vessels</th><th>withdrawal record"
          "</th><th>reason</th></tr>",
          f);
    size_t i;
    json_t *w;
    json_array_foreach(withdrawn, i, w)
    {
        json_t *ev = json_object_get(w, "event");
        char names[512];
        const char *inc = rep_str(ev, "completes");
        rep_tag(f, "<tr><td><code>", *inc ? inc : rep_str(ev, "supersedes"), "</code></td><td>");
        rep_xml_escape(f, rep_str(ev, "type"));
        rep_tag(f, "</td><td>", rep_str(ev, "start"), "</td><td>");
        rep_event_vessels(ev, "mmsi", names, sizeof names);
        rep_xml_escape(f, names);
        rep_tag(f, "</td><td><code>", rep_str(w, "id"), "</code></td><td>");
        rep_xml_escape(f, rep_str(json_object_get(ev, "details"), "reason"));
        fputs("</td></tr>", f);
    }
    fputs("</table>", f);
}

int sw_report_write_html(const json_t *model, const struct sw_geo *geo, FILE *f)
{
    json_t *incidents = json_object_get(model, "incidents");
    write_top(f, model, json_array_size(incidents));
    struct rep_map *map = NULL;
    json_t *maps = rep_cases_maps(model); /* the incidents' and the cases' */
    int rc = rep_map_new(&map, geo, maps);
    json_decref(maps);
    if (rc) return rc;
    rc = rep_map_write_defs(map, f);
    if (rc) {
        rep_map_free(map);
        return rc;
    }
    rep_cases_write_html(f, model, map); /* the report leads with the cases */
    write_summary(f, json_object_get(model, "summary"), incidents);
    write_incidents(f, model, map);
    write_transits(f, json_object_get(model, "transits"), json_object_get(model, "vessels"));
    write_dossiers(f, model);
    write_methods_head(f, model);
    write_withdrawn(f, json_object_get(model, "withdrawn"));
    fprintf(f, "\n<script>%s</script>\n</body></html>\n", script);
    rep_map_free(map);
    return ferror(f) ? SW_EIO : SW_OK;
}
