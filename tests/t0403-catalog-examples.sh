#!/bin/sh
# t0403-catalog-examples.sh - every rule whose id is in the signature catalog
# fires on the example exchange the catalog gives for it (the TAP comes from
# scripts/check-catalog-examples, one point per rule).
. "$srcdir/tests/tap.sh"

catalog=${CATALOG:-$srcdir/../shared/catalog/signatures.jsonl}
[ -r "$catalog" ] || skip_all "no signature catalog at $catalog"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
command -v bash >/dev/null 2>&1 || skip_all "bash is not installed"

bash "$srcdir/scripts/check-catalog-examples" "$catalog"
