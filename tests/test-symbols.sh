#!/usr/bin/env bash
# The shared object exports exactly the symbols listed in libgmhook.sym,
# each marked GMHOOK_API in a public header: no internal gmhook__ names
# leak and no listed name is missing.
set -euo pipefail
lib=$1
map=$2
headers=$3
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' |
	sed 's/@.*//' | grep -v '^GMHOOK_' | sort -u)
listed=$(grep -oE '^\s+gmhook_[a-z0-9_]+;' "$map" | tr -d ' \t;' | sort -u)
declared=$(cat "$headers"/*.h | grep -oE 'gmhook_[a-z0-9_]+\(' | tr -d '(' |
	sort -u)
if [ "$exported" != "$listed" ]; then
	echo "exported symbols differ from $map:"
	diff <(echo "$exported") <(echo "$listed") || true
	exit 1
fi
missing=$(comm -23 <(echo "$listed") <(echo "$declared"))
if [ -n "$missing" ]; then
	echo "listed but not declared in a public header: $missing"
	exit 1
fi
echo "$(echo "$exported" | wc -l) symbols exported, all listed and declared"
