/*
 * Application-specific payloads of AIS binary messages (types 6 and 8), selected by the
 * Designated Area Code and Function Identifier: IMO circular 236 and 289 (DAC 1), the
 * European inland AIS standard (DAC 200) and the UK/ROI AtoN monitoring report (DAC 235,
 * 250). Others stay as raw bits, which gpsd prints as "data":"<bits>:<hex>".
 */
#include <string.h>

#include "ais_int.h"

#define UB(s, w) sw_ais__ub(b, (s), (w))
#define SB(s, w) sw_ais__sb(b, (s), (w))

static void tidals(const uint8_t *b, size_t n, int imo289, union sw_ais_app_data *d)
{
    /* as gpsd: every block that starts inside the message counts, read to its end */
    const unsigned max = sizeof d->tidal_window.tidals / sizeof d->tidal_window.tidals[0];
    unsigned size = imo289 ? 88 : 93;
    unsigned count = n >= 97 ? (unsigned)((n - 97) / size + 1) : 0;
    if (count > max) count = max;
    d->tidal_window.month = (uint8_t)UB(88, 4);
    d->tidal_window.day = (uint8_t)UB(92, 5);
    d->tidal_window.ntidals = (uint8_t)count;
    for (unsigned i = 0; i < count; i++) {
        unsigned s = 97 + size * i;
        struct sw_ais_tidal *t = &d->tidal_window.tidals[i];
        if (imo289) {
            t->lon = SB(s, 25);
            t->lat = SB(s + 25, 24);
            s += 49;
        } else {
            t->lat = SB(s, 27);
            t->lon = SB(s + 27, 28);
            s += 55;
        }
        t->from_hour = (uint8_t)UB(s, 5);
        t->from_min = (uint8_t)UB(s + 5, 6);
        t->to_hour = (uint8_t)UB(s + 11, 5);
        t->to_min = (uint8_t)UB(s + 16, 6);
        t->cdir = (uint16_t)UB(s + 22, 9);
        t->cspeed = (uint8_t)UB(s + 31, imo289 ? 8 : 7);
    }
}

/* Route information from bit s (56 broadcast, 88 addressed). */
static void route(const uint8_t *b, size_t n, unsigned s, union sw_ais_app_data *d)
{
    d->route.linkage = (uint16_t)UB(s, 10);
    d->route.sender = (uint8_t)UB(s + 10, 3);
    d->route.rtype = (uint8_t)UB(s + 13, 5);
    d->route.month = (uint8_t)UB(s + 18, 4);
    d->route.day = (uint8_t)UB(s + 22, 5);
    d->route.hour = (uint8_t)UB(s + 27, 5);
    d->route.minute = (uint8_t)UB(s + 32, 6);
    d->route.duration = UB(s + 38, 18);
    d->route.nwaypoints = (uint8_t)UB(s + 56, 5);
    for (unsigned i = 0; i < d->route.nwaypoints; i++) {
        unsigned w = s + 61 + 55 * i;
        if (w < n) { /* a point started inside the message; the rest read as zero */
            d->route.waypoints[i].lon = SB(w, 28);
            d->route.waypoints[i].lat = SB(w + 28, 27);
        } else {
            d->route.waypoints[i].lon = d->route.waypoints[i].lat = 0;
        }
    }
}

enum sw_ais_app sw_ais__app6(const uint8_t *b, size_t n, unsigned dac, unsigned fid,
                             union sw_ais_app_data *d)
{
    if (dac == 1 && fid == 12) {
        sw_ais__text(b, 88, 5, d->dangerous_cargo.lastport, sizeof d->dangerous_cargo.lastport);
        d->dangerous_cargo.lmonth = (uint8_t)UB(118, 4);
        d->dangerous_cargo.lday = (uint8_t)UB(122, 5);
        d->dangerous_cargo.lhour = (uint8_t)UB(127, 5);
        d->dangerous_cargo.lminute = (uint8_t)UB(132, 6);
        sw_ais__text(b, 138, 5, d->dangerous_cargo.nextport, sizeof d->dangerous_cargo.nextport);
        d->dangerous_cargo.nmonth = (uint8_t)UB(168, 4);
        d->dangerous_cargo.nday = (uint8_t)UB(172, 5);
        d->dangerous_cargo.nhour = (uint8_t)UB(177, 5);
        d->dangerous_cargo.nminute = (uint8_t)UB(182, 6);
        sw_ais__text(b, 188, 20, d->dangerous_cargo.dangerous, sizeof d->dangerous_cargo.dangerous);
        sw_ais__text(b, 308, 4, d->dangerous_cargo.imdcat, sizeof d->dangerous_cargo.imdcat);
        d->dangerous_cargo.unid = (uint16_t)UB(332, 13);
        d->dangerous_cargo.amount = (uint16_t)UB(345, 10);
        d->dangerous_cargo.unit = (uint8_t)UB(355, 2);
        return SW_AIS_APP_6_1_12;
    }
    if (dac == 1 && fid == 14) {
        tidals(b, n, 0, d);
        return SW_AIS_APP_6_1_14;
    }
    if (dac == 1 && fid == 15) {
        d->airdraught = (uint16_t)UB(88, 11);
        return SW_AIS_APP_6_1_15;
    }
    if (dac == 1 && fid == 16) {
        d->persons_onboard = (uint16_t)UB(88, 13);
        return SW_AIS_APP_6_1_16;
    }
    if (dac == 1 && fid == 18) {
        d->clearance.linkage = (uint16_t)UB(88, 10);
        d->clearance.month = (uint8_t)UB(98, 4);
        d->clearance.day = (uint8_t)UB(102, 5);
        d->clearance.hour = (uint8_t)UB(107, 5);
        d->clearance.minute = (uint8_t)UB(112, 6);
        sw_ais__text(b, 118, 20, d->clearance.portname, sizeof d->clearance.portname);
        sw_ais__text(b, 238, 5, d->clearance.destination, sizeof d->clearance.destination);
        d->clearance.lon = SB(268, 25);
        d->clearance.lat = SB(293, 24);
        return SW_AIS_APP_6_1_18;
    }
    if (dac == 1 && fid == 25) {
        /* as gpsd: every 17-bit block started inside the message counts */
        const unsigned max = sizeof d->cargo.cargos / sizeof d->cargo.cargos[0];
        unsigned count = n > 100 ? (unsigned)((n - 100 + 16) / 17) : 0;
        if (count > max) count = max;
        d->cargo.unit = (uint8_t)UB(88, 2);
        d->cargo.amount = (uint16_t)UB(90, 10);
        d->cargo.ncargos = (uint8_t)count;
        for (unsigned i = 0; i < count; i++) {
            d->cargo.cargos[i].code = (uint8_t)UB(100 + 17 * i, 4);
            d->cargo.cargos[i].subtype = (uint16_t)UB(104 + 17 * i, 13);
        }
        return SW_AIS_APP_6_1_25;
    }
    if (dac == 1 && fid == 28) {
        route(b, n, 88, d);
        return SW_AIS_APP_6_1_28;
    }
    if (dac == 1 && fid == 30 && n >= 98) {
        d->text.linkage = (uint16_t)UB(88, 10);
        sw_ais__text(b, 98, (unsigned)((n - 98) / 6), d->text.text, sizeof d->text.text);
        return SW_AIS_APP_6_1_30;
    }
    if (dac == 1 && fid == 32) {
        tidals(b, n, 1, d);
        return SW_AIS_APP_6_1_32;
    }
    if (dac == 200 && fid == 55 && n == 168) { /* gpsd: exactly 168 bits */
        d->persons.crew = (uint8_t)UB(88, 8);
        d->persons.passengers = (uint16_t)UB(96, 13);
        d->persons.personnel = (uint8_t)UB(109, 8);
        return SW_AIS_APP_6_200_55;
    }
    if ((dac == 235 || dac == 250) && fid == 10 && n == 136) { /* exactly 136 */
        d->aton_mon.ana_int = (uint16_t)UB(88, 10);
        d->aton_mon.ana_ext1 = (uint16_t)UB(98, 10);
        d->aton_mon.ana_ext2 = (uint16_t)UB(108, 10);
        d->aton_mon.racon = (uint8_t)UB(118, 2);
        d->aton_mon.light = (uint8_t)UB(120, 2);
        d->aton_mon.alarm = UB(122, 1);
        d->aton_mon.stat_ext = (uint8_t)UB(123, 8);
        d->aton_mon.off_pos = UB(131, 1);
        return SW_AIS_APP_6_235_10;
    }
    return SW_AIS_APP_NONE;
}

static void met11(const uint8_t *b, struct sw_ais_met *w)
{
    memset(w, 0, sizeof *w);
    w->lat = SB(56, 24);
    w->lon = SB(80, 25);
    w->day = (uint8_t)UB(105, 5);
    w->hour = (uint8_t)UB(110, 5);
    w->minute = (uint8_t)UB(115, 6);
    w->wspeed = (uint8_t)UB(121, 7);
    w->wgust = (uint8_t)UB(128, 7);
    w->wdir = (uint16_t)UB(135, 9);
    w->wgustdir = (uint16_t)UB(144, 9);
    w->airtemp = (int16_t)UB(153, 11);
    w->humidity = (uint8_t)UB(164, 7);
    w->dewpoint = (int16_t)UB(171, 10);
    w->pressure = (uint16_t)UB(181, 9);
    w->pressuretend = (uint8_t)UB(190, 2);
    w->visibility = (uint8_t)UB(192, 8);
    w->waterlevel = (int16_t)UB(200, 9);
    w->leveltrend = (uint8_t)UB(209, 2);
    w->cspeed = (uint8_t)UB(211, 8);
    w->cdir = (uint16_t)UB(219, 9);
    w->cspeed2 = (uint8_t)UB(228, 8);
    w->cdir2 = (uint16_t)UB(236, 9);
    w->cdepth2 = (uint8_t)UB(245, 5);
    w->cspeed3 = (uint8_t)UB(250, 8);
    w->cdir3 = (uint16_t)UB(258, 9);
    w->cdepth3 = (uint8_t)UB(267, 5);
    w->waveheight = (uint8_t)UB(272, 8);
    w->waveperiod = (uint8_t)UB(280, 6);
    w->wavedir = (uint16_t)UB(286, 9);
    w->swellheight = (uint8_t)UB(295, 8);
    w->swellperiod = (uint8_t)UB(303, 6);
    w->swelldir = (uint16_t)UB(309, 9);
    w->seastate = (uint8_t)UB(318, 4);
    w->watertemp = (int16_t)UB(322, 10);
    w->preciptype = (uint8_t)UB(332, 3);
    w->salinity = (uint16_t)UB(335, 9);
    w->ice = (uint8_t)UB(344, 2);
}

static void met31(const uint8_t *b, struct sw_ais_met *w)
{
    memset(w, 0, sizeof *w);
    w->lon = SB(56, 25);
    w->lat = SB(81, 24);
    w->accuracy = UB(105, 1);
    w->day = (uint8_t)UB(106, 5);
    w->hour = (uint8_t)UB(111, 5);
    w->minute = (uint8_t)UB(116, 6);
    w->wspeed = (uint8_t)UB(122, 7);
    w->wgust = (uint8_t)UB(129, 7);
    w->wdir = (uint16_t)UB(136, 9);
    w->wgustdir = (uint16_t)UB(145, 9);
    w->airtemp = (int16_t)SB(154, 11);
    w->humidity = (uint8_t)UB(165, 7);
    w->dewpoint = (int16_t)SB(172, 10);
    w->pressure = (uint16_t)UB(182, 9);
    w->pressuretend = (uint8_t)UB(191, 2);
    w->visgreater = UB(193, 1);
    w->visibility = (uint8_t)UB(194, 7);
    w->waterlevel = (int16_t)UB(201, 12);
    w->leveltrend = (uint8_t)UB(213, 2);
    w->cspeed = (uint8_t)UB(215, 8);
    w->cdir = (uint16_t)UB(223, 9);
    w->cspeed2 = (uint8_t)UB(232, 8);
    w->cdir2 = (uint16_t)UB(240, 9);
    w->cdepth2 = (uint8_t)UB(249, 5);
    w->cspeed3 = (uint8_t)UB(254, 8);
    w->cdir3 = (uint16_t)UB(262, 9);
    w->cdepth3 = (uint8_t)UB(271, 5);
    w->waveheight = (uint8_t)UB(276, 8);
    w->waveperiod = (uint8_t)UB(284, 6);
    w->wavedir = (uint16_t)UB(290, 9);
    w->swellheight = (uint8_t)UB(299, 8);
    w->swellperiod = (uint8_t)UB(307, 6);
    w->swelldir = (uint16_t)UB(313, 9);
    w->seastate = (uint8_t)UB(322, 4);
    w->watertemp = (int16_t)SB(326, 10);
    w->preciptype = (uint8_t)UB(336, 3);
    w->salinity = (uint16_t)UB(339, 9);
    w->ice = (uint8_t)UB(348, 2);
}

enum sw_ais_app sw_ais__app8(const uint8_t *b, size_t n, unsigned dac, unsigned fid,
                             union sw_ais_app_data *d)
{
    if (dac == 1 && fid == 11) { /* gpsd decodes it at any length */
        met11(b, &d->met);
        return SW_AIS_APP_8_1_11;
    }
    if (dac == 1 && fid == 31) {
        met31(b, &d->met);
        return SW_AIS_APP_8_1_31;
    }
    if (dac == 1 && fid == 13) {
        sw_ais__text(b, 56, 20, d->fairway.reason, sizeof d->fairway.reason);
        sw_ais__text(b, 176, 20, d->fairway.closefrom, sizeof d->fairway.closefrom);
        sw_ais__text(b, 296, 20, d->fairway.closeto, sizeof d->fairway.closeto);
        d->fairway.radius = (uint16_t)UB(416, 10);
        d->fairway.extunit = (uint8_t)UB(426, 2);
        d->fairway.fday = (uint8_t)UB(428, 5);
        d->fairway.fmonth = (uint8_t)UB(433, 4);
        d->fairway.fhour = (uint8_t)UB(437, 5);
        d->fairway.fminute = (uint8_t)UB(442, 6);
        d->fairway.tday = (uint8_t)UB(448, 5);
        d->fairway.tmonth = (uint8_t)UB(453, 4);
        d->fairway.thour = (uint8_t)UB(457, 5);
        d->fairway.tminute = (uint8_t)UB(462, 6);
        return SW_AIS_APP_8_1_13;
    }
    if (dac == 1 && fid == 15) {
        d->airdraught = (uint16_t)UB(56, 11);
        return SW_AIS_APP_8_1_15;
    }
    if (dac == 1 && fid == 27) {
        route(b, n, 56, d);
        return SW_AIS_APP_8_1_27;
    }
    if (dac == 1 && fid == 29) {
        d->text.linkage = (uint16_t)UB(56, 10);
        sw_ais__text(b, 66, n > 66 ? (unsigned)((n - 66) / 6) : 0, d->text.text,
                     sizeof d->text.text);
        return SW_AIS_APP_8_1_29;
    }
    if (dac == 200 && fid == 24 && n == 168) { /* gpsd: exactly 168 bits */
        sw_ais__text(b, 56, 2, d->water_level.country, sizeof d->water_level.country);
        for (unsigned i = 0; i < 4; i++) {
            d->water_level.gauges[i].id = (uint16_t)UB(68 + 25 * i, 11);
            d->water_level.gauges[i].level = (int16_t)SB(79 + 25 * i, 14);
        }
        return SW_AIS_APP_8_200_24;
    }
    /* gpsd: exactly 168 bits, and a hazard code above 5 makes it show the raw bits */
    if (dac == 200 && fid == 10 && n == 168 && UB(141, 3) <= 5) {
        sw_ais__text(b, 56, 8, d->inland_static.vin, sizeof d->inland_static.vin);
        d->inland_static.length = (uint16_t)UB(104, 13);
        d->inland_static.beam = (uint16_t)UB(117, 10);
        d->inland_static.shiptype = (uint16_t)UB(127, 14);
        d->inland_static.hazard = (uint8_t)UB(141, 3);
        d->inland_static.draught = (uint16_t)UB(144, 11);
        d->inland_static.loaded = (uint8_t)UB(155, 2);
        d->inland_static.speed_q = UB(157, 1);
        d->inland_static.course_q = UB(158, 1);
        d->inland_static.heading_q = UB(159, 1);
        return SW_AIS_APP_8_200_10;
    }
    return SW_AIS_APP_NONE;
}
