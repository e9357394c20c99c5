/*
 * Jaro-Winkler similarity (Winkler 1990): the Jaro similarity of matching characters
 * within a window and transpositions, raised for a common prefix of up to 4 characters.
 * Bytes are compared; names reach here normalised to lower-case ASCII tokens.
 */
#include "sanctwatch/screen.h"

#include <string.h>

#define JW_MAX 64

double sw_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen > JW_MAX) alen = JW_MAX;
    if (blen > JW_MAX) blen = JW_MAX;
    if (alen == 0 && blen == 0) return 1.0;
    if (alen == 0 || blen == 0) return 0.0;
    if (alen == blen && !memcmp(a, b, alen)) return 1.0;
    size_t longer = alen > blen ? alen : blen;
    /* The usual window is max(len)/2 - 1; at least 1 here so that short tokens ("un",
     * "uun") can match a shifted letter. */
    size_t window = longer / 2 > 1 ? longer / 2 - 1 : 1;
    unsigned char am[JW_MAX] = {0}, bm[JW_MAX] = {0};
    size_t m = 0;
    for (size_t i = 0; i < alen; i++) {
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < blen ? i + window + 1 : blen;
        for (size_t j = lo; j < hi; j++) {
            if (!bm[j] && a[i] == b[j]) {
                am[i] = bm[j] = 1;
                m++;
                break;
            }
        }
    }
    if (m == 0) return 0.0;
    size_t t = 0, k = 0;
    for (size_t i = 0; i < alen; i++) {
        if (!am[i]) continue;
        while (!bm[k])
            k++;
        if (a[i] != b[k]) t++;
        k++;
    }
    double md = (double)m;
    double jaro = (md / (double)alen + md / (double)blen + (md - (double)t / 2.0) / md) / 3.0;
    if (jaro <= 0.7) return jaro;
    size_t p = 0;
    while (p < 4 && p < alen && p < blen && a[p] == b[p])
        p++;
    return jaro + (double)p * 0.1 * (1.0 - jaro);
}
