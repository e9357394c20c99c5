/*
 * When the sanctions programmes of the US lists began (lists.h, sw_lists_programmes_start):
 * an entry tagged only with programmes that began on some date cannot have been designated
 * before it. The OFAC files give no designation date; this bound is what tells a sighting in
 * 2012 of a hull designated under EO 14024 (2021) from a sighting of a designated vessel.
 * Each date is the day the legal instrument named took effect or was signed, as published in
 * the Federal Register and on the Treasury's programme pages (the tags are those of OFAC's
 * SDN files). Programmes missing here give no bound.
 */
#include "sanctwatch/lists.h"
#include "sanctwatch/timeutil.h"

#include <string.h>

struct programme {
    const char *tag, *start, *basis;
};

static const struct programme programmes[] = {
    {"CAATSA - RUSSIA", "2017-08-02", "Countering America's Adversaries Through Sanctions Act"},
    {"CUBA", "1963-07-08", "Cuban Assets Control Regulations, 31 CFR 515"},
    {"CYBER2", "2016-12-28", "EO 13757"},
    {"DPRK", "2008-06-26", "EO 13466, North Korea Sanctions Regulations, 31 CFR 510"},
    {"DPRK2", "2015-01-02", "EO 13687"},
    {"DPRK3", "2016-03-15", "EO 13722"},
    {"DPRK4", "2017-09-20", "EO 13810"},
    {"ELECTION-EO13848", "2018-09-12", "EO 13848"},
    {"GLOMAG", "2017-12-20", "EO 13818 (Global Magnitsky)"},
    {"IFSR", "2010-08-16", "Iranian Financial Sanctions Regulations, 31 CFR 561"},
    {"IRAN-CON-ARMS-EO", "2020-09-21", "EO 13949"},
    {"IRAN-EO13846", "2018-08-06", "EO 13846"},
    {"IRAN-EO13871", "2019-05-08", "EO 13871"},
    {"IRAN-EO13876", "2019-06-24", "EO 13876"},
    {"LIBYA3", "2016-04-19", "EO 13726"},
    {"NPWMD", "2005-06-28", "EO 13382"},
    {"PEESA-EO14039", "2021-08-20", "EO 14039"},
    {"RUSSIA-EO14024", "2021-04-15", "EO 14024"},
    {"SDGT", "2001-09-23", "EO 13224"},
    {"SYRIA", "2004-05-11", "EO 13338"},
    {"UKRAINE-EO13660", "2014-03-06", "EO 13660"},
    {"UKRAINE-EO13661", "2014-03-16", "EO 13661"},
    {"UKRAINE-EO13662", "2014-03-20", "EO 13662"},
    {"UKRAINE-EO13685", "2014-12-19", "EO 13685"},
    {"VENEZUELA-EO13850", "2018-11-01", "EO 13850"},
    {"VENEZUELA-EO13884", "2019-08-05", "EO 13884"},
};

static int64_t start_of(const char *tag, size_t n)
{
    for (size_t i = 0; i < sizeof programmes / sizeof programmes[0]; i++) {
        const struct programme *p = &programmes[i];
        int64_t ms;
        if (strlen(p->tag) == n && !memcmp(p->tag, tag, n) &&
            sw_time_parse(p->start, strlen(p->start), &ms) == 0)
            return ms;
    }
    return SW_TIME_NONE;
}

int64_t sw_lists_programmes_start(const char *list, const char *programmes_text)
{
    if (!list || strncmp(list, "ofac", 4) || !programmes_text || !*programmes_text)
        return SW_TIME_NONE;
    /* "IRAN] [NPWMD] [IFSR": the entry was designated under one of them, so no earlier than
     * the first to begin; a tag without a known start leaves no bound */
    int64_t first = SW_TIME_NONE;
    const char *s = programmes_text;
    while (*s) {
        while (*s == ' ' || *s == '[' || *s == ']' || *s == ';')
            s++;
        size_t n = strcspn(s, "];");
        while (n && s[n - 1] == ' ')
            n--;
        if (!n) break;
        int64_t t = start_of(s, n);
        if (t == SW_TIME_NONE) return SW_TIME_NONE;
        if (first == SW_TIME_NONE || t < first) first = t;
        s += n;
    }
    return first;
}
