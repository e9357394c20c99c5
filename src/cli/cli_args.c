/* What several commands share: option values (times, numbers and event types: report, events,
 * feed) and what a parse_args result means for the exit status (cases, report). */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/detect.h"
#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

int cli_parse_time(const char *cmd, const char *opt, const char *s, int64_t *out)
{
    if (sw_time_parse(s, strlen(s), out) != SW_OK) {
        cli_error("%s: %s expects an ISO 8601 time, not '%s'", cmd, opt, s);
        return -1;
    }
    if (!strcmp(opt, "--to") && strlen(s) == 10) /* a date alone: through the end of that day */
        *out += 86400000 - 1;
    return 0;
}

/* The type's name (static storage) or NULL. */
static const char *known_type(const char *t, size_t len)
{
    for (int i = 0; i < SW_DT_COUNT; i++) {
        const char *name = sw_detect_type_name(i);
        if (strlen(name) == len && !memcmp(t, name, len)) return name;
    }
    return NULL;
}

int cli_parse_types(const char *cmd, const char *v, const char **types, size_t *n, size_t max)
{
    while (*v) {
        size_t len = strcspn(v, ",");
        if (len) {
            const char *name = known_type(v, len);
            if (!name) { /* a typo must not give an empty answer */
                cli_error("%s: unknown event type '%.*s'", cmd, (int)len, v);
                return -1;
            }
            if (*n == max) {
                cli_error("%s: at most %zu event types", cmd, max);
                return -1;
            }
            types[(*n)++] = name;
        }
        v += len + (v[len] == ',');
    }
    return 0;
}

int cli_parse_num(const char *cmd, const char *opt, const char *s, double min, double max,
                  double *out)
{
    char *end;
    errno = 0;
    double v = s ? strtod(s, &end) : 0;
    if (!s || end == s || *end || errno || !(v >= min && v <= max)) {
        cli_error("%s: bad value '%s' for %s (%g to %g)", cmd, s ? s : "", opt, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_usage_status(int rc, const char *usage)
{
    if (rc == 3) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc) fputs(usage, stderr);
    return rc ? rc : -1;
}
