/*
 * sanctwatch error codes.
 *
 * Every library function that can fail returns int: 0 (SW_OK) on success, a negative
 * SW_E* code on failure. Results come back through out-parameters. sw_strerror() turns a
 * code into a short lowercase message. The table below is the single source of both.
 */
#ifndef SANCTWATCH_ERROR_H
#define SANCTWATCH_ERROR_H

#define SW_ERRNO_MAP(X)                                                                            \
    X(NOMEM, "out of memory")                                                                      \
    X(INVAL, "invalid argument")                                                                   \
    X(IO, "input/output error")                                                                    \
    X(EOF, "end of input")                                                                         \
    X(CHECKSUM, "checksum mismatch")                                                               \
    X(TRUNCATED, "truncated input")                                                                \
    X(TOOBIG, "input too large")                                                                   \
    X(FORMAT, "malformed input")                                                                   \
    X(UNSUPPORTED, "unsupported input")                                                            \
    X(RANGE, "value out of range")                                                                 \
    X(NOTFOUND, "not found")                                                                       \
    X(EXISTS, "already exists")                                                                    \
    X(AGAIN, "resource temporarily unavailable")                                                   \
    X(DB, "database error")                                                                        \
    X(CRYPTO, "cryptographic failure")                                                             \
    X(VERIFY, "verification failed")                                                               \
    X(NET, "network error")                                                                        \
    X(LOCKED, "being written by another process")

enum sw__errno_pos {
    SW__POS_OK = 0,
#define SW__XPOS(name, msg) SW__POS_##name,
    SW_ERRNO_MAP(SW__XPOS)
#undef SW__XPOS
        SW__POS_MAX
};

enum sw_errno {
    SW_OK = 0,
#define SW__XNEG(name, msg) SW_E##name = -SW__POS_##name,
    SW_ERRNO_MAP(SW__XNEG)
#undef SW__XNEG
};

/* End of input is an expected outcome rather than a failure; this is its usual spelling. */
#define SW_EOF SW_EEOF

/* Size of the message buffers the library fills (every `char *err` parameter documented as
 * "SW_ERRMAX bytes"): messages are cut to fit, never overflow. */
#define SW_ERRMAX 256

/* Message for an error code; never NULL, static storage. */
const char *sw_strerror(int err);
/* Name of an error code ("SW_ECHECKSUM"); never NULL, static storage. */
const char *sw_err_name(int err);

#endif
