/* test-store.c - the SQLite store: round trip, rollback, duplicates. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "store.h"
#include "tap.h"
#include "util.h"

static int count_rows(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int n = -1;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

struct seen {
	int n;
	struct exchange copy;
};

static int collect(void *ctx, long long ex_id, long long source_id, struct exchange *ex)
{
	struct seen *s = ctx;
	(void)ex_id;
	(void)source_id;
	s->n++;
	if (s->n == 1) {
		s->copy = *ex;
		exchange_init(ex); /* take ownership */
	}
	return 0;
}

int main(void)
{
	char err[256];
	struct store *st = store_open(NULL, err, sizeof(err));
	struct source_info si = {"a.har", "t-1", "har"};
	struct import_result res;
	struct exchange ex;
	long long id, id2;
	struct seen seen;

	ok(st != NULL, "open a temporary store");
	if (!st)
		return done_testing();

	memset(&res, 0, sizeof(res));
	ok(store_source_begin(st, &si, &id) == 0, "begin a source");
	exchange_init(&ex);
	exchange_set_url(&ex, "https://api.example.com/v1/x?q=1");
	exchange_set(&ex.method, "POST");
	ex.status = 403;
	hdr_list_adds(&ex.resp_headers, "X-Dup", "1");
	hdr_list_adds(&ex.resp_headers, "X-Dup", "2");
	body_set(&ex.resp_body, "{\"a\":\0}", 7);
	strlist_adds(&ex.transcript, "* Connected to api.example.com");
	ok(store_add_exchange(st, id, &ex, NULL) == 0, "add an exchange");
	exchange_release(&ex);
	exchange_init(&ex);
	ex.seq = 1;
	ex.status = STATUS_UNKNOWN;
	ok(store_add_exchange(st, id, &ex, NULL) == 0, "add an exchange with unknown status");
	exchange_release(&ex);
	res.status = IMPORT_OK;
	res.format = FMT_HAR;
	res.exchanges = 2;
	ok(store_source_end(st, id, &si, &res, "abc123", 42, 1) == 0, "commit the source");
	is_long(count_rows(st, "SELECT COUNT(*) FROM exchanges WHERE status IS NULL"), 1,
		"unknown status stored as NULL");
	ok(store_source_by_sha(st, "abc123") == id, "find a source by sha256");

	memset(&seen, 0, sizeof(seen));
	store_foreach_exchange(st, collect, &seen);
	is_long(seen.n, 2, "read both exchanges back");
	is_str(seen.copy.host, "api.example.com", "host read back");
	is_long(seen.copy.status, 403, "status read back");
	ok(seen.copy.resp_headers.n == 2 && strcmp(seen.copy.resp_headers.v[1].value, "2") == 0,
	   "duplicate headers read back in order");
	ok(seen.copy.resp_body.len == 7 && seen.copy.resp_body.data[5] == '\0',
	   "binary body read back byte for byte");
	ok(seen.copy.transcript.n == 1, "transcript read back");
	exchange_release(&seen.copy);

	/* A failing source leaves only its own row. */
	si.path = "b.har";
	ok(store_source_begin(st, &si, &id2) == 0, "begin a second source");
	exchange_init(&ex);
	store_add_exchange(st, id2, &ex, NULL);
	exchange_release(&ex);
	res.status = IMPORT_ERROR;
	snprintf(res.message, sizeof(res.message), "line 1, column 2: invalid JSON");
	ok(store_source_end(st, id2, &si, &res, "def", 3, 0) == 0, "roll back a broken source");
	is_long(count_rows(st, "SELECT COUNT(*) FROM exchanges"), 2, "no partial rows of the broken source");
	is_long(count_rows(st, "SELECT COUNT(*) FROM sources WHERE path = 'b.har' AND status = 'error' "
			       "AND error LIKE 'line 1, column 2%'"),
		1, "the broken source is recorded with its error");
	ok(store_add_redactions(st, id, "cookie", 2) == 0 && store_add_redactions(st, id, "cookie", 3) == 0,
	   "redaction counts accumulate");
	is_long(count_rows(st, "SELECT count FROM redactions WHERE kind = 'cookie'"), 5, "receipt sum");
	{
		/* More tickets than any capped list holds: every one is listed. */
		char name[32], **tickets;
		size_t n = 0;
		int bad = 0;
		res.status = IMPORT_OK;
		res.message[0] = '\0';
		for (int i = 0; i < 2500 && !bad; i++) {
			struct source_info ti = {"x.txt", name, "text"};
			snprintf(name, sizeof(name), "t%05d", i);
			bad = store_source_begin(st, &ti, &id2) < 0 ||
			      store_source_end(st, id2, &ti, &res, NULL, 0, 1) < 0;
		}
		tickets = report_tickets(st, &n, err, sizeof(err));
		ok(!bad && tickets != NULL, "2,500 tickets stored and listed");
		is_long((long)n, 2501, "every ticket is listed (2,500 and t-1)");
		report_tickets_free(tickets);
	}
	store_free(st);
	return done_testing();
}
