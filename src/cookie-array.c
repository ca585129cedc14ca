/* cookie-array.c - cookie arrays as Cookie / Set-Cookie headers
 * (cookie-array.h). */
#include <config.h>

#include <string.h>

#include "cookie-array.h"
#include "json-util.h"
#include "util.h"

/* Most cookies taken from one array; the header caps apply after. */
#define COOKIE_ARRAY_CAP 512

static const char *cookie_name(const json_t *c)
{
	const char *n = jstr(c, "name");
	return n && *n ? n : jstr(c, "key");
}

/* An attribute that is true in the object. */
static int flag(const json_t *c, const char *key)
{
	return json_is_true(json_object_get(c, key));
}

size_t cookie_array_headers(struct hdr_list *l, const json_t *cookies, int response)
{
	struct sbuf b = SBUF_INIT;
	size_t i, n = 0;
	json_t *c;
	char tmp[64];

	if (!json_is_array(cookies) || !json_array_size(cookies) ||
	    hdr_list_get(l, response ? "set-cookie" : "cookie"))
		return 0;
	json_array_foreach(cookies, i, c) {
		const char *name = cookie_name(c), *v, *s;
		size_t vlen;
		if (!json_is_object(c) || !name || n >= COOKIE_ARRAY_CAP)
			continue;
		v = jscalar(json_object_get(c, "value"), tmp, sizeof(tmp), &vlen);
		if (!v)
			v = "", vlen = 0;
		if (!response) {
			if (n)
				sbuf_add(&b, "; ", 2);
			sbuf_adds(&b, name);
			sbuf_addc(&b, '=');
			sbuf_add(&b, v, vlen);
			n++;
			continue;
		}
		sbuf_reset(&b);
		sbuf_adds(&b, name);
		sbuf_addc(&b, '=');
		sbuf_add(&b, v, vlen);
		if ((s = jstr(c, "path")) && *s)
			sbuf_addf(&b, "; Path=%s", s);
		if ((s = jstr(c, "domain")) && *s && !flag(c, "hostOnly"))
			sbuf_addf(&b, "; Domain=%s", s);
		/* "Invalid Date" and friends: Postman writes them for session cookies */
		if ((s = jstr(c, "expires")) && *s && (s[0] >= '0' && s[0] <= '9') && !flag(c, "session"))
			sbuf_addf(&b, "; Expires=%s", s);
		if (flag(c, "secure"))
			sbuf_adds(&b, "; Secure");
		if (flag(c, "httpOnly"))
			sbuf_adds(&b, "; HttpOnly");
		if ((s = jstr(c, "sameSite")) && *s)
			sbuf_addf(&b, "; SameSite=%s", s);
		hdr_list_add(l, "Set-Cookie", 10, sbuf_str(&b), b.len);
		n++;
	}
	if (!response && n)
		hdr_list_add(l, "Cookie", 6, sbuf_str(&b), b.len);
	sbuf_release(&b);
	return n;
}
