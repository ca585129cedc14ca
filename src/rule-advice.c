/* rule-advice.c - advice rendering: the one place where a rule's advice
 * template meets the evidence of a finding.
 *
 * {{name}} becomes the evidence value as a Markdown code span that the
 * value cannot break out of; a placeholder the author already put in
 * backticks gets the bare value (without backticks or line breaks); a
 * name the evidence does not hold is said in words, "(not in the
 * capture)", outside any code span.  Values are cut to 200 bytes.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "rule-int.h"

#define ADVICE_VALUE_CAP 200     /* bytes of one evidence value inserted */

/* Append s as a Markdown code span: enough backticks, padding where
 * needed, newlines and '|' flattened, at most cap bytes of s. */
static void add_code_span(struct sbuf *b, const char *s, size_t cap)
{
	int ticks = 1, run = 0, pad, i;
	const char *c;

	for (c = s; *c; c++) {
		run = *c == '`' ? run + 1 : 0;
		if (run >= ticks)
			ticks = run + 1;
	}
	pad = !s[0] || s[0] == '`' || s[strlen(s) - 1] == '`';
	for (i = 0; i < ticks; i++)
		sbuf_addc(b, '`');
	if (pad)
		sbuf_addc(b, ' ');
	for (c = s; *c && (size_t)(c - s) < cap; c++)
		sbuf_addc(b, (*c == '\n' || *c == '\r' || *c == '|') ? ' ' : *c);
	if (pad)
		sbuf_addc(b, ' ');
	for (i = 0; i < ticks; i++)
		sbuf_addc(b, '`');
}

/* Advice with every {{name}} filled from ev; a new string, never NULL. */
char *advice_render(const char *tmpl, json_t *ev)
{
	struct sbuf b = SBUF_INIT;
	const char *p = tmpl ? tmpl : "";
	const char *open, *close, *ns, *s, *c;
	size_t nl;
	json_t *v;
	char *name;
	int quoted;

	while (*p) {
		open = strstr(p, "{{");
		if (!open || !(close = strstr(open + 2, "}}"))) {
			sbuf_adds(&b, p);
			break;
		}
		sbuf_add(&b, p, (size_t)(open - p));
		ns = open + 2;
		nl = (size_t)(close - ns);
		trim_span(&ns, &nl);
		name = xstrndup(ns, nl);
		v = ev ? json_object_get(ev, name) : NULL;
		free(name);
		quoted = open > tmpl && open[-1] == '`' && close[2] == '`';
		if (json_is_string(v) && quoted) {
			/* Already inside a code span of the rule text: insert
			 * the value without anything that could close it. */
			s = json_string_value(v);
			for (c = s; *c && (size_t)(c - s) < ADVICE_VALUE_CAP; c++)
				if (*c != '`' && *c != '\n' && *c != '\r')
					sbuf_addc(&b, *c == '|' ? ' ' : *c);
		} else if (json_is_string(v)) {
			add_code_span(&b, json_string_value(v), ADVICE_VALUE_CAP);
		} else if (nl && nl < 64 && !memchr(ns, ' ', nl)) {
			/* Evidence the capture did not carry: said in words,
			 * outside any code span the rule put around it. */
			if (quoted && b.len) {
				b.data[--b.len] = '\0';
				close++;
			}
			sbuf_adds(&b, "(not in the capture)");
		} else {
			sbuf_add(&b, open, (size_t)(close + 2 - open));
		}
		p = close + 2;
	}
	return sbuf_detach(&b, NULL);
}

/* Advice of r rendered with the evidence of one of its findings. */
char *rule_render_advice(const struct rule *r, const char *evidence_json)
{
	json_t *ev = evidence_json ? json_loads(evidence_json, 0, NULL) : NULL;
	char *s = advice_render(r->advice, ev);

	json_decref(ev);
	return s;
}
