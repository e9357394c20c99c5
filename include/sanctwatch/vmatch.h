/*
 * Does a vessel seen (at sea, or described in a screening query) match a designated vessel of
 * the sanctions lists? One rule for the detectors (listed_vessel) and for `screen --type
 * vessel`: an IMO number or MMSI matches; a name matches only with corroboration, a compatible
 * ship type or size and no contradicting identifier (docs/detection.md, listed_vessel).
 *   - An IMO number the vessel broadcasts (valid check digit) that differs from every IMO of
 *     the listed vessel rules a name match out.
 *   - Small craft (pleasure, sailing, fishing, tugs, pilot, SAR, tenders, law enforcement,
 *     medical, passenger, high-speed craft) never match a listed merchant ship (tanker, bulk or
 *     cargo ship, or of unknown type) on name alone; nor do vessels far smaller than it (under
 *     half its length estimated from its tonnage, or under 50 m for a merchant ship of unknown
 *     size).
 *   - A listed ship with an IMO number (100 gross tonnage and more) is not matched on name by a
 *     vessel under 24 m.
 *   - A merchant ship's name is corroborated by the same class of ship (tanker, cargo; a
 *     tanker or cargo ship of 50 m or more for a listing without type) or a length within 0.5
 *     to 1.6 times the listed one; the name of a tug, yacht, fishing vessel
 *     or other small craft (they share names by the thousand) only by the listed size. A name
 *     with nothing known is not a match.
 * Pure functions, no state.
 */
#ifndef SANCTWATCH_VMATCH_H
#define SANCTWATCH_VMATCH_H

#include <stdint.h>

/* Classes of ship the rule compares. */
enum sw_vclass {
    SW_VC_UNKNOWN = 0,
    SW_VC_TANKER,
    SW_VC_CARGO, /* bulk, general cargo, container, ro-ro, reefer */
    SW_VC_FISHING,
    SW_VC_TUG,
    SW_VC_PASSENGER,
    SW_VC_PLEASURE, /* pleasure craft, yachts, sailing */
    SW_VC_SERVICE,  /* pilot, SAR, tenders, law enforcement, medical, high-speed craft */
    SW_VC_OTHER     /* research, drilling, supply, dredging, military, ... */
};
/* "tanker", "cargo", ...; "unknown". */
const char *sw_vclass_name(int c);
/* The class of an AIS ship type (0-99; others unknown). */
int sw_vclass_of_ais(int ship_type);
/* The class of a list's vessel type text ("Crude Oil Tanker", "Bulk Carrier", "Yacht", ...). */
int sw_vclass_of_list(const char *vessel_type);
/* A listed vessel's length estimated from the list's tonnage (deadweight) or gross tonnage
 * text ("99,144"); NAN when neither reads as a number. */
double sw_listed_length_m(const char *tonnage, const char *grt);

/* What matched: bits of sw_vmatch.on. */
#define SW_VM_IMO 1
#define SW_VM_MMSI 2
#define SW_VM_NAME 4
#define SW_VM_TYPE 8    /* the name's corroboration: ship class */
#define SW_VM_LENGTH 16 /* ... and/or size */

struct sw_vmatch_listed {
    uint32_t imo, mmsi; /* 0 unknown */
    int vclass;         /* enum sw_vclass */
    double length_m;    /* NAN unknown */
};
struct sw_vmatch_seen {
    uint32_t imo, mmsi; /* 0 unknown; imo counts only with a valid check digit */
    int ship_type;      /* AIS ship type, -1 unknown */
    int length_m;       /* -1 unknown */
    int name_equal;     /* its name is one of the listed vessel's names */
};
struct sw_vmatch {
    int on;            /* SW_VM_* that held */
    double confidence; /* 0 when no match */
    const char *why;   /* no match: why a name match was ruled out ("" when nothing matched);
                          static storage */
};

/* 1 and *m filled when s matches l, else 0 (m->why says why a name match was ruled out). */
int sw_vmatch(const struct sw_vmatch_listed *l, const struct sw_vmatch_seen *s,
              struct sw_vmatch *m);
/* The corroboration as text: "imo", "mmsi", "name+type+length", "name+type", "name+length". */
const char *sw_vmatch_corroboration(int on);

#endif
