#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Builds the libFuzzer targets in tests/fuzz/ with clang
# (-fsanitize=fuzzer,address,undefined) against libgmhook's sources, seeds
# them from tests/data and, when it exists, the shared corpus, and runs
# each for a bounded time. Exits 1 when any target crashes, leaks or
# times out; the input is saved and its path printed. Exits 77 (skip)
# when clang's fuzzer runtime is missing.
#
#   tests/fuzz/run.sh [TARGET...]
#
# Environment:
#   FUZZ_TIME     seconds per target (default 20)
#   FUZZ_WORK     build and corpus directory (default /tmp/gmhook-fuzz);
#                 the corpus found there is kept between runs
#   FUZZ_CRASHES  where crashing inputs are saved (default $FUZZ_WORK/crashes)
#   FUZZ_CORPUS   the shared corpus (default /work/shared/corpus)
#   CLANG         the compiler (default clang-14, else clang)
#   FUZZ_JOBS     parallel compile jobs (default: nproc)
#   FUZZ_FLAGS    extra libFuzzer flags (e.g. "-fork=2 -ignore_crashes=1"
#                 to go on after a crash)
#
# A crash becomes a regression test: copy the input into
# tests/data/bad-input/fuzz/<target>/, where the "fuzz-replay-<target>"
# meson tests replay it.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/fuzz
time_each=${FUZZ_TIME:-20}
work=${FUZZ_WORK:-/tmp/gmhook-fuzz}
crashes=${FUZZ_CRASHES:-$work/crashes}
corpus=${FUZZ_CORPUS:-/work/shared/corpus}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
all_targets=(form multipart parse signature config)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

CLANG=${CLANG:-$(command -v clang-14 || command -v clang || true)}
if [ -z "$CLANG" ]; then
	echo "fuzz: clang not found; install clang-14 and libclang-rt-14-dev" >&2
	exit 77
fi
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
	"$CLANG" -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
	echo "fuzz: $CLANG has no libFuzzer runtime (libclang-rt-14-dev)" >&2
	exit 77
fi
mkdir -p "$work/obj" "$work/include/gmhook" "$crashes" || exit 1

#### build ####
cflags=(-g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
	-fsanitize=fuzzer-no-link,address,undefined
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer
	-I"$work/include" -I"$top/include" -I"$top/libgmhook"
	$(pkg-config --cflags json-c odbc libcrypto libcurl))
libs=($(pkg-config --libs json-c odbc libcrypto libcurl))
version=$(sed -n "s/^ *version: '\([0-9.]*\)'.*/\1/p" "$top/meson.build" | head -1)
IFS=. read -r major minor patch <<<"$version"
sed -e "s/@MAJOR@/$major/" -e "s/@MINOR@/$minor/" -e "s/@PATCH@/$patch/" \
	-e "s/@VERSION@/$version/" "$top/include/gmhook/version.h.in" \
	>"$work/include/gmhook/version.h.new"
cmp -s "$work/include/gmhook/version.h.new" "$work/include/gmhook/version.h" ||
	mv "$work/include/gmhook/version.h.new" "$work/include/gmhook/version.h"

# The library's sources, as libgmhook/meson.build lists them.
mapfile -t sources < <(sed -n "s/^ *'\([a-z_/]*\.c\)',*$/\1/p" \
	"$top/libgmhook/meson.build")
compile() {
	local src=$1 obj
	obj=$work/obj/$(echo "$src" | tr / _).o
	if [ ! -e "$obj" ] || [ "$top/libgmhook/$src" -nt "$obj" ] ||
		[ "$top/libgmhook/gmhook-private.h" -nt "$obj" ]; then
		"$CLANG" "${cflags[@]}" -c "$top/libgmhook/$src" -o "$obj" ||
			return 1
	fi
}
export -f compile
export CLANG top work

# The built-in mapping files, compiled in as meson's custom target does.
mapfile -t mapping_files < <(sed -n "s|^ *'\(mappings/[a-z_]*\.json\)',*$|$top/libgmhook/\1|p" \
	"$top/libgmhook/meson.build")
python3 "$top/libgmhook/mappings/embed.py" "$work/builtin-files.c.new" \
	"${mapping_files[@]}" || exit 1
cmp -s "$work/builtin-files.c.new" "$work/builtin-files.c" ||
	mv "$work/builtin-files.c.new" "$work/builtin-files.c"
rm -f "$work/builtin-files.c.new"
if [ ! -e "$work/obj/builtin-files.o" ] ||
	[ "$work/builtin-files.c" -nt "$work/obj/builtin-files.o" ]; then
	"$CLANG" "${cflags[@]}" -c "$work/builtin-files.c" \
		-o "$work/obj/builtin-files.o" || exit 1
fi
export CFLAGS_LIST="${cflags[*]}"
objs=("$work/obj/builtin-files.o")
pids=()
failed_build=0
for src in "${sources[@]}"; do
	objs+=("$work/obj/$(echo "$src" | tr / _).o")
	compile "$src" &
	pids+=($!)
	if [ ${#pids[@]} -ge "$jobs" ]; then
		wait "${pids[0]}" || failed_build=1
		pids=("${pids[@]:1}")
	fi
done
for p in "${pids[@]}"; do
	wait "$p" || failed_build=1
done
if [ "$failed_build" -ne 0 ]; then
	echo "fuzz: the library does not build with $CLANG" >&2
	exit 1
fi
for t in "${targets[@]}"; do
	"$CLANG" "${cflags[@]/fuzzer-no-link/fuzzer}" \
		"$here/fuzz-$t.c" "${objs[@]}" "${libs[@]}" -o "$work/fuzz-$t" ||
		{ echo "fuzz: fuzz-$t does not build" >&2; exit 1; }
done

#### seeds: built here at run time from tests/data and the corpus ####
rm -rf "$work/seeds"
python3 - "$top/tests/data" "$corpus" "$work/seeds" <<'PY' || exit 1
import json, os, sys
data, corpus, out = sys.argv[1:4]
signers = ["calendly", "stripe", "shopify", "woocommerce", "typeform",
           "zendesk", "helpscout", "mailgun", "square", "square-sha1",
           "twilio", "sendgrid", "jira"]
n = 0
def put(target, blob):
    global n
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    n += 1
    with open(os.path.join(d, "seed-%05d" % n), "wb") as f:
        f.write(blob)
files = []
for root in (data, corpus):
    if not os.path.isdir(root):
        continue
    for dp, dn, fn in os.walk(root):
        dn.sort()
        for name in sorted(fn):
            files.append(os.path.join(dp, name))
for path in files:
    with open(path, "rb") as f:
        body = f.read()
    if len(body) > 200000:
        continue
    name = os.path.basename(path)
    provider = os.path.basename(os.path.dirname(path))
    if os.path.basename(os.path.dirname(path)) == "vectors":
        try:
            v = json.loads(body)
        except ValueError:
            continue
        provider = os.path.basename(os.path.dirname(os.path.dirname(path)))
        hv = str(v.get("header_value") or v.get("expected_signature") or "")
        ts = str(v.get("timestamp") or v.get("url") or "")
        payload = v.get("payload") or v.get("body_as_sent")
        if isinstance(payload, str) and provider in signers and "\n" not in hv:
            put("signature", bytes([signers.index(provider)]) +
                (hv + "\n" + ts.replace("\n", "") + "\n").encode() +
                payload.encode())
        continue
    if name.endswith((".md", ".sql", ".pem", ".content-type")):
        continue
    if name.endswith(".json") or body.lstrip()[:1] in (b"{", b"["):
        ct = b"application/json"
    elif name.endswith(".multipart.txt") or name.endswith("multipart.txt"):
        ctf = path[:-len(".multipart.txt")] + ".content-type"
        if not os.path.exists(ctf):
            ctf = path[:-len(".txt")] + ".content-type"
        if os.path.exists(ctf):
            ct = open(ctf, "rb").read().strip()
        else:
            first = body.split(b"\n", 1)[0].strip()
            ct = b"multipart/form-data; boundary=" + first[2:]
        b = ct.split(b"boundary=", 1)[-1].strip(b'"')
        put("multipart", b + b"\n" + body)
    else:
        ct = b"application/x-www-form-urlencoded"
        put("form", b"\0" + body)
        put("form", b"\3" + body)
    put("parse", ct + b"\n\n" + body)
    put("parse", b"\n" + provider.encode() + b"\n" + body)
    if provider in signers:
        put("signature", bytes([signers.index(provider)]) +
            b"t=1772460309,v1=00\n1772460309\n" + body)
    if provider == "mapping" and name.endswith(".json"):
        put("config", b"M" + body)
    if name.startswith("config") or provider == "config":
        put("config", b"C" + body)
# Hand-written seeds for what the data has little of.
put("config", b'C{"database": "x.db", "defaults": {"user": "WEB"}, '
    b'"limits": {"max_depth": 4, "overflow": "reject"}, '
    b'"sources": {"calendly": {"secret": "inline", "tolerance": 60}, '
    b'"stripe": {"secret": ["env:HOME", "abc"]}, '
    b'"postmark": {"url_token": "tok"}, "webform": {"enabled": true}}, '
    b'"rest": {"url": "https://127.0.0.1:1/api", "key": "k", '
    b'"auth": "basic", "user": "u"}, "spool": {"dir": "/nonexistent"}}')
put("multipart", b"XyZ\n--XyZ\r\nContent-Disposition: form-data; "
    b"name=\"email\"\r\n\r\na@example.com\r\n--XyZ\r\nContent-Disposition: "
    b"form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: "
    b"text/plain\r\n\r\nhello\r\n--XyZ--\r\n")
put("parse", b"application/x-www-form-urlencoded; charset=iso-8859-1\n"
    b"webform\nname=J%F6rg&email=j%40example.com")
put("form", b"\0a[b][c][d][e]=1&a[]=2&x=%zz&y=%C3%A9&z=%00")
PY
for t in "${all_targets[@]}"; do
	mkdir -p "$work/seeds/$t" "$work/corpus/$t"
done

#### run ####
status=0
summary=()
for t in "${targets[@]}"; do
	log=$work/fuzz-$t.log
	echo "fuzz: $t for ${time_each}s" >&2
	(cd "$work" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		./fuzz-"$t" -max_total_time="$time_each" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$crashes/$t-" ${FUZZ_FLAGS:-} \
		"$work/corpus/$t" "$work/seeds/$t" </dev/null >"$log" 2>&1)
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	corp=$(ls "$work/corpus/$t" | wc -l)
	if [ "$rc" -ne 0 ]; then
		status=1
		art=$(grep -o "Test unit written to .*" "$log" | sed 's/Test unit written to //' | tail -1)
		summary+=("$t: CRASH (exit $rc) execs=${execs:-?} cov=${cov:-?} input=${art:-?} log=$log")
		grep -m1 -A12 -E '^==[0-9]+==ERROR|runtime error|^SUMMARY' "$log" | head -20 >&2
	else
		summary+=("$t: ok execs=${execs:-?} cov=${cov:-?} ft=${ft:-?} corpus=$corp")
	fi
done
printf 'fuzz: %s\n' "${summary[@]}"
exit $status
