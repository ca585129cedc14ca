/* import-har-int.h - what the two halves of the HAR importer share.
 *
 *   import-har-scan.c  import_har(): the streaming reader that cuts one
 *                      entry at a time out of the file (and lifts its large
 *                      bodies), falling back to the whole document
 *   import-har.c       one entry (a jansson tree) into an exchange, through
 *                      the exchange builder; the whole-document path
 *                      (import_har_json); the notes a whole file needs
 *
 * The reader calls the converter, never the other way round.
 */
#ifndef HARTRIAGE_IMPORT_HAR_INT_H
#define HARTRIAGE_IMPORT_HAR_INT_H

#include <jansson.h>

#include "import.h"
#include "json-unescape.h"
#include "xbuild.h"

/* Lifted strings (issue 13): the entry scanner hands response.content.text
 * and request.postData.text to the importer itself, decoded once, and
 * jansson parses the rest of the entry.  A string longer than LIFT_STREAM
 * is decoded while it is scanned and cut from the read buffer, keeping at
 * most LIFT_CAP decoded bytes (enough base64 for BODY_CAP), so a 200 MB
 * body is never held whole. */
#define LIFT_RESP 0
#define LIFT_REQ 1
#define LIFT_STREAM ((size_t)4 << 20)
#define LIFT_CAP (BODY_CAP / 3 * 4 + 8)

struct har_lift {
	int on;                   /* scanning an entry: watch for the two strings */
	int found[2];             /* the value was seen in this entry */
	size_t open[2], close[2]; /* its opening quote, and just past its closing one */
	int streamed[2];          /* decoded while scanning and cut from the buffer */
	int have[2];              /* u[] holds the decoded value for the importer */
	struct junescape u[2];
	size_t hdr_cut[2];        /* headers past HEADER_COUNT_CAP cut from the buffer */
	/* The headers arrays: when every element is a plain {"name": "...",
	 * "value": "..."} object, they are read here and jansson gets "[]". */
	int hfound[2];            /* request/response.headers was seen */
	size_t hopen[2], hclose[2]; /* its '[', and just past its ']' */
	int hhave[2];             /* hdrs[] holds the headers for the importer */
	struct hdr_list hdrs[2];
};

/* Take the lifted headers of side (LIFT_REQ, LIFT_RESP) into l, in order;
 * sets *cred as har_headers does.  0 when none were lifted. */
int har_lift_headers(struct har_lift *lift, int side, struct hdr_list *l, int *cred);

/* State shared by the streaming and the whole-document paths. */
struct har_ctx {
	const struct import_opts *opts;
	struct import_sink *sink;
	struct import_result *res;
	struct xbuild xb;      /* numbers, caps and emits the exchanges */
	long entries;          /* entries read completely (kept or skipped) */
	char *creator;         /* "name version" of log.creator, or NULL */
	int chrome;            /* creator is Chrome / Edge DevTools */
	int any_chrome;        /* some log of this source came from Chrome */
	long requests;         /* exchanges with a request */
	int saw_credentials;   /* some Cookie / Authorization / Set-Cookie seen */
	int aborted;           /* the sink asked to stop */
	struct har_lift *lift; /* lifted strings of the current entry, or NULL */
	long media_kept;       /* media bodies kept base64-encoded (har_media) */
	unsigned long long media_bytes; /* their decoded size */
	long repaired;         /* bytes and escapes replaced with U+FFFD */
	long skipped;          /* entries skipped whole */
	long hdr_dropped;      /* headers past HEADER_COUNT_CAP, all entries */
	long bodies_cut;       /* bodies cut to BODY_CAP */
};

/* ---------------------------------------------------------------- import-har.c */

/* Start hc (and res) for a HAR read into sink: both paths begin here. */
void har_ctx_init(struct har_ctx *hc, const struct import_opts *opts, struct import_sink *sink,
		  struct import_result *res);
/* Convert one parsed entry and hand it to the sink.  Entries that are not
 * an object with a request are skipped with a note.  Returns 0, or -1
 * when the sink asked to stop. */
int har_entry(struct har_ctx *hc, json_t *e);
/* Remember log.creator (an object) and note the producer once. */
void har_creator(struct har_ctx *hc, json_t *creator, json_t *browser);
/* Notes that need every entry: Chrome's sanitized export. */
void har_finish(struct har_ctx *hc);
/* Import from a parsed document of any HAR shape; fills hc->res. */
int har_root(struct har_ctx *hc, json_t *root);

#endif
