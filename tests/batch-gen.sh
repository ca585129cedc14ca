# batch-gen.sh - the 200-ticket batch inbox of the batch tests (sourced by
# t0700-batch.sh and t1700-shard.sh): tickets as folders, zips, tar.gz
# and nested archives, 5% with a broken attachment, a zip bomb and a
# path-traversal member.  Needs zip, tar, gzip and bsdtar.

# har N HOST STATUS: a small valid HAR on stdout.
har() {
	printf '{"log":{"version":"1.2","creator":{"name":"test","version":"1"},"entries":['
	i=0
	while [ $i -lt "$1" ]; do
		[ $i -gt 0 ] && printf ','
		printf '{"startedDateTime":"2026-03-16T09:%02d:00.000Z","time":5,"request":{"method":"GET","url":"https://%s/v1/item/%d","httpVersion":"HTTP/1.1","headers":[{"name":"Authorization","value":"Bearer sk-batchsecret%04d%04dabcdefghijkl"}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},"response":{"status":%s,"statusText":"","httpVersion":"HTTP/1.1","headers":[{"name":"Content-Type","value":"application/json"},{"name":"x-request-id","value":"req-%d-%d"}],"cookies":[],"content":{"size":2,"mimeType":"application/json","text":"{}"},"redirectURL":"","headersSize":-1,"bodySize":2},"cache":{},"timings":{"send":1,"wait":3,"receive":1}}' \
			$((i % 60)) "$2" $i "$4" $i "$3" "$4" $i
		i=$((i + 1))
	done
	printf ']}}\n'
}
curl_i() {
	printf 'HTTP/1.1 %s Whatever\r\nContent-Type: text/plain\r\nX-Request-Id: curl-%s\r\n\r\nbody %s\n' "$1" "$2" "$2"
}


# batch_gen DIR WORK: write the inbox into DIR, using WORK as scratch;
# sets good (attachments that must be analyzed) and broken.
batch_gen() {
	B=$1
	W=$2
	mkdir -p "$B"
	good=0
	broken=0
	n=0
	while [ $n -lt 200 ]; do
		t=$(printf 't%03d' $n)
		w="$W/$t"
		mkdir -p "$w"
		har 3 "api$n.example.com" 200 $n > "$w/a.har"
		curl_i 503 $n > "$w/b.txt"
		good=$((good + 2))
		if [ $((n % 20)) -eq 7 ]; then
			# 5% broken: a HAR cut inside its first entry, and a binary "capture".
			har 2 "cut$n.example.com" 500 $n | head -c 120 > "$w/cut.har"
			broken=$((broken + 1))
		fi
		case $((n % 4)) in
		0) mv "$w" "$B/$t" ;;
		1) (cd "$w" && zip -q -r "$B/$t.zip" .) ;;
		2) tar -czf "$B/$t.tar.gz" -C "$w" . ;;
		3) # nested: a zip holding a tar.gz holding the captures
			tar -czf "$W/$t-inner.tar.gz" -C "$w" .
			(cd "$W" && zip -q "$B/$t.zip" "$t-inner.tar.gz") ;;
		esac
		n=$((n + 1))
	done
	# One zip bomb (50 MB of zeros, ratio > 200) beside a good capture.
	mkdir -p "$W/bomb"
	har 1 bomb.example.com 200 999 > "$W/bomb/ok.har"
	dd if=/dev/zero bs=1048576 count=50 2>/dev/null > "$W/bomb/zeros.har"
	(cd "$W/bomb" && zip -q "$B/t200-bomb.zip" ok.har zeros.har)
	good=$((good + 1))
	# One path-traversal member beside a good capture.
	mkdir -p "$W/trav"
	har 1 trav.example.com 200 998 > "$W/trav/ok.har"
	har 1 evil.example.com 200 997 > "$W/trav/passwd"
	(cd "$W/trav" && bsdtar -cf "$B/t201-trav.zip" --format zip -P -s ',^passwd$,../../etc/passwd,' ok.har passwd)
	good=$((good + 1))
}
