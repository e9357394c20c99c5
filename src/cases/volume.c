/*
 * Volumes of refined petroleum: a tanker's deadweight (from the lists' tonnage, else from its
 * AIS length and beam), times the product's barrels per tonne (the UN Statistics Division's
 * conversion factors), times the laden fractions the United States used in its 2018
 * submissions on deliveries to the DPRK (one third, half, 90%); and, when the vessel broadcast
 * its draught before and after, the tonnes its change in draught displaces.
 * docs/cases.md, "Volumes", which also holds the worked table the unit test checks.
 */
#include "cases_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* UN Statistics Division, Energy Statistics Yearbook, "Selected conversion factors for crude
 * petroleum and petroleum products" (metric tons to barrels). */
static const struct sw_cases_product products[SW_PRODUCT_COUNT] = {
    {"gas_diesel_oil", "gas/diesel oil", 7.23},
    {"motor_gasoline", "motor gasoline", 8.50},
    {"kerosene", "kerosene", 7.77},
    {"residual_fuel_oil", "residual fuel oil", 6.62},
};

const double sw_cases_fractions[3] = {0.33, 0.50, 0.90};

const struct sw_cases_product *sw_cases_product_get(int p)
{
    return p >= 0 && p < SW_PRODUCT_COUNT ? &products[p] : NULL;
}

int sw_cases_product_of(const char *key)
{
    for (int i = 0; key && i < SW_PRODUCT_COUNT; i++)
        if (!strcmp(key, products[i].key)) return i;
    return -1;
}

void sw_cases_volume(double dwt_t, int product, double bbl[3])
{
    const struct sw_cases_product *p = sw_cases_product_get(product);
    for (int i = 0; i < 3; i++)
        bbl[i] = p && dwt_t > 0 ? dwt_t * p->bbl_per_t * sw_cases_fractions[i] : 0;
}

/* DWT = a (L B)^p, fitted by least squares in logarithms on data/tanker_reference.csv (six
 * tankers of 850 to 565,000 t): RMS error 18%, the worst a shallow river-sea tanker (+38%). */
#define DWT_A 0.043085
#define DWT_P 1.58493

double sw_cases_dwt_model(double length_m, double beam_m)
{
    if (!(length_m >= 10 && length_m <= 500 && beam_m >= 3 && beam_m <= 80)) return NAN;
    return DWT_A * pow(length_m * beam_m, DWT_P);
}

double sw_cases_dwt_model_error(void)
{
    return 0.18;
}

/* Tonnes per centimetre immersion: sea water (1.025 t/m3) over the water plane, taken as
 * 0.85 L B for a small tanker's full hull. */
#define WATERPLANE 0.85

double sw_cases_draught_tonnes(double length_m, double beam_m, double before_m, double after_m)
{
    if (!(length_m > 0 && beam_m > 0 && before_m > after_m && after_m > 0)) return NAN;
    double tpc = 1.025 * WATERPLANE * length_m * beam_m / 100;
    return (before_m - after_m) * 100 * tpc;
}

double sw_cases_tonnage_number(const char *s)
{
    char d[32];
    size_t k = 0;
    if (!s) return NAN;
    for (; *s && k + 1 < sizeof d; s++) {
        if (isdigit((unsigned char)*s) || (*s == '.' && k))
            d[k++] = *s;
        else if (*s != ',' && *s != ' ' && k)
            break;
    }
    d[k] = '\0';
    double v = k ? strtod(d, NULL) : NAN;
    return v > 0 && v < 1e6 ? v : NAN;
}
