/* test-exchange.c - URL splitting, version names, caps of the record. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "tap.h"
#include "util.h"

int main(void)
{
	struct exchange ex;
	char *v;
	exchange_init(&ex);

	exchange_set_url(&ex, "https://user:pw@AI-Gateway.Vercel.sh:8443/v1/chat?x=1&y=2#frag");
	is_str(ex.scheme, "https", "scheme");
	is_str(ex.host, "ai-gateway.vercel.sh", "host lowercased, userinfo dropped");
	is_long(ex.port, 8443, "explicit port");
	is_str(ex.path, "/v1/chat", "path");
	is_str(ex.query, "x=1&y=2", "query without fragment");

	exchange_set_url(&ex, "http://[::1]/");
	is_str(ex.host, "::1", "IPv6 host without brackets");
	is_long(ex.port, 80, "default http port");

	exchange_set_url(&ex, "https://example.com");
	is_str(ex.path, "/", "empty path becomes /");
	is_long(ex.port, 443, "default https port");
	ok(ex.query == NULL, "no query");

	exchange_release(&ex);
	exchange_set_url(&ex, "/v1/x?a=b");
	ok(ex.host == NULL && strcmp(ex.path, "/v1/x") == 0, "origin-form keeps host unknown");
	exchange_set(&ex.host, "api.example.com");
	ex.port = 8080;
	exchange_complete_url(&ex);
	is_str(ex.url, "https://api.example.com:8080/v1/x?a=b", "url rebuilt from host and port");

	v = http_version_normalize("http/2.0");
	is_str(v, "HTTP/2", "http/2.0");
	free(v);
	v = http_version_normalize("h3");
	is_str(v, "HTTP/3", "h3");
	free(v);
	v = http_version_normalize("1.1");
	is_str(v, "HTTP/1.1", "bare 1.1");
	free(v);
	v = http_version_normalize("me:");
	is_str(v, "me:", "garbage kept raw");
	free(v);
	ok(http_version_normalize("") == NULL, "empty is unknown");

	for (int i = 0; i < HEADER_COUNT_CAP + 5; i++)
		hdr_list_adds(&ex.resp_headers, "X-Dup", "v");
	is_long((long)ex.resp_headers.n, HEADER_COUNT_CAP, "header count capped");
	is_long((long)ex.resp_headers.dropped, 5, "dropped headers counted");
	hdr_list_adds(&ex.req_headers, "Set-Cookie", "a=1");
	hdr_list_adds(&ex.req_headers, "set-cookie", "b=2");
	is_str(hdr_list_get(&ex.req_headers, "SET-COOKIE"), "a=1", "first copy, case-insensitive");
	is_long((long)ex.req_headers.n, 2, "duplicates kept");

	{
		char *big = malloc(BODY_CAP + 10);
		memset(big, 'a', BODY_CAP + 10);
		body_set(&ex.resp_body, big, BODY_CAP + 10);
		ok(ex.resp_body.len == BODY_CAP && ex.resp_body.truncated, "body capped and marked");
		free(big);
	}
	exchange_release(&ex);
	ok(ex.status == STATUS_UNKNOWN && ex.url == NULL, "release resets the record");
	return done_testing();
}
