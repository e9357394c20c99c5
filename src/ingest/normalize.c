/*
 * Decoded AIS messages (struct sw_ais, raw air units) to normalised records (degrees, knots,
 * metres). Vessels: class A positions (1, 2, 3, 27) and static data (5), class B positions
 * (18, 19) and static data (19, 24 parts A and B, merged later in the vessel state). Aids to
 * navigation (21) are kept apart, base stations (4, 11) and SAR aircraft (9) are only counted.
 */
#include "sanctwatch/ais.h"
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"

#include <string.h>

/* Position in 1/10000 min (or 1/10 min with div 600) to degrees; sets *flag. */
static void position(struct sw_record *r, int32_t lon, int32_t lat, int32_t lon_na, int32_t lat_na,
                     double div, int *flag)
{
    if (lon == lon_na || lat == lat_na) {
        *flag = 1;
        return;
    }
    double dlat = lat / div, dlon = lon / div;
    if (dlat < -90 || dlat > 90 || dlon < -180 || dlon > 180) {
        *flag = 2;
        return;
    }
    r->lat = dlat;
    r->lon = dlon;
    r->fields |= SW_F_POS;
}

static void motion(struct sw_record *r, unsigned speed_tenths, unsigned course_tenths,
                   unsigned heading)
{
    if (speed_tenths < SW_AIS_SPEED_NA) {
        r->sog = (float)speed_tenths / 10.0f;
        r->fields |= SW_F_SOG;
    }
    if (course_tenths < SW_AIS_COURSE_NA) {
        r->cog = (float)course_tenths / 10.0f;
        r->fields |= SW_F_COG;
    }
    if (heading < 360) {
        r->heading = (uint16_t)heading;
        r->fields |= SW_F_HEADING;
    }
}

static void text(struct sw_record *r, char *dst, size_t size, const char *src, uint32_t bit)
{
    sw_record_text(dst, size, src, strlen(src));
    if (dst[0]) r->fields |= bit;
}

static void dims(struct sw_record *r, unsigned bow, unsigned stern, unsigned port, unsigned stbd)
{
    if (bow + stern > 0 && port + stbd > 0) {
        r->length_m = (uint16_t)(bow + stern);
        r->beam_m = (uint16_t)(port + stbd);
        r->fields |= SW_F_DIMS;
    }
}

static void shiptype(struct sw_record *r, unsigned t)
{
    if (t > 0 && t < 100) {
        r->ship_type = (uint8_t)t;
        r->fields |= SW_F_SHIPTYPE;
    }
}

int sw_ais_to_record(const struct sw_ais *m, struct sw_record *r, int *pos_flag)
{
    sw_record_clear(r);
    *pos_flag = 0;
    r->mmsi = m->mmsi;
    r->msg_type = (uint8_t)m->type;
    r->kind = SW_REC_VESSEL;
    switch (m->type) {
    case 1:
    case 2:
    case 3:
        r->cls = 'A';
        position(r, m->u.t1.lon, m->u.t1.lat, SW_AIS_LON_NA, SW_AIS_LAT_NA, 600000.0, pos_flag);
        motion(r, m->u.t1.speed, m->u.t1.course, m->u.t1.heading);
        if (m->u.t1.status < 15) {
            r->nav_status = m->u.t1.status;
            r->fields |= SW_F_STATUS;
        }
        break;
    case 4:
    case 11:
        r->kind = SW_REC_BASE;
        break;
    case 5:
        r->cls = 'A';
        if (m->u.t5.imo >= 1000000 && m->u.t5.imo <= 9999999) {
            r->imo = m->u.t5.imo;
            r->fields |= SW_F_IMO;
        }
        text(r, r->callsign, sizeof r->callsign, m->u.t5.callsign, SW_F_CALLSIGN);
        text(r, r->name, sizeof r->name, m->u.t5.shipname, SW_F_NAME);
        shiptype(r, m->u.t5.shiptype);
        dims(r, m->u.t5.to_bow, m->u.t5.to_stern, m->u.t5.to_port, m->u.t5.to_starboard);
        if (m->u.t5.draught != SW_AIS_DRAUGHT_NA) {
            r->draught = (float)m->u.t5.draught / 10.0f;
            r->fields |= SW_F_DRAUGHT;
        }
        text(r, r->dest, sizeof r->dest, m->u.t5.destination, SW_F_DEST);
        break;
    case 9:
        r->kind = SW_REC_OTHER;
        break;
    case 18:
    case 19:
        r->cls = 'B';
        position(r, m->u.t18.lon, m->u.t18.lat, SW_AIS_LON_NA, SW_AIS_LAT_NA, 600000.0, pos_flag);
        motion(r, m->u.t18.speed, m->u.t18.course, m->u.t18.heading);
        if (m->type == 19) {
            text(r, r->name, sizeof r->name, m->u.t18.shipname, SW_F_NAME);
            shiptype(r, m->u.t18.shiptype);
            dims(r, m->u.t18.to_bow, m->u.t18.to_stern, m->u.t18.to_port, m->u.t18.to_starboard);
        }
        break;
    case 21:
        r->kind = SW_REC_AID;
        position(r, m->u.t21.lon, m->u.t21.lat, SW_AIS_LON_NA, SW_AIS_LAT_NA, 600000.0, pos_flag);
        text(r, r->name, sizeof r->name, m->u.t21.name, SW_F_NAME);
        r->ship_type = m->u.t21.aid_type; /* for aids: the aid type (0..31) */
        break;
    case 24:
        r->cls = 'B';
        if (m->u.t24.part == SW_AIS_PART_A || m->u.t24.part == SW_AIS_PART_AB)
            text(r, r->name, sizeof r->name, m->u.t24.shipname, SW_F_NAME);
        if (m->u.t24.part == SW_AIS_PART_B || m->u.t24.part == SW_AIS_PART_AB) {
            shiptype(r, m->u.t24.shiptype);
            text(r, r->callsign, sizeof r->callsign, m->u.t24.callsign, SW_F_CALLSIGN);
            if (m->mmsi / 10000000 != 98) /* auxiliary craft carry a mothership MMSI */
                dims(r, m->u.t24.to_bow, m->u.t24.to_stern, m->u.t24.to_port,
                     m->u.t24.to_starboard);
        }
        break;
    case 27:
        r->cls = 'A';
        position(r, m->u.t27.lon, m->u.t27.lat, SW_AIS_LON_NA_27, SW_AIS_LAT_NA_27, 600.0,
                 pos_flag);
        motion(r, m->u.t27.speed < 63 ? m->u.t27.speed * 10u : SW_AIS_SPEED_NA,
               m->u.t27.course < 360 ? m->u.t27.course * 10u : SW_AIS_COURSE_NA, 511);
        if (m->u.t27.status < 15) {
            r->nav_status = m->u.t27.status;
            r->fields |= SW_F_STATUS;
        }
        break;
    default:
        return SW_EUNSUPPORTED;
    }
    if (m->mmsi == 0 || m->mmsi > 999999999u) return SW_ERANGE;
    return SW_OK;
}
