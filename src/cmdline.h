/* cmdline.h - curl command lines pasted next to their output.
 *
 * Tickets often carry the command that made a capture: "$ curl -i -X POST
 * -H 'Authorization: Bearer x' -d '{...}' https://api/..".  Its URL,
 * method, headers, credentials and body describe the request when the
 * output itself does not (curl -i, pasted prose).  Both the curl and the
 * text importers read commands through this module.
 */
#ifndef HARTRIAGE_CMDLINE_H
#define HARTRIAGE_CMDLINE_H

#include "exchange.h"

/* Split a command line into shell words: quotes removed, backslash
 * escapes applied, at most 400 words. */
void shell_words(const char *s, struct strlist *out);

/* A parsed curl command.  Every field is owned by it. */
struct curl_cmd {
	char *url;               /* the first non-option argument or --url, or NULL */
	char *method;            /* -X, else HEAD for -I, POST with a body, else GET */
	struct hdr_list headers; /* -H headers, -u as Authorization: Basic, -A, -e, -b */
	char *body;              /* the first -d, --data... or --json argument (not @file) */
	int has_body;            /* any -d/--data/-F/--json seen */
};

/* Parse the words of a curl command (words[0] is "curl" or "curl.exe"). */
void curl_cmd_parse(const struct strlist *words, struct curl_cmd *out);
/* The same from one command line (prompt already removed). */
void curl_cmd_parse_line(const char *line, struct curl_cmd *out);
void curl_cmd_release(struct curl_cmd *c);

#endif
