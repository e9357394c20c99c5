/*
 * What the library's two libmicrohttpd servers (src/serve/http.c, src/witness/server.c) share:
 * a request's connection state while its body arrives, released when libmicrohttpd says the
 * request is done, and the listening address. Internal to the library (src/ only).
 */
#ifndef SW_NET_HTTPD_H
#define SW_NET_HTTPD_H

#include "sanctwatch/buf.h"

#include <microhttpd.h>
#include <sys/socket.h>

/* A request being received (*con_cls): its body, bounded by the server's maximum. Allocated
 * by the server's access handler, freed by sw_httpd_completed. */
struct sw_httpd_conn {
    struct sw_buf body;
    int too_big, unexpected; /* a body over the maximum; a body where none belongs */
};

/* MHD_OPTION_NOTIFY_COMPLETED: releases the request's struct sw_httpd_conn, if any. */
void sw_httpd_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                        enum MHD_RequestTerminationCode toe);

/* host (a numeric IPv4 or IPv6 address) and port as a socket address; *v6 says which.
 * SW_EINVAL when host is neither. */
int sw_httpd_bind_addr(const char *host, unsigned port, struct sockaddr_storage *ss, int *v6);

#endif
