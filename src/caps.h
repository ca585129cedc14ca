/* caps.h - every cap on what an input controls, in one place.
 *
 * Inputs are untrusted: a capture, an archive or a rule file may be huge,
 * deep or repetitive on purpose.  Each cap below bounds memory or time;
 * what a cap cuts is said in a coverage note (or an error), never dropped
 * silently.  Byte sizes are size_t; counts are plain integers.
 */
#ifndef HARTRIAGE_CAPS_H
#define HARTRIAGE_CAPS_H

#include <stddef.h>

/* ---- reading sources ------------------------------------------------- */

/* Bytes of a source read whole (JSON documents, UTF-16 text, pasted text,
 * curl output); import_opts.slurp_cap overrides it. */
#define SLURP_CAP ((size_t)512 << 20)
/* Default cap of a struct sbuf made with SBUF_INIT: no buffer grows past
 * what a whole source may hold. */
#define SBUF_DEFAULT_CAP SLURP_CAP

/* ---- the exchange record (exchange.c, xbuild.c) ------------------------ */

#define BODY_CAP ((size_t)16 << 20)         /* bytes of one body kept */
#define HEADER_COUNT_CAP 1000               /* headers kept per side */
#define HEADER_VALUE_CAP ((size_t)64 << 10) /* bytes of one header value */
#define TRANSCRIPT_CAP 2000                 /* transcript lines per exchange */

/* ---- HAR (import-har.c) ---------------------------------------------- */

#define HAR_ENTRY_CAP ((size_t)256 << 20)   /* bytes of one streamed entry */

/* ---- curl transcripts (import-curl.c) -------------------------------- */

#define PENDING_CAP 400 /* info lines kept while no exchange is open */

/* ---- text read line by line (import.c, for import-curl.c, import-text.c
 * and the fragment reader) ---------------------------------------------- */
#define LINE_CAP BODY_CAP                /* bytes of one line; the rest is cut */
#define FRAG_TEXT_CAP ((size_t)64 << 20) /* bytes of a text without HTTP scanned */
/* ---- pasted text (import-text.c) ------------------------------------- */

#define BODY_LINES_CAP 200000 /* lines one pasted body may span */
#define CMD_LINES_CAP 50      /* continuation lines of one command */
#define FRAG_CAP 80           /* bytes of prose quoted in status_source */

/* ---- Postman, newman, Insomnia (import-postman*.c) ------------------- */

#define PM_FOLDER_DEPTH_CAP 64             /* nested folders followed */
#define PM_ITEM_CAP 100000L                /* exchanges emitted per source */
#define PM_VAR_DEPTH_CAP 10                /* {{a}} -> {{b}} -> ... followed */
#define PM_VAR_CAP 100000                  /* variables kept per scope */
#define PM_ENV_FILE_CAP ((size_t)64 << 20) /* bytes of one --env file */
#define PM_MSG_CAP 300                     /* bytes of one note or error text */
#define PM_UNRES_CAP 50                    /* unresolved names noted per exchange */
#define PM_SKIP_NOTE_CAP 100               /* skipped pieces noted one by one */

/* ---- archives and folders (walk.c) ----------------------------------- */

#define WALK_ARCHIVE_BYTES_CAP (2ULL << 30) /* bytes expanded per top-level archive */
#define WALK_RATIO_CAP 200                  /* expanded/compressed ratio ... */
#define WALK_RATIO_MIN_BYTES (10ULL << 20)  /* ... checked once this much expanded */
#define WALK_ENTRIES_CAP 100000             /* entries per archive */
#define WALK_DEPTH_CAP 4                    /* archives inside archives */
#define WALK_MEMBER_BYTES_CAP (1ULL << 30)  /* bytes of one member */
#define WALK_DIR_DEPTH_CAP 64               /* folder nesting */
#define WALK_TIME_CAP 600                   /* seconds spent in one top-level archive */

/* ---- redaction (redact.c) -------------------------------------------- */

#define CLAIM_CAP 80                     /* characters of a JWT claim value shown */
#define FIELD_SCAN_CAP ((size_t)1 << 20) /* longest secret value looked for */

/* ---- rule files (rule-*.c) ------------------------------------------- */

#define RULE_FILE_CAP ((size_t)1 << 20) /* bytes of one rule file */
#define RULE_FILES_CAP 100000           /* rule files read below one --rules folder */
#define RULE_NODE_CAP 20000             /* YAML nodes per file */
#define RULE_DEPTH_CAP 16               /* YAML nesting */
#define RULE_COND_DEPTH_CAP 64          /* condition nesting */
#define RULE_MATCHER_CAP 64             /* matchers (and extracts) per rule */
#define EVIDENCE_TEXT_CAP 200           /* characters of matched text kept */

#endif
