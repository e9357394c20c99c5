/*
 * The report's cases (sanctwatch/cases.h): the section the report leads with (cases ranked
 * by risk score, each a narrative, its factors, one map of its tracks with every incident,
 * the timeline, the identity timeline, list hits, forensics and the annex entries it rests
 * on), the refined-petroleum cap (a table and a chart of cumulative barrels per year against
 * the cap), and the files cases.json, deliveries.csv and cap.csv. docs/report.md, "Cases".
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"
#include "sanctwatch/cases.h"
#include "sanctwatch/error.h"

static const char css[] =
    "section.cases article.case{border:2px solid #1a3d6d;border-radius:4px;padding:8px 12px;"
    "margin:12px 0;break-inside:avoid}.score{background:#1a3d6d;color:#fff;padding:0 6px;"
    "border-radius:3px}.narrative{font-size:16px}.route{fill:none;stroke:#b00;stroke-width:2;"
    "stroke-dasharray:6 4;vector-effect:non-scaling-stroke}.mark{fill:#fff;stroke:#000;"
    "stroke-width:1.5;vector-effect:non-scaling-stroke}.mark.possible_port_call,.mark.reachable"
    "{fill:#b00}.mark.port_call{fill:#f80}.mark.corridor_voyage{fill:#80e}.mark.ais_gap,"
    ".mark.dark_rendezvous{fill:#333}.mark.encounter{fill:#0a0}.marktext{font:11px sans-serif;"
    "fill:#600}svg.cap{width:100%;max-width:720px;height:auto;background:#fff;border:1px solid "
    "#bbb}.capline{stroke:#b00;stroke-width:2;stroke-dasharray:8 4}.cum{fill:none;"
    "stroke-width:2}.c0{stroke:#7aa6d8}.c1{stroke:#1a3d6d}.c2{stroke:#000}.c3{stroke:#0a0;"
    "stroke-dasharray:3 3}.axis text{font:11px sans-serif}.axis line{stroke:#888}";

static void int_cell(FILE *f, const json_t *v)
{
    if (json_is_number(v))
        fprintf(f, "<td>%.0f</td>", json_number_value(v));
    else
        fputs("<td></td>", f);
}

static void write_factors(FILE *f, const json_t *c)
{
    size_t i, k;
    json_t *x, *id;
    fputs("<table class=\"factors\"><tr><th>factor</th><th>weight</th><th>what it means</th>"
          "<th>incidents</th></tr>",
          f);
    json_array_foreach(json_object_get(c, "factors"), i, x)
    {
        rep_tag(f, "<tr><td>", rep_str(x, "factor"), "</td>");
        int_cell(f, json_object_get(x, "weight"));
        rep_tag(f, "<td>", rep_str(x, "meaning"), "</td><td>");
        json_array_foreach(json_object_get(x, "incidents"), k, id)
        {
            rep_tag(f, "<a href=\"#i-", json_string_value(id), "\">");
            fprintf(f, "%zu</a> ", k + 1);
        }
        fputs("</td></tr>", f);
    }
    fputs("</table>\n", f);
}

static void write_timeline_rows(FILE *f, const json_t *c)
{
    size_t i, k;
    json_t *t, *v;
    fputs("<h4>timeline</h4><table><tr><th>start</th><th>end</th><th>what</th><th>vessels</th>"
          "<th>evidence</th></tr>",
          f);
    json_array_foreach(json_object_get(c, "timeline"), i, t)
    {
        rep_tag(f, "<tr><td>", rep_str(t, "start"), "</td><td>");
        rep_xml_escape(f, rep_str(t, "end"));
        rep_tag(f, "</td><td>", rep_str(t, "summary"), "</td><td>");
        json_array_foreach(json_object_get(t, "vessels"), k, v)
            fprintf(f, "%s<a href=\"#v-%lld\">%lld</a>", k ? ", " : "",
                    (long long)json_integer_value(v), (long long)json_integer_value(v));
        rep_tag(f, "</td><td><a href=\"#i-", rep_str(t, "id"), "\">leaf ");
        fprintf(f, "%lld</a></td></tr>", (long long)json_integer_value(json_object_get(t, "leaf")));
    }
    fputs("</table>\n", f);
}

static void write_identities(FILE *f, const json_t *c)
{
    size_t i;
    json_t *x;
    fputs("<h4>identities over time</h4><table><tr><th>source</th><th>MMSI / entry</th>"
          "<th>name</th><th>call sign</th><th>flag</th><th>IMO</th><th>from</th><th>to</th></tr>",
          f);
    json_array_foreach(json_object_get(c, "identities"), i, x)
    {
        int list = !strcmp(rep_str(x, "source"), "list");
        rep_tag(f, "<tr><td>", list ? rep_str(x, "list") : "AIS", "</td>");
        if (list)
            rep_tag(f, "<td>", rep_str(x, "ref"), "</td>");
        else
            int_cell(f, json_object_get(x, "mmsi"));
        rep_tag(f, "<td>", rep_str(x, "name"), "</td>");
        rep_tag(f, "<td>", rep_str(x, "callsign"), "</td>");
        rep_tag(f, "<td>", rep_str(x, "flag"), "</td>");
        int_cell(f, json_object_get(x, "imo"));
        rep_tag(f, "<td>", rep_str(x, "from"), "</td>");
        rep_tag(f, "<td>", rep_str(x, "to"), "</td></tr>");
    }
    fputs("</table>\n", f);
}

static void write_forensics(FILE *f, const json_t *c)
{
    const json_t *fo = json_object_get(c, "forensics");
    size_t i;
    json_t *x;
    fputs("<h4>flag and identity forensics</h4><ul>", f);
    int any = 0;
    json_array_foreach(json_object_get(fo, "flag_mismatch"), i, x)
    {
        fprintf(f, "<li>MMSI %lld: its MID says ",
                (long long)json_integer_value(json_object_get(x, "mmsi")));
        rep_tag(f, "", rep_str(x, "mid_flag"), ", the ");
        rep_tag(f, "", rep_str(x, "list"), " list (");
        rep_tag(f, "", rep_str(x, "ref"), ") says ");
        rep_tag(f, "", rep_str(x, "list_flag"), "</li>");
        any = 1;
    }
    json_array_foreach(json_object_get(fo, "flag_changes"), i, x)
    {
        fprintf(f, "<li>IMO %lld went from MMSI %lld (",
                (long long)json_integer_value(json_object_get(x, "imo")),
                (long long)json_integer_value(json_object_get(x, "from_mmsi")));
        rep_tag(f, "", rep_str(x, "from_flag"), ")");
        fprintf(f, " to MMSI %lld (", (long long)json_integer_value(json_object_get(x, "to_mmsi")));
        rep_tag(f, "", rep_str(x, "to_flag"), ") on ");
        rep_tag(f, "", rep_str(x, "at"), "</li>");
        any = 1;
    }
    json_array_foreach(json_object_get(fo, "name_reuse"), i, x)
    {
        rep_tag(f, "<li>the name ", rep_str(x, "name"), "");
        fprintf(f, " (IMO %lld) is also broadcast by MMSI %lld with IMO %lld</li>",
                (long long)json_integer_value(json_object_get(x, "imo")),
                (long long)json_integer_value(json_object_get(x, "other_mmsi")),
                (long long)json_integer_value(json_object_get(x, "other_imo")));
        any = 1;
    }
    json_array_foreach(json_object_get(fo, "imo_check_digit"), i, x)
    {
        fprintf(f, "<li>MMSI %lld broadcast IMO %lld, whose check digit is wrong</li>",
                (long long)json_integer_value(json_object_get(x, "mmsi")),
                (long long)json_integer_value(json_object_get(x, "imo")));
        any = 1;
    }
    if (!any) fputs("<li>nothing found</li>", f);
    fputs("</ul>\n", f);
}

static void write_hits(FILE *f, const json_t *c)
{
    size_t i;
    json_t *x;
    if (!json_array_size(json_object_get(c, "list_hits"))) return;
    fputs("<h4>list entries</h4><table><tr><th>list</th><th>entry</th><th>name</th><th>IMO</th>"
          "<th>flag</th><th>type</th><th>tonnage</th><th>programmes</th></tr>",
          f);
    json_array_foreach(json_object_get(c, "list_hits"), i, x)
    {
        rep_tag(f, "<tr><td>", rep_str(x, "list"), "</td>");
        rep_tag(f, "<td>", rep_str(x, "ref"), "</td>");
        rep_tag(f, "<td>", rep_str(x, "name"), "</td>");
        int_cell(f, json_object_get(x, "imo"));
        rep_tag(f, "<td>", rep_str(x, "flag"), "</td>");
        rep_tag(f, "<td>", rep_str(x, "vessel_type"), "</td>");
        rep_tag(f, "<td>", rep_str(x, "tonnage"), "</td>");
        rep_tag(f, "<td>", rep_str(x, "programmes"), "</td></tr>");
    }
    fputs("</table>\n", f);
}

static void write_case(FILE *f, const json_t *c, struct rep_map *map)
{
    rep_tag(f, "<article class=\"case\" id=\"", rep_str(c, "id"), "\"><h3>");
    fprintf(f, "%lld. ", (long long)json_integer_value(json_object_get(c, "rank")));
    rep_xml_escape(f, *rep_str(c, "lead_name") ? rep_str(c, "lead_name") : "unnamed vessel");
    fprintf(f,
            " (MMSI <a href=\"#v-%lld\">%lld</a>) <span class=\"score\">score %lld</span></h3>\n",
            (long long)json_integer_value(json_object_get(c, "lead_mmsi")),
            (long long)json_integer_value(json_object_get(c, "lead_mmsi")),
            (long long)json_integer_value(json_object_get(c, "score")));
    rep_tag(f, "<p class=\"narrative\">", rep_str(c, "narrative"), "</p>\n");
    write_factors(f, c);
    fputs("<div class=\"cols\"><div>", f);
    const json_t *m = json_object_get(c, "map");
    if (json_object_get(m, "bbox"))
        rep_map_write(map, f, m);
    else
        fputs("<p class=\"nomap\">no position to map</p>", f);
    fputs("</div><div>", f);
    write_hits(f, c);
    write_forensics(f, c);
    fputs("</div></div>\n", f);
    write_timeline_rows(f, c);
    write_identities(f, c);
    fputs("</article>\n", f);
}

/* ---- the cap: a table and, per year, cumulative barrels against the cap */

static void chart_year(FILE *f, const json_t *cap, const json_t *year)
{
    const double W = 720, H = 300, L = 70, B = 30, T = 12;
    long y = (long)json_integer_value(json_object_get(year, "year"));
    double capb = json_number_value(json_object_get(cap, "cap_bbl")), top = capb * 1.15;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(cap, "deliveries"), i,
                       d) if (json_integer_value(json_object_get(d, "year")) == y) top =
        fmax(top, json_number_value(json_array_get(json_object_get(d, "cum_bbl"), 2)) * 1.05);
    fprintf(f,
            "<svg class=\"cap\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"cumulative "
            "barrels in %ld against the cap\">",
            W, H, y);
#define XP(doy) (L + (W - L - 10) * (doy) / 366.0)
#define YP(v) (H - B - (H - B - T) * (v) / top)
    fputs("<g class=\"axis\">", f);
    for (int k = 0; k <= 4; k++) {
        double v = top * k / 4;
        fprintf(f,
                "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/><text x=\"2\" "
                "y=\"%.1f\">%.0fk</text>",
                L, YP(v), W - 10, YP(v), YP(v) + 4, v / 1000);
    }
    static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int k = 0; k < 12; k++)
        fprintf(f, "<text x=\"%.1f\" y=\"%.0f\">%s</text>", XP(k * 30.5), H - 10, mon[k]);
    fputs("</g>", f);
    fprintf(f,
            "<line class=\"capline\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>"
            "<text x=\"%.0f\" y=\"%.1f\" fill=\"#b00\" font-size=\"12\">cap %.0f bbl</text>",
            L, YP(capb), W - 10, YP(capb), L + 4, YP(capb) - 4, capb);
    for (int s = 0; s < 3; s++) {
        fprintf(f, "<path class=\"cum c%d\" d=\"M%.1f %.1f", s, XP(0), YP(0));
        double prev = 0;
        json_array_foreach(json_object_get(cap, "deliveries"), i, d)
        {
            if (json_integer_value(json_object_get(d, "year")) != y) continue;
            const char *t = rep_str(d, "time");
            int mo = 1, dd = 1;
            if (strlen(t) >= 10) sscanf(t + 5, "%d-%d", &mo, &dd);
            double doy = (mo - 1) * 30.5 + dd;
            double v = json_number_value(json_array_get(json_object_get(d, "cum_bbl"), (size_t)s));
            fprintf(f, " L%.1f %.1f L%.1f %.1f", XP(doy), YP(prev), XP(doy), YP(v));
            prev = v;
        }
        fprintf(f, " L%.1f %.1f\"/>", XP(366), YP(prev));
    }
#undef XP
#undef YP
    fputs("</svg>\n", f);
}

static void write_cap(FILE *f, const json_t *model)
{
    const json_t *cap = json_object_get(model, "cap");
    size_t i;
    json_t *y, *d;
    fputs("<section class=\"cap\" id=\"cap\"><h2>Refined petroleum and the cap of resolution "
          "2397</h2>\n",
          f);
    rep_tag(f,
            "<p>Candidate deliveries to the DPRK (tanker calls at DPRK ports, possible calls "
            "while AIS was off, tanker ship-to-ship meetings in DPRK waters or transfer "
            "areas), their volumes as ",
            rep_str(cap, "product_name"), "");
    fprintf(f,
            " (%.2f barrels per tonne, UN Statistics Division) at one third, half and 90%% "
            "laden, as the United States estimated in 2018, against the cap of %.0f barrels a "
            "year. Each delivery names the annex entry it rests on.</p>\n",
            json_number_value(json_object_get(cap, "bbl_per_t")),
            json_number_value(json_object_get(cap, "cap_bbl")));
    fputs("<table><tr><th>year</th><th>deliveries</th><th>with a size</th><th>barrels at "
          "33%</th><th>at 50%</th><th>at 90%</th><th>by draught</th><th>share of cap at 50%</th>"
          "</tr>",
          f);
    json_array_foreach(json_object_get(cap, "years"), i, y)
    {
        fputs("<tr>", f);
        int_cell(f, json_object_get(y, "year"));
        int_cell(f, json_object_get(y, "deliveries"));
        int_cell(f, json_object_get(y, "with_volume"));
        for (size_t k = 0; k < 3; k++)
            int_cell(f, json_array_get(json_object_get(y, "bbl"), k));
        int_cell(f, json_object_get(y, "bbl_draught"));
        fprintf(f, "<td>%.0f%%</td></tr>",
                100 * json_number_value(json_array_get(json_object_get(y, "share_of_cap"), 1)));
    }
    fputs("</table>\n", f);
    json_array_foreach(json_object_get(cap, "years"), i, y) chart_year(f, cap, y);
    fputs("<p class=\"meta\">Lines: cumulative barrels at 33% (light), 50% and 90% (black) "
          "laden; dashed red: the cap.</p>\n<table><tr><th>time</th><th>vessel</th><th>kind</th>"
          "<th>port</th><th>deadweight (t)</th><th>barrels 33/50/90%</th><th>by draught</th>"
          "<th>evidence</th></tr>",
          f);
    json_array_foreach(json_object_get(cap, "deliveries"), i, d)
    {
        rep_tag(f, "<tr><td>", rep_str(d, "time"), "</td><td>");
        fprintf(f, "<a href=\"#v-%lld\">%lld</a> ",
                (long long)json_integer_value(json_object_get(d, "mmsi")),
                (long long)json_integer_value(json_object_get(d, "mmsi")));
        rep_tag(f, "", rep_str(d, "name"), "</td>");
        rep_tag(f, "<td>", rep_str(d, "kind"), "</td>");
        rep_tag(f, "<td>", rep_str(d, "port"), "</td>");
        fprintf(f, "<td>%.0f (%s)</td>", json_number_value(json_object_get(d, "dwt_t")),
                rep_str(d, "dwt_source"));
        const json_t *b = json_object_get(d, "bbl");
        fprintf(f, "<td>%.0f / %.0f / %.0f</td>", json_number_value(json_array_get(b, 0)),
                json_number_value(json_array_get(b, 1)), json_number_value(json_array_get(b, 2)));
        int_cell(f, json_object_get(json_object_get(d, "draught"), "bbl"));
        json_t *ev = json_array_get(json_object_get(d, "evidence"), 0);
        rep_tag(f, "<td><a href=\"#i-", rep_str(ev, "id"), "\">leaf ");
        fprintf(f, "%lld</a></td></tr>",
                (long long)json_integer_value(json_object_get(ev, "leaf")));
    }
    fputs("</table></section>\n", f);
}

void rep_cases_write_html(FILE *f, const json_t *model, struct rep_map *map)
{
    const json_t *cases = json_object_get(model, "cases");
    size_t i;
    json_t *c;
    if (!json_is_array(cases)) return;
    fprintf(f, "<style>%s</style>\n<section class=\"cases\" id=\"cases\"><h2>Cases</h2>\n", css);
    fputs("<p>The incidents joined by vessel: each case is a vessel, the vessels it met and those "
          "that carried its identity, and everything they did. The score adds up the weights of "
          "the factors present (at most 100); each factor names the incidents it rests on, and "
          "each incident is an entry of the annex with its ledger proof.</p>\n",
          f);
    if (!json_array_size(cases)) fputs("<p>No case.</p>\n", f);
    json_array_foreach(cases, i, c) if (json_object_get(c, "timeline")) write_case(f, c, map);
    fputs("</section>\n", f);
    write_cap(f, model);
}

json_t *rep_cases_maps(const json_t *model)
{
    json_t *all = json_copy((json_t *)json_object_get(model, "incidents"));
    size_t i;
    json_t *c;
    if (!all) all = json_array();
    json_array_foreach(json_object_get(model, "cases"), i, c) if (json_object_get(c, "map"))
        json_array_append(all, json_object_get(c, "map"));
    return all;
}

int rep_cases_write_json(const json_t *model, FILE *f)
{
    json_t *o =
        json_pack("{s:O?,s:O?,s:O?}", "cases", json_object_get(model, "cases"), "cap",
                  json_object_get(model, "cap"), "weights", json_object_get(model, "case_weights"));
    int rc = o && json_dumpf(o, f, JSON_INDENT(1) | JSON_REAL_PRECISION(15)) == 0 ? SW_OK : SW_EIO;
    json_decref(o);
    return rc;
}

int rep_cases_write_deliveries(const json_t *model, FILE *f)
{
    return sw_cases_write_deliveries_csv(model, f);
}

int rep_cases_write_years(const json_t *model, FILE *f)
{
    return sw_cases_write_years_csv(model, f);
}
