#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the Debian packages, starts
# a private PostgreSQL server on 127.0.0.1, runs every meson test (unit,
# ABI, end-to-end on SQLite and PostgreSQL, end-to-end under valgrind),
# then the unit and end-to-end tests again under ASan+UBSan, stops the
# server, and ends with one line: "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tests/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

work=$(mktemp -d)
# The server runs as the postgres user when this script runs as root; it
# must be able to reach its data directory inside the scratch directory.
chmod 755 "$work"
pgdir="$work/pg"
cleanup() {
	tests/pg-server.sh stop "$pgdir" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# A private PostgreSQL server for the end-to-end suite.
port=$((55000 + RANDOM % 5000))
if conn=$(tests/pg-server.sh start "$pgdir" "$port"); then
	export GMHOOK_TEST_PG="$conn"
	status=0
else
	echo "gmhook: error: PostgreSQL did not start; the PostgreSQL tests cannot run" >&2
	export GMHOOK_TEST_PG=""
	status=1
	pg_failed=1
fi

run_suite() {
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >/dev/null || return 1
	fi
	ninja -C "$dir" >/dev/null || { ninja -C "$dir"; return 1; }
	meson test -C "$dir" --print-errorlogs "${suites[@]}" || status=1
}

suites=()
run_suite build-test --buildtype=debugoptimized || status=1
suites=(--suite unit --suite e2e)
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
LSAN_OPTIONS=suppressions="$top/tests/lsan.supp":print_suppressions=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false \
	--buildtype=debug || status=1

# Fuzz each target for a bounded time (FUZZ_TIME s, default 20); a crash
# counts as one failure, a missing clang fuzzer runtime (77) as a skip.
tests/fuzz/run.sh; fuzz_rc=$?
[ "$fuzz_rc" -eq 0 ] || [ "$fuzz_rc" -eq 77 ] || { status=1; pg_failed=$((${pg_failed:-0} + 1)); }

# One line with meson's counts from both builds.
PG_FAILED=${pg_failed:-0} python3 - build-test build-asan <<'PY'
import json, sys, os
passed = skipped = 0
failed = int(os.environ.get("PG_FAILED", "0"))
for d in sys.argv[1:]:
    log = os.path.join(d, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        failed += 1
        continue
    for line in open(log):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
if skipped:
    print(f"({skipped} skipped)")
print(f"{passed} passed, {failed} failed")
PY
exit $status
