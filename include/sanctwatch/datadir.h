/*
 * The data directory: where the data sanctwatch ships (ports.csv, land/, zones/, screening/,
 * detect.conf) is found. Every module and command that needs shipped data asks here, so the
 * search order is one.
 *
 * Order (the first folder that holds ports.csv wins):
 *   1. $SW_DATADIR
 *   2. $SANCTWATCH_DATA (the older name, still honoured)
 *   3. beside the program: <exe dir>/../share/sanctwatch (installed: PREFIX/bin/sanctwatch
 *      finds PREFIX/share/sanctwatch, also under a DESTDIR), then <exe dir>/../data,
 *      <exe dir>/../../data, <exe dir>/../../../data (the source tree: build/sanctwatch,
 *      build/tests/x, build/bench/x)
 *   4. the compiled-in SW_DATADIR_DEFAULT ($(PREFIX)/share/sanctwatch of the build)
 *   5. ./data
 * A variable that is set but names no data directory is skipped (the search goes on), so a
 * stale value cannot hide the shipped data; sw_datadir_env_ignored() says which was skipped.
 */
#ifndef SANCTWATCH_DATADIR_H
#define SANCTWATCH_DATADIR_H

#include <stddef.h>

/* The data directory into buf (n bytes, NUL-terminated; absolute when found beside the
 * program). SW_ENOTFOUND when none of the places holds it, SW_ETOOBIG when n is short. */
int sw_datadir(char *buf, size_t n);

/* buf = <data directory>/sub (sub such as "screening" or "detect.conf"). Same errors. */
int sw_datadir_path(const char *sub, char *buf, size_t n);

/* The folder of the running program (/proc/self/exe without its last name) into buf: the
 * one lookup of "beside the program", for the search above and for what else a command
 * finds there (serve's dashboard in build/web). SW_ENOTFOUND, SW_ETOOBIG. */
int sw_datadir_program_dir(char *buf, size_t n);

/* The name of an environment variable (SW_DATADIR or SANCTWATCH_DATA) that is set but was
 * skipped by the calling thread's last search because it holds no data directory; NULL when
 * none. For messages ("SW_DATADIR='/x' holds no ports.csv"). */
const char *sw_datadir_env_ignored(void);

#endif
