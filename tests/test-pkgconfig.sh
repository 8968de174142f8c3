#!/usr/bin/env bash
# Installs the build into a scratch prefix, builds examples/minimal.c with
# nothing but pkg-config, and runs it on a bundled payload: proof that the
# installed headers, soname and gmhook.pc are enough for another program,
# and that the built-in mapping files are installed.
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/root" >/dev/null
prefix=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
libdir=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="libdir"][0])')
root="$tmp/root$prefix"
pcdir="$root/$libdir/pkgconfig"
export PKG_CONFIG_PATH="$pcdir"
export PKG_CONFIG_SYSROOT_DIR="$tmp/root"
cflags=$(pkg-config --cflags gmhook)
libs=$(pkg-config --libs gmhook)
cc -std=c11 -Wall -Wextra -pedantic -Werror -o "$tmp/minimal" \
	"$src/examples/minimal.c" $cflags $libs
LD_LIBRARY_PATH="$root/$libdir" "$tmp/minimal" \
	"$src/examples/payloads/calendly-invitee-created.json" "$tmp/m.db" >"$tmp/out"
grep -q '^committed C6\|^committed [A-Z][0-9]' "$tmp/out" || {
	echo "unexpected output:"; cat "$tmp/out"; exit 1; }
LD_LIBRARY_PATH="$root/$libdir" "$tmp/minimal" \
	"$src/examples/payloads/calendly-invitee-created.json" "$tmp/m.db" >"$tmp/out2"
grep -q '^duplicate ' "$tmp/out2" || { echo "not a duplicate:"; cat "$tmp/out2"; exit 1; }
readelf -d "$root/$libdir/libgmhook.so.0" | grep -q 'SONAME.*libgmhook.so.0'
# The built-in mapping files are installed for reading and copying, and
# are the very files compiled into the library.
for f in "$src"/libgmhook/mappings/*.json; do
	cmp -s "$f" "$root/share/gmhook/mappings/$(basename "$f")" || {
		echo "not installed: share/gmhook/mappings/$(basename "$f")"
		exit 1
	}
done
echo "example built with pkg-config and ran: $(cat "$tmp/out")"
