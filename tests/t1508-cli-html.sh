#!/bin/sh
# --format html: the Markdown report rendered by libcmark-gfm into one page
# with an embedded stylesheet; checked by parsing it: well formed, the same
# headings and tables as the Markdown report, no script, no external
# reference, also when the capture carries HTML and javascript: links.
. "$srcdir/tests/tap.sh"
command -v python3 > /dev/null 2>&1 || skip_all "python3 not installed"
if "$HARTRIAGE" --version | grep -q '^HTML reports: not built in'; then
	"$HARTRIAGE" analyze -q -f html "$srcdir/data/samples/seed-ticket" > /dev/null 2> "$TMPDIR_T/e"
	is "$?" 2 "without libcmark-gfm, --format html is a usage error"
	grep -q 'needs libcmark-gfm' "$TMPDIR_T/e"
	ok $? "... that says why"
	done_testing
	exit $?
fi

cat > "$TMPDIR_T/check.py" <<'PY'
# check.py PAGE.html REPORT.md: prints one line per problem, nothing when fine.
import re, sys
from html.parser import HTMLParser

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}
BAD_TAGS = {"script", "iframe", "object", "embed", "link", "img", "frame", "form", "base", "svg", "video", "audio"}

class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.tags = [], [], []
        self.headings, self.in_h, self.text = [], None, ""
        self.style = ""
        self.in_style = False
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in BAD_TAGS:
            self.problems.append("forbidden element <%s>" % tag)
        for k, v in attrs:
            v = v or ""
            if k.startswith("on"):
                self.problems.append("event handler %s on <%s>" % (k, tag))
            if k in ("src", "href", "action", "srcset", "background", "poster", "data"):
                if not v.startswith("#"):
                    self.problems.append("reference %s=%r on <%s>" % (k, v, tag))
            if k == "style" and "url(" in v:
                self.problems.append("url() in a style attribute")
        if tag == "meta" and dict(attrs).get("http-equiv", "").lower() == "refresh":
            self.problems.append("meta refresh")
        if tag in ("h1", "h2", "h3"):
            self.in_h, self.text = tag, ""
        if tag == "style":
            self.in_style = True
        if tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
        else:
            self.stack.pop()
        if tag == self.in_h:
            self.headings.append(self.text.strip())
            self.in_h = None
        if tag == "style":
            self.in_style = False
    def handle_data(self, data):
        if self.in_h:
            self.text += data
        if self.in_style:
            self.style += data

html = open(sys.argv[1], encoding="utf-8").read()
md = open(sys.argv[2], encoding="utf-8").read()
p = Page()
p.feed(html)
p.close()
for x in p.problems:
    print(x)
if p.stack:
    print("unclosed: %s" % p.stack)
if not html.startswith("<!DOCTYPE html>"):
    print("no doctype")
if "url(" in p.style or "@import" in p.style:
    print("the stylesheet loads something")
if "default-src 'none'" not in html:
    print("no Content-Security-Policy")
# The same headings and tables as the Markdown report.
want = [re.sub(r"\\(.)", r"\1", l.lstrip("#").strip()) for l in md.splitlines() if re.match(r"^#{1,3} ", l)]
if [re.sub(r"\s+", " ", h) for h in p.headings] != [re.sub(r"\s+", " ", h) for h in want]:
    print("headings differ: %r vs %r" % (p.headings[:5], want[:5]))
ntables = len([l for l in md.splitlines() if re.match(r"^\|(-+\|)+$", l.replace("---", "-"))])
if p.tags.count("table") != ntables:
    print("tables: %d in HTML, %d in Markdown" % (p.tags.count("table"), ntables))
PY

seed="$srcdir/data/samples/seed-ticket"
for case in seed golden-mixed; do
	case $case in
	seed) in=$seed ;;
	golden-mixed) in="$srcdir/tests/golden/mixed-inputs" ;;
	esac
	"$HARTRIAGE" analyze -q -f html "$in" > "$TMPDIR_T/$case.html" 2>/dev/null
	st=$?
	[ "$st" -eq 0 ] || [ "$st" -eq 3 ]
	ok $? "$case: --format html runs (status $st)"
	"$HARTRIAGE" analyze -q "$in" > "$TMPDIR_T/$case.md" 2>/dev/null
	python3 "$TMPDIR_T/check.py" "$TMPDIR_T/$case.html" "$TMPDIR_T/$case.md" > "$TMPDIR_T/$case.problems"
	[ ! -s "$TMPDIR_T/$case.problems" ]
	ok $? "$case: well formed, same headings and tables as Markdown, no script, no external reference"
	sed 's/^/# /' "$TMPDIR_T/$case.problems"
done
grep -q '<table>' "$TMPDIR_T/seed.html"
ok $? "GFM tables are rendered as <table>"

# A hostile capture: HTML, a script and javascript:/external links in the
# URL, headers and body.
cat > "$TMPDIR_T/h.txt" <<'EOF'
$ curl -i 'https://evil.example/<script>alert(1)</script>?x="><img src=http://evil.example/p.png>'
HTTP/1.1 502 Bad Gateway
Server: nginx/1.25 <script>alert(4)</script>
Content-Type: text/html
X-Request-Id: <img src=http://evil.example/r.png>[x](javascript:alert(5)) ![p](http://evil.example/t.png)

<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center><script>alert(2)</script><a href="javascript:alert(3)">x</a></body></html>
EOF
"$HARTRIAGE" analyze -q -f html --format-hint curl-i "$TMPDIR_T/h.txt" > "$TMPDIR_T/h.html" 2>/dev/null
"$HARTRIAGE" analyze -q --format-hint curl-i "$TMPDIR_T/h.txt" > "$TMPDIR_T/h.md" 2>/dev/null
grep -q 'evil.example' "$TMPDIR_T/h.html"
ok $? "hostile capture: its text is in the page"
python3 "$TMPDIR_T/check.py" "$TMPDIR_T/h.html" "$TMPDIR_T/h.md" > "$TMPDIR_T/h.problems"
[ ! -s "$TMPDIR_T/h.problems" ]
ok $? "hostile capture: no script, no element or link it injected"
sed 's/^/# /' "$TMPDIR_T/h.problems"

# --per-ticket writes .html pages; index.md links them.
"$HARTRIAGE" analyze -q -f html --per-ticket "$TMPDIR_T/per" "$seed" > /dev/null 2>&1
[ -s "$TMPDIR_T/per/seed-ticket.html" ]
ok $? "--per-ticket -f html writes OUT/<ticket>.html"
grep -q '](seed-ticket.html)' "$TMPDIR_T/per/index.md"
ok $? "index.md links the .html page"

done_testing
