/* test-cmdline.c - curl command lines pasted into tickets. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "tap.h"
#include "util.h"

int main(void)
{
	struct curl_cmd c;
	struct strlist w = {0};

	shell_words("curl -H 'X-A: b c' \"q\\\"uote\" plain\\ space", &w);
	ok(w.n == 5, "shell words split on blanks outside quotes");
	is_str(w.v[1], "-H", "option word");
	is_str(w.v[2], "X-A: b c", "single quotes kept together");
	is_str(w.v[3], "q\"uote", "double quotes with an escape");
	is_str(w.v[4], "plain space", "an escaped blank");
	strlist_release(&w);

	curl_cmd_parse_line("curl -s -X patch -H 'Content-Type: application/json' -H \"Authorization: Bearer t0k\" "
			    "--data '{\"a\":1}' https://api.example.com/v1/x?y=2",
			    &c);
	is_str(c.method, "PATCH", "-X sets the method (upper-cased)");
	is_str(c.url, "https://api.example.com/v1/x?y=2", "the URL");
	is_str(hdr_list_get(&c.headers, "authorization"), "Bearer t0k", "-H headers kept");
	is_str(c.body, "{\"a\":1}", "--data is the body");
	curl_cmd_release(&c);

	curl_cmd_parse_line("curl -i --data a=1 -u admin:pw example.com/login", &c);
	is_str(c.method, "POST", "a body without -X means POST");
	is_str(c.url, "http://example.com/login", "no scheme: curl's default http");
	is_str(hdr_list_get(&c.headers, "Authorization"), "Basic YWRtaW46cHc=", "-u user:pass as Basic");
	curl_cmd_release(&c);

	curl_cmd_parse_line("curl -I -o /dev/null -x http://proxy:3128 https://h.example/", &c);
	is_str(c.method, "HEAD", "-I means HEAD");
	is_str(c.url, "https://h.example/", "option arguments are not the URL");
	curl_cmd_release(&c);

	curl_cmd_parse_line("curl -F file=@a.png -d @body.json --url https://u.example/up", &c);
	ok(c.has_body && c.body == NULL, "@file and form bodies are not read");
	is_str(c.url, "https://u.example/up", "--url");
	curl_cmd_release(&c);
	return done_testing();
}
