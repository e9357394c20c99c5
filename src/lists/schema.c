/*
 * Sanctions lists: the store schema (migrations of module "lists", documented in
 * sanctwatch/lists.h), names of types and formats, and identifier normalisation shared by
 * the importers, screening and the vessel detectors.
 */
#include "sanctwatch/lists.h"
#include "sanctwatch/error.h"
#include "sanctwatch/store.h"

#include <ctype.h>
#include <string.h>

static const char *const lists_migrations[] = {
    /* 1 */
    "CREATE TABLE list_editions("
    " id INTEGER PRIMARY KEY, list TEXT NOT NULL, edition TEXT NOT NULL, format TEXT NOT NULL,"
    " files TEXT NOT NULL, sha256 TEXT NOT NULL, imported_at TEXT NOT NULL,"
    " n_entries INTEGER NOT NULL DEFAULT 0, n_person INTEGER NOT NULL DEFAULT 0,"
    " n_organization INTEGER NOT NULL DEFAULT 0, n_vessel INTEGER NOT NULL DEFAULT 0,"
    " n_aircraft INTEGER NOT NULL DEFAULT 0, n_other INTEGER NOT NULL DEFAULT 0,"
    " n_added INTEGER NOT NULL DEFAULT 0, n_removed INTEGER NOT NULL DEFAULT 0,"
    " n_changed INTEGER NOT NULL DEFAULT 0, n_orphans INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX list_editions_list ON list_editions(list, edition);"
    "CREATE TABLE entries("
    " id INTEGER PRIMARY KEY, list TEXT NOT NULL, ref TEXT NOT NULL, source_id TEXT,"
    " type TEXT NOT NULL CHECK(type IN ('person','organization','vessel','aircraft','other')),"
    " name TEXT NOT NULL, programmes TEXT, listed_on TEXT, remarks TEXT,"
    " content_sha256 TEXT NOT NULL,"
    " first_edition INTEGER NOT NULL REFERENCES list_editions(id),"
    " last_edition INTEGER NOT NULL REFERENCES list_editions(id),"
    " active INTEGER NOT NULL DEFAULT 1,"
    " removed_edition INTEGER REFERENCES list_editions(id),"
    " UNIQUE(list, ref));"
    "CREATE INDEX entries_type ON entries(type, active);"
    "CREATE TABLE entry_names("
    " entry INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL, quality TEXT NOT NULL, script TEXT, lang TEXT);"
    "CREATE INDEX entry_names_entry ON entry_names(entry);"
    "CREATE TABLE entry_ids("
    " entry INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,"
    " kind TEXT NOT NULL, value TEXT NOT NULL, norm TEXT NOT NULL, country TEXT,"
    " valid INTEGER, note TEXT);"
    "CREATE INDEX entry_ids_entry ON entry_ids(entry);"
    "CREATE INDEX entry_ids_norm ON entry_ids(kind, norm);"
    "CREATE TABLE entry_dobs("
    " entry INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,"
    " date TEXT, year_from INTEGER, year_to INTEGER, note TEXT);"
    "CREATE INDEX entry_dobs_entry ON entry_dobs(entry);"
    "CREATE TABLE entry_nationalities("
    " entry INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,"
    " country TEXT NOT NULL, kind TEXT NOT NULL);"
    "CREATE INDEX entry_nationalities_entry ON entry_nationalities(entry);"
    "CREATE TABLE entry_addresses("
    " entry INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,"
    " kind TEXT NOT NULL, street TEXT, city TEXT, region TEXT, postal TEXT, country TEXT,"
    " note TEXT);"
    "CREATE INDEX entry_addresses_entry ON entry_addresses(entry);"
    "CREATE TABLE entry_links("
    " entry INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,"
    " relation TEXT NOT NULL, target_ref TEXT,"
    " target_entry INTEGER REFERENCES entries(id) ON DELETE SET NULL, target_name TEXT);"
    "CREATE INDEX entry_links_entry ON entry_links(entry);"
    "CREATE INDEX entry_links_target ON entry_links(target_entry);"
    "CREATE TABLE entry_vessels("
    " entry INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,"
    " flag TEXT, vessel_type TEXT, tonnage TEXT, grt TEXT, owner TEXT);"
    "CREATE TABLE entry_former_flags("
    " entry INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE, flag TEXT NOT NULL);"
    "CREATE INDEX entry_former_flags_entry ON entry_former_flags(entry);"
    "CREATE TABLE entry_changes("
    " edition INTEGER NOT NULL REFERENCES list_editions(id),"
    " entry INTEGER NOT NULL REFERENCES entries(id), ref TEXT NOT NULL,"
    " change TEXT NOT NULL CHECK(change IN ('added','removed','changed')));"
    "CREATE INDEX entry_changes_edition ON entry_changes(edition);",
    /* 2: links resolve by name within a list */
    "CREATE INDEX entries_name ON entries(list, name);",
    /* 3: where fetched editions came from (sw_lists_fetch): the edition's source, and per
     * URL what the server said last time, for conditional requests */
    "ALTER TABLE list_editions ADD COLUMN source TEXT;"
    "CREATE TABLE list_sources("
    " url TEXT PRIMARY KEY, list TEXT NOT NULL, etag TEXT, last_modified TEXT,"
    " sha256 TEXT, bytes INTEGER, checked_at TEXT NOT NULL, edition INTEGER);",
};

int sw_lists_migrate(sqlite3 *db)
{
    return sw_store_migrate(db, "lists", lists_migrations,
                            (int)(sizeof lists_migrations / sizeof lists_migrations[0]));
}

const char *sw_entry_type_name(enum sw_entry_type t)
{
    static const char *const names[] = {"person", "organization", "vessel", "aircraft", "other"};
    return (unsigned)t < SW_ENTRY_NTYPES ? names[t] : "other";
}

const char *sw_list_format_name(enum sw_list_format f)
{
    switch (f) {
    case SW_LIST_FMT_UN_XML:
        return "un_xml";
    case SW_LIST_FMT_OFAC_XML:
        return "ofac_xml";
    case SW_LIST_FMT_OFAC_SDN:
        return "ofac_sdn_csv";
    case SW_LIST_FMT_OFAC_ADD:
        return "ofac_add_csv";
    case SW_LIST_FMT_OFAC_ALT:
        return "ofac_alt_csv";
    case SW_LIST_FMT_OFAC_COMMENTS:
        return "ofac_comments_csv";
    case SW_LIST_FMT_FTM_JSON:
        return "ftm_json";
    case SW_LIST_FMT_JSON_ARRAY:
        return "json_array";
    default:
        return "unknown";
    }
}

int sw_lists_imo_valid(uint32_t imo)
{
    if (imo < 1000000 || imo > 9999999) return 0;
    unsigned sum = 0, check = imo % 10, rest = imo / 10;
    for (unsigned w = 2; w <= 7; w++, rest /= 10)
        sum += (rest % 10) * w;
    return sum % 10 == check;
}

int sw_lists_norm_id(const char *kind, const char *value, char *out, size_t outsz)
{
    size_t n = 0;
    if (!kind || !value || !out || outsz == 0) return SW_EINVAL;
    int digits_only = !strcmp(kind, "imo") || !strcmp(kind, "mmsi");
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        unsigned char c = *p;
        if (digits_only) {
            if (!isdigit(c)) continue;
        } else if (c < 0x80) {
            if (!isalnum(c)) continue;
            c = (unsigned char)toupper(c);
        }
        if (n + 1 >= outsz) {
            out[n] = '\0';
            return SW_ETOOBIG;
        }
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return SW_OK;
}
