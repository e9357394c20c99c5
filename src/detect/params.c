/*
 * Detector parameters: the defaults (DESIGN.md's rules) and the keys of data/detect.conf read
 * over them. An unknown key in a detector section is an error, so a typo never silently keeps
 * a default.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"

#include <stdio.h>
#include <string.h>

static const char *const type_names[SW_DT_COUNT] = {
#define SW__DTNAME(name, str) str,
    SW_DETECT_TYPES(SW__DTNAME)
#undef SW__DTNAME
};

const char *sw_detect_type_name(int type)
{
    return type >= 0 && type < SW_DT_COUNT ? type_names[type] : "?";
}

int sw_detect_type_of(const char *name)
{
    for (int t = 0; t < SW_DT_COUNT; t++)
        if (name && !strcmp(name, type_names[t])) return t;
    return -1;
}

void sw_detect_params_default(struct sw_detect_params *p)
{
    memset(p, 0, sizeof *p);
    p->enc_max_distance_m = 500;
    p->enc_min_duration_h = 2;
    p->enc_max_median_sog_kn = 2;
    p->enc_min_port_km = 10;
    p->enc_max_gap_min = 60;
    p->dr_min_gap_h = 12;
    p->dr_slack = 1.2;
    p->dr_min_usual_sog_kn = 5;
    p->dr_min_alongside_h = 4;
    p->loi_max_sog_kn = 2;
    p->loi_min_duration_h = 4;
    p->loi_min_shore_nm = 0;
    p->loi_max_gap_h = 6;
    p->gap_min_h = 12;
    p->gap_radius_km = 50;
    p->gap_min_others = 3;
    p->gap_min_covered = 0.8;
    p->pc_max_sog_kn = 0.5;
    p->pc_min_duration_min = 30;
    snprintf(p->pc_countries, sizeof p->pc_countries, "KP");
    p->zone_min_fixes = 1;
    p->zone_reentry_h = 2;
    p->zone_slow_kn = 3;
    p->zone_slow_min = 30;
    p->sp_max_speed_kn = 50;
    p->sp_min_jump_km = 5;
    p->sp_min_inland_m = 2000;
    p->sp_same_time_s = 60;
    p->sp_min_fixes = 2;
    p->sp_max_excursion_h = 24;
    p->idc_confirm = 2;
    p->idc_fields = 1 | 2 | 4 | 8;
    p->idf_check_imo = 1;
    p->idf_check_mid = 1;
    p->lv_min_name_score = 0.92;
    p->enabled = (1u << SW_DT_COUNT) - 1;
}

struct pkey {
    const char *key;
    size_t off;
};
#define PK(k, f)                                                                                   \
    {                                                                                              \
        k, offsetof(struct sw_detect_params, f)                                                    \
    }
static const struct pkey pkeys[] = {
    PK("encounter.max_distance_m", enc_max_distance_m),
    PK("encounter.min_duration_h", enc_min_duration_h),
    PK("encounter.max_median_sog_kn", enc_max_median_sog_kn),
    PK("encounter.min_port_distance_km", enc_min_port_km),
    PK("encounter.max_gap_min", enc_max_gap_min),
    PK("dark_rendezvous.min_gap_h", dr_min_gap_h),
    PK("dark_rendezvous.slack", dr_slack),
    PK("dark_rendezvous.min_usual_sog_kn", dr_min_usual_sog_kn),
    PK("dark_rendezvous.min_alongside_h", dr_min_alongside_h),
    PK("loitering.max_sog_kn", loi_max_sog_kn),
    PK("loitering.min_duration_h", loi_min_duration_h),
    PK("loitering.min_shore_distance_nm", loi_min_shore_nm),
    PK("loitering.max_gap_h", loi_max_gap_h),
    PK("ais_gap.min_gap_h", gap_min_h),
    PK("ais_gap.reception_radius_km", gap_radius_km),
    PK("ais_gap.min_other_vessels", gap_min_others),
    PK("ais_gap.min_hours_covered", gap_min_covered),
    PK("port_call.max_sog_kn", pc_max_sog_kn),
    PK("port_call.min_duration_min", pc_min_duration_min),
    PK("zone_entry.min_fixes", zone_min_fixes),
    PK("zone_entry.reentry_h", zone_reentry_h),
    PK("zone_entry.slow_kn", zone_slow_kn),
    PK("zone_entry.slow_min", zone_slow_min),
    PK("position_spoof.max_speed_kn", sp_max_speed_kn),
    PK("position_spoof.min_jump_km", sp_min_jump_km),
    PK("position_spoof.min_inland_m", sp_min_inland_m),
    PK("position_spoof.same_time_s", sp_same_time_s),
    PK("position_spoof.min_fixes", sp_min_fixes),
    PK("position_spoof.max_excursion_h", sp_max_excursion_h),
    PK("identity_change.confirm", idc_confirm),
    PK("listed_vessel.min_name_score", lv_min_name_score),
};

static const char *const sections[] = {
    "encounter.",  "dark_rendezvous.", "loitering.",       "ais_gap.",        "port_call.",
    "zone_entry.", "position_spoof.",  "identity_change.", "identity_fraud.", "listed_vessel."};

static int field_bits(const char *v)
{
    int bits = 0;
    const char *s = v;
    while (*s) {
        size_t n = strcspn(s, ", ");
        if (n == 4 && !strncmp(s, "name", 4))
            bits |= 1;
        else if (n == 8 && !strncmp(s, "callsign", 8))
            bits |= 2;
        else if (n == 3 && !strncmp(s, "imo", 3))
            bits |= 4;
        else if (n == 4 && !strncmp(s, "flag", 4))
            bits |= 8;
        else if (n)
            return -1;
        s += n;
        while (*s == ',' || *s == ' ')
            s++;
    }
    return bits;
}

int sw_detect_params_load(struct sw_detect_params *p, const struct sw_config *c, char *key_out)
{
    for (size_t i = 0; i < sw_config_count(c); i++) {
        const char *k = sw_config_key(c, i), *v = sw_config_value(c, i);
        int sect = -1;
        for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++)
            if (!strncmp(k, sections[s], strlen(sections[s]))) sect = (int)s;
        if (sect < 0) continue; /* not ours */
        int ok = 0;
        for (size_t j = 0; j < sizeof pkeys / sizeof pkeys[0]; j++)
            if (!strcmp(k, pkeys[j].key)) {
                double *dst = (double *)((char *)p + pkeys[j].off);
                ok = sw_config_double(c, k, *dst, dst) == SW_OK && *dst >= 0;
                break;
            }
        if (!strcmp(k, "port_call.event_countries")) {
            ok = strlen(v) < sizeof p->pc_countries;
            if (ok) snprintf(p->pc_countries, sizeof p->pc_countries, "%s", v);
        } else if (!strcmp(k, "zone_entry.reentry_min")) {
            double x;
            ok = sw_config_double(c, k, p->zone_reentry_h * 60, &x) == SW_OK && x >= 0;
            if (ok) p->zone_reentry_h = x / 60;
        } else if (!strcmp(k, "identity_change.fields")) {
            int b = field_bits(v);
            ok = b >= 0;
            if (ok) p->idc_fields = b;
        } else if (!strcmp(k, "identity_fraud.check_imo") ||
                   !strcmp(k, "identity_fraud.check_mid")) {
            double x;
            ok = sw_config_double(c, k, 1, &x) == SW_OK;
            if (ok)
                *(!strcmp(k, "identity_fraud.check_imo") ? &p->idf_check_imo : &p->idf_check_mid) =
                    x != 0;
        } else if (!strcmp(k + strlen(sections[sect]), "enabled")) {
            double x;
            ok = sw_config_double(c, k, 1, &x) == SW_OK;
            if (ok) {
                if (x != 0)
                    p->enabled |= 1u << sect;
                else
                    p->enabled &= ~(1u << sect);
            }
        }
        if (!ok) {
            if (key_out) snprintf(key_out, 64, "%s", k);
            return SW_EFORMAT;
        }
    }
    return SW_OK;
}
