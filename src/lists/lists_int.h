/*
 * Internals of the lists module (not public API): the in-memory model of one edition that
 * every importer (UN XML, OFAC CSV and XML, FtM JSON) fills and that import.c writes to the
 * store. Strings are owned by the entry (malloc'd, valid UTF-8, trimmed); lset_free frees all.
 */
#ifndef SW_LISTS_INT_H
#define SW_LISTS_INT_H

#include "sanctwatch/lists.h"

#include <stddef.h>
#include <stdint.h>

/* Rows of the child tables, with their columns in f[] (NULL = SQL NULL):
 *   LR_NAME  name, quality, script, lang
 *   LR_ID    kind, value, country, note
 *   LR_DOB   date, year_from, year_to, note
 *   LR_NAT   country, kind
 *   LR_ADDR  kind, street, city, region, postal, country, note
 *   LR_LINK  relation, target_ref, target_name
 *   LR_FFLAG flag */
enum lrow_tab { LR_NAME, LR_ID, LR_DOB, LR_NAT, LR_ADDR, LR_LINK, LR_FFLAG, LR_NTAB };
#define LR_NF 7

/* Hostile input must not grow one entry without bound. */
#define LENTRY_MAX_ROWS 2048 /* the shared lists' largest entry has 136 */
#define LFIELD_MAX (1u << 20)
/* Largest list file read into memory (after gzip). */
#define LISTS_MAX_FILE ((size_t)512 << 20)

struct lrow {
    int tab;
    char *f[LR_NF];
    uint64_t h, h0; /* hashes of all columns and of the first: cheap duplicate checks */
};

struct lentry {
    enum sw_entry_type type;
    char *ref, *source_id, *name, *programmes, *listed_on, *remarks;
    char *vflag, *vtype, *tonnage, *grt, *owner; /* vessel details (any non-NULL: a row) */
    struct lrow *rows;
    size_t nrows, cap;
};

struct lset {
    struct lentry *e;
    size_t n, cap;
    char list[64];
    char edition[40];
    enum sw_list_format format;
    long orphans;
    size_t *index; /* sorted positions by ref, for joins (lset_index) */
    char err[SW_ERRMAX];
};

void lset_init(struct lset *s);
void lset_free(struct lset *s);
/* Append a zeroed entry; *out valid until the next lset_add. */
int lset_add(struct lset *s, struct lentry **out);
/* Build the ref index (after all entries are added); lset_find then finds by ref. */
int lset_index(struct lset *s);
struct lentry *lset_find(const struct lset *s, const char *ref, size_t len);
/* Make refs unique within the set: a repeated ref gets "#2", "#3"... appended. */
int lset_unique_refs(struct lset *s);
/* Set err (printf style); returns code. */
int lset_fail(struct lset *s, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copy s[0..len) into *slot (replacing), trimmed of surrounding white space, transcoded from
 * Latin-1 when it is not valid UTF-8. An empty result stores NULL. */
int lstr_set(char **slot, const char *s, size_t len);
/* Append s to *slot with sep between (no-op for empty s). */
int lstr_append(char **slot, const char *sep, const char *s, size_t len);
/* Add a row; columns are NUL-terminated strings or NULL (n of them, n <= LR_NF). Rows that
 * exactly repeat an earlier row of the entry are dropped. Empty strings count as NULL; an
 * LR_NAME / LR_ID / LR_NAT / LR_FFLAG row whose first meaningful column is empty is dropped. */
int lentry_row(struct lentry *e, int tab, int n, const char *const *cols);
/* Convenience wrappers. */
int lentry_name(struct lentry *e, const char *name, const char *quality);
int lentry_id(struct lentry *e, const char *kind, const char *value, const char *country,
              const char *note);
/* Move the 'primary' name row to the front (the canonical order of an entry). */
void lentry_primary_first(struct lentry *e);
/* Hex SHA-256 over the canonical content of the entry (not its ref). */
void lentry_hash(const struct lentry *e, char hex[65]);

/* Normalise a date as the sources write it ("12 Jan 1960", "1960-01-12", "1960",
 * "circa 1960") into "YYYY-MM-DD" / "YYYY-MM" / "YYYY" when possible; else copy it. */
void ldate_norm(const char *in, char *out, size_t outsz);

/* OFAC: one identifier-like item ("Passport 123 (Egypt)", "Vessel Registration Identification
 * IMO 1234567", "a.k.a. 'X'", "DOB 1960", "Linked To: X") from the CSV remarks or an XML
 * idType/idNumber pair. Returns 1 if understood and added, 0 if not (the caller keeps it
 * in remarks), negative on error. */
int lofac_item(struct lentry *e, const char *item, size_t len);
int lofac_id(struct lentry *e, const char *type, const char *number, const char *country);

/* The parsers: fill s from one file's bytes. SDN add/alt/comments join onto the SDN
 * entries already in s (lset_index must have been called). */
int lists_parse_un(struct lset *s, const char *data, size_t len);
int lists_parse_ofac_xml(struct lset *s, const char *data, size_t len);
int lists_parse_ofac_csv(struct lset *s, enum sw_list_format fmt, const char *data, size_t len);
int lists_parse_ftm(struct lset *s, const char *data, size_t len);

#endif

/* Streaming XML walk (libxml2 xmlReader, no network, no DTD, no entity expansion): calls
 * start at each element and end with the element's own text (trimmed by the caller).
 * Names are local names (namespaces ignored). Refuses a document whose root is not root,
 * one with a DOCTYPE, nesting deeper than 64 and elements with more than LFIELD_MAX text. */
struct lxml_cb {
    int (*start)(void *ctx, int depth, const char *name, void *reader);
    int (*end)(void *ctx, int depth, const char *name, const char *text, size_t len);
};
int lxml_walk(struct lset *s, const char *data, size_t len, const char *root,
              const struct lxml_cb *cb, void *ctx);
/* Attribute of the current element (start callback only); caller frees with free(). */
char *lxml_attr(void *reader, const char *name);
/* OFAC CSV: after sdn.csv and its add/alt/comments are joined, parse every entry's remarks
 * (with the spill-over comments) into identifiers, weak aliases, dates, places and links. */
int lofac_csv_finish(struct lset *s);

/* Subjects across lists (subject.c): entry id -> subject key, for the active entries that
 * share a subject with an entry of another list (sw_lists_entry_view.subject). */
struct lists_subjects {
    int64_t *id; /* ascending */
    char **key;  /* "<list>:<ref>" of the subject's first member, owned */
    size_t n, cap;
};
int lists_subjects_find(sqlite3 *db, struct lists_subjects *s);
/* The subject of entry id, NULL when it has none; valid until the release. */
const char *lists_subject_of(const struct lists_subjects *s, int64_t id);
void lists_subjects_release(struct lists_subjects *s);
