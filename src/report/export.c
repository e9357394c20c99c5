/*
 * Machine-readable exports of the report model: report.json (the model itself),
 * events.geojson and tracks.geojson (RFC 7946: [lon, lat] positions), events.kml (OGC KML 2.2,
 * for Google Earth) and events.csv (RFC 4180, each text field through the one CSV writer with
 * its spreadsheet-formula guard, sanctwatch/csvout.h). Every writer reads the same model that the
 * HTML report shows.
 */
#define _GNU_SOURCE /* renameat2 */
#include "sanctwatch/report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sanctwatch/csvout.h"
#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"
#include "report_int.h"

const char *rep_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

void rep_xml_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            /* Control characters are not allowed in XML 1.0: shown as U+FFFD. */
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
                fputs("\xEF\xBF\xBD", f);
            else
                fputc(*s, f);
        }
    }
}

void rep_tag(FILE *f, const char *before, const char *text, const char *after)
{
    fputs(before, f);
    rep_xml_escape(f, text);
    fputs(after, f);
}

void rep_xml_json(FILE *f, const json_t *v, size_t flags)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | flags);
    if (s) {
        rep_xml_escape(f, s);
        free(s);
    }
}

void rep_event_vessels(const json_t *ev, const char *key, char *buf, size_t n)
{
    size_t i, used = 0;
    json_t *v;
    buf[0] = '\0';
    json_array_foreach(json_object_get(ev, "vessels"), i, v)
    {
        json_t *x = json_object_get(v, key);
        char item[96];
        if (json_is_integer(x))
            snprintf(item, sizeof item, "%lld", (long long)json_integer_value(x));
        else if (json_is_string(x))
            snprintf(item, sizeof item, "%s", json_string_value(x));
        else
            item[0] = '\0';
        int w = snprintf(buf + used, n - used, "%s%s", i ? ";" : "", item);
        if (w < 0 || (size_t)w >= n - used) break;
        used += (size_t)w;
    }
}

int sw_report_write_json(const json_t *model, FILE *f)
{
    if (json_dumpf(model, f, JSON_COMPACT | JSON_ENSURE_ASCII) != 0) return SW_EIO;
    fputc('\n', f);
    return ferror(f) ? SW_EIO : SW_OK;
}

static int has_point(const json_t *ev)
{
    json_t *lat = json_object_get(ev, "lat"), *lon = json_object_get(ev, "lon");
    return json_is_number(lat) && json_is_number(lon) && fabs(json_number_value(lat)) <= 90 &&
           fabs(json_number_value(lon)) <= 180;
}

/* Write a FeatureCollection of features (a new reference, consumed). */
static int write_collection(json_t *features, FILE *f)
{
    json_t *fc = json_pack("{s:s,s:o}", "type", "FeatureCollection", "features", features);
    int rc = !fc || json_dumpf(fc, f, JSON_COMPACT | JSON_ENSURE_ASCII) ? SW_EIO : SW_OK;
    fputc('\n', f);
    json_decref(fc);
    return rc;
}

int sw_report_write_events_geojson(const json_t *model, FILE *f)
{
    json_t *features = json_array();
    size_t i;
    json_t *inc;
    json_array_foreach(json_object_get(model, "incidents"), i, inc)
    {
        json_t *ev = json_object_get(inc, "event");
        json_t *props = json_deep_copy(ev);
        json_object_del(props, "lat");
        json_object_del(props, "lon");
        json_t *geom = has_point(ev) ? json_pack("{s:s,s:[f,f]}", "type", "Point", "coordinates",
                                                 json_number_value(json_object_get(ev, "lon")),
                                                 json_number_value(json_object_get(ev, "lat")))
                                     : json_null();
        json_array_append_new(features, json_pack("{s:s,s:O,s:o,s:o}", "type", "Feature", "id",
                                                  json_object_get(ev, "id"), "geometry", geom,
                                                  "properties", props));
    }
    return write_collection(features, f);
}

int sw_report_write_tracks_geojson(const json_t *model, FILE *f)
{
    json_t *features = json_array();
    json_t *vessels = json_object_get(model, "vessels");
    size_t i, j, k;
    json_t *inc, *t, *p;
    json_array_foreach(json_object_get(model, "incidents"), i, inc)
    {
        json_array_foreach(json_object_get(inc, "tracks"), j, t)
        {
            json_t *pts = json_object_get(t, "points");
            if (json_array_size(pts) < 2) continue;
            json_t *coords = json_array(), *times = json_array();
            json_array_foreach(pts, k, p)
            {
                json_array_append_new(
                    coords, json_pack("[OO]", json_array_get(p, 2), json_array_get(p, 1)));
                char iso[32];
                json_array_append_new(
                    times,
                    json_string(sw_time_format(json_integer_value(json_array_get(p, 0)), 0, iso)));
            }
            char key[24];
            json_int_t mmsi = json_integer_value(json_object_get(t, "mmsi"));
            snprintf(key, sizeof key, "%lld", (long long)mmsi);
            json_t *d = json_object_get(vessels, key);
            json_t *props = json_pack("{s:O,s:I,s:s,s:o}", "incident", json_object_get(inc, "id"),
                                      "mmsi", mmsi, "name", rep_str(d, "name"), "times", times);
            json_array_append_new(features, json_pack("{s:s,s:{s:s,s:o},s:o}", "type", "Feature",
                                                      "geometry", "type", "LineString",
                                                      "coordinates", coords, "properties", props));
        }
    }
    return write_collection(features, f);
}

/* An event type as an XML id: types are [a-z_] words; anything else becomes "other". */
static const char *safe_type(const char *type)
{
    if (!*type || strspn(type, "abcdefghijklmnopqrstuvwxyz_") != strlen(type)) return "other";
    return type;
}

/* KML colours are aabbggrr. */
static const char *kml_colour(const char *type)
{
    static const struct {
        const char *type, *colour;
    } c[] = {{"encounter", "ff0000d0"},      {"dark_rendezvous", "ff8000a0"},
             {"loitering", "ff00a0e0"},      {"ais_gap", "ff606060"},
             {"port_call", "ffd07000"},      {"zone_entry", "ff00c0c0"},
             {"position_spoof", "ffd000d0"}, {"identity_change", "ff40a040"},
             {"identity_fraud", "ff2040ff"}, {"listed_vessel", "ff0000ff"}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        if (!strcmp(c[i].type, type)) return c[i].colour;
    return "ffffffff";
}

int sw_report_write_kml(const json_t *model, FILE *f)
{
    json_t *incidents = json_object_get(model, "incidents");
    json_t *by_type = json_object_get(json_object_get(model, "summary"), "by_type");
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n<name>",
          f);
    rep_xml_escape(f, rep_str(model, "title"));
    rep_tag(f, "</name>\n<description>", rep_str(model, "generator"), ", generated ");
    rep_xml_escape(f, rep_str(model, "generated"));
    fputs("</description>\n", f);
    const char *type;
    json_t *cnt;
    json_object_foreach(by_type, type, cnt)
    {
        fprintf(f,
                "<Style id=\"%s\"><IconStyle><color>%s</color></IconStyle>"
                "<LineStyle><color>%s</color><width>2</width></LineStyle></Style>\n",
                safe_type(type), kml_colour(type), kml_colour(type));
    }
    json_object_foreach(by_type, type, cnt)
    {
        rep_tag(f, "<Folder>\n<name>", type, "</name>\n");
        size_t i;
        json_t *inc;
        json_array_foreach(incidents, i, inc)
        {
            json_t *ev = json_object_get(inc, "event");
            if (strcmp(rep_str(ev, "type"), type) != 0 || !has_point(ev)) continue;
            char mmsis[512], names[1024];
            rep_event_vessels(ev, "mmsi", mmsis, sizeof mmsis);
            rep_event_vessels(ev, "name", names, sizeof names);
            rep_tag(f, "<Placemark id=\"", rep_str(ev, "id"), "\">\n<name>");
            rep_xml_escape(f, type);
            rep_tag(f, " ", mmsis, "</name>\n<description>");
            rep_xml_escape(f, names);
            rep_tag(f, " — ", rep_str(ev, "id"), "</description>\n<TimeSpan><begin>");
            rep_xml_escape(f, rep_str(ev, "start"));
            fputs("</begin>", f);
            if (*rep_str(ev, "end")) {
                rep_tag(f, "<end>", rep_str(ev, "end"), "</end>");
            }
            fprintf(f, "</TimeSpan>\n<styleUrl>#%s</styleUrl>\n", safe_type(type));
            fprintf(f, "<Point><coordinates>%.6f,%.6f</coordinates></Point>\n</Placemark>\n",
                    json_number_value(json_object_get(ev, "lon")),
                    json_number_value(json_object_get(ev, "lat")));
        }
        fputs("</Folder>\n", f);
    }
    /* The tracks around each incident, one LineString per vessel. */
    fputs("<Folder>\n<name>tracks</name>\n", f);
    size_t i, j, k;
    json_t *inc, *t, *p;
    json_array_foreach(incidents, i, inc)
    {
        json_array_foreach(json_object_get(inc, "tracks"), j, t)
        {
            json_t *pts = json_object_get(t, "points");
            if (json_array_size(pts) < 2) continue;
            fprintf(f, "<Placemark>\n<name>%lld</name>\n<description>",
                    (long long)json_integer_value(json_object_get(t, "mmsi")));
            rep_xml_escape(f, rep_str(inc, "id"));
            fputs("</description>\n<LineString><tessellate>1</tessellate><coordinates>", f);
            json_array_foreach(pts, k, p)
            {
                fprintf(f, "%s%.6f,%.6f", k ? " " : "", json_real_value(json_array_get(p, 2)),
                        json_real_value(json_array_get(p, 1)));
            }
            fputs("</coordinates></LineString>\n</Placemark>\n", f);
        }
    }
    fputs("</Folder>\n</Document>\n</kml>\n", f);
    return ferror(f) ? SW_EIO : SW_OK;
}

int sw_report_write_csv(const json_t *model, FILE *f)
{
    fputs("id,type,start,end,ongoing,lat,lon,mmsi,name,imo,flag,port,port_country,confidence,"
          "rule,leaf,sha256\r\n",
          f);
    size_t i;
    json_t *inc;
    json_array_foreach(json_object_get(model, "incidents"), i, inc)
    {
        json_t *ev = json_object_get(inc, "event");
        json_t *ev_evidence = json_object_get(ev, "evidence");
        json_t *port = json_object_get(ev, "port");
        char buf[1024];
        sw_csv_put(f, rep_str(ev, "id"));
        fputc(',', f);
        sw_csv_put(f, rep_str(ev, "type"));
        fputc(',', f);
        sw_csv_put(f, rep_str(ev, "start"));
        fputc(',', f);
        sw_csv_put(f, rep_str(ev, "end"));
        fprintf(f, ",%s,", json_is_true(json_object_get(ev, "ongoing")) ? "true" : "false");
        if (has_point(ev))
            fprintf(f, "%.6f,%.6f", json_number_value(json_object_get(ev, "lat")),
                    json_number_value(json_object_get(ev, "lon")));
        else
            fputc(',', f);
        static const char *const vkeys[] = {"mmsi", "name", "imo", "flag"};
        for (size_t k = 0; k < 4; k++) {
            fputc(',', f);
            rep_event_vessels(ev, vkeys[k], buf, sizeof buf);
            sw_csv_put(f, buf);
        }
        fputc(',', f);
        sw_csv_put(f, rep_str(port, "name"));
        fputc(',', f);
        sw_csv_put(f, rep_str(port, "country"));
        json_t *conf = json_object_get(ev, "confidence");
        if (json_is_number(conf))
            fprintf(f, ",%.3f,", json_number_value(conf));
        else
            fputs(",,", f);
        sw_csv_put(f, rep_str(json_object_get(ev, "details"), "rule"));
        json_t *leaf = json_object_get(ev_evidence, "leaf");
        if (json_is_integer(leaf))
            fprintf(f, ",%lld,", (long long)json_integer_value(leaf));
        else
            fputs(",,", f);
        sw_csv_put(f, rep_str(ev_evidence, "sha256"));
        fputs("\r\n", f);
    }
    return ferror(f) ? SW_EIO : SW_OK;
}

typedef int (*writer_fn)(const json_t *, FILE *);

static const struct {
    const char *name;
    writer_fn fn;
} files[] = {
    {"report.json", sw_report_write_json},
    {"events.geojson", sw_report_write_events_geojson},
    {"tracks.geojson", sw_report_write_tracks_geojson},
    {"events.kml", sw_report_write_kml},
    {"events.csv", sw_report_write_csv},
    {"cases.json", rep_cases_write_json},
    {"deliveries.csv", rep_cases_write_deliveries},
    {"cap.csv", rep_cases_write_years},
    {"report.html", NULL},
};
#define NFILES (sizeof files / sizeof files[0])

static int write_file(const char *dir, const char *name, const json_t *model, writer_fn fn,
                      const struct sw_geo *geo, char *err)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        if (err) snprintf(err, SW_ERRMAX, "cannot write '%.200s': %s", path, strerror(errno));
        return SW_EIO;
    }
    int rc = fn ? fn(model, f) : sw_report_write_html(model, geo, f);
    if (fclose(f) != 0 && rc == SW_OK) rc = SW_EIO;
    if (rc && err) snprintf(err, SW_ERRMAX, "cannot write '%.200s': %s", path, sw_strerror(rc));
    return rc;
}

/* Remove a folder holding report files only (what this writer puts there), and the folder. */
static void remove_report_dir(const char *dir)
{
    char path[4400];
    for (size_t i = 0; i < NFILES; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        unlink(path);
        snprintf(path, sizeof path, "%s/%s.tmp", dir, files[i].name);
        unlink(path);
    }
    rmdir(dir);
}

/* 1 when dir holds nothing but files a report writer leaves (a former report). */
static int only_report_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int ok = d != NULL;
    while (ok && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        int known = 0;
        for (size_t i = 0; i < NFILES && !known; i++) {
            size_t n = strlen(files[i].name);
            known = !strncmp(e->d_name, files[i].name, n) &&
                    (!e->d_name[n] || !strcmp(e->d_name + n, ".tmp"));
        }
        ok = known;
    }
    if (d) closedir(d);
    return ok;
}

/* Put the complete report in tmp in the place of dir: a rename when dir does not exist, else
 * an exchange with the former report (which is then removed). */
static int put_in_place(const char *tmp, const char *dir, char *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT && rename(tmp, dir) == 0) return SW_OK;
    } else if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
    } else if (!only_report_files(dir)) {
        if (err)
            snprintf(err, SW_ERRMAX,
                     "'%.150s' holds other files than a report: give a new or empty folder", dir);
        return SW_EEXISTS;
    } else if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
        remove_report_dir(tmp); /* now the former report */
        return SW_OK;
    } else if (errno == EINVAL || errno == ENOSYS) { /* no exchange here: empty it first */
        remove_report_dir(dir);
        if (rename(tmp, dir) == 0) return SW_OK;
    }
    if (err) snprintf(err, SW_ERRMAX, "cannot write '%.200s': %s", dir, strerror(errno));
    return SW_EIO;
}

int sw_report_write(const json_t *model, const struct sw_geo *geo, const char *dir, char *err)
{
    char target[4096], tmp[4200];
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') /* "out/" is "out" */
        n--;
    if (n >= sizeof target) {
        if (err) snprintf(err, SW_ERRMAX, "folder name too long");
        return SW_EINVAL;
    }
    memcpy(target, dir, n);
    target[n] = '\0';
    /* Written whole into a folder beside the target, then renamed: a failure leaves no half
     * report, and a reader never sees one. */
    snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", target);
    if (!mkdtemp(tmp)) {
        if (err)
            snprintf(err, SW_ERRMAX, "cannot create a folder beside '%.200s': %s", target,
                     strerror(errno));
        return SW_EIO;
    }
    chmod(tmp, 0755);
    int rc = SW_OK;
    for (size_t i = 0; i < NFILES && rc == SW_OK; i++)
        rc = write_file(tmp, files[i].name, model, files[i].fn, geo, err);
    if (rc == SW_OK) rc = put_in_place(tmp, target, err);
    if (rc) remove_report_dir(tmp);
    return rc;
}
