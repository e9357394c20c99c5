/*
 * Maritime Identification Digits (ITU-R M.585): the MID inside an MMSI names the
 * administration that assigned it, which is the vessel's flag as broadcast. The table is
 * data/mid.csv (compiled from the ITU list); src/geo/mid.c carries the same rows built in, and
 * a unit test checks that the two agree.
 */
#ifndef SANCTWATCH_MID_H
#define SANCTWATCH_MID_H

#include <stdint.h>

/* The MID an MMSI carries, by its form (ITU-R M.585): ship MIDXXXXXX, group 0MIDXXXXX, coast
 * 00MIDXXXX, SAR aircraft 111MIDXXX, craft associated with a ship 98MIDXXXX, aid to
 * navigation 99MIDXXXX, handheld 8MIDXXXXX. Returns 0 when the MMSI carries none (970..974
 * SART/MOB/EPIRB, 0, more than 9 digits). */
int sw_mid_of_mmsi(uint32_t mmsi);

/* ISO 3166-1 alpha-2 code ("KP") and English name of the administration of a MID 201..775.
 * Returns SW_OK, or SW_ENOTFOUND for an unallocated MID (then *iso2 and *name are ""). The
 * strings are static. Either out pointer may be NULL. */
int sw_mid_lookup(int mid, const char **iso2, const char **name);

/* Flag (alpha-2) for an MMSI, "" when the MMSI has no allocated MID. Static storage. */
const char *sw_mid_flag(uint32_t mmsi);

#endif
