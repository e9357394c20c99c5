/*
 * Fuzz target for the AIS payload decoder alone (sanctwatch/ais.h), below the framing layer
 * so that any byte reaches it: the first input byte gives the fill bits (0..7, so invalid
 * values are tried too), the rest is the armoured payload. Whatever decodes must print as
 * JSON in both forms, and its text fields must be NUL-terminated inside their arrays.
 */
#include "sanctwatch/ais.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t cap)
{
    if (!memchr(s, '\0', cap)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sw_ais m;
    static struct sw_ais_session sess;
    static int init;
    if (!init) {
        sw_ais_session_init(&sess);
        init = 1;
    }
    if (size < 1) return 0;
    int fill = data[0] & 7;
    const char *p = (const char *)data + 1;
    size_t len = size - 1;
    int rc = sw_ais_decode(p, len, fill, &m);
    if (rc == SW_OK) {
        struct sw_buf b;
        sw_buf_init(&b, 1 << 16);
        if (m.type < 1 || m.type > 27 || m.repeat < 0 || m.repeat > 3) abort();
        if (sw_ais_json_fields(&m, 1, &b) || sw_ais_json_fields(&m, 0, &b)) abort();
        sw_buf_release(&b);
        switch (m.type) {
        case 5:
            check_str(m.u.t5.shipname, sizeof m.u.t5.shipname);
            check_str(m.u.t5.destination, sizeof m.u.t5.destination);
            check_str(m.u.t5.callsign, sizeof m.u.t5.callsign);
            break;
        case 12:
            check_str(m.u.t12.text, sizeof m.u.t12.text);
            break;
        case 14:
            check_str(m.u.t14.text, sizeof m.u.t14.text);
            break;
        case 21:
            check_str(m.u.t21.name, sizeof m.u.t21.name);
            break;
        default:
            break;
        }
    } else if (rc != SW_EFORMAT && rc != SW_ETRUNCATED && rc != SW_ETOOBIG &&
               rc != SW_EUNSUPPORTED) {
        abort();
    }
    rc = sw_ais_session_decode(&sess, p, len, fill, &m);
    if (rc == SW_OK && m.type == 24 && m.u.t24.part != SW_AIS_PART_AB) abort();
    return 0;
}
