/*
 * Name screening: find the sanctioned entries a name (or an identifier) may refer to, even
 * across scripts and romanizations. An in-memory index holds the list names, normalised once
 * (NFKC, case-fold, ICU transliteration of Hangul, Cyrillic, Han... to Latin, legal-form
 * stopwords dropped, Korean romanization keys) and identifiers (IMO, MMSI, passport...).
 * A query is normalised the same way, candidates come from an inverted index of tokens,
 * Korean syllable keys and character trigrams, and each is scored by token-aligned
 * Jaro-Winkler weighted by token rarity (IDF). Every match explains itself token by token.
 * See docs/screening.md.
 *
 * Ownership: the index is created by sw_screen_index_new() and freed by
 * sw_screen_index_free(). Strings inside a struct sw_screen_match point into the index and
 * stay valid while it lives; token explanations are copied into the match. The index is not
 * safe for concurrent queries (it keeps per-query scratch space): use one index per thread.
 */
#ifndef SANCTWATCH_SCREEN_H
#define SANCTWATCH_SCREEN_H

#include <sqlite3.h>
#include <stddef.h>

struct sw_screen_index;

/* Entry types, as the lists module writes them in entries.type. */
enum sw_screen_type {
    SW_SCREEN_ANY = -1, /* only as a query filter */
    SW_SCREEN_PERSON = 0,
    SW_SCREEN_ORGANIZATION,
    SW_SCREEN_VESSEL,
    SW_SCREEN_AIRCRAFT,
    SW_SCREEN_OTHER
};

/* Name qualities (entry_names.quality); weak aliases score a little lower. */
enum sw_screen_quality {
    SW_SCREEN_Q_PRIMARY = 0,
    SW_SCREEN_Q_AKA,
    SW_SCREEN_Q_AKA_WEAK,
    SW_SCREEN_Q_FKA,
    SW_SCREEN_Q_OTHER
};

/* How a query token was matched to a candidate token. */
enum sw_screen_how {
    SW_SCREEN_HOW_EXACT = 0, /* same normalised token */
    SW_SCREEN_HOW_TRANSLIT,  /* same token after transliteration from another script */
    SW_SCREEN_HOW_VARIANT,   /* Korean romanization variant (same syllable key) */
    SW_SCREEN_HOW_JOINED,    /* tokens joined or split ("Jong Un" / "Jongun") */
    SW_SCREEN_HOW_JW,        /* Jaro-Winkler similarity */
    SW_SCREEN_HOW_INITIAL,   /* an initial ("L.") against a token starting with it */
    SW_SCREEN_HOW_IDENTIFIER /* exact identifier (IMO, MMSI, passport...) */
};

/* "person", "organization", "vessel", "aircraft", "other"; "any" for SW_SCREEN_ANY. */
const char *sw_screen_type_name(int type);
/* Parse a type name (as above); SW_EINVAL when unknown. */
int sw_screen_type_parse(const char *s, int *type);
/* Parse entry_names.quality ('primary', 'aka', 'aka_weak', 'fka', ...); unknown -> OTHER. */
int sw_screen_quality_parse(const char *s);
/* "exact", "transliteration", "romanization variant", "joined", "jaro-winkler", "initial",
 * "identifier". */
const char *sw_screen_how_name(int how);

/*
 * New empty index. data_dir is the folder of the screening tables (korean_romanization.tsv,
 * hanja_korean.tsv, legal_forms.txt, normally data/screening); NULL builds an index without
 * them (no stopwords, no Korean variants). Errors: SW_ENOMEM, SW_EIO (a table cannot be
 * read; errno kept), SW_EFORMAT (a malformed table line), SW_EUNSUPPORTED (ICU transforms
 * unavailable).
 */
int sw_screen_index_new(struct sw_screen_index **out, const char *data_dir);
void sw_screen_index_free(struct sw_screen_index *idx);

/* Describe an entry (optional: entries first met through add_name get list "", ref = key).
 * Strings are copied. SW_EEXISTS is not an error here: the description is updated. */
int sw_screen_index_add_entry(struct sw_screen_index *idx, const char *entry_key, const char *list,
                              const char *ref, int type);
/* Add one name of an entry (created if new; its first SW_SCREEN_Q_PRIMARY name, else its
 * first name, is the entry's primary name). Names over 1,024 bytes are cut. A name that
 * normalises to nothing is ignored (SW_OK). Errors: SW_EINVAL, SW_ENOMEM, SW_ETOOBIG. */
int sw_screen_index_add_name(struct sw_screen_index *idx, const char *entry_key, int type,
                             const char *name, int quality);
/* Add an identifier (kind "imo", "mmsi", "passport", ...); value is compared upper-cased,
 * letters and digits only ("IMO 9123456" is stored as "9123456" for kind imo). */
int sw_screen_index_add_id(struct sw_screen_index *idx, const char *entry_key, const char *kind,
                           const char *value);
/* A vessel's details, carried by its matches (strings NULL when unknown). */
struct sw_screen_vessel {
    const char *imo, *mmsi, *call_sign, *flag, *type, *tonnage, *grt;
};
/* Set the vessel details of an entry (created if new, as a vessel); strings are copied. */
int sw_screen_index_set_vessel(struct sw_screen_index *idx, const char *entry_key,
                               const struct sw_screen_vessel *v);
/* Say that an entry is one subject with the other entries of the same subject key (the same
 * person on two lists): a query reports the subject once, with every entry of it. */
int sw_screen_index_set_subject(struct sw_screen_index *idx, const char *entry_key,
                                const char *subject);
/* Add every active entry, name and identifier of the lists (sw_lists_each_active of
 * sanctwatch/lists.h), the vessels' details and the subjects shared across lists; entry keys
 * are "<list>:<ref>". SW_ENOTFOUND when the tables do not exist, SW_EDB. */
int sw_screen_index_load_db(struct sw_screen_index *idx, sqlite3 *db);
/* Prepare for queries (postings, token weights). Queries call it when needed; adding after
 * it is allowed and makes the next query rebuild. */
int sw_screen_index_build(struct sw_screen_index *idx);

/* Counts, for reports and benches. */
size_t sw_screen_index_entries(const struct sw_screen_index *idx);
size_t sw_screen_index_names(const struct sw_screen_index *idx);

#define SW_SCREEN_MAX_RESULTS 32
#define SW_SCREEN_MAX_EXPLAIN 12
#define SW_SCREEN_TOKLEN 64
#define SW_SCREEN_MAX_ALSO 7 /* other entries of one subject reported with a match */

struct sw_screen_opts {
    double threshold;   /* 0 means SW_SCREEN_DEFAULT_THRESHOLD */
    int type;           /* SW_SCREEN_ANY or a type: entries of other types are left out */
    size_t max_results; /* 0 means 10; at most SW_SCREEN_MAX_RESULTS */
};

/* Chosen on the labelled data in ../shared/data/screening (docs/screening.md). */
#define SW_SCREEN_DEFAULT_THRESHOLD 0.80

struct sw_screen_token_match {
    char query[SW_SCREEN_TOKLEN]; /* query token(s), normalised; "" when unmatched */
    char cand[SW_SCREEN_TOKLEN];  /* candidate token(s); "" when unmatched */
    int how;                      /* enum sw_screen_how */
    double sim;                   /* 0..1 */
};

struct sw_screen_match {
    const char *entry_key, *list, *ref, *primary; /* owned by the index */
    int type;
    const char *name;  /* the entry's name that matched (owned by the index) */
    int quality;       /* of that name */
    double score;      /* 0..1 */
    int by_identifier; /* 1: an identifier matched; id_kind and id_value say which */
    const char *id_kind, *id_value;
    size_t n_tokens;
    struct sw_screen_token_match tokens[SW_SCREEN_MAX_EXPLAIN];
    int has_vessel; /* vessel details of the entry (sw_screen_index_set_vessel) */
    struct sw_screen_vessel vessel;
    /* The other entries of the same subject (the same person on another list), owned by
     * the index; the match is the subject's best-scoring entry. */
    size_t n_also;
    struct sw_screen_also {
        const char *entry_key, *list, *ref;
        int has_vessel;
        struct sw_screen_vessel vessel;
    } also[SW_SCREEN_MAX_ALSO];
};

struct sw_screen_result {
    size_t n; /* matches, best first */
    struct sw_screen_match m[SW_SCREEN_MAX_RESULTS];
    char norm[256]; /* the query as normalised (tokens separated by spaces) */
};

/* Screen a query (a name, or an identifier such as "IMO 9123456") against the index.
 * opts may be NULL (defaults). Errors: SW_EINVAL, SW_ENOMEM, SW_ETOOBIG. */
int sw_screen_query(struct sw_screen_index *idx, const char *query,
                    const struct sw_screen_opts *opts, struct sw_screen_result *res);

/* Score two names against each other with the index's tables and token weights (the pair
 * evaluation and `screen --explain` use it). *score in 0..1; explain may be NULL (else its
 * tokens, score and by_identifier=0 are filled; its entry fields are NULL). */
int sw_screen_compare(struct sw_screen_index *idx, const char *a, const char *b, double *score,
                      struct sw_screen_match *explain);

/* The normalised tokens of a name, space-separated, into out (outsz bytes, NUL-terminated,
 * cut if short). Korean syllable keys are appended as "[key ...]" when the name reads as
 * Korean. For tests, fuzzing and `screen --normalize`. */
int sw_screen_normalize(struct sw_screen_index *idx, const char *name, char *out, size_t outsz);

/* Jaro-Winkler similarity of two byte strings (prefix scale 0.1, up to 4 bytes). */
double sw_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen);

#endif
