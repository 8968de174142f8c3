#!/bin/bash
# SPDX-License-Identifier: MIT
#
# End-to-end tests: real payloads through the gmhook tool into a real
# database, checked row by row with gmq. Prints TAP and exits non-zero on
# any failure.
#
#   e2e.sh GMHOOK GMQ sqlite         a fresh SQLite file per case
#   e2e.sh GMHOOK GMQ 'Driver=...;'  that database (PostgreSQL), whose
#                                    gmhook tables are dropped and created
#                                    again before each case
#   e2e.sh GMHOOK GMQ postgresql     the connection string in
#                                    $GMHOOK_TEST_PG; skipped when unset
#
# $GMHOOK_WRAPPER is put before every gmhook call (for example
# "valgrind --leak-check=full --error-exitcode=99 -q"). $GMHOOK_CORPUS
# names the shared payload corpus (default /work/shared/corpus); its
# Calendly and HTML-form payloads are tested only when it exists.

set -u
export LC_ALL=C
export TZ=UTC
unset GMHOOK_DB

if [ $# -ne 3 ]; then
	echo "usage: e2e.sh GMHOOK GMQ sqlite|CONNECTION" >&2
	exit 64
fi
GMHOOK=$1
GMQ=$2
DBSPEC=$3
if [ "$DBSPEC" = postgresql ]; then
	if [ -z "${GMHOOK_TEST_PG:-}" ]; then
		echo "1..0 # SKIP GMHOOK_TEST_PG is not set"
		exit 0
	fi
	DBSPEC=$GMHOOK_TEST_PG
fi
WRAPPER=${GMHOOK_WRAPPER:-}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/data/e2e
EXAMPLES=$HERE/../examples/payloads
CORPUS=${GMHOOK_CORPUS:-/work/shared/corpus}
TABLES="CONTACT1 CONTACT2 CONTSUPP CONTHIST CAL NOTES GMHOOK_LEDGER GMHOOK_LINK"
GOLDMINE_TABLES="CONTACT1 CONTACT2 CONTSUPP CONTHIST CAL NOTES"
ZERO="0 0 0 0 0 0 0 0"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-e2e.XXXXXX") || exit 1
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

like() {
	if ! [[ $2 =~ $3 ]]; then
		diag "$1: '$2' does not match /$3/"
	fi
}

contains() {
	if ! grep -qiF -- "$3" <<<"$2"; then
		diag "$1: '$3' not found in: $(head -c 600 <<<"$2")"
	fi
}

# ---- gmhook, gmq and the database ----

gm() {
	# $WRAPPER is split into words on purpose.
	# shellcheck disable=SC2086
	$WRAPPER "$GMHOOK" "$@"
}

# Run gmhook with stdout in $OUT, stderr in $ERR and the status in $RC.
run_gm() {
	gm "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

expect_rc() {
	if [ "$RC" != "$1" ]; then
		diag "exit status: expected $1, got $RC; stderr: $(head -c 1500 "$ERR")"
	fi
}

q() {
	local out

	if ! out=$("$GMQ" "$DB" "$@" 2>&1); then
		diag "gmq failed: $out (SQL: $*)"
		echo "gmq-error"
		return 1
	fi
	printf '%s\n' "$out"
}

# Drop gmhook's tables so the database is empty; SQLite gets a new file.
reset_db() {
	local t

	if [ "$DBSPEC" = sqlite ]; then
		DB=$TMP/case-$((N + 1))-$RANDOM.db
		rm -f "$DB"
		return
	fi
	DB=$DBSPEC
	for t in $TABLES; do
		"$GMQ" "$DB" "DROP TABLE IF EXISTS $t" >/dev/null 2>"$TMP/reset.err" ||
			diag "reset: $(cat "$TMP/reset.err")"
	done
}

fresh_db() {
	reset_db
	if ! gm init-db --db "$DB" >/dev/null 2>"$TMP/init.err"; then
		diag "init-db failed: $(cat "$TMP/init.err")"
	fi
}

counts() {
	local sql="SELECT" sep=" " t

	for t in $TABLES; do
		sql="$sql$sep(SELECT COUNT(*) FROM $t)"
		sep=", "
	done
	q "$sql" | tr '\t' ' '
}

# ---- expected values computed the way GoldMine defines them ----

# GoldMine's upper case: ASCII and the Latin-1 letters (U+00E0..U+00FE
# without U+00F7), as SQL Server's UPPER does and libgmhook promises.
UPPER_SED=$TMP/upper.sed
for b in $(seq 160 190); do
	[ "$b" -eq 183 ] && continue
	printf 's/\\xc3\\x%02x/\\xc3\\x%02x/g\n' "$b" $((b - 32))
done >"$UPPER_SED"

gm_upper() {
	# ASCII on purpose; the sed script adds the Latin-1 letters.
	# shellcheck disable=SC2018,SC2019
	printf '%s' "$1" | tr 'a-z' 'A-Z' | sed -f "$UPPER_SED"
}

# The first six characters of an ACCOUNTNO made today: YYMMDD with the
# decade as a letter (2026 -> C6).
acct_date() {
	local y m d

	read -r y m d < <(date +'%Y %m %d')
	y=$((10#$y))
	printf "\\x$(printf %x $((65 + (y - 2000) / 10)))%d%s%s" \
		$((y % 10)) "$m" "$d"
}

# The last three characters of an ACCOUNTNO: the name's first three bytes,
# '_' for anything but printable ASCII and quotes, '_' padding.
acct_tail() {
	local s=$1 out="" i c

	for i in 0 1 2; do
		c=${s:i:1}
		if [ -z "$c" ]; then
			s=""
			out+="_"
		elif [[ $c == [\ -~] && $c != "'" && $c != '"' ]]; then
			out+=$c
		else
			out+="_"
		fi
	done
	printf '%s' "$out"
}

secs_today() {
	echo $(($(date +%s) - $(date -d "$(date +%F) 00:00:00" +%s)))
}

today() {
	date +%F
}

# ---- per-payload expectations ----
#
# basename -> email|CONTACT|LASTNAME|COMPANY|CAL|ACTV/RESULT|history|note
# CAL is "ONDATE ONTIME DURATION ENDDATE" in UTC, or "" for none; history
# is a text CONTHIST.NOTES must hold; note the NOTES.NOTE text (HTML, as
# NOTES.EXT is 'html').
# A corpus file missing here is still checked, against the address in its
# plan and with no CAL or note expectations.
declare -A EXPECT=(
	[calendly-invitee-created.json]="maria.lindqvist@example.com|Maria Lindqvist|Lindqvist||2026-12-08 15:00 30 2026-12-08|APT/BKD|What would you like to discuss?: Moving 40 users|"
	[calendly-invitee-canceled.json]="maria.lindqvist@example.com|Maria Lindqvist|Lindqvist|||APT/CXL|Reason: Travelling that week|"
	[calendly-second-booking.json]="maria.lindqvist@example.com|Maria Lindqvist|Lindqvist||2026-12-10 13:00 45 2026-12-10|APT/BKD|Event: 45 Minute Onboarding Call|"
	[webform-contact.form]="tomas.benitez@example.net|Tomás Benítez|Benítez|Northwind Traders||WEB/FRM|interests: support, training|Please call me about a 10-seat licence.<br>Mornings are best."
	[calendly-v1-invitee-created.json]="henrik.ostergaard@example.org|Henrik Østergaard|Østergaard||2026-12-09 07:30 25 2026-12-09|APT/BKD|Company size: 11-50|"
	[calendly-v2-reschedule-canceled.json]="maria.lindqvist@example.com|Maria Lindqvist|Lindqvist|||APT/RSC|Canceled by: Maria Lindqvist|"
	[calendly-v2-reschedule-created.json]="maria.lindqvist@example.com|Maria Lindqvist|Lindqvist||2026-12-11 09:00 30 2026-12-11|APT/BKD|Event: 30 Minute Product Demo|"
	[webform-json.json]="aiko.tanaka@example.jp|Aiko Tanaka|Tanaka|Sakura Trading||WEB/FRM|newsletter: true|Please send a quote for 25 seats."
	[webform-long-company.form]="chris@example.com|Chris Long-Company|Long-Company|Aaaaaaaaa Bbbbbbbbb Ccccccccc Ddddddddd ||WEB/FRM|company: Aaaaaaaaa Bbbbbbbbb Ccccccccc Ddddddddd Eeeeeeeee Fffffffff Ggggggggg Hhhhhhhhh Iiiiiiiii Jjjjjjjjj.|"
	[webform-long-email.form]="priya.raghunathan.procurement@subsidiary.example.com|Priya Raghunathan|Raghunathan|||WEB/FRM|name: Priya Raghunathan|Long address test"
	[webform-multipart.txt]="lena.vogel@example.de|Lena Vogel|Vogel|||WEB/FRM|budget: 5000-10000 EUR|Bitte rufen Sie mich an.<br>Danke!"
	[v1-invitee-canceled-docs.json]="not.a.real.email@example.com|Joe Sample Data|Sample Data|||APT/CXL||"
	[v1-invitee-created-real-2018.json]="pat.mcexample@example.com|Pat McExample|McExample||2018-02-01 10:15 15 2018-02-01|APT/BKD||"
	[v1-invitee-created-sampled-2019.json]="erik+test@example.com|Erik|||2019-10-09 13:30 15 2019-10-09|APT/BKD||"
	[v2-invitee-canceled-2020-name-null.json]="betty@example.com|||||APT/CXL||"
	[v2-invitee-created-2020-minimal.json]="betty@example.com|Betty||||APT/BKD||"
	[v2-invitee-created-zoom-2023.json]="sam.rivera@example.org|Sam Rivera|Rivera||2023-07-25 16:30 20 2023-07-25|APT/BKD||"
	[contact-utf8-arrays.form]="jose.nunez@example.com|José Ñúñez-O'Brien|Ñúñez-O'Brien|||WEB/FRM|contact: {\"method\":\"phone\",\"time\":\"evening\"}|Hola 👋<br>Second line: 50% off &amp; \"free\" &lt;b&gt;trial&lt;/b&gt;?"
)

# The content type to send a payload with ("" lets gmhook guess).
content_type_of() {
	local ct=${1%.*}.content-type

	if [ -f "$ct" ]; then
		cat "$ct"
	fi
}

# Run one payload with "gmhook run"; $1 the file, then extra options.
# Sets $T0/$T1 (seconds since midnight around the run).
run_payload() {
	local file=$1 ct

	shift
	ct=$(content_type_of "$file")
	T0=$(secs_today)
	if [ -n "$ct" ]; then
		run_gm run --db "$DB" -c -t "$ct" -i "$file" "$@"
	else
		run_gm run --db "$DB" -c -i "$file" "$@"
	fi
	T1=$(secs_today)
}

# The e-mail address the plan of a payload names (for unknown payloads).
plan_email() {
	local file=$1 ct

	ct=$(content_type_of "$file")
	gm parse -i "$file" ${ct:+-t "$ct"} 2>/dev/null | gm validate 2>/dev/null |
		gm map 2>/dev/null | grep -o '"address": *"[^"]*"' | head -1 |
		sed 's/.*: *"\(.*\)"/\1/'
}

# GoldMine's rules for the contact row, its CONTACT2 twin and all RECIDs.
check_contact_rows() {
	local contact=$1 lastname=$2 company=$3 row acct name

	row=$(q "SELECT ACCOUNTNO, LENGTH(ACCOUNTNO), COALESCE(CONTACT, ''), COALESCE(LASTNAME, ''), COALESCE(COMPANY, ''), U_CONTACT, U_LASTNAME, U_COMPANY, CREATEBY, LASTUSER, CREATEON, CREATEAT, LENGTH(RECID) FROM CONTACT1")
	IFS=$'\x1f' read -r acct alen c1 l1 co1 uc ul uco cby lu con cat rlen <<<"${row//$'\t'/$'\x1f'}"
	is "CONTACT1 rows" "$(q 'SELECT COUNT(*) FROM CONTACT1')" 1
	is "ACCOUNTNO length" "$alen" 20
	is "ACCOUNTNO date" "${acct:0:6}" "$(acct_date)"
	like "ACCOUNTNO seconds" "${acct:6:5}" '^[0-9]{5}$'
	if [[ ${acct:6:5} =~ ^[0-9]{5}$ ]] &&
		((10#${acct:6:5} < T0 || 10#${acct:6:5} > T1)); then
		diag "ACCOUNTNO seconds: ${acct:6:5} not within $T0..$T1"
	fi
	name=$c1
	[ -z "$name" ] && name=$co1
	is "ACCOUNTNO name part" "${acct:17:3}" "$(acct_tail "$name")"
	is "CONTACT" "$c1" "$contact"
	is "LASTNAME" "$l1" "$lastname"
	is "COMPANY" "$co1" "$company"
	is "U_CONTACT" "$uc" "$(gm_upper "$c1")"
	is "U_LASTNAME" "$ul" "$(gm_upper "$l1")"
	is "U_COMPANY" "$uco" "$(gm_upper "$co1")"
	is "CREATEBY" "$cby" WEBHOOK
	is "LASTUSER" "$lu" WEBHOOK
	is "CREATEON" "$con" "$(today) 00:00:00"
	like "CREATEAT" "$cat" '^([01][0-9]|2[0-3]):[0-5][0-9]$'
	is "CONTACT1 RECID length" "$rlen" 15
	is "CONTACT2 row" "$(q "SELECT COUNT(*) FROM CONTACT2 WHERE ACCOUNTNO = (SELECT ACCOUNTNO FROM CONTACT1)")" 1
	check_recids
}

check_recids() {
	local sql="" sep="" t

	for t in $GOLDMINE_TABLES; do
		sql="$sql${sep}SELECT RECID FROM $t"
		sep=" UNION ALL "
	done
	is "RECIDs 15 characters" "$(q "SELECT COUNT(*) FROM ($sql) r WHERE LENGTH(RECID) <> 15")" 0
	is "RECIDs unique" "$(q "SELECT COUNT(*) - COUNT(DISTINCT RECID) FROM ($sql) r")" 0
}

check_email_row() {
	local email=$1 row

	row=$(q "SELECT s.RECTYPE, s.CONTACT, s.U_CONTACT, s.CONTSUPREF, COALESCE(s.ADDRESS1, ''), s.U_CONTSUPREF, s.U_ADDRESS1, s.ZIP, CASE WHEN s.LINKACCT = c.RECID THEN 'linked' ELSE 'LINKACCT=' || COALESCE(s.LINKACCT, 'NULL') END FROM CONTSUPP s JOIN CONTACT1 c ON c.ACCOUNTNO = s.ACCOUNTNO WHERE s.U_CONTACT = 'E-MAIL ADDRESS'")
	IFS=$'\x1f' read -r rt ct uct ref a1 uref ua1 zip link <<<"${row//$'\t'/$'\x1f'}"
	is "e-mail rows" "$(q "SELECT COUNT(*) FROM CONTSUPP WHERE U_CONTACT = 'E-MAIL ADDRESS'")" 1
	is "e-mail RECTYPE" "$rt" P
	is "e-mail CONTACT" "$ct" "E-mail Address"
	is "e-mail U_CONTACT" "$uct" "E-MAIL ADDRESS"
	is "e-mail CONTSUPREF" "$ref" "${email:0:35}"
	is "e-mail ADDRESS1" "$a1" "${email:35}"
	is "e-mail U_CONTSUPREF" "$uref" "$(gm_upper "${email:0:35}")"
	is "e-mail U_ADDRESS1" "$ua1" "$(gm_upper "${email:35}")"
	is "e-mail ZIP (primary)" "$zip" "011"
	is "e-mail LINKACCT" "$link" linked
}

# $1 "ONDATE ONTIME DURATION ENDDATE" or "" for no CAL row.
check_cal_row() {
	local want=$1 d t dur e row

	if [ -z "$want" ]; then
		is "CAL rows" "$(q 'SELECT COUNT(*) FROM CAL')" 0
		return
	fi
	read -r d t dur e <<<"$want"
	row=$(q "SELECT a.RECTYPE, a.USERID, a.ONDATE, a.ONTIME, a.DURATION, a.ENDDATE, a.STATUS, CASE WHEN a.NOTES IS NULL OR a.NOTES = '' THEN 'no' ELSE 'yes' END, CASE WHEN a.ACCOUNTNO = c.ACCOUNTNO THEN 'same' ELSE 'other' END FROM CAL a, CONTACT1 c")
	is "CAL row" "$row" "A	WEBHOOK	$d 00:00:00	$t	$dur	$e 00:00:00	 1	yes	same"
}

# $1 "ACTV/RESULT", $2 a text the notes must hold ("" for none).
check_history_row() {
	local codes=$1 text=$2 row notes

	row=$(q "SELECT h.RECTYPE, h.SRECTYPE, h.USERID, h.ACTVCODE || '/' || h.RESULTCODE, h.STATUS, CASE WHEN h.NOTES IS NULL OR h.NOTES = '' THEN ' 0' ELSE ' 1' END, CASE WHEN h.ACCOUNTNO = c.ACCOUNTNO THEN 'same' ELSE 'other' END, h.CREATEBY, h.CREATEON FROM CONTHIST h, CONTACT1 c")
	is "CONTHIST row" "$(cut -f1-4,7- <<<"$row")" "O  	O	WEBHOOK	$codes	same	WEBHOOK	$(today) 00:00:00"
	is "CONTHIST.STATUS (' 1' when notes)" "$(cut -f5 <<<"$row")" "$(cut -f6 <<<"$row")"
	if [ -n "$text" ]; then
		notes=$(q "SELECT NOTES FROM CONTHIST")
		contains "CONTHIST.NOTES" "$notes" "$text"
		is "CONTHIST.STATUS with notes" "$(cut -f5 <<<"$row")" " 1"
	fi
}

check_note_row() {
	local text=$1

	if [ -z "$text" ]; then
		is "NOTES rows" "$(q 'SELECT COUNT(*) FROM NOTES')" 0
		return
	fi
	is "NOTES row" "$(q "SELECT n.RECTYPE, n.NOTE, CASE WHEN n.LOPRECID = c.RECID AND n.ACCOUNTNO = c.ACCOUNTNO THEN 'linked' ELSE 'unlinked' END FROM NOTES n, CONTACT1 c")" "C1	$text	linked"
}

# A payload into a fresh database, checked field by field.
payload_case() {
	local file=$1 name exp email contact lastname company cal codes hist note

	name=$(basename "$file")
	begin "payload $name"
	fresh_db
	run_payload "$file"
	expect_rc 0
	contains "status" "$(cat "$OUT")" '"status":"committed"'
	exp=${EXPECT[$name]:-}
	if [ -n "$exp" ]; then
		IFS='|' read -r email contact lastname company cal codes hist note <<<"$exp"
	else
		email=$(plan_email "$file")
		contact=$(q "SELECT COALESCE(CONTACT, '') FROM CONTACT1")
		lastname=$(q "SELECT COALESCE(LASTNAME, '') FROM CONTACT1")
		company=$(q "SELECT COALESCE(COMPANY, '') FROM CONTACT1")
		cal=skip
		codes=$(q "SELECT ACTVCODE || '/' || RESULTCODE FROM CONTHIST")
		hist=""
		note=skip
	fi
	check_contact_rows "$contact" "$lastname" "$company"
	check_email_row "$email"
	[ "$cal" != skip ] && check_cal_row "$cal"
	check_history_row "$codes" "$hist"
	[ "$note" != skip ] && check_note_row "$note"
	is "ledger rows" "$(q 'SELECT COUNT(*) FROM GMHOOK_LEDGER')" 1
	finish
}

# A bad delivery: $1 name, $2 status, $3 message text, $4 JSON pointer
# ("*": not checked), then gmhook's arguments after "--db DB".
bad_case() {
	local name=$1 status=$2 text=$3 path=$4

	shift 4
	begin "rejects $name"
	fresh_db
	run_gm run --db "$DB" "$@"
	expect_rc "$status"
	contains "message" "$(cat "$ERR")" "$text"
	if [ "$path" != "*" ]; then
		contains "path" "$(cat "$OUT")" "\"path\": \"$path\""
	fi
	is "row counts" "$(counts)" "$ZERO"
	finish
}

# Every column of gmhook's tables but ids and clock times, sorted.
dump_tables() {
	local extra=" $1 " t cols c list

	for t in $TABLES; do
		cols=$("$GMQ" -H "$DB" "SELECT * FROM $t WHERE 1 = 0")
		list=""
		for c in $cols; do
			case " ACCOUNTNO RECID LINKACCT LOPRECID LINKRECID CREATEON CREATEAT LASTDATE LASTTIME ORIG_TIME CREATEDDATE MODIFIEDDATE RECEIVED COMMITTED RESULT CREATED $extra" in
			*" $c "* | *" $t.$c "*) continue ;;
			esac
			list="$list${list:+, }$c"
		done
		echo "== $t"
		q "SELECT $list FROM $t ORDER BY $list"
	done
}

# ---- the cases ----

EX_CREATED=$EXAMPLES/calendly-invitee-created.json
EX_CANCELED=$EXAMPLES/calendly-invitee-canceled.json
EX_SECOND=$EXAMPLES/calendly-second-booking.json
EX_FORM=$EXAMPLES/webform-contact.form

payloads=("$EXAMPLES"/* "$DATA"/*.json "$DATA"/*.form "$DATA"/*.txt)
if [ -d "$CORPUS" ]; then
	payloads+=("$CORPUS"/calendly/*.json "$CORPUS"/html-form/*.form)
fi
for f in "${payloads[@]}"; do
	[ -f "$f" ] && payload_case "$f"
done

begin "start time in the server zone (--tz America/New_York)"
fresh_db
T0=$(TZ=America/New_York secs_today)
run_gm run --db "$DB" -c --tz America/New_York -i "$EX_CREATED"
T1=$(TZ=America/New_York secs_today)
expect_rc 0
is "CAL ONDATE/ONTIME/ENDDATE" "$(q 'SELECT ONDATE, ONTIME, DURATION, ENDDATE FROM CAL')" "2026-12-08 00:00:00	10:00	30	2026-12-08 00:00:00"
is "CONTHIST ONDATE/ONTIME" "$(q 'SELECT ONDATE, ONTIME FROM CONTHIST')" "2026-11-30 00:00:00	04:12"
acct=$(q 'SELECT ACCOUNTNO FROM CONTACT1')
is "ACCOUNTNO date in the server zone" "${acct:0:6}" "$(TZ=America/New_York acct_date)"
if ((10#${acct:6:5} < T0 || 10#${acct:6:5} > T1)); then
	diag "ACCOUNTNO seconds ${acct:6:5} not within $T0..$T1 (New York)"
fi
finish

begin "redelivery is a duplicate and writes nothing"
fresh_db
run_payload "$EX_CREATED"
expect_rc 0
before=$(counts)
run_payload "$EX_CREATED"
expect_rc 0
contains "status" "$(cat "$OUT")" '"status":"duplicate"'
is "row counts unchanged" "$(counts)" "$before"
is "row counts" "$before" "1 1 1 1 1 0 1 1"
finish

begin "redelivery of a web form is a duplicate"
fresh_db
run_payload "$EX_FORM"
before=$(counts)
run_payload "$EX_FORM"
expect_rc 0
contains "status" "$(cat "$OUT")" '"status":"duplicate"'
is "row counts unchanged" "$(counts)" "$before"
finish

begin "second booking by the same e-mail reuses the contact"
fresh_db
run_payload "$EX_CREATED"
first=$(grep -o '"accountno":"[^"]*"' "$OUT" | head -1)
run_payload "$EX_SECOND"
expect_rc 0
is "same ACCOUNTNO in the result" "$(grep -o '"accountno":"[^"]*"' "$OUT" | head -1)" "$first"
is "row counts" "$(counts)" "1 1 1 2 2 0 2 2"
is "CAL rows of the contact" "$(q 'SELECT a.ONDATE, a.ONTIME, a.DURATION FROM CAL a JOIN CONTACT1 c ON c.ACCOUNTNO = a.ACCOUNTNO ORDER BY a.ONDATE')" "2026-12-08 00:00:00	15:00	30
2026-12-10 00:00:00	13:00	45"
check_recids
finish

begin "16 processes delivering different events for one new e-mail make one contact"
fresh_db
for i in $(seq 1 16); do
	printf 'email=race%%40example.com&name=Racer+%d&message=attempt+%d' "$i" "$i" |
		gm run --db "$DB" -c -t application/x-www-form-urlencoded \
			>"$TMP/race.$i.out" 2>"$TMP/race.$i.err" &
done
wait
is "contacts" "$(q 'SELECT COUNT(*) FROM CONTACT1')" 1
is "e-mail rows" "$(q "SELECT COUNT(*) FROM CONTSUPP WHERE U_CONTACT = 'E-MAIL ADDRESS'")" 1
is "history rows" "$(q 'SELECT COUNT(*) FROM CONTHIST')" 16
is "ledger rows" "$(q 'SELECT COUNT(*) FROM GMHOOK_LEDGER')" 16
is "committed" "$(cat "$TMP"/race.*.out | grep -c '"status":"committed"}],"status":"committed"')" 16
finish

begin "the database's own column sizes: a narrowed column cuts with a warning"
fresh_db
if [ "$DBSPEC" = sqlite ]; then
	ddl=$(gm init-db --schema-only --dialect sqlite | grep '^CREATE TABLE CONTACT1 ' |
		sed 's/COMPANY VARCHAR(40)/COMPANY VARCHAR(10)/; s/;$//')
	q "DROP TABLE CONTACT1" >/dev/null
	q "$ddl" >/dev/null
else
	q "ALTER TABLE contact1 ALTER COLUMN company TYPE VARCHAR(10)" >/dev/null
fi
printf 'email=narrow%%40example.com&name=Ann+Lee&company=Northwind+Traders+International' |
	run_gm run --db "$DB" -c -t application/x-www-form-urlencoded
expect_rc 0
is "company cut to the column" "$(q 'SELECT COMPANY, U_COMPANY FROM CONTACT1')" "Northwind 	NORTHWIND "
contains "warning" "$(cat "$OUT")" "CONTACT1.COMPANY: cut from 31 to 10 characters (the column's size in this database)"
finish

begin "a CONTACT2 field the database lacks is a configuration error, found by check --database"
fresh_db
cat >"$TMP/c2map.json" <<'JSON'
{"rules": [{"source": "webform", "mode": "extend", "actions": [
 {"action": "contact.upsert", "match": {"email": {"pointer": "/email"}},
  "contact2": {"UCHANNEL": {"literal": "web-form"}}}]}]}
JSON
printf '{"database": "%s", "mappings": ["%s"]}' "$DB" "$TMP/c2map.json" >"$TMP/c2cfg.json"
run_gm --config "$TMP/c2cfg.json" check --database
expect_rc 78
contains "check names the field" "$(cat "$ERR")" "CONTACT2 has no field UCHANNEL"
contains "check names the pointer" "$(cat "$ERR")" "/rules/0/actions/0/contact2/UCHANNEL"
printf 'email=c2%%40example.com&name=Bo' |
	run_gm --config "$TMP/c2cfg.json" run -c -t application/x-www-form-urlencoded
expect_rc 78
is "nothing written" "$(q 'SELECT COUNT(*) FROM CONTACT1')" 0
q "ALTER TABLE CONTACT2 ADD COLUMN UCHANNEL VARCHAR(5)" >/dev/null
run_gm --config "$TMP/c2cfg.json" check --database
expect_rc 0
printf 'email=c2%%40example.com&name=Bo' |
	run_gm --config "$TMP/c2cfg.json" run -c -t application/x-www-form-urlencoded
expect_rc 0
is "custom field cut to its size" "$(q 'SELECT UCHANNEL FROM CONTACT2')" "web-f"
finish

begin "the database's own sizes in CONTHIST and CAL: a narrowed REF is cut to it"
fresh_db
if [ "$DBSPEC" = sqlite ]; then
	# SQLite keeps any length; only gmhook's cut can shorten the rows.
	q "ALTER TABLE CONTHIST DROP COLUMN REF" >/dev/null
	q "ALTER TABLE CONTHIST ADD COLUMN REF NVARCHAR(12)" >/dev/null
	q "ALTER TABLE CAL DROP COLUMN REF" >/dev/null
	q "ALTER TABLE CAL ADD COLUMN REF VARCHAR(15)" >/dev/null
else
	# PostgreSQL refuses an overlong value: without the cut, exit 75.
	q "ALTER TABLE conthist ALTER COLUMN ref TYPE VARCHAR(12)" >/dev/null
	q "ALTER TABLE cal ALTER COLUMN ref TYPE VARCHAR(15)" >/dev/null
fi
run_payload "$EX_CREATED"
expect_rc 0
is "CONTHIST.REF cut to 12" "$(q 'SELECT REF FROM CONTHIST')" "Calendly: bo"
is "CAL.REF cut to 15" "$(q 'SELECT REF FROM CAL')" "Calendly: booke"
contains "warning" "$(cat "$OUT")" "CONTHIST.REF: cut from 39 to 12 characters (the column's size in this database)"
contains "warning" "$(cat "$OUT")" "CAL.REF: cut from 39 to 15 characters"
run_payload "$EX_SECOND" --reject-overflow
expect_rc 65
contains "refused" "$(cat "$ERR")" "CAL.REF holds 15 characters in this database"
is "nothing more written" "$(q 'SELECT COUNT(*) FROM CONTHIST') $(q 'SELECT COUNT(*) FROM CAL')" "1 1"
finish

begin "a CAL column the database lacks: check --database and fastcgi refuse to start (78)"
fresh_db
q "ALTER TABLE CAL DROP COLUMN ALARMFLAG" >/dev/null
run_gm --db "$DB" check --database
expect_rc 78
contains "check names the table and column" "$(cat "$ERR")" "CAL has no column ALARMFLAG in this database"
# gmhook fastcgi checks before it listens; a working one would not exit.
timeout 30 "$GMHOOK" --db "$DB" fastcgi --listen "$TMP/fcgi.sock" >"$OUT" 2>"$ERR"
RC=$?
expect_rc 78
contains "fastcgi names the table and column" "$(cat "$ERR")" "CAL has no column ALARMFLAG"
# A web form writes no CAL row, yet the delivery is refused before any
# row is written rather than spooled at the first booking.
run_payload "$EX_FORM"
expect_rc 78
is "row counts" "$(counts)" "$ZERO"
if [ "$DBSPEC" = sqlite ]; then
	q "ALTER TABLE CAL ADD COLUMN ALARMFLAG VARCHAR(1)" >/dev/null
else
	q "ALTER TABLE cal ADD COLUMN alarmflag VARCHAR(1)" >/dev/null
fi
run_gm --db "$DB" check --database
expect_rc 0
finish

begin "cancellation after booking removes the appointment"
fresh_db
run_payload "$EX_CREATED"
run_payload "$EX_CANCELED"
expect_rc 0
is "CAL rows" "$(q 'SELECT COUNT(*) FROM CAL')" 0
is "CONTHIST results" "$(q "SELECT RESULTCODE FROM CONTHIST ORDER BY RESULTCODE")" "BKD
CXL"
is "contacts" "$(q 'SELECT COUNT(*) FROM CONTACT1')" 1
contains "cancel notes" "$(q "SELECT NOTES FROM CONTHIST WHERE RESULTCODE = 'CXL'")" "Reason: Travelling that week"
finish

begin "reschedule pair moves the appointment"
fresh_db
run_payload "$EX_CREATED"
run_payload "$DATA/calendly-v2-reschedule-canceled.json"
expect_rc 0
run_payload "$DATA/calendly-v2-reschedule-created.json"
expect_rc 0
is "CAL rows" "$(q 'SELECT ONDATE, ONTIME, DURATION FROM CAL')" "2026-12-11 00:00:00	09:00	30"
is "CONTHIST results" "$(q "SELECT RESULTCODE FROM CONTHIST ORDER BY RESULTCODE")" "BKD
BKD
RSC"
contains "CONTHIST REF of the rebooking" "$(q "SELECT REF FROM CONTHIST ORDER BY REF")" "rebooked"
is "contacts" "$(q 'SELECT COUNT(*) FROM CONTACT1')" 1
check_recids
finish

begin "cancellation before its booking leaves no appointment"
fresh_db
run_payload "$EX_CANCELED"
expect_rc 0
run_payload "$EX_CREATED"
expect_rc 0
is "CAL rows" "$(q 'SELECT COUNT(*) FROM CAL')" 0
is "CONTHIST results" "$(q "SELECT RESULTCODE FROM CONTHIST ORDER BY RESULTCODE")" "BKD
CXL"
is "contacts" "$(q 'SELECT COUNT(*) FROM CONTACT1')" 1
finish

# The staged pipe and "run" must write the same rows.
pipe_case() {
	local file=$1 extra=$2 ct status

	ct=$(content_type_of "$file")
	begin "staged pipe equals run: $(basename "$file")"
	fresh_db
	gm parse ${ct:+-t "$ct"} <"$file" 2>"$ERR" | gm validate 2>>"$ERR" |
		gm map 2>>"$ERR" | gm commit --db "$DB" >"$OUT" 2>>"$ERR"
	status="${PIPESTATUS[*]}"
	is "pipe statuses" "$status" "0 0 0 0"
	[ "$status" = "0 0 0 0" ] || diag "stderr: $(head -c 1500 "$ERR")"
	dump_tables "$extra" >"$TMP/pipe.rows"
	fresh_db
	run_payload "$file"
	expect_rc 0
	dump_tables "$extra" >"$TMP/run.rows"
	if ! diff -u "$TMP/run.rows" "$TMP/pipe.rows" >"$TMP/rows.diff"; then
		diag "rows differ (run vs pipe): $(head -c 3000 "$TMP/rows.diff")"
	fi
	if ! grep -q "^[A-Z]" "$TMP/run.rows" || [ "$(grep -c . "$TMP/run.rows")" -lt 12 ]; then
		diag "too few rows dumped: $(cat "$TMP/run.rows")"
	fi
	finish
}
pipe_case "$EX_CREATED" ""
pipe_case "$EX_FORM" "CONTHIST.ONDATE CONTHIST.ONTIME"
pipe_case "$DATA/webform-multipart.txt" "CONTHIST.ONDATE CONTHIST.ONTIME"

begin "dry run writes nothing and prints the SQL"
fresh_db
run_gm run --db "$DB" -c -n -i "$EX_CREATED"
expect_rc 0
contains "SQL" "$(cat "$OUT")" "INSERT INTO CONTACT1"
contains "SQL" "$(cat "$OUT")" "INSERT INTO CAL"
contains "status" "$(cat "$OUT")" '"status":"dry-run"'
is "row counts" "$(counts)" "$ZERO"
finish

begin "a 100-character company is cut to 40 with a warning"
fresh_db
run_payload "$DATA/webform-long-company.form"
expect_rc 0
contains "warning" "$(cat "$OUT")" "CONTACT1.COMPANY"
contains "warning path" "$(cat "$OUT")" "/company"
is "COMPANY" "$(q 'SELECT LENGTH(COMPANY), COMPANY FROM CONTACT1')" "40	Aaaaaaaaa Bbbbbbbbb Ccccccccc Ddddddddd "
finish

bad_case "an overlong company with --reject-overflow" 65 "CONTACT1.COMPANY" "/company" \
	--reject-overflow -i "$DATA/webform-long-company.form"

begin "an e-mail longer than 35 characters continues in ADDRESS1"
fresh_db
run_payload "$DATA/webform-long-email.form"
expect_rc 0
is "CONTSUPREF + ADDRESS1" "$(q "SELECT CONTSUPREF, ADDRESS1, LENGTH(CONTSUPREF) FROM CONTSUPP WHERE RECTYPE = 'P'")" "priya.raghunathan.procurement@subsi	diary.example.com	35"
finish

# ---- bad input ----

printf '{"event":"invitee.created","payload":{"email":"x@example.com","na' >"$TMP/truncated.json"
: >"$TMP/empty"
printf 'hello\n' >"$TMP/hello.txt"
head -c 10485760 /dev/zero | tr '\0' 'a' >"$TMP/big.json"
{
	printf '%.0s[' $(seq 10000)
	printf '%.0s]' $(seq 10000)
} >"$TMP/deep.json"
printf '{"event":"invitee.created","payload":{"email":"bad\xff\xfe@example.com","name":"X","uri":"https://api.calendly.com/scheduled_events/E/invitees/I"}}' >"$TMP/badutf8.json"
printf 'name=J%%C3rg+M%%FCller&email=jm%%40example.com' >"$TMP/badutf8.form"
printf '{"event":"invitee.created","payload":{"name":"No Mail","uri":"https://api.calendly.com/scheduled_events/E/invitees/I","scheduled_event":{"start_time":"2026-12-08T15:00:00Z","end_time":"2026-12-08T15:30:00Z","name":"Demo"}}}' >"$TMP/noemail.json"
printf 'name=No+Mail&message=Call+me' >"$TMP/noemail.form"
printf 'name=Bad+Mail&email=bad.example.com' >"$TMP/bademail.form"
printf '{"event":"invitee.created","payload":{"email":"two@@example.com","name":"Bad Mail","uri":"https://api.calendly.com/scheduled_events/E/invitees/I"}}' >"$TMP/bademail.json"
printf '{"event":"invitee.created","payload":{"email":"date@example.com","name":"Bad Date","uri":"https://api.calendly.com/scheduled_events/E/invitees/I","scheduled_event":{"start_time":"12/08/2026 3:00 PM","end_time":"2026-12-08T15:30:00Z","name":"Demo"}}}' >"$TMP/baddate.json"
printf 'name=Too+Long&email=%s%%40subsidiary.example.com' "$(printf '%.0sx' $(seq 60))" >"$TMP/longemail.form"

bad_case "truncated JSON" 65 "ends early" "" -i "$TMP/truncated.json"
bad_case "an empty body" 65 "empty" "" -i "$TMP/empty"
bad_case "text/plain" 65 "unsupported content type" "" -t text/plain -i "$TMP/hello.txt"
bad_case "a 10 MB body" 65 "limit" "" -i "$TMP/big.json"
bad_case "JSON nested 10000 deep" 65 "deeper" "" -i "$TMP/deep.json"
bad_case "invalid UTF-8 in a JSON string" 65 "utf-8" "*" -i "$TMP/badutf8.json"
bad_case "invalid UTF-8 in a form value" 65 "not valid UTF-8" "/name" -i "$TMP/badutf8.form"
bad_case "Calendly without e-mail" 65 "e-mail address is required" "/payload/email" -i "$TMP/noemail.json"
bad_case "a web form without e-mail" 65 "no e-mail field" "" -i "$TMP/noemail.form"
bad_case "a malformed e-mail in a form" 65 "not a valid e-mail address" "/email" -i "$TMP/bademail.form"
bad_case "a malformed e-mail in Calendly" 65 "not a valid e-mail address" "/payload/email" -i "$TMP/bademail.json"
bad_case "an e-mail longer than GoldMine holds" 65 "at most 75" "/email" -i "$TMP/longemail.form"
bad_case "a Calendly start_time not in ISO 8601" 65 "ISO 8601" "/payload/scheduled_event/start_time" -i "$TMP/baddate.json"
bad_case "an unknown --source" 65 "unknown source" "" -s no-such-source -i "$EX_CREATED"
bad_case "a Calendly payload forced to --source webform" 65 "e-mail" "*" -s webform -i "$EX_CREATED"

begin "rejects a database without init-db"
reset_db
run_gm run --db "$DB" -i "$EX_CREATED"
expect_rc 78
contains "message" "$(cat "$ERR")" "init-db"
contains "path" "$(cat "$OUT")" '"path": ""'
if "$GMQ" "$DB" "SELECT COUNT(*) FROM CONTACT1" >/dev/null 2>&1; then
	diag "a CONTACT1 table exists after the failed run"
fi
finish

begin "rejects an unreachable database"
fresh_db
run_gm run --db /nonexistent/dir/x.db -i "$EX_CREATED"
expect_rc 75
contains "message" "$(cat "$ERR")" "connect"
contains "path" "$(cat "$OUT")" '"path": ""'
is "row counts" "$(counts)" "$ZERO"
finish

if [ "$DBSPEC" != sqlite ]; then
	begin "rejects an unreachable PostgreSQL server"
	fresh_db
	run_gm run --db "Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=1;Database=gmhook_test;Uid=nobody;Pwd=;" -i "$EX_CREATED"
	expect_rc 75
	contains "message" "$(cat "$ERR")" "connect"
	is "row counts" "$(counts)" "$ZERO"
	finish
fi

begin "rejects an unknown option"
fresh_db
run_gm run --db "$DB" --no-such-option -i "$EX_CREATED"
expect_rc 64
contains "message" "$(cat "$ERR")" "unknown option"
is "one line on stderr" "$(grep -c . "$ERR")" 1
is "row counts" "$(counts)" "$ZERO"
finish

echo "1..$N"
[ "$FAILED" -eq 0 ]
