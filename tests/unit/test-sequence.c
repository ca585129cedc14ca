/* test-sequence.c - the pure parts of the sequence pass and of the issue
 * 14 importers: request keys, client-side blocks, path parameters, cookie
 * arrays, .bru recognition and request sizes. */
#include <config.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cookie-array.h"
#include "import-bruno.h"
#include "store-sequence.h"
#include "tap.h"
#include "util.h"
#include "xmeasure.h"

static const struct {
	const char *method, *url, *key;
} keys[] = {
	{"GET", "https://API.Example.com/v1/items?page=2&_=1763629201000", "GET https://api.example.com/v1/items?page=2"},
	{"get", "https://api.example.com/v1/items?_=1&page=2#top", "GET https://api.example.com/v1/items?page=2"},
	{"POST", "https://auth.example.com/cb?state=abc&code=xyz", "POST https://auth.example.com/cb"},
	{"GET", "https://s3.example.com/f?X-Amz-Signature=1&X-Amz-Date=2&v=3&id=7", "GET https://s3.example.com/f?id=7"},
	{"GET", "https://a.example/p?utm_source=x&q=hello", "GET https://a.example/p?q=hello"},
	{"GET", "https://a.example/p?access_token=t1", "GET https://a.example/p"},
	{"GET", "https://a.example/p?token=t2", "GET https://a.example/p"},
	{"GET", "/relative/path?x=1", "GET /relative/path?x=1"},
	{"GET", "https://a.example/generate_204?IBX6Pw", "GET https://a.example/generate_204?IBX6Pw"},
};

static void test_keys(void)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *k = sequence_request_key(keys[i].method, keys[i].url);
		is_str(k, keys[i].key, keys[i].url);
		free(k);
	}
	ok(sequence_request_key("GET", NULL) == NULL, "no url: no key");
}

static void test_blocks(void)
{
	ok(sequence_client_block("net::ERR_BLOCKED_BY_CLIENT"), "ERR_BLOCKED_BY_CLIENT is a client block");
	ok(sequence_client_block("net::ERR_BLOCKED_BY_ADMINISTRATOR"), "ERR_BLOCKED_BY_ADMINISTRATOR too");
	ok(sequence_client_block("NS_ERROR_TRACKING_URI"), "Firefox tracking protection too");
	ok(!sequence_client_block("net::ERR_BLOCKED_BY_RESPONSE"), "a response policy is not the client's");
	ok(!sequence_client_block("net::ERR_CONNECTION_REFUSED"), "a refused connection is not a block");
	ok(!sequence_client_block(NULL), "no error: no block");
}

static void test_path_params(void)
{
	struct sbuf b = SBUF_INIT;
	sbuf_adds(&b, "https://a.example/v1/:shop/orders/:id?x=:id");
	ok(url_fill_path_param(&b, "shop", "main"), "':shop' filled");
	ok(url_fill_path_param(&b, "id", "42"), "':id' filled");
	is_str(sbuf_str(&b), "https://a.example/v1/main/orders/42?x=:id", "segments only, not the query");
	ok(!url_fill_path_param(&b, "sho", "x"), "a prefix of a segment is not the segment");
	sbuf_release(&b);
}

static void test_cookies(void)
{
	struct hdr_list l = {0};
	json_t *req = json_loads("[{\"name\":\"a\",\"value\":\"1\"},{\"key\":\"b\",\"value\":2}]", 0, NULL);
	json_t *resp = json_loads("[{\"key\":\"sid\",\"value\":\"x\",\"path\":\"/\",\"domain\":\"d.example\","
				  "\"hostOnly\":true,\"expires\":\"Invalid Date\",\"httpOnly\":true}]",
				  0, NULL);
	is_long((long)cookie_array_headers(&l, req, 0), 2, "two request cookies taken");
	is_str(hdr_list_get(&l, "cookie"), "a=1; b=2", "one Cookie header, name or key");
	is_long((long)cookie_array_headers(&l, req, 0), 0, "a Cookie header already there: nothing added");
	is_long((long)cookie_array_headers(&l, resp, 1), 1, "one response cookie");
	is_str(hdr_list_get(&l, "set-cookie"), "sid=x; Path=/; HttpOnly",
	       "Set-Cookie without a host-only Domain or an invalid date");
	hdr_list_release(&l);
	json_decref(req);
	json_decref(resp);
}

static void test_bru(void)
{
	static const char req[] = "meta {\n  name: x\n  type: http\n}\n\nget {\n  url: https://a.example/\n}\n";
	static const char env[] = "vars {\n  baseUrl: http://localhost\n}\n";
	static const char prose[] = "Hello,\nmeta {\nget {\n";
	is_long(bru_looks_like(req, strlen(req)), BRU_REQUEST, ".bru request");
	is_long(bru_looks_like(env, strlen(env)), BRU_OTHER, ".bru environment");
	is_long(bru_looks_like(prose, strlen(prose)), 0, "prose that mentions blocks is not .bru");
}

static void test_sizes(void)
{
	struct exchange ex;
	memset(&ex, 0, sizeof(ex));
	hdr_list_adds(&ex.req_headers, ":authority", "a.example");
	hdr_list_adds(&ex.req_headers, "Accept", "*/*");
	hdr_list_adds(&ex.req_headers, "Cookie", "a=1");
	hdr_list_adds(&ex.req_headers, "cookie", "b=2");
	xmeasure_request(&ex);
	/* three 13-byte lines ("Accept: * / *", "Cookie: a=1", "cookie: b=2" with CRLF) */
	is_long(xmeasure_get(&ex, "requestHeaderBytes"), 39, "header bytes, pseudo-headers left out");
	is_long(xmeasure_get(&ex, "requestCookieBytes"), 8, "cookie bytes, joined with '; '");
	free(ex.extra);
	ex.extra = NULL;
	is_long(xmeasure_get(&ex, "requestCookieBytes"), 8, "not measured at import: the headers themselves");
	hdr_list_adds(&ex.req_headers, "Authorization", "Bearer sk-\xe2\x80\xa6[#3f9a1c]");
	is_long(xmeasure_get(&ex, "requestHeaderBytes"), -1, "redacted headers: unknown");
	exchange_release(&ex);
}

int main(void)
{
	test_keys();
	test_blocks();
	test_path_params();
	test_cookies();
	test_bru();
	test_sizes();
	return done_testing();
}
