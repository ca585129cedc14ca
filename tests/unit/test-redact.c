/* test-redact.c - secrets planted everywhere must be gone after redaction,
 * diagnostic values must stay, fingerprints must be stable. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "redact.h"
#include "util.h"
#include "tap.h"

static const unsigned char KEY[] = "per-database-key-0123456789";

/* Canaries: every one is a secret planted somewhere below. */
#define C_BEARER "sk-proj-Q7fLm2Xp9RtV4wZk8NcB3yHd6JsA"
#define C_BASIC_PW "S3cretPassw0rd-xyzzy"
#define C_SID "s%3Aq9W2e8R7t6Y5u4I3o2P1a0S9d8F7"
#define C_CSRF "Zx8Cv7Bn6Mq5Wl4Ek3Rj2Th1Yg0Uf9Id"
#define C_SETCOOKIE "v2.Hk4Jm6Lp8Nr0Qt2Sv4Ux6Wz8Yb0Dc"
#define C_XAPIKEY "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
#define C_APIM "f0e9d8c7b6a5948372615049382716a5"
#define C_AMZTOKEN "IQoJb3JpZ2luX2VjEHAaCXVzLWVhc3QtMSJHMEUCIQD"
#define C_GOOG "AIzaSyD3fG5hJ7kL9mN1pQ3rS5tU7vW9xY1zA3b"
#define C_URLPW "hunter2-Pw9Lk8Jh7Gf6"
#define C_ACCESS "ya29.a0AfH6SMBx4Kp2Lq9Rz7Ws3Vt1Yu8Io"
#define C_AMZSIG "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
#define C_PASSWORD "Tr0ub4dor&3-correct-horse"
#define C_CLIENTSECRET "cs_Xy7Wv6Ut5Sr4Qp3On2Ml1Kj0Ih9"
#define C_REFRESH "rt_1Aa2Bb3Cc4Dd5Ee6Ff7Gg8Hh9Ii0"
#define C_TRUNC "trunc8Jd7Hs6Gf5Ka4Lq3Pw2Oe1Ir0Ut"
#define C_FORMSECRET "fs_Pq9Or8Ns7Mt6Lu5Kv4Jw3Ix2Hy1"
#define C_CODE "SplxlOBeZQQYbYS6WxSbIA-4f6d"
#define C_GHP "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
#define C_AWSSECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define C_AKIA "AKIAIOSFODNN7EXAMPLE"
#define C_XOXB "xoxb-2048-4096-Ab1Cd2Ef3Gh4Ij5Kl6"
#define C_ERRBEARER "kT9mZ4qW7eR2tY5uI8oP1aS3dF6gH0jL"
#define C_JSONAUTH "a1s2d3f4g5h6j7k8l9z0x1c2v3b4n5m6"
#define C_ANT "sk-ant-api03-Rf4Tg5Yh6Uj7Ik8Ol9Pz0Xc1Vb2Nm3"
#define C_JWT_SUB "user-8c1f2e3d4b5a69788796a5b4"
#define C_JWT_SIG "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

static const char *const canaries[] = {
	C_BEARER, C_BASIC_PW, C_SID, C_CSRF, C_SETCOOKIE, C_XAPIKEY, C_APIM, C_AMZTOKEN,
	C_GOOG, C_URLPW, C_ACCESS, C_AMZSIG, C_PASSWORD, C_CLIENTSECRET, C_REFRESH, C_TRUNC,
	C_FORMSECRET, C_CODE, C_GHP, C_AWSSECRET, C_AKIA, C_XOXB, C_ERRBEARER, C_JSONAUTH,
	C_ANT, C_JWT_SUB, C_JWT_SIG, "carol.q.zimmer@acme-mail.test", NULL
};

/* base64url without padding. */
static char *b64url(const char *s)
{
	char *b = base64_encode((const unsigned char *)s, strlen(s));
	size_t j = 0;

	for (size_t i = 0; b[i]; i++) {
		if (b[i] == '=')
			continue;
		b[j++] = b[i] == '+' ? '-' : b[i] == '/' ? '_' : b[i];
	}
	b[j] = '\0';
	return b;
}

static char *make_jwt(const char *header, const char *claims, const char *sig)
{
	char *h = b64url(header), *c = b64url(claims);
	char *jwt = xasprintf("%s.%s.%s", h, c, sig);
	free(h);
	free(c);
	return jwt;
}

/* Every string of an exchange, for the leak check. */
static void collect(const struct exchange *ex, const char **v, size_t *n)
{
	*n = 0;
#define ADD(s) do { if (s) v[(*n)++] = (s); } while (0)
	ADD(ex->url); ADD(ex->path); ADD(ex->query); ADD(ex->name); ADD(ex->error);
	ADD(ex->status_text); ADD(ex->status_source); ADD(ex->extra); ADD(ex->method);
	ADD(ex->host); ADD(ex->scheme);
	ADD(ex->req_body.data); ADD(ex->resp_body.data);
	for (size_t i = 0; i < ex->req_headers.n; i++) {
		ADD(ex->req_headers.v[i].name);
		ADD(ex->req_headers.v[i].value);
	}
	for (size_t i = 0; i < ex->resp_headers.n; i++) {
		ADD(ex->resp_headers.v[i].name);
		ADD(ex->resp_headers.v[i].value);
	}
	for (size_t i = 0; i < ex->transcript.n; i++)
		ADD(ex->transcript.v[i]);
#undef ADD
}

/* The first field holding any 10-character piece of canary, or NULL. */
static const char *leak(const struct exchange *ex, const char *canary)
{
	const char *v[4096];
	size_t n, cl = strlen(canary);

	collect(ex, v, &n);
	for (size_t k = 0; k < n; k++)
		for (size_t off = 0; off + 10 <= cl; off++) {
			char piece[11];
			memcpy(piece, canary + off, 10);
			piece[10] = '\0';
			if (strstr(v[k], piece))
				return v[k];
		}
	return NULL;
}

static void check_no_leaks(const struct exchange *ex, const char *what)
{
	for (size_t i = 0; canaries[i]; i++) {
		const char *where = leak(ex, canaries[i]);
		ok(where == NULL, "%s: no piece of canary %zu left", what, i);
		if (where)
			diag("found in: %s", where);
	}
}

static const char *hdr(const struct hdr_list *l, const char *name)
{
	const char *v = hdr_list_get(l, name);
	return v ? v : "(missing)";
}

/* The fingerprint text "[#xxxxxx]" of a secret under KEY. */
static const char *fp_of(const struct redactor *r, const char *secret)
{
	static char buf[4][10];
	static int k;
	k = (k + 1) % 4;
	redactor_fingerprint(r, secret, strlen(secret), buf[k]);
	return buf[k];
}

static int contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

static void test_everything(void)
{
	struct redactor *r = redactor_new(KEY, sizeof KEY - 1);
	struct exchange ex;
	char *basic_b64 = base64_encode((const unsigned char *)"alice:" C_BASIC_PW,
					strlen("alice:" C_BASIC_PW));
	char *basic = xasprintf("Basic %s", basic_b64);
	char *jwt = make_jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
			     "{\"iss\":\"https://login.example.com/\",\"aud\":\"api\","
			     "\"sub\":\"" C_JWT_SUB "\",\"email\":\"carol.q.zimmer@acme-mail.test\","
			     "\"name\":\"Carol Jones\",\"exp\":1714557600,\"iat\":1714554000,"
			     "\"scope\":\"read write\"}",
			     C_JWT_SIG);
	char *body, *resp;
	char *want;
	int hits;

	exchange_init(&ex);
	exchange_set(&ex.started_at, "2024-05-02T00:00:00.000Z");
	exchange_set(&ex.method, "POST");
	exchange_set_url(&ex, "https://bob:" C_URLPW "@api.example.com/v1/items?access_token="
			 C_ACCESS "&page=2&X-Amz-Signature=" C_AMZSIG "#frag");
	hdr_list_adds(&ex.req_headers, "Authorization", "Bearer " C_BEARER);
	hdr_list_adds(&ex.req_headers, "Proxy-Authorization", basic);
	hdr_list_adds(&ex.req_headers, "Cookie", "sid=" C_SID "; csrftoken=" C_CSRF "; lang=en");
	hdr_list_adds(&ex.req_headers, "x-api-key", C_XAPIKEY);
	hdr_list_adds(&ex.req_headers, "Ocp-Apim-Subscription-Key", C_APIM);
	hdr_list_adds(&ex.req_headers, "X-Amz-Security-Token", C_AMZTOKEN);
	hdr_list_adds(&ex.req_headers, "x-goog-api-key", C_GOOG);
	hdr_list_adds(&ex.req_headers, "X-Request-Id", "req_8f7e6d5c4b3a2910");
	hdr_list_adds(&ex.req_headers, "Referer", "https://app.example.com/cb?code=" C_CODE "&state=xyz");
	hdr_list_adds(&ex.req_headers, "Content-Type", "application/json");
	hdr_list_adds(&ex.resp_headers, "Set-Cookie",
		      "__Host-session=" C_SETCOOKIE "; Path=/; Secure; HttpOnly; SameSite=Lax");
	hdr_list_adds(&ex.resp_headers, "x-vercel-id", "sin1::fra1::mr2nm-1773654078302-80a62b52517d");
	hdr_list_adds(&ex.resp_headers, "cf-ray", "8a1b2c3d4e5f6a7b-SJC");
	hdr_list_adds(&ex.resp_headers, "WWW-Authenticate",
		      "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The access token expired\"");
	hdr_list_adds(&ex.resp_headers, "x-ratelimit-remaining-tokens", "39000");
	hdr_list_adds(&ex.resp_headers, "anthropic-ratelimit-tokens-reset", "2024-05-01T10:00:00Z");
	hdr_list_adds(&ex.resp_headers, "Access-Control-Allow-Headers", "authorization, x-api-key");
	hdr_list_adds(&ex.resp_headers, "Content-Security-Policy", "default-src 'self'");
	hdr_list_adds(&ex.resp_headers, "Strict-Transport-Security", "max-age=31536000");
	hdr_list_adds(&ex.resp_headers, "Cache-Control", "no-store");
	hdr_list_adds(&ex.resp_headers, "x-auth-error", "invalid_api_key_format_for_project_1234");

	body = xasprintf("{\"username\":\"bob\",\"password\":\"" C_PASSWORD "\","
			 "\"client_secret\" : \"" C_CLIENTSECRET "\",\"nested\":{\"refresh_token\":\""
			 C_REFRESH "\"},\"max_tokens\":100,\"note\":\"keep me\","
			 "\"headers\":\"{\\\"Authorization\\\":\\\"Token " C_JSONAUTH "\\\"}\"}");
	body_set(&ex.req_body, body, strlen(body));
	exchange_set(&ex.req_body.mime, "application/json");
	/* A response cut in the middle of a secret. */
	resp = xasprintf("{\"token_type\":\"Bearer\",\"id_token\":\"%s\",\"expires_in\":3600,"
			 "\"api_key\":\"" C_TRUNC, jwt);
	body_set(&ex.resp_body, resp, strlen(resp));
	ex.resp_body.truncated = 1;

	strlist_adds(&ex.transcript, "* Using token " C_GHP " from the environment");
	strlist_adds(&ex.transcript, "> Authorization: Basic dXNlcjpTM2NyZXRQYXNzdzByZC14eXp6eQ==");
	strlist_adds(&ex.transcript, "* aws_secret_access_key = " C_AWSSECRET);
	strlist_adds(&ex.transcript, "* AWS_ACCESS_KEY_ID=" C_AKIA);
	strlist_adds(&ex.transcript, "* slack " C_XOXB " and anthropic " C_ANT);
	exchange_set(&ex.error, "request failed: Bearer " C_ERRBEARER " rejected");
	exchange_set(&ex.name, "Get items (task-1234567890abcdefghijklmnop)");

	hits = redact_exchange(r, &ex);
	ok(hits > 0, "redact_exchange reports replacements (%d)", hits);
	check_no_leaks(&ex, "everything");

	/* Diagnostic values untouched. */
	is_str(hdr(&ex.req_headers, "X-Request-Id"), "req_8f7e6d5c4b3a2910", "x-request-id kept");
	is_str(hdr(&ex.resp_headers, "x-vercel-id"), "sin1::fra1::mr2nm-1773654078302-80a62b52517d",
	       "x-vercel-id kept");
	is_str(hdr(&ex.resp_headers, "cf-ray"), "8a1b2c3d4e5f6a7b-SJC", "cf-ray kept");
	is_str(hdr(&ex.resp_headers, "WWW-Authenticate"),
	       "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The access token expired\"",
	       "www-authenticate kept");
	is_str(hdr(&ex.resp_headers, "x-ratelimit-remaining-tokens"), "39000", "rate-limit tokens kept");
	is_str(hdr(&ex.resp_headers, "anthropic-ratelimit-tokens-reset"), "2024-05-01T10:00:00Z",
	       "anthropic rate-limit kept");
	is_str(hdr(&ex.resp_headers, "Access-Control-Allow-Headers"), "authorization, x-api-key",
	       "access-control-allow-headers kept");
	is_str(hdr(&ex.resp_headers, "Content-Security-Policy"), "default-src 'self'", "csp kept");
	is_str(hdr(&ex.resp_headers, "Strict-Transport-Security"), "max-age=31536000", "hsts kept");
	is_str(hdr(&ex.resp_headers, "Cache-Control"), "no-store", "cache-control kept");
	is_str(hdr(&ex.resp_headers, "x-auth-error"), "invalid_api_key_format_for_project_1234",
	       "x-auth-error kept");
	is_str(hdr(&ex.req_headers, "Content-Type"), "application/json", "content-type kept");
	is_str(ex.name, "Get items (task-1234567890abcdefghijklmnop)", "no sk- match inside a word");
	is_str(ex.host, "api.example.com", "host kept");
	is_str(ex.method, "POST", "method kept");

	/* The shapes of the replacements. */
	want = xasprintf("Bearer sk-proj-" "\xe2\x80\xa6" "%s", fp_of(r, C_BEARER));
	is_str(hdr(&ex.req_headers, "Authorization"), want, "bearer keeps scheme, type prefix, fingerprint");
	free(want);
	want = xasprintf("Basic \xe2\x80\xa6%s", fp_of(r, basic_b64));
	is_str(hdr(&ex.req_headers, "Proxy-Authorization"), want, "basic credentials replaced");
	free(want);
	want = xasprintf("sid=\xe2\x80\xa6%s; csrftoken=\xe2\x80\xa6%s; lang=\xe2\x80\xa6%s",
			 fp_of(r, C_SID), fp_of(r, C_CSRF), fp_of(r, "en"));
	is_str(hdr(&ex.req_headers, "Cookie"), want, "cookie names kept, every value replaced");
	free(want);
	want = xasprintf("__Host-session=\xe2\x80\xa6%s; Path=/; Secure; HttpOnly; SameSite=Lax",
			 fp_of(r, C_SETCOOKIE));
	is_str(hdr(&ex.resp_headers, "Set-Cookie"), want, "set-cookie keeps name and attributes");
	free(want);
	want = xasprintf("AIza\xe2\x80\xa6%s", fp_of(r, C_GOOG));
	is_str(hdr(&ex.req_headers, "x-goog-api-key"), want, "google key keeps AIza only");
	free(want);
	want = xasprintf("https://\xe2\x80\xa6%s@api.example.com/v1/items?access_token=ya29.\xe2\x80\xa6%s"
			 "&page=2&X-Amz-Signature=\xe2\x80\xa6%s#frag",
			 fp_of(r, "bob:" C_URLPW), fp_of(r, C_ACCESS), fp_of(r, C_AMZSIG));
	is_str(ex.url, want, "url: credentials and token parameters replaced");
	free(want);
	is_str(ex.path, "/v1/items", "path kept");
	want = xasprintf("access_token=ya29.\xe2\x80\xa6%s&page=2&X-Amz-Signature=\xe2\x80\xa6%s",
			 fp_of(r, C_ACCESS), fp_of(r, C_AMZSIG));
	is_str(ex.query, want, "query redacted like the url");
	ok(contains(ex.url, ex.query), "url holds the redacted query");
	free(want);
	ok(contains(ex.req_body.data, "\"username\":\"bob\""), "json: username kept");
	ok(contains(ex.req_body.data, "\"max_tokens\":100"), "json: max_tokens kept");
	ok(contains(ex.req_body.data, "\"note\":\"keep me\""), "json: other fields kept");
	want = xasprintf("\"client_secret\" : \"\xe2\x80\xa6%s\"", fp_of(r, C_CLIENTSECRET));
	ok(contains(ex.req_body.data, want), "json: client_secret replaced in place");
	free(want);
	want = xasprintf("\\\"Authorization\\\":\\\"Token \xe2\x80\xa6%s\\\"", fp_of(r, C_JSONAUTH));
	ok(contains(ex.req_body.data, want), "json: escaped Authorization inside a string");
	free(want);
	want = xasprintf("\"id_token\":\"JWT{alg:RS256,iss:https://login.example.com/,aud:api,"
			 "exp:2024-05-01T10:00:00Z(expired at capture),iat:2024-05-01T09:00:00Z,"
			 "scope:read+write}%s\"", fp_of(r, jwt));
	ok(contains(ex.resp_body.data, want), "jwt: diagnostic claims readable, expired at capture");
	if (!contains(ex.resp_body.data, want))
		diag("got %s", ex.resp_body.data);
	free(want);
	ok(!contains(ex.resp_body.data, "Carol"), "jwt: name claim dropped");
	ok(contains(ex.resp_body.data, "\"expires_in\":3600"), "json: expires_in kept");
	want = xasprintf("\"api_key\":\"\xe2\x80\xa6%s", fp_of(r, C_TRUNC));
	ok(contains(ex.resp_body.data, want), "json: secret cut by truncation still replaced");
	free(want);
	ok(ex.resp_body.len == strlen(ex.resp_body.data), "body length follows the new text");
	want = xasprintf("* Using token ghp_\xe2\x80\xa6%s from the environment", fp_of(r, C_GHP));
	is_str(ex.transcript.v[0], want, "transcript: github token");
	free(want);
	want = xasprintf("request failed: Bearer \xe2\x80\xa6%s rejected", fp_of(r, C_ERRBEARER));
	is_str(ex.error, want, "error text: bearer token");
	free(want);

	/* Counts per kind. */
	is_long(redactor_count(r, REDACT_AUTHORIZATION), 4,
		"count authorization (2 headers, 1 escaped json, 1 transcript line)");
	is_long(redactor_count(r, REDACT_COOKIE), 3, "count cookie values");
	is_long(redactor_count(r, REDACT_SET_COOKIE), 1, "count set-cookie");
	is_long(redactor_count(r, REDACT_API_KEY_HEADER), 4, "count api-key headers");
	is_long(redactor_count(r, REDACT_QUERY_PARAM), 3, "count query params (url 2 + referer 1)");
	is_long(redactor_count(r, REDACT_FORM_FIELD), 0, "count form fields");
	is_long(redactor_count(r, REDACT_JSON_FIELD), 5, "count json fields (3 request, 2 response)");
	is_long(redactor_count(r, REDACT_URL_CREDENTIALS), 1, "count url credentials");
	is_long(redactor_count(r, REDACT_TOKEN_IN_TEXT), 6, "count tokens in text");
	is_long(redactor_count(r, REDACT_JWT), 0, "count bare jwts");
	{
		long sum = 0;
		for (int k = 0; k < REDACT_KIND_COUNT; k++)
			sum += redactor_count(r, (enum redact_kind)k);
		is_long(sum, hits, "return value is the sum of the counts");
	}
	for (int k = 0; k < REDACT_KIND_COUNT; k++)
		diag("%s %ld", redact_kind_name((enum redact_kind)k), redactor_count(r, (enum redact_kind)k));

	/* Idempotent: a second pass finds nothing. */
	redactor_reset_counts(r);
	is_long(redact_exchange(r, &ex), 0, "second pass finds nothing more");

	is_long(redactor_count(r, REDACT_COOKIE), 0, "counts were reset");

	exchange_release(&ex);
	free(body);
	free(resp);
	free(basic);
	free(basic_b64);
	free(jwt);
	redactor_free(r);
}

static void test_form_and_text(void)
{
	struct redactor *r = redactor_new(KEY, sizeof KEY - 1);
	struct redactor *r2 = redactor_new((const unsigned char *)"other", 5);
	struct exchange ex;
	const char *form = "grant_type=client_credentials&client_id=app-42&client_secret=" C_FORMSECRET
			   "&code=" C_CODE;
	char *t, *want;
	char *jwt = make_jwt("{\"alg\":\"HS256\"}",
			     "{\"iss\":\"x\",\"exp\":4102444800,\"nbf\":4102444000,\"email\":\"carol.q.zimmer@acme-mail.test\"}",
			     C_JWT_SIG);
	char a[10], b[10], c[10];

	exchange_init(&ex);
	exchange_set_url(&ex, "https://auth.example.com/oauth/token");
	body_set(&ex.req_body, form, strlen(form));
	redact_exchange(r, &ex);
	check_no_leaks(&ex, "form body");
	ok(contains(ex.req_body.data, "grant_type=client_credentials&client_id=app-42&client_secret="),
	   "form: other fields kept");
	is_long(redactor_count(r, REDACT_FORM_FIELD), 2, "form: two fields counted");
	exchange_release(&ex);

	/* A JWT as bearer token, still valid at capture time. */
	exchange_init(&ex);
	exchange_set(&ex.started_at, "2024-05-01T09:30:00+02:00");
	t = xasprintf("Bearer %s", jwt);
	hdr_list_adds(&ex.req_headers, "Authorization", t);
	free(t);
	redact_exchange(r, &ex);
	want = xasprintf("Bearer JWT{alg:HS256,iss:x,exp:2100-01-01T00:00:00Z,nbf:2099-12-31T23:46:40Z"
			 "(not yet valid at capture)}%s", fp_of(r, jwt));
	is_str(hdr(&ex.req_headers, "Authorization"), want, "bearer jwt summarised in the header");
	free(want);
	check_no_leaks(&ex, "bearer jwt");
	exchange_release(&ex);
	redactor_reset_counts(r);

	/* Fingerprints: stable under one key, different under another. */
	redactor_fingerprint(r, C_BEARER, strlen(C_BEARER), a);
	redactor_fingerprint(r, C_BEARER, strlen(C_BEARER), b);
	redactor_fingerprint(r2, C_BEARER, strlen(C_BEARER), c);
	is_str(a, b, "fingerprint stable");
	ok(strcmp(a, c) != 0, "fingerprint depends on the key");
	t = redact_text(r, "curl -H 'Authorization: Bearer " C_BEARER "' https://x",
		       strlen("curl -H 'Authorization: Bearer " C_BEARER "' https://x"));
	ok(contains(t, a), "same secret, same fingerprint in text (%s)", t);
	ok(contains(t, "curl -H 'Authorization: Bearer sk-proj-"), "curl -H header kept readable");
	free(t);

	/* A JWT in prose, not yet valid, no capture time. */
	t = xasprintf("token %s here", jwt);
	{
		char *out = redact_text(r, t, strlen(t));
		want = xasprintf("token JWT{alg:HS256,iss:x,exp:2100-01-01T00:00:00Z,nbf:2099-12-31T23:46:40Z}%s here",
				 fp_of(r, jwt));
		is_str(out, want, "jwt in text summarised");
		is_long(redactor_count(r, REDACT_JWT), 1, "bare jwt counted as jwt");
		free(want);
		free(out);
	}
	free(t);
	/* Parameter schemes keep names and the values that help diagnosis. */
	{
		const char *in = "Authorization: AWS4-HMAC-SHA256 Credential=" C_AKIA
				 "/20240501/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, "
				 "Signature=" C_AMZSIG;
		char *out = redact_text(r, in, strlen(in));
		want = xasprintf("Authorization: AWS4-HMAC-SHA256 Credential=AKIA\xe2\x80\xa6%s"
				 "/20240501/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, "
				 "Signature=\xe2\x80\xa6%s", fp_of(r, C_AKIA), fp_of(r, C_AMZSIG));
		is_str(out, want, "aws4: credential scope and signed headers kept");
		free(want);
		free(out);
		in = "Authorization: Digest username=\"bob\", realm=\"api\", uri=\"/x\", "
		     "response=\"" C_AMZSIG "\"";
		out = redact_text(r, in, strlen(in));
		want = xasprintf("Authorization: Digest username=\"\xe2\x80\xa6%s\", realm=\"api\", "
				 "uri=\"/x\", response=\"\xe2\x80\xa6%s\"", fp_of(r, "bob"), fp_of(r, C_AMZSIG));
		is_str(out, want, "digest: realm and uri kept, response replaced");
		free(want);
		free(out);
	}
	/* Several cookies joined by commas; the comma of Expires is no joint. */
	{
		const char *in = "set-cookie: a=" C_SID "; Expires=Fri, 07 Sep 2029 17:30:05 GMT; Path=/, b="
				 C_CSRF "; Secure";
		char *out = redact_text(r, in, strlen(in));
		want = xasprintf("set-cookie: a=\xe2\x80\xa6%s; Expires=Fri, 07 Sep 2029 17:30:05 GMT; "
				 "Path=/, b=\xe2\x80\xa6%s; Secure", fp_of(r, C_SID), fp_of(r, C_CSRF));
		is_str(out, want, "set-cookie: every joined cookie replaced, attributes kept");
		free(want);
		free(out);
	}
	/* Things that must not be taken for secrets. */
	{
		static const char *const keep[] = {
			"Bearer token is invalid",
			"Bearer error=\"invalid_token\"",
			"Authorization: Bearer undefined",
			"Authorization: Bearer {{apiKey}}",
			"x-api-key: <YOUR_API_KEY>",
			"the monkey: banana",
			"max_tokens=4096&temperature=0.2",
			"{\"next_page_token\": \"abc123\", \"tokens\": 12}",
			"see https://docs.example.com/a?b=c",
			"task-abcdefghijklmnopqrstuvwxyz0123",
			"x-amzn-RequestId: 4e7d1f0a-0000-4c3b-9f1e-5a6b7c8d9e0f",
			"cf-ray: 8a1b2c3d4e5f6a7b-SJC",
			"\"name\": \"Auth: Digest\"",
			NULL
		};
		for (size_t i = 0; keep[i]; i++) {
			char *out = redact_text(r, keep[i], strlen(keep[i]));
			is_str(out, keep[i], keep[i]);
			free(out);
		}
	}
	/* Free-text shapes. */
	{
		static const char *const gone[] = {
			"key=" C_AKIA " and " C_ANT,
			"export OPENAI_API_KEY=" C_BEARER,
			"password: " C_PASSWORD,
			"postgres://admin:" C_URLPW "@db.internal:5432/app",
			"{\"apiKey\": \"" C_XAPIKEY "\"}",
			"client_secret=" C_CLIENTSECRET,
			"Cookie: a=" C_SID,
			NULL
		};
		for (size_t i = 0; gone[i]; i++) {
			char *out = redact_text(r, gone[i], strlen(gone[i]));
			int clean = 1;
			for (size_t k = 0; canaries[k]; k++)
				for (size_t off = 0; off + 10 <= strlen(canaries[k]); off++)
					if (memmem(out, strlen(out), canaries[k] + off, 10))
						clean = 0;
			ok(clean && contains(out, "[#"), "text redacted: %s", out);
			free(out);
		}
	}
	free(jwt);
	redactor_free(r);
	redactor_free(r2);
}

/* No 10-character piece of any canary in out. */
static int clean_of_canaries(const char *out)
{
	for (size_t k = 0; canaries[k]; k++)
		for (size_t off = 0; off + 10 <= strlen(canaries[k]); off++)
			if (memmem(out, strlen(out), canaries[k] + off, 10))
				return 0;
	return 1;
}

/* Leaks the canary test t0602 found: JSON fields named like query
 * parameters, curl's HTTP/2 "[name: value]" lines, Basic credentials in
 * text; and the auth type kept in extra. */
static void test_canary_findings(void)
{
	struct redactor *r = redactor_new(KEY, sizeof KEY - 1);
	struct exchange ex;
	const char *body = "{\"error\":{\"code\":\"invalid_grant\",\"key\":\"expired\"},"
			   "\"code\":\"" C_CODE "\",\"key\":\"" C_XAPIKEY "\",\"sig\":\"" C_AMZSIG "\","
			   "\"SAMLResponse\":\"" C_REFRESH "\"}";
	char *basic = base64_encode((const unsigned char *)"bob:" C_BASIC_PW, strlen("bob:" C_BASIC_PW));
	char *t, *out, *want;

	exchange_init(&ex);
	body_set(&ex.resp_body, body, strlen(body));
	ex.resp_body.mime = xstrdup("application/json");
	redact_exchange(r, &ex);
	ok(clean_of_canaries(ex.resp_body.data), "json code/key/sig/SAMLResponse fields redacted: %s",
	   ex.resp_body.data);
	ok(contains(ex.resp_body.data, "{\"error\":{\"code\":\"invalid_grant\",\"key\":\"expired\"}"),
	   "json error codes stay");
	is_long(redactor_count(r, REDACT_JSON_FIELD), 4, "four json fields counted");
	exchange_release(&ex);
	redactor_reset_counts(r);

	t = xasprintf("* [HTTP/2] [1] [cookie: sid=%s; csrf=" C_CSRF "]\n"
		      "* [HTTP/2] [1] [proxy-authorization: Basic %s]\n"
		      "* [HTTP/2] [1] [x-api-key: " C_XAPIKEY "]\n"
		      "* [HTTP/2] [1] [:path: /v1?client_secret=" C_CLIENTSECRET "]\n"
		      "* [HTTP/2] [1] [user-agent: curl/8.5.0]", C_SID, basic);
	out = redact_text(r, t, strlen(t));
	ok(clean_of_canaries(out) && !contains(out, basic), "curl HTTP/2 header lines redacted: %s", out);
	{
		char *a = xstrdup(fp_of(r, C_SID));
		want = xasprintf("* [HTTP/2] [1] [cookie: sid=\xe2\x80\xa6%s; csrf=\xe2\x80\xa6%s]", a,
				 fp_of(r, C_CSRF));
		free(a);
	}
	ok(contains(out, want), "bracketed cookie keeps names and the closing bracket");
	free(want);
	ok(contains(out, "[user-agent: curl/8.5.0]"), "other bracketed headers stay");
	free(out);
	free(t);

	t = xasprintf("we sent Basic %s and got 401; Basic auth is enabled, basic YWJj", basic);
	out = redact_text(r, t, strlen(t));
	want = xasprintf("we sent Basic \xe2\x80\xa6%s and got 401; Basic auth is enabled, basic YWJj",
			 fp_of(r, basic));
	is_str(out, want, "Basic credentials in prose replaced, other uses of the word kept");
	free(want);
	free(out);
	free(t);

	/* Postman and Insomnia importers keep the auth type in extra. */
	exchange_init(&ex);
	exchange_set(&ex.extra, "{\"auth\":\"basic\",\"url_template\":\"{{baseUrl}}/x\"}");
	redact_exchange(r, &ex);
	is_str(ex.extra, "{\"auth\":\"basic\",\"url_template\":\"{{baseUrl}}/x\"}", "auth type kept in extra");
	exchange_release(&ex);
	t = xstrdup("{\"auth\":\"" C_JSONAUTH "\"}");
	out = redact_text(r, t, strlen(t));
	ok(clean_of_canaries(out), "an auth field holding a token is still redacted: %s", out);
	free(out);
	free(t);
	free(basic);
	redactor_free(r);
}

/* The never-redact list: evidence that helps diagnosis stays readable. */
static const char *const never_headers[][2] = {
	{ "x-request-id", "req_8f7e6d5c4b3a2910Zq" },
	{ "x-github-request-id", "C0DE:1A2B:3C4D5E:6F7081:65F5A1B2" },
	{ "x-amzn-trace-id", "Root=1-65f5a1b2-3c4d5e6f708192a3b4c5d6e7" },
	{ "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
	{ "cf-ray", "8a1b2c3d4e5f6a7b-SJC" },
	{ "x-oauth-scopes", "repo, read:org" },
	{ "x-accepted-oauth-scopes", "admin:org, write:org" },
	{ "x-ms-keyvault-network-info", "conn_type=Ipv4;addr=203.0.113.9;act_addr_fam=InterNetwork;" },
	{ "x-cache-key", "/api.example.com/v1/accounts/acct9" },
	{ "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==" },
	{ "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" },
	{ "x-ratelimit-remaining-tokens", "39000" },
	{ "x-amz-server-side-encryption-aws-kms-key-id",
	  "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
	{ "x-api-key-expires", "2026-04-01T00:00:00Z" },
	{ "x-token-type", "Bearer" },
	{ ":authority", "ai-gateway.vercel.sh" },
	{ "Postman-Token", "7b7b2d7e-3f0c-4b5e-9c39-5d8f3f5f0a11" },
	{ "WWW-Authenticate", "Bearer error=\"invalid_token\"" },
};

static const char *const never_text[] = {
	"{\"error\":{\"code\":\"TOKEN_EXPIRED_2024_01\"}}",
	"{\"code\":\"InvalidClientTokenId\"}",
	"<Error><Code>InvalidClientTokenId</Code><RequestId>4e7d1f0a-0000-4c3b-9f1e-5a6b7c8d9e0f</RequestId></Error>",
	"{\"KeyId\":\"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\"}",
	"{\"key_id\":\"kid-2024-rotation-01\",\"token_type\":\"Bearer\",\"expires_in\":3600}",
	"{\"error_code\":\"AUTH_TOKEN_INVALID_4011\",\"max_tokens\":4096,\"next_page_token\":\"npt-cursor-0042\"}",
	"GET /v1/accounts/acct9/sessions?page_size=20&sort_key=created HTTP/1.1",
	"the token expired yesterday, the password reset link works",
	"x-oauth-scopes: repo, read:org",
};

/* Names the word parts say hold a secret, whatever else they hold. */
static const char *const always_headers[] = {
	"X-Access-Code", "X-Passcode", "X-Api-Key-Status-Token", "X-Tenant-Secret", "X-Pin",
	"X-OTP", "X-Session-Id", "X-Auth-Key", "apikey", "X-Private-Key", "X-Signature",
	"X-Credential", "X-Sid", NULL
};

static void test_layers(void)
{
	struct redactor *r = redactor_new(KEY, sizeof KEY - 1);
	struct exchange ex;
	char *out;

	exchange_init(&ex);
	for (size_t i = 0; i < sizeof never_headers / sizeof never_headers[0]; i++)
		hdr_list_adds(&ex.resp_headers, never_headers[i][0], never_headers[i][1]);
	for (size_t i = 0; always_headers[i]; i++)
		hdr_list_adds(&ex.req_headers, always_headers[i], "482913");
	redact_exchange(r, &ex);
	for (size_t i = 0; i < sizeof never_headers / sizeof never_headers[0]; i++)
		ok(strcmp(hdr(&ex.resp_headers, never_headers[i][0]), never_headers[i][1]) == 0,
		   "never redacted: %s: %s", never_headers[i][0], hdr(&ex.resp_headers, never_headers[i][0]));
	for (size_t i = 0; always_headers[i]; i++)
		ok(!contains(hdr(&ex.req_headers, always_headers[i]), "482913"),
		   "a numeric value under %s is a secret", always_headers[i]);
	exchange_release(&ex);
	for (size_t i = 0; i < sizeof never_text / sizeof never_text[0]; i++) {
		out = redact_text(r, never_text[i], strlen(never_text[i]));
		ok(strcmp(out, never_text[i]) == 0, "never redacted: %s", out);
		free(out);
	}
	{
		static const char *const gone[][2] = {
			{ "{\"password\":48291377}", "48291377" },
			{ "{\"pin\":4821,\"otp\":\"913377\"}", "4821" },
			{ "{\"api_keys\":[\"k1Zq8Wm3Xk2Lp9Rt4V\",\"k2Zq8Wm3Xk2Lp9Rt4V\"]}", "Zq8Wm3Xk" },
			{ "<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCY</SecretAccessKey>", "wJalrXUt" },
			{ "--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nhunter2xyz\r\n--b--", "hunter2xyz" },
			{ "{\"query\":\"mutation { login(user: \\\"a\\\", password: \\\"s3cr3tPass\\\") { token } }\"}", "s3cr3tPass" },
			{ "<input type=\"hidden\" name=\"client_secret\" value=\"cs8Wm3Xk2Lp9Rt\">", "cs8Wm3Xk2Lp9Rt" },
			{ "var cfg = { apiKey: \"AbC9Wm3Xk2Lp9Rt4VqZ\" };", "AbC9Wm3Xk2Lp9Rt4VqZ" },
			{ "https://x/app;jsessionid=A1B2C3D4E5F6A7B8?user=1", "A1B2C3D4E5F6A7B8" },
			{ "cb?redirect_uri=https%3A%2F%2Fapp%2Fcb%23access_token%3DtokZq8Wm3Xk2Lp9%26state%3D1", "tokZq8Wm3Xk2Lp9" },
			{ "the token Zq8Wm3Xk2Lp9Rt4VqA7 expired", "Zq8Wm3Xk2Lp9Rt4VqA7" },
			{ "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq\n-----END RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA7bq" },
			{ "whsec_Zq8Wm3Xk2Lp9Rt4VqA7Bc", "Zq8Wm3Xk2Lp9Rt4VqA7Bc" },
			{ "SG.Zq8Wm3Xk2Lp9Rt4VqA7Bc.Zq8Wm3Xk2Lp9Rt4VqA7BcZq8Wm3Xk2Lp9Rt4VqA7BcZq8Wm3X", "Rt4VqA7Bc" },
			{ "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=OU28JSc7Dpvjw+o/Hax==;EndpointSuffix=x", "OU28JSc7" },
		};
		for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
			out = redact_text(r, gone[i][0], strlen(gone[i][0]));
			ok(!contains(out, gone[i][1]), "redacted by its layer: %s", out);
			free(out);
		}
	}
	redactor_free(r);
}

int main(void)
{
	test_everything();
	test_form_and_text();
	test_canary_findings();
	test_layers();
	return done_testing();
}
