/*
 * Shared helpers for the cmocka unit tests: where the shared data and the project root are,
 * and how to skip visibly when ../shared is absent.
 */
#ifndef SW_TESTUTIL_H
#define SW_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Path of rel inside the shared data folder ($SW_SHARED, else ../shared beside the project
 * root), or NULL if that file is absent. Static buffer: copy before the next call. */
const char *sw_test_shared(const char *rel);
/* Path of rel inside the project root ($SW_ROOT, else "."). Static buffer. */
const char *sw_test_root(const char *rel);
/* Path of the built CLI ($SW_BIN, else build/sanctwatch). */
const char *sw_test_bin(void);
/* A fresh temporary directory for this test (removed by nobody: under /tmp). */
const char *sw_test_tmpdir(void);

/* Skip the current test with a visible line when a shared file is missing. */
#define SW_NEED_SHARED(var, rel)                                                                   \
    const char *var = sw_test_shared(rel);                                                         \
    if (!var) {                                                                                    \
        printf("SKIP: shared data '%s' absent\n", rel);                                            \
        skip();                                                                                    \
    }

/* xorshift64: the next of a reproducible sequence of pseudo-random numbers (*state != 0). */
uint64_t sw_test_rand64(uint64_t *state);

#endif
