/*
 * Time in sanctwatch is int64 milliseconds since the Unix epoch, UTC. These helpers parse
 * and format ISO 8601 (the event format's "2024-03-01T06:20:00Z") without touching the
 * process time zone.
 */
#ifndef SANCTWATCH_TIMEUTIL_H
#define SANCTWATCH_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define SW_TIME_NONE INT64_MIN

/* Days since 1970-01-01 for a proleptic Gregorian date (no range check). */
int64_t sw_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" with optional "Z" or "+hh:mm" (a space
 * may stand for 'T'). Returns SW_OK or SW_EFORMAT. */
int sw_time_parse(const char *s, size_t len, int64_t *ms_out);

/* Format as "YYYY-MM-DDTHH:MM:SSZ" (with ".mmm" when ms != 0 and with_ms). buf must hold
 * 32 bytes. Returns buf. */
char *sw_time_format(int64_t ms, int with_ms, char buf[32]);

/* Wall clock now, ms: for times that are stored, shown or compared with AIS times. */
int64_t sw_time_now_ms(void);

/* A monotonic clock, ms from an arbitrary origin: for timeouts, intervals and backoff, which a
 * step of the wall clock (NTP, an operator's date -s) must neither end early nor stretch. */
int64_t sw_time_mono_ms(void);

#endif
