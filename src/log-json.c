/* log-json.c - one JSON record of a known server log producer as one
 * exchange of kind log (log-int.h).
 *
 * Each producer is recognised by keys only it writes, then read through a
 * table from its field names (dotted for nested objects) to what the
 * record means.  The record itself is kept as the producer's own fields,
 * without credentials (Authorization, Cookie and the like are dropped).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log-int.h"
#include "util.h"

enum conv {
	C_TIME, C_CLIENT, C_METHOD, C_HOST, C_SCHEME, C_TARGET, C_PROTO, C_REQLINE, C_STATUS,
	C_UPSTATUS, C_UPADDR, C_BYTES, C_TOTAL_S, C_TOTAL_MS, C_TOTAL_NS, C_WAIT_S, C_WAIT_MS,
	C_WAIT_NS, C_CONNECT_S, C_RID, C_UA, C_REFERER, C_FLAGS, C_CODE, C_MESSAGE, C_LEVEL
};

struct jmap {
	const char *path;
	enum conv c;
	const char *hdr; /* for C_RID: the request header the producer took it from */
};

static const struct jmap cloudflare[] = {
	{ "EdgeStartTimestamp", C_TIME, NULL }, { "ClientIP", C_CLIENT, NULL },
	{ "ClientRequestMethod", C_METHOD, NULL }, { "ClientRequestHost", C_HOST, NULL },
	{ "ClientRequestScheme", C_SCHEME, NULL }, { "ClientRequestURI", C_TARGET, NULL },
	{ "ClientRequestProtocol", C_PROTO, NULL }, { "EdgeResponseStatus", C_STATUS, NULL },
	{ "OriginResponseStatus", C_UPSTATUS, NULL }, { "OriginIP", C_UPADDR, NULL },
	{ "EdgeResponseBytes", C_BYTES, NULL }, { "RayID", C_RID, NULL },
	{ "ClientRequestUserAgent", C_UA, NULL }, { "ClientRequestReferer", C_REFERER, NULL },
	{ "OriginResponseDurationMs", C_WAIT_MS, NULL }, { "SecurityAction", C_FLAGS, NULL },
	{ "WAFAction", C_FLAGS, NULL }, { NULL, 0, NULL }
};

static const struct jmap traefik[] = {
	{ "StartUTC", C_TIME, NULL }, { "time", C_TIME, NULL }, { "ClientHost", C_CLIENT, NULL },
	{ "RequestMethod", C_METHOD, NULL }, { "RequestHost", C_HOST, NULL },
	{ "RequestScheme", C_SCHEME, NULL }, { "RequestPath", C_TARGET, NULL },
	{ "RequestProtocol", C_PROTO, NULL }, { "DownstreamStatus", C_STATUS, NULL },
	{ "OriginStatus", C_UPSTATUS, NULL }, { "ServiceAddr", C_UPADDR, NULL },
	{ "ServiceURL", C_UPADDR, NULL }, { "DownstreamContentSize", C_BYTES, NULL },
	{ "Duration", C_TOTAL_NS, NULL }, { "OriginDuration", C_WAIT_NS, NULL },
	{ "request_X-Request-Id", C_RID, "x-request-id" }, { "request_User-Agent", C_UA, NULL },
	{ "request_Referer", C_REFERER, NULL }, { "level", C_LEVEL, NULL }, { NULL, 0, NULL }
};

static const struct jmap caddy[] = {
	{ "ts", C_TIME, NULL }, { "request.client_ip", C_CLIENT, NULL },
	{ "request.remote_ip", C_CLIENT, NULL }, { "request.method", C_METHOD, NULL },
	{ "request.host", C_HOST, NULL }, { "request.uri", C_TARGET, NULL },
	{ "request.proto", C_PROTO, NULL }, { "status", C_STATUS, NULL }, { "size", C_BYTES, NULL },
	{ "duration", C_TOTAL_S, NULL }, { "request.headers.X-Request-Id", C_RID, "x-request-id" },
	{ "request.headers.User-Agent", C_UA, NULL }, { "request.headers.Referer", C_REFERER, NULL },
	{ "level", C_LEVEL, NULL }, { "msg", C_MESSAGE, NULL }, { NULL, 0, NULL }
};

static const struct jmap vercel[] = {
	{ "timestamp", C_TIME, NULL }, { "proxy.clientIp", C_CLIENT, NULL },
	{ "proxy.method", C_METHOD, NULL }, { "proxy.host", C_HOST, NULL }, { "host", C_HOST, NULL },
	{ "proxy.scheme", C_SCHEME, NULL }, { "proxy.path", C_TARGET, NULL }, { "path", C_TARGET, NULL },
	{ "proxy.statusCode", C_STATUS, NULL }, { "statusCode", C_STATUS, NULL },
	{ "requestId", C_RID, NULL }, { "proxy.userAgent", C_UA, NULL },
	{ "proxy.referer", C_REFERER, NULL }, { "level", C_LEVEL, NULL }, { "message", C_MESSAGE, NULL },
	{ NULL, 0, NULL }
};

static const struct jmap netlify[] = {
	{ "timestamp", C_TIME, NULL }, { "client_ip", C_CLIENT, NULL }, { "method", C_METHOD, NULL },
	{ "host", C_HOST, NULL }, { "url", C_TARGET, NULL }, { "status_code", C_STATUS, NULL },
	{ "request_id", C_RID, NULL }, { "duration", C_TOTAL_MS, NULL },
	{ "response_size", C_BYTES, NULL }, { "user_agent", C_UA, NULL },
	{ "referrer", C_REFERER, NULL }, { "level", C_LEVEL, NULL }, { "message", C_MESSAGE, NULL },
	{ NULL, 0, NULL }
};

static const struct jmap envoy[] = {
	{ "start_time", C_TIME, NULL }, { "x_forwarded_for", C_CLIENT, NULL },
	{ "downstream_remote_address", C_CLIENT, NULL }, { "method", C_METHOD, NULL },
	{ "authority", C_HOST, NULL }, { "path", C_TARGET, NULL }, { "protocol", C_PROTO, NULL },
	{ "response_code", C_STATUS, NULL }, { "response_flags", C_FLAGS, NULL },
	{ "response_code_details", C_CODE, NULL },
	{ "upstream_transport_failure_reason", C_MESSAGE, NULL }, { "upstream_host", C_UPADDR, NULL },
	{ "bytes_sent", C_BYTES, NULL }, { "duration", C_TOTAL_MS, NULL },
	{ "upstream_service_time", C_WAIT_MS, NULL }, { "request_id", C_RID, "x-request-id" },
	{ "user_agent", C_UA, NULL }, { NULL, 0, NULL }
};

static const struct jmap nginx[] = {
	{ "time_iso8601", C_TIME, NULL }, { "time_local", C_TIME, NULL }, { "msec", C_TIME, NULL },
	{ "@timestamp", C_TIME, NULL }, { "timestamp", C_TIME, NULL }, { "time", C_TIME, NULL },
	{ "remote_addr", C_CLIENT, NULL }, { "request", C_REQLINE, NULL },
	{ "request_method", C_METHOD, NULL }, { "method", C_METHOD, NULL },
	{ "request_uri", C_TARGET, NULL }, { "uri", C_TARGET, NULL }, { "path", C_TARGET, NULL },
	{ "host", C_HOST, NULL }, { "http_host", C_HOST, NULL }, { "server_name", C_HOST, NULL },
	{ "vhost", C_HOST, NULL }, { "scheme", C_SCHEME, NULL }, { "server_protocol", C_PROTO, NULL },
	{ "status", C_STATUS, NULL }, { "upstream_status", C_UPSTATUS, NULL },
	{ "upstream_addr", C_UPADDR, NULL }, { "body_bytes_sent", C_BYTES, NULL },
	{ "bytes_sent", C_BYTES, NULL }, { "request_time", C_TOTAL_S, NULL },
	{ "upstream_response_time", C_WAIT_S, NULL }, { "upstream_connect_time", C_CONNECT_S, NULL },
	{ "request_id", C_RID, NULL }, { "req_id", C_RID, NULL },
	{ "http_x_request_id", C_RID, "x-request-id" }, { "http_user_agent", C_UA, NULL },
	{ "http_referer", C_REFERER, NULL }, { NULL, 0, NULL }
};

/* The value at a dotted path (a literal key first: "request_X-Request-Id"). */
static json_t *at(json_t *o, const char *path)
{
	json_t *v = json_object_get(o, path);
	if (v)
		return v;
	const char *dot = strchr(path, '.');
	while (dot && json_is_object(o)) {
		char key[64];
		size_t kl = (size_t)(dot - path);
		if (kl >= sizeof key)
			return NULL;
		memcpy(key, path, kl);
		key[kl] = 0;
		o = json_object_get(o, key);
		path = dot + 1;
		v = json_is_object(o) ? json_object_get(o, path) : NULL;
		if (v)
			return v;
		dot = strchr(path, '.');
	}
	return NULL;
}

/* Text of a scalar (the first of an array: Caddy's header lists). */
static const char *text_of(json_t *v, char *buf, size_t bn, size_t *n)
{
	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_string(v)) {
		*n = json_string_length(v);
		return json_string_value(v);
	}
	if (json_is_integer(v))
		snprintf(buf, bn, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, bn, "%.6f", json_real_value(v));
	else
		return NULL;
	*n = strlen(buf);
	return buf;
}

static void apply(struct logrec *r, const struct jmap *m, json_t *v)
{
	struct exchange *ex = r->ex;
	char buf[64];
	size_t n = 0;
	const char *s = text_of(v, buf, sizeof buf, &n);
	if (!s)
		return;
	switch (m->c) {
	case C_TIME:
		if (json_is_number(v))
			lr_time_epoch(r, json_number_value(v));
		else if (!lr_time_iso(r, s, n) && !lr_time_clf(r, s, n)) {
			char *e;
			double d = strtod(s, &e);
			if (e > s && !*e)
				lr_time_epoch(r, d);
		}
		break;
	case C_CLIENT: lr_log(r, "client", s, n); break;
	case C_METHOD: lr_method(r, s, n); break;
	case C_HOST: lr_host(r, s, n); break;
	case C_SCHEME:
		if (!ex->scheme && n && n < 10)
			ex->scheme = xstrndup(s, n);
		break;
	case C_TARGET: lr_target(r, s, n); break;
	case C_PROTO:
		if (!ex->http_version && n && n < 16) {
			char *p = xstrndup(s, n);
			ex->http_version = http_version_normalize(p);
			free(p);
		}
		break;
	case C_REQLINE: lr_request_line(r, s, n); break;
	case C_STATUS: lr_status(r, s, n, m->path); break;
	case C_UPSTATUS: lr_log(r, "upstream.status", s, n); break;
	case C_UPADDR: lr_log(r, "upstream.addr", s, n); break;
	case C_BYTES: lr_log(r, "bytes", s, n); break;
	case C_TOTAL_S: lr_timing(r, &ex->timings.total, s, n, 1000); break;
	case C_TOTAL_MS: lr_timing(r, &ex->timings.total, s, n, 1); break;
	case C_TOTAL_NS: lr_timing(r, &ex->timings.total, s, n, 1e-6); break;
	case C_WAIT_S: lr_timing(r, &ex->timings.wait, s, n, 1000); break;
	case C_WAIT_MS: lr_timing(r, &ex->timings.wait, s, n, 1); break;
	case C_WAIT_NS: lr_timing(r, &ex->timings.wait, s, n, 1e-6); break;
	case C_CONNECT_S: lr_timing(r, &ex->timings.connect, s, n, 1000); break;
	case C_RID: lr_request_id(r, s, n, m->hdr); break;
	case C_UA: lr_req_header(r, "user-agent", s, n); break;
	case C_REFERER: lr_req_header(r, "referer", s, n); break;
	case C_FLAGS: lr_log(r, "flags", s, n); break;
	case C_CODE: lr_log(r, "code", s, n); break;
	case C_MESSAGE: lr_log(r, "message", s, n); break;
	case C_LEVEL: lr_log(r, "level", s, n); break;
	}
}

static void drop_secrets(json_t *o, int depth)
{
	const char *k;
	json_t *v;
	void *tmp;
	if (depth > 6 || !json_is_object(o))
		return;
	json_object_foreach_safe(o, tmp, k, v) {
		if (log_secret_key(k))
			json_object_del(o, k);
		else if (json_is_object(v))
			drop_secrets(v, depth + 1);
	}
}

static int has(json_t *o, const char *k)
{
	return json_object_get(o, k) != NULL;
}

/* The producer of a record, and its table. */
static const struct jmap *producer_of(json_t *rec, const char **name)
{
	json_t *lg = json_object_get(rec, "logger");
	if (has(rec, "RayID") || has(rec, "EdgeResponseStatus")) {
		*name = "cloudflare";
		return cloudflare;
	}
	if (has(rec, "DownstreamStatus") || (has(rec, "OriginStatus") && has(rec, "RequestMethod"))) {
		*name = "traefik";
		return traefik;
	}
	if (json_is_string(lg) && !strncmp(json_string_value(lg), "http.log.", 9) &&
	    json_is_object(json_object_get(rec, "request"))) {
		*name = "caddy";
		return caddy;
	}
	if (has(rec, "deploymentId") && (has(rec, "proxy") || has(rec, "requestId"))) {
		*name = "vercel";
		return vercel;
	}
	if (has(rec, "request_id") && has(rec, "status_code") && (has(rec, "log_type") || has(rec, "url"))) {
		*name = "netlify";
		return netlify;
	}
	if (has(rec, "response_code") && (has(rec, "response_flags") || has(rec, "upstream_host"))) {
		*name = "envoy";
		return envoy;
	}
	if (has(rec, "status")) {
		static const char *const nk[] = { "remote_addr", "request_time", "upstream_status",
			"upstream_addr", "time_local", "time_iso8601", "body_bytes_sent", "http_user_agent",
			"request_uri", "upstream_response_time", "http_referer", NULL };
		int hits = 0;
		for (int i = 0; nk[i]; i++)
			hits += has(rec, nk[i]);
		if (hits >= 2) {
			*name = "nginx-json";
			return nginx;
		}
	}
	return NULL;
}

int log_json_record(json_t *rec, size_t line, struct exchange *ex)
{
	const char *name = NULL;
	const struct jmap *map;
	struct logrec r;
	if (!json_is_object(rec) || !(map = producer_of(rec, &name)))
		return 0;
	logrec_init(&r, ex, line, name);
	for (const struct jmap *m = map; m->path; m++) {
		json_t *v = at(rec, m->path);
		if (v && !json_is_null(v))
			apply(&r, m, v);
	}
	/* a message on an info record ("handled request") says nothing */
	json_t *lv = json_object_get(r.log, "level");
	if (lv && (!ascii_casecmp(json_string_value(lv), "info") ||
		   !ascii_casecmp(json_string_value(lv), "debug")))
		json_object_del(r.log, "message");
	lr_absolute_url(&r);
	json_decref(r.fields);
	r.fields = json_deep_copy(rec);
	drop_secrets(r.fields, 0);
	logrec_finish(&r);
	return 1;
}
