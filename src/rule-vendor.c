/* rule-vendor.c - who answered: the derived field 'vendor'.
 *
 * A host in the suffix table names its vendor alone (source "host").
 * Otherwise, when the host is unknown or not in the table, the vendors
 * whose fingerprints the response carries, in table order: response
 * headers first (x-vercel-id, cf-ray, x-amz-cf-id ...), then the visible
 * text of the body (Cloudflare's "Ray ID:" line, CloudFront's "Generated
 * by cloudfront", Vercel's "ID: fra1::..." line, the nginx and Apache
 * default pages).  Each vendor appears once, with the first source that
 * named it, so evidence can say "vercel (from x-vercel-id)".
 *
 * Vendor names are the rule folders' names: vercel, cloudflare, aws ...
 */
#include <config.h>

#include <string.h>

#include "rule-int.h"

/* Host suffixes: the host equals the suffix or ends in "." suffix. */
static const struct {
	const char *suffix;
	const char *vendor;
} host_table[] = {
	{ "vercel.sh", "vercel" }, { "vercel.app", "vercel" }, { "vercel.com", "vercel" },
	{ "now.sh", "vercel" },
	{ "anthropic.com", "anthropic" }, { "claude.ai", "anthropic" },
	{ "openai.com", "openai" }, { "openai.azure.com", "azure" },
	{ "stripe.com", "stripe" },
	{ "github.com", "github" }, { "githubusercontent.com", "github" },
	{ "login.microsoftonline.com", "microsoft" }, { "login.windows.net", "microsoft" },
	{ "login.microsoftonline.us", "microsoft" },
	{ "login.partner.microsoftonline.cn", "microsoft" },
	{ "azurewebsites.net", "azure" }, { "azure.com", "azure" }, { "windows.net", "azure" },
	{ "azurefd.net", "azure" }, { "azure-api.net", "azure" },
	{ "amazonaws.com", "aws" }, { "cloudfront.net", "aws" }, { "amazoncognito.com", "aws" },
	{ "run.app", "gcp" }, { "cloudfunctions.net", "gcp" }, { "appspot.com", "gcp" },
	{ "generativelanguage.googleapis.com", "google" }, { "googleapis.com", "google" },
	{ "netlify.app", "netlify" }, { "netlify.com", "netlify" },
	{ "herokuapp.com", "heroku" }, { "fly.dev", "fly" },
	{ "workers.dev", "cloudflare" }, { "pages.dev", "cloudflare" },
	{ "cloudflare.com", "cloudflare" }, { "cloudflareaccess.com", "cloudflare" },
	{ "akamaihd.net", "akamai" }, { "akamaized.net", "akamai" }, { "edgesuite.net", "akamai" },
	{ "fastly.net", "fastly" },
	{ "slack.com", "slack" }, { "sendgrid.com", "sendgrid" }, { "sendgrid.net", "sendgrid" },
	{ "myshopify.com", "shopify" }, { "shopify.com", "shopify" },
};

/* Response header fingerprints.  name ending in '*' is a prefix; value
 * NULL means the header's presence is enough, else the value must
 * contain it (ASCII case-insensitive). */
static const struct {
	const char *name;
	const char *value;
	const char *vendor;
} header_table[] = {
	{ "x-vercel-id", NULL, "vercel" }, { "x-vercel-error", NULL, "vercel" },
	{ "x-vercel-cache", NULL, "vercel" }, { "server", "vercel", "vercel" },
	{ "cf-ray", NULL, "cloudflare" }, { "server", "cloudflare", "cloudflare" },
	{ "cf-mitigated", NULL, "cloudflare" },
	{ "x-amz-cf-id", NULL, "aws" }, { "via", "cloudfront", "aws" },
	{ "server", "cloudfront", "aws" }, { "x-amzn-requestid", NULL, "aws" },
	{ "x-amzn-errortype", NULL, "aws" }, { "x-amz-request-id", NULL, "aws" },
	{ "x-amz-apigw-id", NULL, "aws" }, { "server", "awselb", "aws" },
	{ "server", "amazons3", "aws" },
	{ "x-ms-ests-server", NULL, "microsoft" },
	{ "x-ms-request-id", NULL, "azure" }, { "x-azure-ref", NULL, "azure" },
	{ "x-ms-error-code", NULL, "azure" },
	{ "x-github-request-id", NULL, "github" }, { "server", "github.com", "github" },
	{ "openai-organization", NULL, "openai" }, { "openai-processing-ms", NULL, "openai" },
	{ "openai-version", NULL, "openai" },
	{ "anthropic-*", NULL, "anthropic" },
	{ "stripe-version", NULL, "stripe" }, { "stripe-should-retry", NULL, "stripe" },
	{ "fly-request-id", NULL, "fly" }, { "server", "fly/", "fly" },
	{ "x-nf-request-id", NULL, "netlify" }, { "server", "netlify", "netlify" },
	{ "x-served-by", "cache-", "fastly" }, { "x-fastly-request-id", NULL, "fastly" },
	{ "via", "vegur", "heroku" },
	{ "server", "google frontend", "gcp" }, { "x-cloud-trace-context", NULL, "gcp" },
	{ "server", "akamaighost", "akamai" },
	{ "server", "istio-envoy", "istio" },
	{ "server", "envoy", "envoy" }, { "x-envoy-upstream-service-time", NULL, "envoy" },
	{ "via", "kong", "kong" }, { "x-kong-request-id", NULL, "kong" },
	{ "server", "microsoft-iis", "iis" },
	{ "x-slack-req-id", NULL, "slack" }, { "x-shopify-*", NULL, "shopify" },
	{ "server", "nginx", "nginx" }, { "server", "apache", "apache" },
	/* Google's API front end: "server: ESF" in curl -i dumps of
	 * translation.googleapis.com and other googleapis.com answers;
	 * x-guploader-uploadid is a Cloud Storage response header in Google's
	 * XML API header reference (Firebase Storage answers through it). */
	{ "server", "esf", "google" }, { "x-guploader-uploadid", NULL, "google" },
	/* SendGrid v3 answers allow the origin of its API docs
	 * (sendgrid/sendgrid-nodejs#733 quotes the header value). */
	{ "access-control-allow-origin", "sendgrid.api-docs.io", "sendgrid" },
	/* Railway's edge: "server: railway-edge", x-railway-edge and
	 * x-railway-request-id in public curl -I dumps of *.up.railway.app. */
	{ "server", "railway", "railway" }, { "x-railway-request-id", NULL, "railway" },
	{ "x-railway-edge", NULL, "railway" },
	/* Supabase's API gateway: sb-gateway-version and sb-request-id are in
	 * the response headers its log docs list (supabase.com/docs/guides/
	 * telemetry/logs); sb-project-ref in public dumps of its answers. */
	{ "sb-gateway-version", NULL, "supabase" }, { "sb-request-id", NULL, "supabase" },
	{ "sb-project-ref", NULL, "supabase" },
};

/* Add vendor v with source s unless v is already listed. */
static void add(struct vendor_hit *out, size_t *n, size_t max, const char *v, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(out[i].vendor, v) == 0)
			return;
	if (*n < max) {
		out[*n].vendor = v;
		out[*n].source = s;
		(*n)++;
	}
}

/* True when host is suffix or ends in "." suffix. */
static int host_in(const char *host, const char *suffix)
{
	size_t hl = strlen(host), sl = strlen(suffix);

	if (hl < sl || ascii_casecmp(host + hl - sl, suffix) != 0)
		return 0;
	return hl == sl || host[hl - sl - 1] == '.';
}

/* Skip spaces; then true when at least min characters of set follow. */
static int run_of(const char *p, size_t n, size_t i, const char *set, size_t min)
{
	size_t k = 0;

	while (i < n && p[i] == ' ')
		i++;
	while (i + k < n && strchr(set, p[i + k]) && p[i + k])
		k++;
	return k >= min;
}

/* Cloudflare: "Ray ID:" then 16 hex digits. */
static int has_ray_id(const char *t, size_t n)
{
	const char *p = t, *e = t + n;

	while ((p = ascii_casestr(p, (size_t)(e - p), "ray id:")) != NULL) {
		if (run_of(t, n, (size_t)(p - t) + 7, "0123456789abcdefABCDEF", 16))
			return 1;
		p += 7;
	}
	return 0;
}

/* True when t[i..] is a Vercel region such as "fra1" (3 letters, a digit). */
static int vercel_region(const char *t, size_t n, size_t i)
{
	return i + 4 <= n && run_of(t, n, i, "abcdefghijklmnopqrstuvwxyz", 3) &&
	       t[i + 3] >= '0' && t[i + 3] <= '9';
}

/* Vercel: "ID: " then a region such as "fra1" and "::"; newer pages write
 * the region twice, "ID: bom1:bom1::..." (thgh/vercel-sapper#73). */
static int has_vercel_id(const char *t, size_t n)
{
	const char *p = t, *e = t + n;
	size_t i;

	while ((p = memmem(p, (size_t)(e - p), "ID: ", 4)) != NULL) {
		i = (size_t)(p - t) + 4;
		if (vercel_region(t, n, i) && i + 6 <= n && t[i + 4] == ':' &&
		    (t[i + 5] == ':' ||
		     (vercel_region(t, n, i + 5) && i + 11 <= n && t[i + 9] == ':' && t[i + 10] == ':')))
			return 1;
		p += 4;
	}
	return 0;
}

/* nginx default page: the text ends in "nginx" or "nginx/1.2.3 (Ubuntu)". */
static int ends_with_nginx(const char *t, size_t n)
{
	const char *p = NULL, *q = t, *e = t + n;

	while ((q = memmem(q, (size_t)(e - q), "nginx", 5)) != NULL) {
		p = q;
		q += 5;
	}
	if (!p || (p > t && p[-1] != ' '))
		return 0;
	p += 5;
	if (p < e && *p == '/')
		for (p++; p < e && ((*p >= '0' && *p <= '9') || *p == '.'); p++)
			;
	if (p < e && *p == ' ' && p + 1 < e && p[1] == '(' && e[-1] == ')' &&
	    !memchr(p + 1, ' ', (size_t)(e - p - 1)))
		p = e;
	return p == e;
}

/* Fill out (max entries) with the vendors of ex; text is the visible text
 * of the body (NULL when it has none).  Returns the count. */
size_t vendor_identify(const struct exchange *ex, const char *text, size_t textlen,
		       struct vendor_hit *out, size_t max)
{
	const struct hdr_list *l = &ex->resp_headers;
	size_t n = 0, k, i, nl;

	if (ex->host && *ex->host)
		for (k = 0; k < sizeof(host_table) / sizeof(host_table[0]); k++)
			if (host_in(ex->host, host_table[k].suffix)) {
				add(out, &n, max, host_table[k].vendor, "host");
				return n;
			}
	for (k = 0; k < sizeof(header_table) / sizeof(header_table[0]); k++) {
		const char *name = header_table[k].name;
		nl = strlen(name);
		for (i = 0; i < l->n; i++) {
			int hit = name[nl - 1] == '*' ? ascii_ncasecmp(l->v[i].name, name, nl - 1) == 0
						      : ascii_casecmp(l->v[i].name, name) == 0;
			if (!hit)
				continue;
			if (header_table[k].value &&
			    !ascii_casestr(l->v[i].value, strlen(l->v[i].value), header_table[k].value))
				continue;
			add(out, &n, max, header_table[k].vendor, name[nl - 1] == '*' ? l->v[i].name : name);
			break;
		}
	}
	if (text && textlen) {
		if (has_ray_id(text, textlen))
			add(out, &n, max, "cloudflare", "page text: Ray ID");
		if (ascii_casestr(text, textlen, "generated by cloudfront"))
			add(out, &n, max, "aws", "page text: Generated by cloudfront");
		if (has_vercel_id(text, textlen))
			add(out, &n, max, "vercel", "page text: ID line");
		if (ends_with_nginx(text, textlen))
			add(out, &n, max, "nginx", "page text: nginx default page");
		if (memmem(text, textlen, "Apache", 6) && memmem(text, textlen, " Server at ", 11))
			add(out, &n, max, "apache", "page text: Apache signature");
	}
	return n;
}
