#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# gmhook run --batch end to end: one delivery per input line, committed in
# groups (one transaction, a savepoint per event). Checks exact row counts
# for duplicates inside and across batches, a bad line in the middle, a
# database error on one event, a failure that loses the whole group, and
# group sizes 1, 10 and 1000, on SQLite and, when $GMHOOK_TEST_PG is set,
# on PostgreSQL (in its own schema, so it can run beside e2e.sh).
#
#   test-batch.sh GMHOOK GMQ sqlite|postgresql
#
# Prints TAP; exits non-zero when a case fails.

set -u
shopt -s lastpipe
export LC_ALL=C
export TZ=UTC
unset GMHOOK_DB GMHOOK_SPOOL

if [ $# -ne 3 ]; then
	echo "usage: test-batch.sh GMHOOK GMQ sqlite|postgresql" >&2
	exit 64
fi
GMHOOK=$1
GMQ=$2
DIALECT=$3
if [ "$DIALECT" = postgresql ] && [ -z "${GMHOOK_TEST_PG:-}" ]; then
	echo "1..0 # SKIP GMHOOK_TEST_PG is not set"
	exit 0
fi
HERE=$(cd "$(dirname "$0")" && pwd)
TABLES="CONTACT1 CONTACT2 CONTSUPP CONTHIST CAL NOTES CASES GMHOOK_LEDGER GMHOOK_LINK"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-batch.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/stdout
ERR=$TMP/stderr

# ---- TAP ----

N=0
FAILED=0
CASE=
DIAG=()

begin() {
	CASE=$1
	DIAG=()
	fresh_db
}

diag() {
	DIAG+=("$1")
}

finish() {
	local d

	N=$((N + 1))
	if [ ${#DIAG[@]} -eq 0 ]; then
		echo "ok $N - $CASE"
		return
	fi
	FAILED=$((FAILED + 1))
	echo "not ok $N - $CASE"
	for d in "${DIAG[@]}"; do
		printf '%s\n' "$d" | sed 's/^/#   /'
	done
}

is() {
	if [ "$2" != "$3" ]; then
		diag "$1: expected '$3', got '$2'"
	fi
}

# ---- the database ----

q() {
	local out

	if ! out=$("$GMQ" "$DB" "$@" 2>&1); then
		diag "gmq failed: $out (SQL: $*)"
		echo "gmq-error"
		return 1
	fi
	printf '%s\n' "$out"
}

fresh_db() {
	local t

	if [ "$DIALECT" = sqlite ]; then
		DB=$TMP/case-$((N + 1)).db
		rm -f "$DB"
	else
		DB="${GMHOOK_TEST_PG%;};ConnSettings=SET search_path TO gmhook_batch;"
		"$GMQ" "$GMHOOK_TEST_PG" "CREATE SCHEMA IF NOT EXISTS gmhook_batch" >/dev/null 2>&1
		for t in $TABLES; do
			"$GMQ" "$DB" "DROP TABLE IF EXISTS $t CASCADE" >/dev/null 2>"$TMP/reset.err" ||
				diag "reset: $(cat "$TMP/reset.err")"
		done
	fi
	if ! "$GMHOOK" init-db --db "$DB" >/dev/null 2>"$TMP/init.err"; then
		diag "init-db failed: $(cat "$TMP/init.err")"
	fi
	rm -rf "$TMP/spool"
	mkdir -p "$TMP/spool"
}

# Ledger, CONTACT1, CONTSUPP e-mail rows, CONTHIST.
counts() {
	q "SELECT (SELECT COUNT(*) FROM GMHOOK_LEDGER), (SELECT COUNT(*) FROM CONTACT1), (SELECT COUNT(*) FROM CONTSUPP), (SELECT COUNT(*) FROM CONTHIST)" | tr '\t' ' '
}

# A per-event database error for a delivery whose message holds FAILME,
# and one that loses the whole transaction for KILLME (SQLite:
# RAISE(ROLLBACK); PostgreSQL: the server ends the session).
add_traps() {
	if [ "$DIALECT" = sqlite ]; then
		q "CREATE TRIGGER failme BEFORE INSERT ON CONTHIST WHEN NEW.NOTES LIKE '%FAILME%' BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END" >/dev/null
		q "CREATE TRIGGER killme BEFORE INSERT ON CONTHIST WHEN NEW.NOTES LIKE '%KILLME%' BEGIN SELECT RAISE(ROLLBACK, 'transaction dropped'); END" >/dev/null
	else
		q "CREATE OR REPLACE FUNCTION gmhook_batch.trap() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN IF NEW.NOTES LIKE '%FAILME%' THEN RAISE EXCEPTION 'refused by a trigger' USING ERRCODE = 'P0001'; END IF; IF NEW.NOTES LIKE '%KILLME%' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; RETURN NEW; END \$\$" >/dev/null
		q "CREATE TRIGGER trap BEFORE INSERT ON CONTHIST FOR EACH ROW EXECUTE FUNCTION gmhook_batch.trap()" >/dev/null
	fi
}

# ---- input ----

# One webform delivery per argument: NAME[:MESSAGE]; the same NAME and
# message make the same event (the webform id is the body's digest).
bare() {
	local a

	for a in "$@"; do
		printf '{"form_name": "Batch", "full_name": "Person %s", "email": "p%s@example.com", "message": "%s"}\n' \
			"${a%%:*}" "${a%%:*}" "${a#*:}"
	done
}

# $1 lines, $2 distinct people: line i is person (i mod $2).
many() {
	local i

	for ((i = 0; i < $1; i++)); do
		bare "$((i % $2))"
	done
}

run_batch() {
	"$GMHOOK" run --batch --db "$DB" --spool "$TMP/spool" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# The status of each output line, in order, space separated.
statuses() {
	python3 -c 'import json, sys; print(" ".join(json.loads(l)["status"] for l in sys.stdin))' <"$OUT"
}

# How many output lines have status $1.
count_status() {
	statuses | tr ' ' '\n' | grep -c "^$1\$"
}

expect_rc() {
	if [ "$RC" != "$1" ]; then
		diag "exit status: expected $1, got $RC; stderr: $(head -c 1500 "$ERR")"
	fi
}

# ---- cases ----

begin "duplicates inside a group and across batches ($DIALECT)"
bare 1 2 1 3 | run_batch --source webform --batch-size 10
expect_rc 0
is "first batch" "$(statuses)" "committed committed duplicate committed"
is "rows after the first batch" "$(counts)" "3 3 3 3"
bare 1 4 4 | run_batch --source webform --batch-size 2
expect_rc 0
is "second batch" "$(statuses)" "duplicate committed duplicate"
is "rows after the second batch" "$(counts)" "4 4 4 4"
finish

begin "a bad line in the middle gets its own error line ($DIALECT)"
{
	bare 1 2
	echo 'this is not a delivery'
	bare 3 4
} | run_batch --source webform --batch-size 10
expect_rc 65
is "statuses" "$(statuses)" "committed committed error committed committed"
is "error line" "$(sed -n 3p "$OUT" | grep -o '"code": "[A-Z_]*"')" '"code": "GMHOOK_EMEDIATYPE"'
is "rows" "$(counts)" "4 4 4 4"
is "dead letter" "$(ls "$TMP/spool/dead" 2>/dev/null | grep -c '\.json$')" "1"
finish

begin "envelopes: source, headers and body per line ($DIALECT)"
{
	printf '{"headers": {"Content-Type": "application/json"}, "body": '
	tr -d '\n' <"$HERE/data/e2e/calendly-v1-invitee-created.json"
	printf '}\n'
	printf '{"source": "webform", "headers": [["Content-Type", "application/x-www-form-urlencoded"]], "body": "full_name=Form+Person&email=form%%40example.com"}\n'
	printf '{"source": "webform", "headers": {}}\n'
} | run_batch --batch-size 10
expect_rc 65
is "statuses" "$(statuses)" "committed committed error"
is "ledger rows" "$(q 'SELECT COUNT(*) FROM GMHOOK_LEDGER')" "2"
is "calendar rows" "$(q 'SELECT COUNT(*) FROM CAL')" "1"
finish

begin "a database error on one event rolls back only that event ($DIALECT)"
add_traps
bare 1 2 3:FAILME 4 5 | run_batch --source webform --batch-size 10
# The refusal may pass later (a trigger can change): spooled for drain,
# as gmhook run would.
is "statuses" "$(statuses)" "committed committed spooled committed committed"
is "spooled" "$(ls "$TMP/spool" | grep -c '\.json$')" "1"
is "rows" "$(counts)" "4 4 4 4"
is "person 3 left nothing" "$(q "SELECT COUNT(*) FROM CONTACT1 WHERE CONTACT = 'Person 3'")" "0"
finish

begin "a failure that loses the group: nothing reported before the retry ($DIALECT)"
add_traps
bare 1 2 3:KILLME 4 5 6 | run_batch --source webform --batch-size 10
is "retried one by one" "$(grep -c 'committing them one by one' "$ERR")" "1"
is "output lines" "$(wc -l <"$OUT")" "6"
is "statuses" "$(statuses)" "committed committed spooled committed committed committed"
is "spooled" "$(ls "$TMP/spool" | grep -c '\.json$')" "1"
is "rows" "$(counts)" "5 5 5 5"
is "no contact twice" "$(q 'SELECT COUNT(*) FROM (SELECT CONTACT FROM CONTACT1 GROUP BY CONTACT HAVING COUNT(*) > 1) AS d')" "0"
finish

for size in 1 10 1000; do
	begin "group size $size: 250 lines, 200 distinct events ($DIALECT)"
	many 250 200 | run_batch --source webform --batch-size "$size"
	expect_rc 0
	is "output lines" "$(wc -l <"$OUT")" "250"
	is "committed" "$(count_status committed)" "200"
	is "duplicate" "$(count_status duplicate)" "50"
	is "rows" "$(counts)" "200 200 200 200"
	many 250 200 | run_batch --source webform --batch-size "$size"
	is "all duplicates the second time" "$(count_status duplicate)" "250"
	is "rows unchanged" "$(counts)" "200 200 200 200"
	finish
done

begin "the database is unreachable: every line is spooled ($DIALECT)"
if [ "$DIALECT" = sqlite ]; then
	DB=$TMP/no-such-dir/x.db
else
	DB="Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=1;Database=x;Uid=x;Pwd=;"
fi
bare 1 2 3 | run_batch --source webform --batch-size 10
expect_rc 75
is "statuses" "$(statuses)" "spooled spooled spooled"
is "spool files" "$(ls "$TMP/spool" | grep -c '\.json$')" "3"
finish

begin "usage: --batch-size must be a positive number"
"$GMHOOK" run --batch --batch-size 0 </dev/null >"$OUT" 2>"$ERR"
RC=$?
expect_rc 64
finish

echo "1..$N"
[ "$FAILED" -eq 0 ]
