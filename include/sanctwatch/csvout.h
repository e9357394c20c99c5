/*
 * The one CSV writer (RFC 4180) for everything sanctwatch writes as CSV: the report's
 * events.csv, screen --batch results. Fields often hold strings that anyone can broadcast or
 * publish (AIS vessel names, list entries), so each field is guarded against spreadsheets:
 *   - a field beginning with '=', '+', '-', '@', TAB or CR gets a leading apostrophe, so that
 *     a spreadsheet shows it as text instead of running it as a formula ("CSV injection",
 *     OWASP); the apostrophe is part of the field as written;
 *   - a field holding ',', '"', CR or LF, or beginning or ending with a space or TAB, is
 *     quoted, each '"' doubled.
 * Numbers the caller formats itself (printf "%.6f") are not fields for these functions: a
 * negative coordinate would be guarded. The caller writes the separators (',' between fields,
 * its line ends).
 */
#ifndef SANCTWATCH_CSVOUT_H
#define SANCTWATCH_CSVOUT_H

#include <stdio.h>

#include "sanctwatch/buf.h"

/* Write s (NUL-terminated; NULL is an empty field) as one field to f. SW_OK, or SW_EIO when
 * the stream reports an error (errno set by stdio). */
int sw_csv_put(FILE *f, const char *s);

/* Append s as one field to b. SW_OK, SW_ETOOBIG (b's maximum) or SW_ENOMEM. */
int sw_csv_append(struct sw_buf *b, const char *s);

#endif
