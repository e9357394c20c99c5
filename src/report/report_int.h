/* Internals shared by the report writers (src/report/). */
#ifndef SW_REPORT_INT_H
#define SW_REPORT_INT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

#include "sanctwatch/geo.h"

/* Write s escaped for XML/HTML text and attribute values. */
void rep_xml_escape(FILE *f, const char *s);
/* before, then text escaped for XML/HTML, then after: the unit most markup is written in. */
void rep_tag(FILE *f, const char *before, const char *text, const char *after);
/* v as compact JSON, escaped for XML/HTML (flags: extra jansson flags). */
void rep_xml_json(FILE *f, const json_t *v, size_t flags);
/* Write s as one RFC 4180 CSV field (quoted when it holds a comma, quote or line break). */
/* Comma-separated MMSIs (or names, IMOs) of an event's vessels into buf. */
void rep_event_vessels(const json_t *ev, const char *key, char *buf, size_t n);
/* The event's string field or "" (never NULL). */
const char *rep_str(const json_t *o, const char *key);

/* Incident maps (map.c): tiles of coast and the zones, shared by every map of a report. */
struct rep_map;
int rep_map_new(struct rep_map **out, const struct sw_geo *geo, const json_t *incidents);
int rep_map_write_defs(struct rep_map *m, FILE *f);
void rep_map_write(struct rep_map *m, FILE *f, const json_t *inc);
void rep_map_free(struct rep_map *m);
/* Colour of the i-th vessel's track, the same on the map and the timeline. */
const char *rep_track_colour(size_t i);

/* The cases and the cap (cases.c): the section the report leads with, the maps it adds (a new
 * array: the incidents and each case's map, for the tiles), and its files. */
void rep_cases_write_html(FILE *f, const json_t *model, struct rep_map *map);
json_t *rep_cases_maps(const json_t *model);
int rep_cases_write_json(const json_t *model, FILE *f);
int rep_cases_write_deliveries(const json_t *model, FILE *f);
int rep_cases_write_years(const json_t *model, FILE *f);

/* reviews.c: the analysts' reviews of an incident (any record's id) that a head of head_size
 * covers (0: all) into inc["reviews"], and their list on the incident's page. */
int rep_reviews_add(sqlite3 *db, json_t *inc, const char *id, uint64_t head_size, char *err);
void rep_reviews_write(FILE *f, const json_t *inc);

#endif
