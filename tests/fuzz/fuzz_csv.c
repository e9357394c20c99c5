/*
 * Fuzz target for the CSV readers: the first line is tried as a header (MarineCadastre or
 * aisdk); when it is not one, a MarineCadastre header is assumed, so rows always get read.
 * Every following line is read as a row. Checks the record invariants on every row read.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char mc[] = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,"
                             "VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass";
    struct sw_csv c;
    struct sw_record r;
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    size_t pos = 0;
    int first = 1;
    while (pos <= size) {
        char *nl = memchr(buf + pos, '\n', size - pos);
        size_t end = nl ? (size_t)(nl - buf) : size;
        size_t len = end - pos;
        char save = buf[end];
        buf[end] = '\0';
        if (first) {
            if (sw_csv_detect(&c, buf + pos, len) != SW_OK) sw_csv_detect(&c, mc, sizeof mc - 1);
            first = 0;
        } else {
            int pf;
            if (sw_csv_row(&c, buf + pos, len, &r, &pf) == SW_OK) {
                if (r.mmsi == 0 || r.mmsi > 999999999u) abort();
                if ((r.fields & SW_F_POS) &&
                    (r.lat < -90 || r.lat > 90 || r.lon < -180 || r.lon > 180))
                    abort();
                if (r.name[SW_REC_NAME_MAX] != '\0' || r.callsign[SW_REC_CALLSIGN_MAX] != '\0' ||
                    r.dest[SW_REC_DEST_MAX] != '\0')
                    abort();
            }
        }
        buf[end] = save;
        if (!nl) break;
        pos = end + 1;
    }
    free(buf);
    return 0;
}
