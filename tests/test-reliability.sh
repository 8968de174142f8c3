#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The spool's guarantees, end to end, with exact row counts (TAP):
#   database down  events spooled (75), database back, one drain commits
#                  each once, a second drain does nothing; dead letters,
#                  the drain lock, signature times, spool list/retry/drop
#   crash          200 runs of `gmhook run` or `gmhook drain` killed with
#                  SIGKILL at a random moment; afterwards each event is in
#                  GoldMine exactly once
#   concurrency    32 processes deliver 1,000 events, 30% duplicates, on
#                  SQLite (and on PostgreSQL when $GMHOOK_TEST_PG is set)
#   full disk      a spool that cannot take the file answers 75, never
#                  success, and keeps no partial file
#
#   test-reliability.sh GMHOOK
#
# $GMHOOK_WRAPPER is put before every gmhook call of the database-down
# group (for example "valgrind --leak-check=full --error-exitcode=99 -q");
# the timing-bound groups always run the bare binary.

set -u
export LC_ALL=C
export TZ=UTC
unset GMHOOK_DB GMHOOK_SPOOL

if [ $# -ne 1 ]; then
	echo "usage: test-reliability.sh GMHOOK" >&2
	exit 64
fi
GMHOOK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WRAPPER=${GMHOOK_WRAPPER:-}
HERE=$(cd "$(dirname "$0")" && pwd)
PAYLOADS=$HERE/../examples/payloads
FORM=application/x-www-form-urlencoded

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-rel.XXXXXX") || exit 1
cd "$TMP" || exit 1
# Never pick up a gmhook.json from the directory the test starts in.
echo '{}' >"$TMP/empty.json"
BG=()
cleanup() {
	local p
	for p in "${BG[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	chmod -R u+w "$TMP" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# ---- TAP ----

N=0
FAILED=0
DIAG=()

# finish NAME [TODO]: with TODO, a failure is a known bug (TAP "# TODO").
finish() {
	local d

	N=$((N + 1))
	if [ ${#DIAG[@]} -eq 0 ]; then
		echo "ok $N - $1"
	elif [ -n "${2:-}" ]; then
		echo "not ok $N - $1 # TODO $2"
		for d in "${DIAG[@]}"; do
			printf '%s\n' "$d" | sed 's/^/#   /'
		done
	else
		FAILED=$((FAILED + 1))
		echo "not ok $N - $1"
		for d in "${DIAG[@]}"; do
			printf '%s\n' "$d" | sed 's/^/#   /'
		done
	fi
	DIAG=()
}

is() {
	if [ "$2" != "$3" ]; then
		DIAG+=("$1: expected '$3', got '$2'")
	fi
}

# ---- gmhook and the databases ----

gm() {
	local cmd=()

	if [[ $1 != -* ]]; then
		cmd=("$1")
		shift
	fi
	# $WRAPPER is split into words on purpose.
	# shellcheck disable=SC2086
	$WRAPPER "$GMHOOK" "${cmd[@]}" --config "$TMP/empty.json" "$@"
}

form() {
	printf 'email=u%d%%40example.com&name=U+%d&message=m%d' "$1" "$1" "$1"
}

sqlite_conn() {
	echo "Driver=SQLite3;Database=$1;Timeout=${2:-200}"
}

# ledger, CONTHIST, CONTACT1, CONTACT2, e-mail rows, orphans, duplicate
# ACCOUNTNOs, duplicate RECIDs
COUNT_SQL="SELECT (SELECT COUNT(*) FROM GMHOOK_LEDGER) || ' ' ||
 (SELECT COUNT(*) FROM CONTHIST) || ' ' ||
 (SELECT COUNT(*) FROM CONTACT1) || ' ' ||
 (SELECT COUNT(*) FROM CONTACT2) || ' ' ||
 (SELECT COUNT(*) FROM CONTSUPP WHERE CONTACT = 'E-mail Address') || ' ' ||
 (SELECT COUNT(*) FROM CONTACT1 c WHERE NOT EXISTS
   (SELECT 1 FROM CONTACT2 d WHERE d.ACCOUNTNO = c.ACCOUNTNO)
  OR NOT EXISTS (SELECT 1 FROM CONTSUPP s WHERE s.ACCOUNTNO = c.ACCOUNTNO
   AND s.CONTACT = 'E-mail Address')) || ' ' ||
 (SELECT COUNT(*) - COUNT(DISTINCT ACCOUNTNO) FROM CONTACT1) || ' ' ||
 ((SELECT COUNT(*) - COUNT(DISTINCT RECID) FROM CONTACT1) +
  (SELECT COUNT(*) - COUNT(DISTINCT RECID) FROM CONTACT2) +
  (SELECT COUNT(*) - COUNT(DISTINCT RECID) FROM CONTSUPP) +
  (SELECT COUNT(*) - COUNT(DISTINCT RECID) FROM CONTHIST) +
  (SELECT COUNT(*) - COUNT(DISTINCT RECID) FROM NOTES))"

# counts for N events: all rows N, no orphans, no duplicate keys
expect_counts() {
	echo "$1 $1 $1 $1 $1 0 0 0"
}

sqlite_counts() {
	sqlite3 "$1" "$COUNT_SQL" 2>&1
}

# psql for a "Server=...;Port=...;Database=...;Uid=..." connection string
pg() {
	local conn=$GMHOOK_TEST_PG host port db user kv
	local IFS=';'
	for kv in $conn; do
		case $kv in
		Server=*) host=${kv#Server=} ;;
		Port=*) port=${kv#Port=} ;;
		Database=*) db=${kv#Database=} ;;
		Uid=*) user=${kv#Uid=} ;;
		esac
	done
	psql -X -q -h "${host:-127.0.0.1}" -p "${port:-5432}" -U "${user:-postgres}" -d "${db:-postgres}" -tAc "$1" 2>&1
}

count_files() {
	find "$1" -maxdepth 1 -type f -name '*.json' | wc -l
}

# hidden or temporary files other than the drain lock
count_litter() {
	find "$1" -maxdepth 1 -type f \( -name '.*' -o -name '*.tmp' \) ! -name .lock | wc -l
}

# ==== 1. database down ====

mkdir -p down/db down/spool
DB=$TMP/down/db/gm.db
gm init-db --db "$DB" 2>/dev/null
mv down/db down/db.away
rcs=""
spooled=0
for i in $(seq 1 20); do
	form "$i" | gm --db "$DB" --spool down/spool -t $FORM -c >out 2>err
	rcs+="$? "
	grep -q '"status": "spooled"' out && spooled=$((spooled + 1))
done
is "exit statuses" "$rcs" "$(printf '75 %.0s' $(seq 1 20))"
is "spooled answers" "$spooled" 20
is "spool files" "$(count_files down/spool)" 20
is "no temporary files" "$(count_litter down/spool)" 0
grep -q 'spooled the event as down/spool/' err ||
	DIAG+=("stderr does not say the event was spooled: $(cat err)")
finish "database absent: 20 events spooled, exit 75"

gm drain --db "$DB" --spool down/spool >out 2>err
is "drain while down" "$?" 75
is "files left" "$(count_files down/spool)" 20
grep -q '"left": 20' out || DIAG+=("summary: $(cat out)")
finish "drain while the database is still down stops at the first event (75) and leaves all"

# The same database held by another writer: SQLite busy past Timeout=200.
# Deliveries the database refused without being spooled are retried by
# the sender once the lock is gone, so the counts below stay exact.
mv down/db.away down/db
{ echo 'BEGIN EXCLUSIVE;'; sleep 8; } | sqlite3 "$DB" &
BG+=($!)
sleep 0.5
rcs=""
for i in $(seq 21 25); do
	form "$i" | gm --db "$(sqlite_conn "$DB")" --spool down/spool -t $FORM -c >out 2>err
	rc=$?
	rcs+="$rc "
	if [ $rc != 75 ]; then
		form "$i" >"down/retry$i"
		DIAG+=("stderr: $(cat err)")
	fi
done
is "exit statuses" "$rcs" "75 75 75 75 75 "
is "spool files" "$(count_files down/spool)" 25
wait "${BG[0]}" 2>/dev/null
BG=()
is "rows after the lock" "$(sqlite3 "$DB" 'SELECT COUNT(*) FROM GMHOOK_LEDGER')" 0
finish "database locked (timeout): 5 more events spooled" \
	"libgmhook: a SQLite file locked past Timeout= gives GMHOOK_ECONFIG (no GMHOOK_LEDGER table, 78) instead of GMHOOK_EUNAVAIL"
for f in down/retry*; do
	[ -e "$f" ] && gm --db "$DB" -t $FORM -i "$f" >/dev/null 2>&1
done
# A delivery that can never succeed: its spool file is damaged.
printf '{"gmhook": "spool", "version": 1, "rec' >down/spool/00000000000000000001-1-00000000.json
gm drain --db "$DB" --spool down/spool >out 2>err
is "drain" "$?" 0
is "rows" "$(sqlite_counts "$DB")" "$(expect_counts 25)"
is "spool files" "$(count_files down/spool)" 0
is "dead letters" "$(count_files down/spool/dead)" 1
test -s down/spool/dead/00000000000000000001-1-00000000.json.error ||
	DIAG+=("no error file beside the dead letter")
grep -q '"dead": 1, "left": 0' out || DIAG+=("summary: $(cat out)")
finish "database back: drain commits every event once; a damaged file goes to dead/"

gm drain --db "$DB" --spool down/spool >out 2>err
is "second drain" "$?" 0
is "rows" "$(sqlite_counts "$DB")" "$(expect_counts 25)"
grep -q '"committed": 0, "duplicate": 0' out || DIAG+=("summary: $(cat out)")
finish "a second drain does nothing"

# Drained in the order received: the ledger's insertion order.
mv down/db down/db.away
for i in 31 32 33; do
	form "$i" | gm --db "$DB" --spool down/spool -t $FORM -c >/dev/null 2>&1
done
mv down/db.away down/db
gm drain --db "$DB" --spool down/spool >/dev/null 2>&1
is "order" "$(sqlite3 "$DB" "SELECT CONTACT FROM CONTACT1 WHERE CONTACT LIKE 'U 3_' ORDER BY rowid" | tr '\n' ',')" "U 31,U 32,U 33,"
finish "drain commits in the order received"

# The drain lock.
flock down/spool/.lock sleep 2 &
BG+=($!)
sleep 0.3
start=$SECONDS
gm drain --db "$DB" --spool down/spool >out 2>err
is "locked drain" "$?" 75
grep -q 'another gmhook is working' err || DIAG+=("stderr: $(cat err)")
gm drain --wait --db "$DB" --spool down/spool >out 2>err
is "drain --wait" "$?" 0
[ $((SECONDS - start)) -ge 1 ] || DIAG+=("--wait did not wait")
BG=()
finish "a second drain exits 75 at once, or waits with --wait"

# Signature times: a delivery signed an hour ago, received then, drained now.
KEY=spool-test-key
export CAL_KEY=$KEY
cat >sig.json <<'EOF'
{"sources": {"calendly": {"secret": "env:CAL_KEY", "tolerance": 180}}}
EOF
t=$(($(date +%s) - 3600))
sig=$({ printf '%s.' "$t"; cat "$PAYLOADS/calendly-invitee-created.json"; } |
	openssl dgst -sha256 -hmac "$KEY" -r | cut -d' ' -f1)
mv down/db down/db.away
# shellcheck disable=SC2086
$WRAPPER "$GMHOOK" --config sig.json --db "$DB" --spool down/spool \
	--received "$t" -H "Calendly-Webhook-Signature: t=$t,v1=$sig" \
	-t application/json <"$PAYLOADS/calendly-invitee-created.json" >out 2>err
is "spooled" "$?" 75
mv down/db.away down/db
# shellcheck disable=SC2086
$WRAPPER "$GMHOOK" drain --config sig.json --db "$DB" --spool down/spool >out 2>err
is "drain" "$?" 0
is "calendar rows" "$(sqlite3 "$DB" 'SELECT COUNT(*) FROM CAL')" 1
is "dead letters" "$(count_files down/spool/dead)" 1
finish "a spooled signature is checked against the time received, not drained"

# spool list / show / retry / drop
dead=$(cd down/spool/dead && ls -- *.json)
gm spool list --spool down/spool >out 2>err
grep -q "^$dead	dead" out || DIAG+=("list: $(cat out)")
gm spool show "$dead" --spool down/spool >out 2>err
is "show" "$?" 0
grep -q '"state": "dead", "error": {"status": "error", "code": "GMHOOK_EPARSE"' out ||
	DIAG+=("show: $(head -c 300 out)")
gm spool retry "$dead" --spool down/spool >/dev/null 2>err
is "retry" "$?" 0
is "back in the spool" "$(count_files down/spool)" 1
is "dead letters" "$(count_files down/spool/dead)" 0
gm spool drop "${dead%.json}" --spool down/spool >/dev/null 2>err
is "drop" "$?" 0
is "dropped" "$(count_files down/spool)" 0
grep -q "dropped $dead" down/spool/drop.log || DIAG+=("drop.log: $(cat down/spool/drop.log)")
gm spool drop ../x.json --spool down/spool >/dev/null 2>&1
is "drop outside" "$?" 64
gm spool frob --spool down/spool >/dev/null 2>&1
is "unknown action" "$?" 64
finish "spool list, show, retry and drop (logged)"

# No spool directory: 75, and nothing claimed.
mv down/db down/db.away
form 99 | gm --db "$DB" -t $FORM -c >out 2>err
is "no spool" "$?" 75
grep -q spooled out && DIAG+=("claims spooled: $(cat out)")
grep -q 'nothing was spooled' err || DIAG+=("stderr: $(cat err)")
# $GMHOOK_SPOOL is the last resort.
form 99 | GMHOOK_SPOOL=down/spool gm --db "$DB" -t $FORM -c >out 2>err
is "env spool" "$?" 75
is "spooled via env" "$(count_files down/spool)" 1
mv down/db.away down/db
finish "without a spool directory: 75 and 'nothing was spooled'; \$GMHOOK_SPOOL works"

# ==== 2. crash: SIGKILL during commit ====

mkdir -p crash/spool crash/db
CDB=$TMP/crash/db/gm.db
"$GMHOOK" init-db --config empty.json --db "$CDB" 2>/dev/null
CCONN=$(sqlite_conn "$CDB" 5000)
kill_after_random() {
	"$@" >/dev/null 2>&1 &
	local pid=$!
	sleep "$(printf '0.%03d' $((RANDOM % 31)))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
# 100 runs killed; the sender then retries each one, as it would after
# getting no answer.
for i in $(seq 1001 1100); do
	form "$i" >"crash/e$i"
	kill_after_random "$GMHOOK" --config empty.json --db "$CCONN" \
		--spool crash/spool -t $FORM -i "crash/e$i"
done
bad=0
for i in $(seq 1001 1100); do
	"$GMHOOK" --config empty.json --db "$CCONN" --spool crash/spool \
		-t $FORM -i "crash/e$i" >/dev/null 2>&1 || bad=$((bad + 1))
done
is "retries that failed" "$bad" 0
# 100 more spooled while the database is away, then 100 drains killed.
mv crash/db crash/db.away
for i in $(seq 1101 1200); do
	form "$i" | "$GMHOOK" --config empty.json --db "$CDB" \
		--spool crash/spool -t $FORM >/dev/null 2>&1
done
mv crash/db.away crash/db
is "spooled" "$(count_files crash/spool)" 100
for i in $(seq 1 100); do
	kill_after_random "$GMHOOK" drain --config empty.json --db "$CCONN" \
		--spool crash/spool
done
"$GMHOOK" drain --wait --config empty.json --db "$CCONN" --spool crash/spool >out 2>err
is "final drain" "$?" 0
is "spool empty" "$(count_files crash/spool)" 0
is "rows" "$(sqlite_counts "$CDB")" "$(expect_counts 200)"
finish "crash: 200 runs and drains killed at random; every event exactly once"

# ==== 3. concurrency: 32 processes, 1,000 deliveries, 30% duplicates ====

# deliver.sh CONN SPOOL FILE: one delivery; its exit status and answer
# are appended to results.
cat >deliver.sh <<EOF
#!/bin/sh
out=\$("$GMHOOK" --config "$TMP/empty.json" --db "\$1" --spool "\$2" -t $FORM -c -i "\$3" 2>/dev/null)
rc=\$?
case \$out in
*'"status": "spooled"'*) echo "\$rc spooled" ;;
*'"status":"duplicate"'*) echo "\$rc duplicate" ;;
*) echo "\$rc" ;;
esac >>"\$2.results"
EOF
chmod +x deliver.sh
mkdir -p conc/bodies
for i in $(seq 1 700); do
	form $((5000 + i)) >"conc/bodies/$i"
done
{
	seq 1 700
	for i in $(seq 1 300); do echo $((RANDOM % 700 + 1)); done
} | shuf | sed "s|^|$TMP/conc/bodies/|" >conc/jobs

concurrency() {
	local name=$1 conn=$2 spool=$3 counts=$4 rcs
	mkdir -p "$spool"
	xargs -P 32 -n 1 ./deliver.sh "$conn" "$spool" <conc/jobs
	rcs=$(cut -d' ' -f1 "$spool.results" | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')
	[ "$(wc -l <"$spool.results")" = 1000 ] || DIAG+=("answers: $(wc -l <"$spool.results")")
	grep -qv '^0\|^75 spooled' "$spool.results" &&
		DIAG+=("an answer other than success or spooled: $rcs")
	"$GMHOOK" drain --wait --config empty.json --db "$conn" --spool "$spool" >out 2>err
	is "drain" "$?" 0
	is "rows" "$($counts)" "$(expect_counts 700)"
	finish "concurrency ($name): 32 processes, 1,000 deliveries, 700 events; answers $rcs"
}

mkdir -p conc/sqlite
"$GMHOOK" init-db --config empty.json --db conc/sqlite/gm.db 2>/dev/null
conc_sqlite_counts() {
	sqlite_counts conc/sqlite/gm.db
}
concurrency SQLite "$(sqlite_conn "$TMP/conc/sqlite/gm.db" 2000)" conc/spool-sqlite conc_sqlite_counts

if [ -n "${GMHOOK_TEST_PG:-}" ]; then
	pg "DROP TABLE IF EXISTS CONTACT1, CONTACT2, CONTSUPP, CONTHIST, CAL, NOTES, GMHOOK_LEDGER, GMHOOK_LINK" >/dev/null
	"$GMHOOK" init-db --config empty.json --db "$GMHOOK_TEST_PG" 2>/dev/null
	conc_pg_counts() {
		pg "$COUNT_SQL"
	}
	concurrency PostgreSQL "$GMHOOK_TEST_PG" conc/spool-pg conc_pg_counts
else
	N=$((N + 1))
	echo "ok $N - concurrency (PostgreSQL) # SKIP GMHOOK_TEST_PG is not set"
fi

# ==== 4. full disk ====

mkdir -p full/spool
FDB=$TMP/full/absent/gm.db
big=$(head -c 3000 /dev/zero | tr '\0' 'x')
(
	ulimit -f 1
	printf 'email=big%%40example.com&name=Big&message=%s' "$big" |
		"$GMHOOK" --config empty.json --db "$FDB" --spool full/spool -t $FORM -c >full/out 2>full/err
)
is "exit status" "$?" 75
grep -q spooled full/out && DIAG+=("claims spooled: $(cat full/out)")
grep -q 'nothing was spooled' full/err || DIAG+=("stderr: $(cat full/err)")
is "files in the spool" "$(find full/spool -mindepth 1 | wc -l)" 0
# The same limit takes a small delivery: the limit was the cause.
(
	ulimit -f 1
	form 1 | "$GMHOOK" --config empty.json --db "$FDB" --spool full/spool -t $FORM -c >full/out 2>full/err
)
is "small delivery" "$?" 75
is "small delivery spooled" "$(count_files full/spool)" 1
finish "full disk (ulimit -f): 75, never success, no partial file"

if mkdir -p full/tmpfs && mount -t tmpfs -o size=16k tmpfs full/tmpfs 2>/dev/null; then
	head -c 12000 /dev/urandom >full/tmpfs/filler
	printf 'email=big%%40example.com&name=Big&message=%s' "$big" |
		"$GMHOOK" --config empty.json --db "$FDB" --spool full/tmpfs -t $FORM -c >full/out 2>full/err
	is "exit status" "$?" 75
	grep -q spooled full/out && DIAG+=("claims spooled: $(cat full/out)")
	is "files" "$(find full/tmpfs -mindepth 1 ! -name filler | wc -l)" 0
	umount full/tmpfs
	finish "full disk (16 KiB tmpfs): 75, never success, no partial file"
else
	N=$((N + 1))
	echo "ok $N - full disk (tmpfs) # SKIP mount is not allowed here"
fi

echo "1..$N"
exit $((FAILED > 0))
