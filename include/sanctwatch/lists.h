/*
 * Sanctions lists: import of the UN Security Council consolidated list (XML), OFAC's SDN
 * files (the CSV set sdn/add/alt/comments, and the sdnList XML of sdn.xml or consolidated.xml)
 * and OpenSanctions FollowTheMoney JSON lines into the store, one edition at a time, in one
 * transaction. Screening (sanctwatch/screen.h) and the vessel detectors (listed_vessel,
 * identity_fraud) READ the tables below; only this module writes them.
 *
 * Store schema (module "lists", applied by sw_lists_migrate()). Dates are TEXT as the source
 * gives them, normalised to "YYYY-MM-DD" (or "YYYY", "YYYY-MM") when they can be.
 *
 *   list_editions(id INTEGER PRIMARY KEY,
 *       list TEXT      -- "un_sc", "ofac_sdn", "ofac_cons", "ftm:<dataset>" (or --list NAME)
 *       edition TEXT   -- the list's own date: UN dateGenerated, OFAC Publish_Date, the date
 *                      -- in the file name (sdn_2024-05-03.csv), FtM max(last_seen)
 *       format TEXT    -- "un_xml" | "ofac_csv" | "ofac_xml" | "ftm_json"
 *       files TEXT     -- base names of the files of this edition, '; '-separated
 *       sha256 TEXT    -- hex SHA-256 of the files' bytes, concatenated in argument order
 *       imported_at TEXT,                 -- UTC "YYYY-MM-DDTHH:MM:SSZ"
 *       n_entries, n_person, n_organization, n_vessel, n_aircraft, n_other INTEGER,
 *       n_added, n_removed, n_changed, n_orphans INTEGER,
 *       source TEXT)   -- fetched editions: "URL sha256=HEX bytes=N etag=.. last-modified=.."
 *                      -- a line per file (migration 3); NULL for imported files
 *         -- orphans: OFAC add/alt/comments rows whose ent_num is not in sdn.csv (ignored)
 *   list_sources(url TEXT PRIMARY KEY, list TEXT, etag TEXT, last_modified TEXT,
 *       sha256 TEXT, bytes INTEGER, checked_at TEXT, edition INTEGER)
 *         -- what each publication's server said last (conditional requests of lists fetch)
 *   entries(id INTEGER PRIMARY KEY,
 *       list TEXT, ref TEXT               -- UN REFERENCE_NUMBER ("KPe.001"), OFAC ent_num /
 *                                         -- uid ("17069"), FtM entity id; UNIQUE(list, ref)
 *       source_id TEXT                    -- UN DATAID; else NULL
 *       type TEXT    -- 'person' | 'organization' | 'vessel' | 'aircraft' | 'other'
 *       name TEXT                         -- primary name (also in entry_names as 'primary')
 *       programmes TEXT                   -- '; '-separated: UN "DPRK", OFAC "DPRK3; DPRK4"
 *       listed_on TEXT, remarks TEXT,
 *       content_sha256 TEXT               -- over the canonical content: detects "changed"
 *       first_edition INTEGER, last_edition INTEGER   -- list_editions.id seen first / last
 *       active INTEGER                    -- 1 while in the latest edition of its list
 *       removed_edition INTEGER)          -- list_editions.id that dropped it, else NULL
 *   entry_names(entry INTEGER REFERENCES entries(id) ON DELETE CASCADE,
 *       name TEXT,
 *       quality TEXT -- 'primary' | 'aka' (strong or unqualified) | 'aka_weak' | 'fka' |
 *                    -- 'nka' | 'original_script'
 *       script TEXT, lang TEXT)           -- when the source says (FtM name languages), else NULL
 *   entry_ids(entry ..., kind TEXT, value TEXT, norm TEXT, country TEXT, valid INTEGER,
 *       note TEXT)
 *       kind: 'imo' | 'mmsi' | 'call_sign' | 'passport' | 'national_id' | 'registration' |
 *             'tax_id' | 'crypto' | 'swift' | 'aircraft_serial' | 'other'
 *       norm: sw_lists_norm_id() of value (IMO: the 7 digits; others upper case, no spaces
 *             or punctuation), what detectors and screening compare
 *       valid: IMO: 1 when the check digit is right, 0 when wrong; MMSI: 1 for 9 digits;
 *              NULL for the other kinds (not checkable)
 *       note: for crypto the currency ("XBT", "ETH"...), for others the source's wording
 *   entry_dobs(entry ..., date TEXT, year_from INTEGER, year_to INTEGER, note TEXT)
 *   entry_nationalities(entry ..., country TEXT, kind TEXT)   -- 'nationality' | 'citizenship'
 *                                                              -- | 'country' (FtM/OFAC loose)
 *   entry_addresses(entry ..., kind TEXT, street TEXT, city TEXT, region TEXT, postal TEXT,
 *       country TEXT, note TEXT)          -- kind: 'address' | 'birth_place'
 *   entry_links(entry ..., relation TEXT, target_ref TEXT, target_entry INTEGER, target_name TEXT)
 *       relation: 'owner' | 'operator' | 'manager' | 'linked'; "entry's <relation> is target".
 *       target_entry is resolved to entries.id within the same list when target_ref or the
 *       exact primary name matches (after the edition is written), else NULL with the
 *       free-text target_name kept
 *   entry_vessels(entry PRIMARY KEY ..., flag TEXT, vessel_type TEXT, tonnage TEXT,
 *       grt TEXT, owner TEXT)             -- current flag as the source writes it
 *   entry_former_flags(entry ..., flag TEXT)
 *   entry_changes(edition INTEGER REFERENCES list_editions(id), entry INTEGER, ref TEXT,
 *       change TEXT)                      -- 'added' | 'removed' | 'changed'
 *
 * Vessel identifiers for the detectors: JOIN entries e (type='vessel', active=1) with
 * entry_ids (kind 'imo'/'mmsi'/'call_sign', use norm), entry_names (former names are 'fka'),
 * entry_vessels and entry_former_flags. Entries of any type can carry IMO numbers (OFAC puts
 * company IMO numbers on organizations): filter on e.type when that matters.
 */
#ifndef SANCTWATCH_LISTS_H
#define SANCTWATCH_LISTS_H

#include "sanctwatch/error.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* File formats, told apart by content (sw_lists_detect). */
enum sw_list_format {
    SW_LIST_FMT_UNKNOWN = 0,
    SW_LIST_FMT_UN_XML,        /* root CONSOLIDATED_LIST */
    SW_LIST_FMT_OFAC_XML,      /* root sdnList */
    SW_LIST_FMT_OFAC_SDN,      /* sdn.csv: 12 columns */
    SW_LIST_FMT_OFAC_ADD,      /* add.csv: 6 columns */
    SW_LIST_FMT_OFAC_ALT,      /* alt.csv: 5 columns */
    SW_LIST_FMT_OFAC_COMMENTS, /* sdn_comments.csv: 2 columns */
    SW_LIST_FMT_FTM_JSON,      /* FollowTheMoney entities, one JSON object a line */
    SW_LIST_FMT_JSON_ARRAY     /* a JSON array (derived subsets): refused, see docs/lists.md */
};

enum sw_entry_type {
    SW_ENTRY_PERSON = 0,
    SW_ENTRY_ORGANIZATION,
    SW_ENTRY_VESSEL,
    SW_ENTRY_AIRCRAFT,
    SW_ENTRY_OTHER,
    SW_ENTRY_NTYPES
};

/* "person", "organization", ... ; never NULL. */
const char *sw_entry_type_name(enum sw_entry_type t);
/* "un_xml", "ofac_sdn_csv", ...; never NULL. */
const char *sw_list_format_name(enum sw_list_format f);

/* Create or upgrade the lists tables. */
int sw_lists_migrate(sqlite3 *db);

/* Guess the format from the first bytes of a file (len may be short). */
enum sw_list_format sw_lists_detect(const void *head, size_t len);

/* Options for an import; all fields may be NULL/0. */
struct sw_lists_import_opts {
    const char *list;    /* override the list name */
    const char *edition; /* override the edition date ("YYYY-MM-DD") */
    /* An edition that would remove more than half of a list's active entries (and more
     * than 10) looks like a partial file and is refused with SW_ERANGE unless this is set. */
    int allow_mass_removal;
    /* Where the files came from, kept in list_editions.source (lists fetch); NULL: none. */
    const char *source;
};

/* What an import did. */
struct sw_lists_report {
    char list[64];
    char edition[40];
    enum sw_list_format format;
    int64_t edition_id; /* list_editions.id, 0 when nothing was written */
    int already;        /* the same bytes were imported before: nothing done */
    long n_entries;
    long n_type[SW_ENTRY_NTYPES];
    long added, removed, changed, orphans;
    char err[SW_ERRMAX]; /* on failure: what and where ("line 12: ..."), without the file name
                      when err_file is set */
    char err_file[256];
};

/*
 * Import one edition of one list from n files: either one file (UN XML, OFAC XML, FtM JSON
 * lines, a lone sdn.csv) or the OFAC CSV set (sdn.csv plus any of add/alt/comments, in any
 * order, told apart by content). Paths may be "-" (stdin) or gzip. One transaction: on any
 * error nothing is written and the lists already loaded stay as they were; rep->err says
 * why. An edition older than the latest loaded of the same list is refused (SW_ERANGE);
 * the same bytes imported again give SW_OK with rep->already set; a file without entries is
 * refused (SW_EFORMAT), and so is a mass removal (see allow_mass_removal).
 * Errors: SW_EIO (errno kept), SW_EFORMAT, SW_ETRUNCATED, SW_ETOOBIG, SW_EUNSUPPORTED,
 * SW_ERANGE, SW_EDB, SW_ENOMEM.
 */
int sw_lists_import(sqlite3 *db, const char *const *paths, size_t n,
                    const struct sw_lists_import_opts *opts, struct sw_lists_report *rep);

/* Parse an in-memory file of one format without a store (fuzzing, validation). Returns the
 * number of entries through *n_entries. Same errors as sw_lists_import. */
int sw_lists_parse_mem(enum sw_list_format fmt, const void *data, size_t len, long *n_entries,
                       char err[SW_ERRMAX]);

/* Normalise an identifier of kind for comparison into out (size outsz, NUL-terminated):
 * IMO -> its 7 digits ("IMO 9123456" -> "9123456"), MMSI -> 9 digits, others upper-cased
 * ASCII letters and digits only (other bytes, e.g. UTF-8, kept as they are). */
int sw_lists_norm_id(const char *kind, const char *value, char *out, size_t outsz);
/* 1 when imo (7 digits) has a correct check digit, else 0. */
int sw_lists_imo_valid(uint32_t imo);

/* The earliest an entry of a US list (list "ofac_...") tagged with these programmes
 * ("IRAN] [NPWMD] [IFSR", as the SDN files write them) can have been designated: the day the
 * first of its programmes began (src/lists/programmes.c cites each). SW_TIME_NONE when a tag
 * is not known or the list is not OFAC's. */
int64_t sw_lists_programmes_start(const char *list, const char *programmes);

/* ---- reads (src/lists/read.c): the lists tables are private to this module ---- */

/* What sw_lists_table() lists, one row a call, columns as strings (NULL for SQL NULL):
 *   SW_LISTS_TYPES     list, type, active, removed            (filter: list, type)
 *   SW_LISTS_EDITIONS  id, list, edition, format, imported_at, n_entries, n_added,
 *                      n_removed, n_changed, n_orphans, files, source   (filter: list)
 *   SW_LISTS_CHANGES   list, edition, change, ref, type, name  (filter: list, edition id;
 *                      without edition id the latest edition of each list)
 *   SW_LISTS_VESSELS   list, ref, name, imo (a wrong check digit marked "(bad check digit)"),
 *                      mmsi, call_sign, flag, type, programmes  (filter: list, programme:
 *                      programmes containing it) */
enum sw_lists_table_kind { SW_LISTS_TYPES, SW_LISTS_EDITIONS, SW_LISTS_CHANGES, SW_LISTS_VESSELS };
struct sw_lists_filter {
    const char *list, *type, *programme; /* NULL: any */
    int64_t edition;                     /* 0: the latest of each list */
};
/* row() gets ncol columns, valid during the call; a non-zero return stops the read and is
 * returned. SW_OK, SW_EDB (sqlite3_errmsg has the reason). */
int sw_lists_table(sqlite3 *db, enum sw_lists_table_kind kind, const struct sw_lists_filter *f,
                   int (*row)(void *ctx, int ncol, const char *const *cols), void *ctx);
/* 1 when edition id exists, 0 when not, SW_EDB. */
int sw_lists_edition_exists(sqlite3 *db, int64_t id);

/* One active entry as screening reads it. Every string is valid during the callback only. */
struct sw_lists_name_view {
    const char *name, *quality; /* quality as in entry_names */
};
struct sw_lists_id_view {
    const char *kind, *norm; /* kind as in entry_ids; norm falls back to the value */
};
#define SW_LISTS_VIEW_MAX 4096 /* names or identifiers of one entry passed at most */
struct sw_lists_entry_view {
    const char *list, *ref, *type, *name; /* type: "person", "organization", "vessel", ... */
    /* The subject this entry shares with entries of other lists ("<list>:<ref>" of the first
     * of them by list and ref), NULL when it is on one list only. Entries are one subject
     * when an OFAC entry's remarks cite the UN reference of a UN entry, when they carry an
     * identical identifier (IMO, MMSI, passport, national id, registration, tax id, SWIFT,
     * crypto address; not an IMO a company's comments only mention), or when a person's
     * names are the same words with the same birth date and nationality. Only entries of the
     * same type on different lists are joined. */
    const char *subject;
    size_t n_names, n_ids;
    const struct sw_lists_name_view *names;
    const struct sw_lists_id_view *ids;
    /* Vessels: entry_vessels' details (NULL when absent). */
    const char *flag, *vessel_type, *tonnage, *grt;
};
/* fn() for every active entry (ordered by its row id), with its names (the primary first),
 * identifiers and subject; a non-zero return stops and is returned. SW_ENOTFOUND when the
 * lists tables do not exist, SW_EDB, SW_ENOMEM. */
int sw_lists_each_active(sqlite3 *db, int (*fn)(void *ctx, const struct sw_lists_entry_view *e),
                         void *ctx);

/* ---- fetching the official publications (src/lists/fetch.c, libcurl) ---- */

/* The publications of a list: UN, one XML; OFAC, the SDN CSV set from the Sanctions List
 * Service. Index names: "un", "ofac_sdn", "ofac_add", "ofac_alt", "ofac_comments". */
enum sw_lists_pub {
    SW_PUB_UN,
    SW_PUB_OFAC_SDN,
    SW_PUB_OFAC_ADD,
    SW_PUB_OFAC_ALT,
    SW_PUB_OFAC_COMMENTS,
    SW_PUB_N
};
#define SW_LISTS_UN_URL "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
#define SW_LISTS_OFAC_URL                                                                          \
    "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
/* "un", "ofac_sdn", ...; SW_EINVAL for an unknown name. */
int sw_lists_pub_parse(const char *name, enum sw_lists_pub *out);
const char *sw_lists_pub_name(enum sw_lists_pub p);
/* The official address of a publication (static string). */
const char *sw_lists_pub_default_url(enum sw_lists_pub p);

struct sw_lists_fetch_opts {
    const char *url[SW_PUB_N]; /* NULL: the official address */
    long timeout_s;            /* whole transfer of one file; 0: 300 */
    size_t max_bytes;          /* one file at most; 0: 512 MiB */
    int allow_mass_removal;    /* as for sw_lists_import */
};

/* What one fetch did. */
struct sw_lists_fetch_report {
    int not_modified; /* the server said every file is unchanged (304): nothing imported */
    struct sw_lists_report imp; /* the import (imp.already: same bytes as an edition) */
    long bytes;                 /* downloaded */
    char err[SW_ERRMAX];        /* on failure: what, with the address */
};

/*
 * Download the publications of list "un" or "ofac" with conditional requests (If-None-Match
 * and If-Modified-Since from what the server said last, table list_sources), check what came
 * (HTTP 200 or 304, a content type that is the format's and not an HTML page, the complete
 * length, at most max_bytes, the format recognised by content) and import it as a new edition
 * when it changed (sw_lists_import, with the source: URL, SHA-256, bytes, ETag and
 * Last-Modified of each file, in list_editions.source). A file refused leaves the store as
 * it was. An OFAC set of which only some files changed is fetched whole again.
 * Errors: SW_EINVAL, SW_EIO (transfer, HTTP status), SW_ETRUNCATED, SW_EFORMAT (content type
 * or content), SW_ETOOBIG, SW_EDB, SW_ENOMEM, and sw_lists_import's.
 */
int sw_lists_fetch(sqlite3 *db, const char *list, const struct sw_lists_fetch_opts *opts,
                   struct sw_lists_fetch_report *rep);

#endif
