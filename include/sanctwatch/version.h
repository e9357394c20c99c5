/* The version of sanctwatch: the one string the CLI (--version) and every output that names
 * its generator (report.json, ...) print. */
#ifndef SANCTWATCH_VERSION_H
#define SANCTWATCH_VERSION_H

#define SW_VERSION "0.1.0"
#define SW_VERSION_STRING "sanctwatch " SW_VERSION

#endif
