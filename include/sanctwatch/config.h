/*
 * Detector parameters: a small INI-style file (data/detect.conf is the documented default).
 *
 *     # comment               blank lines and '#'/';' comments are ignored
 *     [encounter]             a section; keys below it are named "encounter.<key>"
 *     max_distance_m = 500    key = value (value trimmed; an inline " #" starts a comment)
 *
 * Keys are [A-Za-z0-9_.-]+, at most 4096 entries, lines at most 1024 bytes, a repeated key
 * is an error (so a typo cannot silently shadow a value). Values are kept as text and
 * converted on request. Unknown keys are kept: the reader decides what it knows.
 */
#ifndef SANCTWATCH_CONFIG_H
#define SANCTWATCH_CONFIG_H

#include <stddef.h>

struct sw_config;

/* Parse a file (path "-" is stdin; gzip accepted). Caller frees with sw_config_free().
 * Errors: SW_EIO (errno kept), SW_EFORMAT / SW_EEXISTS / SW_ETOOBIG with the 1-based line in
 * *errline (when errline is not NULL), SW_ENOMEM. */
int sw_config_load(struct sw_config **out, const char *path, size_t *errline);
/* Same from text in memory (len bytes, need not be NUL-terminated). */
int sw_config_parse(struct sw_config **out, const char *text, size_t len, size_t *errline);
/* An empty configuration (every getter then returns its default). */
int sw_config_new(struct sw_config **out);
void sw_config_free(struct sw_config *c);

/* The value of key ("section.key"), or NULL when absent. Valid while c lives. */
const char *sw_config_get(const struct sw_config *c, const char *key);
/* Numeric value of key, or def when the key is absent. SW_EFORMAT when present but not a
 * finite number (*out is then def). */
int sw_config_double(const struct sw_config *c, const char *key, double def, double *out);
size_t sw_config_count(const struct sw_config *c);
/* The i-th key and value in file order, or NULL past the end. */
const char *sw_config_key(const struct sw_config *c, size_t i);
const char *sw_config_value(const struct sw_config *c, size_t i);

#endif
