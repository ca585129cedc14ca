/* test-util.c - sha256, hmac, base64, utf8, sbuf and parse_long. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "caps.h"
#include "util.h"
#include "json-unescape.h"
#include "json-util.h"

static void sha_hex_of(const char *s, size_t n, char out[65])
{
	struct sha256 h;
	unsigned char d[32];
	sha256_init(&h);
	sha256_update(&h, s, n);
	sha256_final(&h, d);
	sha256_hex(d, out);
}

/* json_dumps_strings() writes what json_dumps(o, JSON_PRESERVE_ORDER) does,
 * on objects of random strings (every byte below 0x80, and UTF-8). */
static void test_dumps_strings(void)
{
	static const char *const utf8[] = { "\xC3\xA9", "\xE2\x80\xA6", "\xF0\x9F\x94\x91", "\xE2\x80\xA8" };
	unsigned seed = 12345;
	int same = 1, tried = 0;
	json_t *o;
	char *a, *b;

	for (int round = 0; round < 400; round++) {
		o = json_object();
		for (int k = 0, nk = round % 6; k < nk; k++) {
			char key[16];
			struct sbuf v = SBUF_INIT;
			snprintf(key, sizeof(key), "%c%d", k % 2 ? '"' : 'k', k);
			for (int i = 0, n = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 40; i < n; i++) {
				unsigned r = (seed = seed * 1103515245u + 12345u) >> 16;
				if (r % 5 == 0)
					sbuf_adds(&v, utf8[r % 4]);
				else
					sbuf_addc(&v, (int)(r % 0x80));
			}
			json_object_set_new(o, key, json_stringn(sbuf_str(&v), v.len));
			sbuf_release(&v);
		}
		a = json_dumps(o, JSON_PRESERVE_ORDER);
		b = json_dumps_strings(o);
		if (!a || !b || strcmp(a, b) != 0) {
			if (same)
				diag("jansson: %s\nours:    %s", a ? a : "(null)", b ? b : "(null)");
			same = 0;
		}
		tried++;
		free(a);
		free(b);
		json_decref(o);
	}
	ok(same, "json_dumps_strings writes what jansson writes (%d objects)", tried);
	o = json_pack("{s:s, s:i}", "a", "b", "n", 1);
	ok(json_dumps_strings(o) == NULL, "json_dumps_strings: NULL when a value is not a string");
	json_decref(o);
}

int main(void)
{
	char hex[65];
	unsigned char mac[32];
	size_t n;
	char *p;
	long v;
	struct sbuf b = SBUF_INIT;

	test_dumps_strings();
	sha_hex_of("", 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 of empty");
	sha_hex_of("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 of abc");
	{
		/* Fed in odd pieces: same digest as at once. */
		struct sha256 h;
		unsigned char d[32];
		const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
		sha256_init(&h);
		for (size_t i = 0; i < strlen(msg); i += 7)
			sha256_update(&h, msg + i, strlen(msg) - i < 7 ? strlen(msg) - i : 7);
		sha256_final(&h, d);
		sha256_hex(d, hex);
		is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		       "sha256 streamed in pieces");
	}
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
	sha256_hex(mac, hex);
	is_str(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	       "hmac-sha256 RFC 4231 case 2");

	p = base64_decode("aGVsbG8gd29ybGQ=", 16, &n);
	ok(p && n == 11 && memcmp(p, "hello world", 11) == 0, "base64 decode");
	free(p);
	p = base64_decode("aGVs\nbG8_-w", 11, &n);
	ok(p != NULL && n == 7 && memcmp(p, "hello?\xfb", 7) == 0, "base64 decode ignores whitespace, accepts url alphabet");
	free(p);
	p = base64_decode("a$b", 3, &n);
	ok(p == NULL, "base64 decode rejects junk");
	p = base64_encode((const unsigned char *)"hello world", 11);
	is_str(p, "aGVsbG8gd29ybGQ=", "base64 encode");
	free(p);

	ok(utf8_valid("h\xc3\xa9llo", 6), "valid UTF-8");
	ok(!utf8_valid("\xc3", 1), "truncated UTF-8 sequence is invalid");
	ok(!utf8_valid("\xed\xa0\x80", 3), "surrogate is invalid");
	ok(!utf8_valid("\xc0\xaf", 2), "overlong encoding is invalid");
	{
		/* a bad byte at every offset of a long ASCII run is found */
		char buf[40];
		int missed = 0;
		for (size_t at = 0; at < sizeof buf; at++) {
			memset(buf, 'a', sizeof buf);
			buf[at] = (char)0xff;
			if (utf8_valid(buf, sizeof buf))
				missed++;
			buf[at] = (char)0xc3; /* a lead byte cut by the end or by ASCII */
			if (utf8_valid(buf, sizeof buf))
				missed++;
		}
		memset(buf, 'a', sizeof buf);
		memcpy(buf + 17, "\xc3\xa9", 2);
		ok(missed == 0 && utf8_valid(buf, sizeof buf), "utf8_valid: long ASCII runs (%d missed)", missed);
	}

	sbuf_addf(&b, "%s-%d", "x", 42);
	sbuf_adds(&b, "!");
	for (int i = 0; i < 1000; i++)
		sbuf_addc(&b, 'a');
	ok(b.len == 1005 && strncmp(b.data, "x-42!", 5) == 0, "sbuf grows and formats");
	p = sbuf_detach(&b, &n);
	ok(n == 1005 && b.data == NULL, "sbuf_detach hands over the storage");
	free(p);

	{
		struct sbuf c = SBUF_INIT_CAP(8);
		char big[300];
		ok(sbuf_adds(&c, "abcde") == SBUF_OK && !c.full, "capped sbuf: within the cap");
		ok(sbuf_adds(&c, "fghij") == SBUF_TOO_LARGE && c.len == 8 && c.full &&
		   strcmp(c.data, "abcdefgh") == 0, "capped sbuf: what fits is kept, error returned");
		ok(sbuf_addc(&c, 'z') == SBUF_TOO_LARGE && c.len == 8, "capped sbuf: full stays full");
		sbuf_reset(&c);
		memset(big, 'q', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ok(sbuf_addf(&c, "%s", big) == SBUF_TOO_LARGE && c.len == 8,
		   "capped sbuf: a long formatted append is cut too");
		sbuf_release(&c);
		ok(sbuf_cap(&c) == 8 && sbuf_adds(&c, "ok") == SBUF_OK, "capped sbuf: release keeps the cap");
		p = sbuf_detach(&c, &n);
		ok(sbuf_cap(&c) == 8, "capped sbuf: detach keeps the cap");
		free(p);
		ok(sbuf_cap(&b) == SBUF_DEFAULT_CAP, "SBUF_INIT: the default cap");
	}

	ok(parse_long(" 403 ", 5, &v) == 0 && v == 403, "parse_long trims");
	ok(parse_long("4x", 2, &v) != 0, "parse_long rejects junk");
	ok(parse_long("99999999999999999999999", 23, &v) != 0, "parse_long rejects overflow");
	ok(ascii_casecmp("X-Vercel-Id", "x-vercel-id") == 0, "ascii_casecmp");
	ok(ascii_casestr("Hello Ray ID: 1", 15, "ray id") != NULL, "ascii_casestr");
	{
		/* against the definition: the first offset where the needle
		 * matches ignoring ASCII case, over bytes that include NUL,
		 * both cases of the first byte, and matches at the very end */
		static const char hay[] = "xRaY\0rAy iD ray id!RAY ID\0-- Ray Id";
		static const char *const needles[] = {"ray id", "RAY ID", "y", "!",   "-- ray id",
						      "ray idx", "\0",     "d", "iD r", "x"};
		size_t hl = sizeof(hay) - 1;
		int bad = 0;
		for (size_t k = 0; k < sizeof(needles) / sizeof(needles[0]); k++) {
			size_t nl = strlen(needles[k]);
			for (size_t from = 0; from <= hl; from++)
				for (size_t len = 0; from + len <= hl; len++) {
					const char *want = NULL;
					for (size_t i = from; i + nl <= from + len && !want; i++) {
						size_t j = 0;
						while (j < nl && ascii_tolower((unsigned char)hay[i + j]) ==
									 ascii_tolower((unsigned char)needles[k][j]))
							j++;
						if (j == nl)
							want = hay + i;
					}
					if (ascii_casestr(hay + from, len, needles[k]) != want)
						bad++;
				}
		}
		ok(bad == 0, "ascii_casestr agrees with the definition on every slice (%d wrong)", bad);
	}
	{
		/* JSON string content, fed whole and a byte at a time */
		static const struct {
			const char *in;     /* after the opening quote */
			const char *want;   /* decoded; NULL when invalid */
			size_t wantlen;
		} cs[] = {
			{ "plain text\"", "plain text", 10 },
			{ "a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"", "a\"b\\c/d\be\ff\ng\rh\ti", 17 },
			{ "\\u0041\\u00e9\\u20ac\\ud83d\\ude00\"", "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 10 },
			{ "caf\xC3\xA9 \\u0000x\"", "caf\xC3\xA9 \0x", 8 },
			{ "bad \\x\"", NULL, 0 },
			{ "lone \\udc00\"", NULL, 0 },
			{ "ctl \x01\"", NULL, 0 },
			{ "bad utf8 \xC3\x28\"", NULL, 0 },
		};
		int bad = 0;
		for (size_t k = 0; k < sizeof(cs) / sizeof(cs[0]); k++) {
			for (int bytewise = 0; bytewise < 2; bytewise++) {
				struct junescape u;
				enum junescape_state st = JU_MORE;
				const unsigned char *in = (const unsigned char *)cs[k].in;
				size_t len = strlen(cs[k].in), at = 0, avail = bytewise ? 0 : len;
				junescape_init(&u, 1 << 20);
				while (st == JU_MORE) {
					size_t used;
					if (bytewise && avail < len - at)
						avail++;
					used = junescape_feed(&u, in + at, avail, avail == len - at, &st);
					at += used;
					avail -= used;
				}
				if (cs[k].want ? (st != JU_END || u.out.len != cs[k].wantlen ||
						  memcmp(u.out.data, cs[k].want, cs[k].wantlen) != 0)
					       : st != JU_INVALID)
				{
					bad++;
					diag("case %zu, bytewise %d: state %d, %zu bytes", k, bytewise, (int)st,
					     u.out.len);
				}
				junescape_release(&u);
			}
		}
		ok(bad == 0, "junescape: escapes, surrogates, UTF-8 and errors, whole and byte by byte (%d wrong)", bad);
	}
	{
		/* the cap keeps a prefix and counts the rest; a reset keeps going */
		struct junescape u;
		enum junescape_state st;
		junescape_init(&u, 4);
		junescape_feed(&u, (const unsigned char *)"ab\\ncdef\"", 9, 1, &st);
		ok(st == JU_END && u.out.len == 4 && memcmp(u.out.data, "ab\nc", 4) == 0 && u.total == 7,
		   "junescape: cut at the cap, every byte counted");
		junescape_reset(&u, 8, 3);
		junescape_feed(&u, (const unsigned char *)"xyz\"", 4, 1, &st);
		ok(st == JU_END && u.out.len == 3 && strcmp(u.out.data, "xyz") == 0 && u.total == 3,
		   "junescape: reset for the next string");
		junescape_release(&u);
	}
	return done_testing();
}
