#!/bin/sh
# t1000-fragments.sh - error evidence without HTTP framing (DESIGN
# "Fragments"): each fixture of tests/fragments goes from the pasted text
# to the expected rule, with the inferred fields (status, URL, host, time)
# and where each came from; the report shows them.
. "$srcdir/tests/tap.sh"

command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"
dir=$srcdir/tests/fragments

grep -v '^#' "$dir/cases.tsv" > "$TMPDIR_T/cases"
while IFS='	' read -r file rule cond shape; do
	db=$TMPDIR_T/$file.db
	"$HARTRIAGE" analyze -q --db "$db" -r "$srcdir/rules" -o "$TMPDIR_T/$file.md" "$dir/$file" 2>"$TMPDIR_T/err"
	st=$?
	[ "$st" -eq 0 ]
	ok $? "$file: analyzed ($shape)"
	[ "$st" -eq 0 ] || sed 's/^/# stderr: /' "$TMPDIR_T/err"
	if [ "$rule" = "-" ]; then
		got=$(sqlite3 "$db" "SELECT COUNT(*) FROM exchanges e WHERE $cond")
	else
		got=$(sqlite3 "$db" "SELECT COUNT(*) FROM findings f JOIN exchanges e ON e.id = f.exchange_id
			WHERE f.rule_id = '$rule' AND $cond")
	fi
	[ "${got:-0}" -ge 1 ]
	ok $? "$file: ${rule#-} with $cond"
	if [ "${got:-0}" -lt 1 ]; then
		sqlite3 "$db" "SELECT e.kind, e.status, e.status_source, e.url, e.url_source, e.host_source,
			e.error FROM exchanges e" | sed 's/^/# exchange: /'
		sqlite3 "$db" "SELECT rule_id FROM findings" | sed 's/^/# finding: /'
	fi
	kind=$(sqlite3 "$db" "SELECT e.kind FROM exchanges e WHERE $cond LIMIT 1")
	if [ "$rule" != "-" ] && [ "$kind" != "capture" ]; then
		# the report says how the exchange was read
		grep -q '^| Read as | ' "$TMPDIR_T/$file.md"
		ok $? "$file: the report evidence says what was read and where the host came from"
	fi
done < "$TMPDIR_T/cases"

# The Vercel page text's ID line (the region written twice, as newer pages
# do) is the request ID to escalate with, and names the vendor.
grep -q '^| Request IDs | Vercel ID `bom1:bom1::k7xq2-1733494531544-4f0a9c2e61d8` |' "$TMPDIR_T/vercel-timeout-page-text.txt.md"
ok $? "vercel-timeout-page-text.txt: the report lists the ID line for escalation"
"$HARTRIAGE" rules explain --rules "$srcdir/rules" vercel.ai-gateway.model-not-found \
	"$dir/vercel-timeout-page-text.txt" 2>/dev/null >"$TMPDIR_T/explain"
grep -q "vendor: vendor equals 'vercel' => true .*page text: ID line" "$TMPDIR_T/explain"
ok $? "vercel-timeout-page-text.txt: the doubled-region ID line names Vercel (vendor from page text)"

# A JSON-lines log is a log, never a broken JSON document.
"$HARTRIAGE" import -q --db "$TMPDIR_T/log.db" "$dir/pino-jsonl-invalid-key.jsonl" 2>"$TMPDIR_T/err"
is "$?" 0 "a JSON-lines log imports without an error"
is "$(sqlite3 "$TMPDIR_T/log.db" "SELECT format || ' ' || status || ' ' || exchanges FROM sources")" \
	"log ok 2" "a JSON-lines log is read as a log with one exchange per HTTP record"

# One failure is counted once: the exception line and the body it quotes,
# the framed exchange and its quote in prose.
"$HARTRIAGE" import -q --db "$TMPDIR_T/one.db" "$dir/axios-inspect-gateway-403.txt" "$dir/node-econnrefused.txt" 2>/dev/null
is "$(sqlite3 "$TMPDIR_T/one.db" "SELECT GROUP_CONCAT(exchanges, ' ') FROM (SELECT exchanges FROM sources ORDER BY path)")" \
	"1 1" "an exception and the dump that follows it are one exchange"

# An e-mail's attachment is walked as a member, under the archive caps.
"$HARTRIAGE" import -q --db "$TMPDIR_T/mail.db" "$dir/mail-har-attachment.eml" 2>/dev/null
is "$(sqlite3 "$TMPDIR_T/mail.db" "SELECT format || ' ' || exchanges FROM sources WHERE path LIKE '%!capture.har'")" \
	"har 1" "the HAR attached to an e-mail is read as mail.eml!capture.har"

done_testing
