#!/bin/sh
# The JSON report: every golden case's JSON output (and a batch's ticket
# reports) validates against data/report.schema.json, carries
# schema_version, and counts findings as the Markdown report and index.md
# do (docs/report.md "Counts").
. "$srcdir/tests/tap.sh"
command -v python3 > /dev/null 2>&1 || skip_all "python3 not installed"
schema="$srcdir/data/report.schema.json"

# validate FILE...: "ok" or the first error, per file.  Uses the jsonschema
# module when present, else a validator of the subset the schema uses.
cat > "$TMPDIR_T/validate.py" <<'PY'
import json, re, sys

def subset_errors(inst, sch, root, path="$"):
    if "$ref" in sch:
        ref = sch["$ref"]
        assert ref.startswith("#/"), ref
        node = root
        for part in ref[2:].split("/"):
            node = node[part]
        yield from subset_errors(inst, node, root, path)
        return
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
    if "type" in sch:
        want = sch["type"] if isinstance(sch["type"], list) else [sch["type"]]
        def is_type(t):
            if t == "integer":
                return isinstance(inst, int) and not isinstance(inst, bool)
            return isinstance(inst, types[t]) and not (t != "boolean" and isinstance(inst, bool))
        if not any(is_type(t) for t in want):
            yield "%s: %r is not of type %s" % (path, inst, want)
            return
    if "const" in sch and inst != sch["const"]:
        yield "%s: %r is not %r" % (path, inst, sch["const"])
    if "enum" in sch and inst not in sch["enum"]:
        yield "%s: %r is not one of %r" % (path, inst, sch["enum"])
    if "minimum" in sch and isinstance(inst, int) and inst < sch["minimum"]:
        yield "%s: %r is below %r" % (path, inst, sch["minimum"])
    if "pattern" in sch and isinstance(inst, str) and not re.search(sch["pattern"], inst):
        yield "%s: %r does not match %r" % (path, inst, sch["pattern"])
    if isinstance(inst, dict):
        for k in sch.get("required", []):
            if k not in inst:
                yield "%s: %r is a required property" % (path, k)
        props = sch.get("properties", {})
        for k, v in inst.items():
            if k in props:
                yield from subset_errors(v, props[k], root, path + "." + k)
            elif sch.get("additionalProperties") is False:
                yield "%s: additional property %r" % (path, k)
            elif isinstance(sch.get("additionalProperties"), dict):
                yield from subset_errors(v, sch["additionalProperties"], root, path + "." + k)
    if isinstance(inst, list) and "items" in sch:
        for i, v in enumerate(inst):
            yield from subset_errors(v, sch["items"], root, "%s[%d]" % (path, i))

schema = json.load(open(sys.argv[1]))
try:
    import jsonschema
    validator = jsonschema.Draft202012Validator(schema)
    check = lambda inst: [e.message for e in validator.iter_errors(inst)]
except ImportError:
    check = lambda inst: list(subset_errors(inst, schema, schema))
for f in sys.argv[2:]:
    errs = check(json.load(open(f)))
    print("ok" if not errs else errs[0])
PY

# json_findings FILE: summary.findings as the Markdown summary words it.
json_findings() {
	python3 -c 'import json,sys
f = json.load(open(sys.argv[1]))["summary"]["findings"]
print(", ".join("%d %s" % (f[k], k) for k in ("critical", "high", "medium", "low", "info") if f[k]))' "$1"
}

python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$schema"
ok $? "the schema is valid JSON"

# Every golden case, run as t0500-golden runs it.
for dir in "$srcdir"/tests/golden/*/; do
	[ -f "$dir/args" ] || continue
	name=$(basename "$dir")
	eval "set -- $(golden_args "$dir")"
	(cd "$dir" && HARTRIAGE_REDACT_KEY=golden "$HARTRIAGE" analyze -q --format json "$@") > "$TMPDIR_T/$name.json" 2>/dev/null
	(cd "$dir" && HARTRIAGE_REDACT_KEY=golden "$HARTRIAGE" analyze -q "$@") > "$TMPDIR_T/$name.md" 2>/dev/null
	is "$(python3 "$TMPDIR_T/validate.py" "$schema" "$TMPDIR_T/$name.json")" ok "$name: the JSON output validates against the schema"
	is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["schema_version"])' "$TMPDIR_T/$name.json")" 1 \
		"$name: schema_version 1"
	# The same findings counts in JSON and Markdown.
	md=$(sed -n 's/.*Findings: \([^.]*\)\..*/\1/p' "$TMPDIR_T/$name.md" | head -1)
	js=$(json_findings "$TMPDIR_T/$name.json")
	is "$js" "$md" "$name: JSON summary.findings counts what the Markdown summary counts"
done

# A batch: each ticket's JSON validates; index.md counts as the ticket reports.
B="$TMPDIR_T/batch"
seed="$srcdir/data/samples/seed-ticket"
mkdir -p "$B/a" "$B/b"
cp "$seed/chrome-export.har" "$seed/curl-i.txt" "$B/a/"
cp "$srcdir/tests/golden/transport-failures/"*.txt "$B/b/"
"$HARTRIAGE" analyze -q -f json --per-ticket "$TMPDIR_T/pj" "$B" > /dev/null 2>&1
"$HARTRIAGE" analyze -q --per-ticket "$TMPDIR_T/pm" "$B" > /dev/null 2>&1
for t in a b; do
	is "$(python3 "$TMPDIR_T/validate.py" "$schema" "$TMPDIR_T/pj/$t.json")" ok "batch ticket $t: JSON validates"
	row=$(grep "^| \[$t\]" "$TMPDIR_T/pm/index.md" | awk -F'|' '{gsub(/ /, ""); print $7 "," $8 "," $9 "," $10}')
	js=$(python3 -c 'import json,sys
f = json.load(open(sys.argv[1]))["summary"]["findings"]
print(",".join(str(f[k]) for k in ("critical", "high", "medium", "low")))' "$TMPDIR_T/pj/$t.json")
	is "$row" "$js" "batch ticket $t: index.md counts what the ticket's JSON counts"
	md=$(sed -n 's/.*Findings: \([^.]*\)\..*/\1/p' "$TMPDIR_T/pm/$t.md" | head -1)
	jm=$(json_findings "$TMPDIR_T/pj/$t.json")
	is "$jm" "$md" "batch ticket $t: JSON and Markdown count alike"
done

# The fallback validator (no jsonschema module: python3 -S hides it) agrees.
is "$(python3 -S "$TMPDIR_T/validate.py" "$schema" "$TMPDIR_T/seed-ticket.json")" ok \
	"seed-ticket: the JSON output also validates with the subset validator"

# The validator is no rubber stamp.
python3 -c 'import json,sys
r = json.load(open(sys.argv[1])); r["summary"]["findings"]["high"] = "one"; del r["schema_version"]
json.dump(r, open(sys.argv[2], "w"))' "$TMPDIR_T/seed-ticket.json" "$TMPDIR_T/bad.json"
! [ "$(python3 "$TMPDIR_T/validate.py" "$schema" "$TMPDIR_T/bad.json")" = ok ]
ok $? "a report with a wrong count type and no schema_version fails validation"
! [ "$(python3 -S "$TMPDIR_T/validate.py" "$schema" "$TMPDIR_T/bad.json")" = ok ]
ok $? "... also with the subset validator"

done_testing
