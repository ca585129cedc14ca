#!/bin/sh
# A hostile capture (Markdown and HTML injection in headers, URLs and
# bodies) renders with cmark to the same document structure as a harmless
# capture of the same shape.
. "$srcdir/tests/tap.sh"
command -v cmark > /dev/null 2>&1 || skip_all "cmark not installed"

# make_har FILE V1 V2 V3 V4: a HAR whose capture-controlled strings are V1..V4.
make_har() {
	cat > "$1" <<EOF2
{"log":{"version":"1.2","creator":{"name":"Firefox","version":"120"},"entries":[
{"startedDateTime":"2026-03-16T09:41:18.302Z","time":10,
 "request":{"method":"GET","url":"https://api.example.com/v1/$2?q=$3","httpVersion":"HTTP/1.1",
  "headers":[{"name":"Accept","value":"application/json"}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},
 "response":{"status":502,"statusText":"$4","httpVersion":"HTTP/1.1",
  "headers":[{"name":"Content-Type","value":"text/html"},{"name":"Server","value":"nginx"},
             {"name":"x-request-id","value":"$2"},{"name":"cf-ray","value":"$3"}],
  "cookies":[],"content":{"size":100,"mimeType":"text/html","text":"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>$5</body></html>"},
  "redirectURL":"","headersSize":-1,"bodySize":100},
 "cache":{},"timings":{"send":1,"wait":8,"receive":1}}]}}
EOF2
}

mkdir -p "$TMPDIR_T/hostile" "$TMPDIR_T/harmless"
make_har "$TMPDIR_T/hostile/capture.har" \
	'x`|y</td><script>alert(1)</script>' \
	'[click](https://evil.example)*em*' \
	'# Heading | --- |' \
	'\n\n# Injected heading\n\n```\n| a | b |\n|---|---|\n<img src=x onerror=alert(1)>'
make_har "$TMPDIR_T/harmless/capture.har" \
	'plainrequestidvalue01' \
	'plainrayvalue02' \
	'Bad Gateway' \
	'plain text tail'

for v in hostile harmless; do
	(cd "$TMPDIR_T/$v" && "$HARTRIAGE" analyze -q --rules "$srcdir/rules" capture.har > report.md 2>err)
	ok $? "$v capture analyzed"
	cmark --to xml "$TMPDIR_T/$v/report.md" > "$TMPDIR_T/$v/doc.xml"
	# The structure: element names and nesting, without text or attributes.
	sed -n 's/^\( *\)<\([a-z_]*\)[ >].*/\1\2/p' "$TMPDIR_T/$v/doc.xml" |
		grep -v -e '^ *text$' -e '^ *code$' -e '^ *softbreak$' -e '^ *html_inline$' > "$TMPDIR_T/$v/skeleton"
done
if diff -u "$TMPDIR_T/harmless/skeleton" "$TMPDIR_T/hostile/skeleton" > "$TMPDIR_T/skel.diff"; then
	ok 0 "hostile and harmless captures give the same document structure"
else
	ok 1 "hostile and harmless captures give the same document structure"
	sed 's/^/# /' "$TMPDIR_T/skel.diff" | head -40
fi
grep -q 'alert(1)' "$TMPDIR_T/hostile/report.md"
ok $? "the hostile values are still shown (as code), not dropped"
n_html=$(grep -c '<html_inline>\|<html_block>' "$TMPDIR_T/hostile/doc.xml")
is "$n_html" 0 "no raw HTML reaches the rendered document"
n_links=$(grep -c '<link ' "$TMPDIR_T/hostile/doc.xml")
is "$n_links" 0 "no link from the capture becomes a link"
done_testing
