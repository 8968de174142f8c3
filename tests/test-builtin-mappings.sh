#!/usr/bin/env bash
# Golden tests of the built-in mappings: every payload listed in
# tests/data/builtin/cases goes through parse, validate and map (no
# database), and its plan must equal the stored plan JSON. A change to a
# built-in mapping file or to a source's record shows up here as a diff.
# GMHOOK_UPDATE_GOLDEN=1 rewrites the stored plans (review the diff).
#
# Usage: test-builtin-mappings.sh GMHOOK [SOURCE_DIR]
set -uo pipefail
gmhook=$1
top=${2:-$(cd "$(dirname "$0")/.." && pwd)}
data=$top/tests/data/builtin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Plans depend on the server's zone and on when the delivery arrived.
export TZ=America/New_York
received=2026-03-08T12:00:00Z
pass=0
fail=0

same_json() {
	python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if a == b else 1)
PY
}

while read -r source payload rest; do
	case $source in '' | '#'*) continue ;; esac
	name=$(basename "$payload")
	want=$data/$source/$name.plan.json
	got=$tmp/plan.json
	args=()
	if [ -n "$rest" ]; then
		eval "args=($rest)"
	fi
	if ! "$gmhook" parse -s "$source" -i "$top/$payload" \
		--received "$received" "${args[@]}" 2>"$tmp/err" |
		"$gmhook" validate 2>>"$tmp/err" |
		"$gmhook" map >"$got" 2>>"$tmp/err"; then
		echo "not ok - $source $payload: $(tr "\n" " " <"$tmp/err")"
		fail=$((fail + 1))
		continue
	fi
	if [ "${GMHOOK_UPDATE_GOLDEN:-}" = 1 ]; then
		mkdir -p "$data/$source"
		cp "$got" "$want"
	fi
	if [ -f "$want" ] && same_json "$want" "$got"; then
		pass=$((pass + 1))
		echo "ok - $source $payload"
	else
		echo "not ok - $source $payload: plan differs from $want"
		diff -u "$want" "$got" | head -60 | sed "s|^|# |"
		fail=$((fail + 1))
	fi
done <"$data/cases"
echo "1..$((pass + fail))"
echo "# builtin mappings: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
