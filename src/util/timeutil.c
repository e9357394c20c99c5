/* UTC time arithmetic without the C library's time-zone state (Howard Hinnant's civil
 * calendar algorithms). */
#include "sanctwatch/timeutil.h"
#include "sanctwatch/error.h"

#include <stdio.h>
#include <time.h>

int64_t sw_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, size_t len, size_t *pos, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (*pos >= len || s[*pos] < '0' || s[*pos] > '9') return -1;
        v = v * 10 + (s[(*pos)++] - '0');
    }
    *out = v;
    return 0;
}

static int expect(const char *s, size_t len, size_t *pos, char c)
{
    if (*pos >= len || s[*pos] != c) return -1;
    (*pos)++;
    return 0;
}

int sw_time_parse(const char *s, size_t len, int64_t *ms_out)
{
    size_t p = 0;
    int y, mo, d, h = 0, mi = 0, se = 0, ms = 0;
    if (digits(s, len, &p, 4, &y) || expect(s, len, &p, '-') || digits(s, len, &p, 2, &mo) ||
        expect(s, len, &p, '-') || digits(s, len, &p, 2, &d))
        return SW_EFORMAT;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return SW_EFORMAT;
    if (p < len && (s[p] == 'T' || s[p] == ' ')) {
        p++;
        if (digits(s, len, &p, 2, &h) || expect(s, len, &p, ':') || digits(s, len, &p, 2, &mi))
            return SW_EFORMAT;
        if (p < len && s[p] == ':') {
            p++;
            if (digits(s, len, &p, 2, &se)) return SW_EFORMAT;
            if (p < len && s[p] == '.') {
                p++;
                int scale = 100, any = 0;
                while (p < len && s[p] >= '0' && s[p] <= '9') {
                    ms += (s[p] - '0') * scale;
                    scale /= 10;
                    p++;
                    any = 1;
                }
                if (!any) return SW_EFORMAT;
            }
        }
        if (h > 23 || mi > 59 || se > 60) return SW_EFORMAT;
    }
    int64_t off = 0;
    if (p < len && s[p] == 'Z') {
        p++;
    } else if (p < len && (s[p] == '+' || s[p] == '-')) {
        int sign = s[p] == '-' ? -1 : 1, oh, om = 0;
        p++;
        if (digits(s, len, &p, 2, &oh)) return SW_EFORMAT;
        if (p < len && s[p] == ':') p++;
        if (p < len && digits(s, len, &p, 2, &om)) return SW_EFORMAT;
        off = sign * (oh * 3600 + om * 60);
    }
    if (p != len) return SW_EFORMAT;
    int64_t days = sw_days_from_civil(y, (unsigned)mo, (unsigned)d);
    *ms_out = ((days * 86400 + h * 3600 + mi * 60 + se) - off) * 1000 + ms;
    return SW_OK;
}

char *sw_time_format(int64_t ms, int with_ms, char buf[32])
{
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int frac = (int)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    /* Years outside 0..9999 are not representable in ISO 8601 basic form: clamp. */
    unsigned yy = y < 0 ? 0u : y > 9999 ? 9999u : (unsigned)y;
    unsigned hh = (unsigned)(rem / 3600) % 24u, mi = (unsigned)(rem / 60 % 60) % 60u;
    unsigned ss = (unsigned)(rem % 60) % 60u, ff = (unsigned)frac % 1000u;
    m %= 13u;
    d %= 32u;
    if (with_ms && ff)
        snprintf(buf, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", yy % 10000u, m, d, hh, mi, ss, ff);
    else
        snprintf(buf, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ", yy % 10000u, m, d, hh, mi, ss);
    return buf;
}

static int64_t clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sw_time_now_ms(void)
{
    return clock_ms(CLOCK_REALTIME);
}

int64_t sw_time_mono_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}
