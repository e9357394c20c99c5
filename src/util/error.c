/* sw_strerror(): messages generated from the one table in sanctwatch/error.h. */
#include "sanctwatch/error.h"

const char *sw_strerror(int err)
{
    switch (err) {
    case SW_OK:
        return "success";
#define SW__XMSG(name, msg)                                                                        \
    case SW_E##name:                                                                               \
        return msg;
        SW_ERRNO_MAP(SW__XMSG)
#undef SW__XMSG
    }
    return "unknown error";
}

const char *sw_err_name(int err)
{
    switch (err) {
    case SW_OK:
        return "SW_OK";
#define SW__XNAME(name, msg)                                                                       \
    case SW_E##name:                                                                               \
        return "SW_E" #name;
        SW_ERRNO_MAP(SW__XNAME)
#undef SW__XNAME
    }
    return "SW_E?";
}
