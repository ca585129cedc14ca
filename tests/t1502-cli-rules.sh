#!/bin/sh
# Rules directories: --rules adds to the library, --no-default-rules opts
# out, $XDG_CONFIG_HOME/hartriage/rules is read when present, a rule id
# defined again replaces the earlier one with a note, and --version and
# 'rules list' say which directories were read.
. "$srcdir/tests/tap.sh"

seed="$srcdir/data/samples/seed-ticket"
lib="$srcdir/rules"
count() { "$HARTRIAGE" rules list "$@" 2> /dev/null | wc -l | tr -d ' '; }
nlib=$(count "$lib")
[ "$nlib" -gt 10 ]
ok $? "the library has rules ($nlib)"

# A house rule in its own folder.
house="$TMPDIR_T/house"
mkdir -p "$house"
cat > "$house/house.teapot.yaml" <<'YAML'
id: house.teapot
title: The house teapot answered
vendor: House
severity: low
status: experimental
advice: |
  The teapot is busy.
match:
  teapot: { field: status, equals: 418 }
condition: teapot
YAML
"$HARTRIAGE" rules lint "$house" > "$TMPDIR_T/lint" 2>&1
ok $? "the house rule is valid"
sed 's/^/# /' "$TMPDIR_T/lint"

export XDG_CONFIG_HOME="$TMPDIR_T/config"
"$HARTRIAGE" --version > "$TMPDIR_T/v"
grep -q "^Rules: $nlib, read from:" "$TMPDIR_T/v"
ok $? "--version counts the library's rules"
grep -q "^  $lib (\$HARTRIAGE_RULES)" "$TMPDIR_T/v"
ok $? "--version names the library directory"
grep -q "user rules are read from $TMPDIR_T/config/hartriage/rules when it exists" "$TMPDIR_T/v"
ok $? "--version names the user directory it would read"

# --rules adds.
"$HARTRIAGE" analyze --rules "$house" --version > "$TMPDIR_T/v2"
grep -q "^Rules: $((nlib + 1)), read from:" "$TMPDIR_T/v2"
ok $? "analyze --rules DIR --version: library plus the house rule"
grep -q "^  $house (--rules)" "$TMPDIR_T/v2"
ok $? "analyze --rules DIR --version names DIR"
"$HARTRIAGE" analyze -q --rules "$house" "$seed" > "$TMPDIR_T/add.md" 2>&1
is "$?" 0 "analyze --rules DIR: exit 0"
grep -q 'vercel.ai-gateway.access-denied' "$TMPDIR_T/add.md"
ok $? "analyze --rules DIR still runs the library (the seed's finding is there)"
# --no-default-rules opts out.
"$HARTRIAGE" analyze -q --no-default-rules --rules "$house" "$seed" > "$TMPDIR_T/only.md" 2>&1
is "$?" 0 "--no-default-rules --rules DIR: exit 0"
! grep -q 'vercel.ai-gateway.access-denied' "$TMPDIR_T/only.md"
ok $? "--no-default-rules --rules DIR runs only DIR"
"$HARTRIAGE" analyze -q --no-default-rules "$seed" > "$TMPDIR_T/none.md" 2> "$TMPDIR_T/none.err"
is "$?" 2 "--no-default-rules alone: exit 2"
grep -q '^hartriage: no rules to run: --no-default-rules needs --rules DIR' "$TMPDIR_T/none.err"
ok $? "--no-default-rules alone is explained"
# The same directory twice is read once (no duplicate-id errors).
"$HARTRIAGE" analyze -q --rules "$lib" "$seed" > /dev/null 2> "$TMPDIR_T/twice.err"
is "$?" 0 "--rules naming the library again: exit 0"
[ ! -s "$TMPDIR_T/twice.err" ]
ok $? "--rules naming the library again: read once, no diagnostics"

# The user's directory.
mkdir -p "$XDG_CONFIG_HOME/hartriage/rules"
cp "$house/house.teapot.yaml" "$XDG_CONFIG_HOME/hartriage/rules/"
is "$(count)" "$((nlib + 1))" "rules list reads \$XDG_CONFIG_HOME/hartriage/rules"
"$HARTRIAGE" rules list > /dev/null 2> "$TMPDIR_T/list"
grep -q "^hartriage: $((nlib + 1)) rules read from: $lib (\$HARTRIAGE_RULES), $XDG_CONFIG_HOME/hartriage/rules (user)\$" "$TMPDIR_T/list"
ok $? "rules list says on stderr how many rules it read and from which directories"
sed 's/^/# /' "$TMPDIR_T/list"
"$HARTRIAGE" --version | grep -q "^  $XDG_CONFIG_HOME/hartriage/rules (user)"
ok $? "--version names the user directory when it exists"
HOME="$TMPDIR_T/home" XDG_CONFIG_HOME= "$HARTRIAGE" --version | grep -q "read from $TMPDIR_T/home/.config/hartriage/rules when"
ok $? "without \$XDG_CONFIG_HOME the user directory is ~/.config/hartriage/rules"
"$HARTRIAGE" analyze -q --no-default-rules --rules "$house" --version | grep -c '(user)' > "$TMPDIR_T/n"
is "$(cat "$TMPDIR_T/n")" 0 "--no-default-rules leaves the user directory out"

# Override: the same id in the user directory replaces the library's rule.
id=vercel.ai-gateway.access-denied
orig=$(find "$lib" -name "$id.yaml" | head -1)
sed 's/^title: .*/title: "House wording of the gateway refusal"/' "$orig" > "$XDG_CONFIG_HOME/hartriage/rules/$id.yaml"
"$HARTRIAGE" analyze "$seed" > "$TMPDIR_T/ovr.md" 2> "$TMPDIR_T/ovr.err"
is "$?" 0 "an overriding user rule: exit 0"
grep -q '^### HIGH: House wording of the gateway refusal' "$TMPDIR_T/ovr.md"
ok $? "the user's rule replaces the library's rule of the same id"
grep -q "^hartriage: note: rule '$id' of $XDG_CONFIG_HOME/hartriage/rules/$id.yaml replaces the one of $orig" "$TMPDIR_T/ovr.err"
ok $? "a note on stderr says which rule replaced which"
"$HARTRIAGE" analyze -q "$seed" > /dev/null 2> "$TMPDIR_T/ovrq.err"
[ ! -s "$TMPDIR_T/ovrq.err" ]
ok $? "-q silences the note"
is "$(count)" "$((nlib + 1))" "an override does not add a rule"
"$HARTRIAGE" rules list 2>&1 >/dev/null | grep -q "^hartriage: note: rule '$id' of"
ok $? "rules list shows the override"
# The same id twice in one directory stays an error.
mkdir -p "$house/sub"
cp "$house/house.teapot.yaml" "$house/sub/"
"$HARTRIAGE" rules lint "$house" > /dev/null 2> "$TMPDIR_T/dup.err"
is "$?" 2 "the same id twice in one directory: lint exits 2"
grep -q "duplicate rule id 'house.teapot'" "$TMPDIR_T/dup.err"
ok $? "the same id twice in one directory is named"
# Lint names the file name it expects.
mkdir -p "$TMPDIR_T/misnamed"
cp "$house/house.teapot.yaml" "$TMPDIR_T/misnamed/teapot.yaml"
"$HARTRIAGE" rules lint "$TMPDIR_T/misnamed" > /dev/null 2> "$TMPDIR_T/name.err"
is "$?" 2 "an id that does not match the file name: lint exits 2"
grep -q "name the file 'house.teapot.yaml' or the id 'teapot'" "$TMPDIR_T/name.err"
ok $? "lint says the expected file name when the id does not match"

# A library of more than 2,000 files is read whole (a list that stopped at
# 2,000 paths once dropped the rest without a word).
many=$TMPDIR_T/many
mkdir -p "$many"
i=0
while [ $i -lt 2100 ]; do
	sed "s/^id: house.teapot\$/id: house.teapot-$i/" "$house/house.teapot.yaml" > "$many/house.teapot-$i.yaml"
	i=$((i + 1))
done
n=$("$HARTRIAGE" rules list "$many" 2> "$TMPDIR_T/many.err" | grep -c '^house\.teapot-')
is "$n" 2100 "a folder of 2,100 rule files: every rule is read"
grep -q "2100 rules read" "$TMPDIR_T/many.err" || "$HARTRIAGE" -v rules list "$many" 2>&1 >/dev/null | grep -q "2100 rules"
ok $? "... and the count says so"

done_testing
