/*
 * NMEA framing for AIS: turns text lines (AIVDM/AIVDO sentences of any talker, with NMEA 4.0
 * tag blocks, leading timestamps, Gatehouse $PGHP headers or trailing receive-time fields)
 * into complete armoured payloads with their metadata, reassembling multi-sentence messages.
 * It sits between the line reader (sanctwatch/lineio.h) and the payload decoder
 * (sanctwatch/ais.h: sw_ais_decode(msg->payload, msg->len, msg->fill_bits, &ais)).
 *
 * Typical use:
 *     struct sw_nmea *fr;  sw_nmea_new(&fr, NULL);
 *     while ((rc = sw_lines_next(in, &line, &len)) != SW_EOF) {
 *         const struct sw_nmea_msg *m;
 *         if (rc == SW_ETOOBIG) { sw_nmea_skip(fr, SW_NMEA_TOOLONG); continue; }
 *         if (rc < 0) break;
 *         sw_nmea_feed(fr, line, len, sw_lines_lineno(in), &m);
 *         if (m) ... sw_ais_decode(m->payload, m->len, m->fill_bits, &ais) ...
 *     }
 *     sw_nmea_flush(fr);                 at the end of each input (fragments never span files)
 *     sw_nmea_counts(fr)[SW_NMEA_...]    per-reason line counts; they add up to SW_NMEA_LINES
 *     sw_nmea_free(fr);
 *
 * The framer allocates once (sw_nmea_new) and never per line or per message; its memory is
 * bounded by the open-group limit. See docs/nmea.md for the rules.
 */
#ifndef SANCTWATCH_NMEA_H
#define SANCTWATCH_NMEA_H

#include <stddef.h>
#include <stdint.h>

/* Longest reassembled payload accepted (6-bit characters). An AIS message is at most 5
 * slots (1008 bits, 168 characters); this leaves room for non-standard senders. */
#define SW_NMEA_MAX_PAYLOAD 1024
/* Longest source station name kept (tag block s:, or a trailing r.../b... field). */
#define SW_NMEA_MAX_SOURCE 31

/* Where msg->rxtime_ms came from, in order of precedence (the first present wins). */
enum sw_nmea_time_src {
    SW_NMEA_TIME_NONE = 0,
    SW_NMEA_TIME_TAGBLOCK, /* NMEA 4.0 tag block c: (seconds or milliseconds) */
    SW_NMEA_TIME_PGHP,     /* Gatehouse $PGHP header naming this sentence's checksum */
    SW_NMEA_TIME_TRAILING, /* epoch field after the checksum ("...*hh,1327990000000") */
    SW_NMEA_TIME_LEADING,  /* timestamp before the sentence ("1334337317.0 !AIVDM...") */
};

/* What became of each input line. Every line is counted in exactly one of these, so the
 * counts from SW_NMEA_USED to the end add up to SW_NMEA_LINES once sw_nmea_flush() ran. */
enum sw_nmea_reason {
    SW_NMEA_LINES = 0,  /* total lines seen (fed or skipped) */
    SW_NMEA_USED,       /* AIS sentence that is part of an emitted message */
    SW_NMEA_EMPTY,      /* blank line (only whitespace) */
    SW_NMEA_COMMENT,    /* line starting with '#' */
    SW_NMEA_OTHER,      /* other NMEA or proprietary sentence ($GPRMC, $PSHI, !AIPWR, ...) */
    SW_NMEA_HEADER,     /* $PGHP time header (applied to the next sentence it names) */
    SW_NMEA_CHECKSUM,   /* sentence or tag-block checksum missing or wrong (not lenient) */
    SW_NMEA_MALFORMED,  /* AIS sentence with bad fields (count, number, fill bits, payload
                           characters, empty payload) or a broken tag block */
    SW_NMEA_GARBAGE,    /* not NMEA at all (no '!', '$' or '\\' start, bad timestamp) */
    SW_NMEA_NUL,        /* line contains a NUL byte */
    SW_NMEA_TOOLONG,    /* longer than the reader's maximum (sw_nmea_skip) */
    SW_NMEA_OVERSIZE,   /* group whose payload would exceed SW_NMEA_MAX_PAYLOAD (all its lines) */
    SW_NMEA_ORPHAN,     /* fragment with no open group to join (or out of order) */
    SW_NMEA_INCOMPLETE, /* fragments of a group that timed out, was restarted, or was still
                           open at sw_nmea_flush() */
    SW_NMEA_EVICTED,    /* fragments of a group dropped because too many groups were open */
    SW_NMEA_NREASONS
};

/* Extra counters, not line dispositions (they do not take part in the sum). */
enum sw_nmea_counter {
    SW_NMEA_C_MESSAGES = 0, /* messages emitted by sw_nmea_feed */
    SW_NMEA_C_MULTI,        /* of which reassembled from several sentences */
    SW_NMEA_C_LENIENT,      /* of which had a bad/missing checksum and were accepted (lenient) */
    SW_NMEA_C_PGHP_UNUSED,  /* $PGHP headers that named no following sentence */
    SW_NMEA_NCOUNTERS
};

/* A complete message. Owned by the framer: valid until the next sw_nmea_feed/_skip/_flush
 * or sw_nmea_free call on it. */
struct sw_nmea_msg {
    const char *payload; /* armoured 6-bit payload, NUL-terminated, len characters */
    size_t len;
    int fill_bits;                       /* 0..5, from the last sentence */
    int64_t rxtime_ms;                   /* receive time, ms since the epoch UTC, or SW_TIME_NONE */
    int time_src;                        /* enum sw_nmea_time_src */
    char source[SW_NMEA_MAX_SOURCE + 1]; /* receiving station ("rORBCOMM008"), "" if none */
    char talker[3];                      /* "AI", "BS", "AB", "=I", ... */
    char channel;        /* 'A', 'B', '1', '2', '0', ...; '\0' when the field was empty */
    int own;             /* 1 for VDO (own vessel), 0 for VDM */
    int checksum_ok;     /* 0 only in lenient mode, when some checksum failed or was missing */
    int fragments;       /* number of sentences the message was built from (1..9) */
    int seq_id;          /* sequential message id field, -1 when empty */
    int group_id;        /* tag block g: group id, -1 when none */
    int64_t tag_n;       /* tag block n: line count of the first sentence, -1 when none */
    uint64_t first_line; /* line number of the first and last sentence (as fed) */
    uint64_t last_line;
};

struct sw_nmea_config {
    int lenient;              /* accept sentences with a bad or missing checksum */
    unsigned max_groups;      /* open multi-sentence groups kept at once (1..4096), default 64 */
    uint64_t group_lines;     /* a group not completed within this many lines expires (500) */
    int64_t group_timeout_ms; /* ... or within this much receive time, when both times are
                                 known (60000) */
};

struct sw_nmea;

void sw_nmea_config_default(struct sw_nmea_config *cfg);

/* Create a framer; cfg NULL means defaults. Caller frees with sw_nmea_free().
 * Errors: SW_EINVAL (bad config), SW_ENOMEM. */
int sw_nmea_new(struct sw_nmea **out, const struct sw_nmea_config *cfg);
void sw_nmea_free(struct sw_nmea *f);

/* Feed one line (without its terminator; len bytes, may contain NUL bytes, need not be
 * NUL-terminated) numbered lineno by the caller. Sets *msg to a complete message or to NULL
 * when the line produced none (fragment stored, header, or line skipped: see
 * sw_nmea_last_reason()). Always returns SW_OK: bad input is counted, never an error. */
int sw_nmea_feed(struct sw_nmea *f, const char *line, size_t len, uint64_t lineno,
                 const struct sw_nmea_msg **msg);

/* Count a line the reader itself rejected (SW_NMEA_TOOLONG, or SW_NMEA_NUL, ...). */
void sw_nmea_skip(struct sw_nmea *f, enum sw_nmea_reason why);

/* End of an input: drop the open groups (their lines count as SW_NMEA_INCOMPLETE) and
 * forget any pending $PGHP header. Counters are kept. */
void sw_nmea_flush(struct sw_nmea *f);

/* Disposition of the last line fed: SW_NMEA_USED for a line that was stored as a fragment
 * or completed a message (its final count may still change to INCOMPLETE/EVICTED later). */
enum sw_nmea_reason sw_nmea_last_reason(const struct sw_nmea *f);

/* Per-reason line counts (SW_NMEA_NREASONS entries) and extra counters
 * (SW_NMEA_NCOUNTERS entries), accumulated since sw_nmea_new. Valid while f lives. */
const uint64_t *sw_nmea_counts(const struct sw_nmea *f);
const uint64_t *sw_nmea_counters(const struct sw_nmea *f);

/* Short lowercase names ("checksum", "orphan", ...; "messages", ...), static storage. */
const char *sw_nmea_reason_name(enum sw_nmea_reason r);
const char *sw_nmea_counter_name(enum sw_nmea_counter c);

/* NMEA checksum: XOR of the bytes of s[0..len). */
unsigned sw_nmea_checksum(const char *s, size_t len);

#endif
