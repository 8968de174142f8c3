#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The bad-input catalogue: hostile and malformed deliveries go through the
# real CLI into a fresh SQLite database each (gmhook init-db), and every
# case checks the exit status, a substring of the message and the rows in
# CONTACT1, CONTACT2, CONTSUPP, CONTHIST, CAL, NOTES, CASES and
# GMHOOK_LEDGER: none for refusals, exactly the expected ones for values
# accepted with a warning. Cases named "BUG ..." document a library or
# CLI fault reported to the lead and fail until it is fixed. Prints TAP.
#
#   test-bad-input.sh GMHOOK
#
# Needs the sqlite3 tool and python3 (to build large bodies).

set -u
export LC_ALL=C.UTF-8
export TZ=UTC
unset GMHOOK_DB GMHOOK_SPOOL

if [ $# -lt 1 ]; then
	echo "usage: test-bad-input.sh GMHOOK" >&2
	exit 64
fi
GMHOOK=$1
if [[ $GMHOOK == */* && $GMHOOK != /* ]]; then
	GMHOOK=$PWD/$GMHOOK
fi
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/data/bad-input
TABLES="CONTACT1 CONTACT2 CONTSUPP CONTHIST CAL NOTES CASES GMHOOK_LEDGER"
# What one accepted web form writes: contact, CONTACT2, e-mail row,
# history row and the ledger.
WEBFORM_ROWS="1 1 1 1 0 0 0 1"
NO_ROWS="0 0 0 0 0 0 0 0"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-bad-input.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1 # no stray gmhook.json is read
DB=$TMP/case.db
OUT=$TMP/stdout
ERR=$TMP/stderr
BODY=$TMP/body

N=0
FAILED=0
CASE=
DIAG=()
RC=0

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

# A fresh database for the case.
fresh_db() {
	rm -f "$DB"
	"$GMHOOK" init-db --db "$DB" >/dev/null 2>&1 ||
		diag "init-db failed"
}

# Row counts of the GoldMine tables and the ledger, in $TABLES order.
rows() {
	local t out=""

	for t in $TABLES; do
		out+="$(sqlite3 "$DB" "SELECT count(*) FROM $t" 2>&1) "
	done
	echo "${out% }"
}

sql() {
	sqlite3 "$DB" "$1" 2>&1
}

# run NAME [GMHOOK ARGS...]: the case's body is $BODY.
run() {
	CASE=$1
	shift
	DIAG=()
	fresh_db
	"$GMHOOK" --db "$DB" "$@" <"$BODY" >"$OUT" 2>"$ERR"
	RC=$?
}

expect_rc() {
	[ "$RC" -eq "$1" ] ||
		diag "exit status: expected $1, got $RC; stderr: $(head -c 400 "$ERR")"
}

expect_err() {
	grep -qF -- "$1" "$ERR" ||
		diag "stderr lacks '$1': $(head -c 400 "$ERR")"
}

expect_out() {
	grep -qF -- "$1" "$OUT" ||
		diag "stdout lacks '$1': $(head -c 400 "$OUT")"
}

expect_rows() {
	local got

	got=$(rows)
	[ "$got" = "$1" ] ||
		diag "rows ($TABLES): expected '$1', got '$got'"
}

is() {
	[ "$2" = "$3" ] || diag "$1: expected '$3', got '$2'"
}

# refused NAME STATUS MESSAGE [GMHOOK ARGS...]: exit STATUS, MESSAGE on
# stderr, nothing written.
refused() {
	local name=$1 status=$2 msg=$3

	shift 3
	run "$name" "$@"
	expect_rc "$status"
	expect_err "$msg"
	expect_rows "$NO_ROWS"
	finish
}

body() {
	printf "$@" >"$BODY"
}

body_py() {
	python3 -c "import sys; sys.stdout.write($1)" >"$BODY"
}

body_file() {
	cp "$1" "$BODY"
}

FORM=application/x-www-form-urlencoded

#### malformed encodings ####
body 'name=Ann%%zz&email=a%%40example.com'
refused "form: bad percent escape %zz" 65 "bad percent-escape at byte 8"
body 'email=a%%40example.com&name=Ann%%4'
refused "form: percent escape cut at the end" 65 "bad percent-escape"
body 'name=%%ff%%fe&email=a%%40example.com'
refused "form: invalid UTF-8 (%ff%fe)" 65 'value of "name" (field at byte 0) is not valid UTF-8'
body 'name=%%c0%%af&email=a%%40example.com'
refused "form: overlong UTF-8 (%c0%af)" 65 "is not valid UTF-8"
body 'name=%%ed%%a0%%80&email=a%%40example.com'
refused "form: UTF-8 encoded surrogate (%ed%a0%80)" 65 "is not valid UTF-8"
body_file "$DATA/json-invalid-utf8.json"
refused "JSON: invalid UTF-8 byte 0xff in a string" 65 "invalid JSON at byte"
# json-c's UTF-8 check lets these through; the form decoders refuse them.
body_file "$DATA/json-overlong-utf8.json"
refused "BUG json-utf8: JSON overlong UTF-8 (c0 af) is stored" 65 "UTF-8"
body_file "$DATA/json-utf8-encoded-surrogate.json"
refused "BUG json-utf8: JSON UTF-8 encoded surrogate (ed a0 80) is stored" 65 "UTF-8"
body_file "$DATA/json-utf8-above-10ffff.json"
refused "BUG json-utf8: JSON code point above U+10FFFF (f4 90 80 80) is stored" 65 "UTF-8"
body_file "$DATA/multipart-invalid-utf8-value.txt"
refused "multipart: invalid UTF-8 in a value" 65 'value of "name" (field at byte 6) is not valid UTF-8' \
	-t 'multipart/form-data; boundary=XX'
body_file "$DATA/multipart-overlong-utf8-name.txt"
refused "multipart: overlong UTF-8 in a part name" 65 "name of the field at byte 6 is not valid UTF-8" \
	-t 'multipart/form-data; boundary=XX'

# A lone surrogate escape is replaced by U+FFFD (json-c), not refused.
body '{"name":"\\ud800","email":"a@example.com"}'
run "JSON: lone high surrogate \\ud800 becomes U+FFFD"
expect_rc 0
expect_rows "$WEBFORM_ROWS"
is "CONTACT" "$(sql 'SELECT hex(CONTACT) FROM CONTACT1')" "EFBFBD"
finish
body '{"name":"\\udc00x","email":"a@example.com"}'
run "JSON: lone low surrogate \\udc00 becomes U+FFFD"
expect_rc 0
expect_rows "$WEBFORM_ROWS"
is "CONTACT" "$(sql 'SELECT hex(CONTACT) FROM CONTACT1')" "EFBFBD78"
finish

#### NUL bytes ####
body 'na%%00me=Ann&email=a%%40example.com'
refused "form: %00 in a field name" 65 "contains a NUL byte"
body_file "$DATA/json-raw-nul-after-value.json"
refused "JSON: raw NUL after the value" 65 "unexpected data after the JSON value at byte"

# A NUL inside a value must not silently cut it: refuse the delivery
# (65, nothing written) or keep the value whole or warn about the cut.
nul_case() {
	run "$1" "${@:3}"
	if [ "$RC" -eq 65 ]; then
		expect_rows "$NO_ROWS"
	else
		expect_rc 0
		expect_rows "$WEBFORM_ROWS"
		if [ "$(sql 'SELECT CONTACT FROM CONTACT1')" = A ] &&
			! grep -qi 'nul' "$OUT" "$ERR"; then
			diag "the value \"A<NUL>B\" was stored as \"A\" without a warning"
		fi
	fi
	finish
}
body_file "$DATA/form-nul-escape-in-value.form"
nul_case "BUG nul-cut: form %00 in a value is cut silently" x
body_file "$DATA/json-nul-escape.json"
nul_case "BUG nul-cut: JSON \\u0000 in a string is cut silently" x
body_file "$DATA/form-raw-nul-in-value.form"
nul_case "BUG nul-cut: raw NUL in a form value is cut silently" x -t "$FORM"

#### overlong fields ####
body_py "'name=' + 'N' * 10000 + '&email=a%40example.com'"
run "10,000-character name: cut to 40 with a warning"
expect_rc 0
expect_err "/name: CONTACT cut from 10000 to 40 characters"
expect_out "CONTACT cut from 10000 to 40 characters"
expect_rows "$WEBFORM_ROWS"
is "CONTACT length" "$(sql 'SELECT length(CONTACT) FROM CONTACT1')" 40
finish
body_py "'name=N&email=a%40example.com&company=' + 'C' * 5000"
run "5,000-character company: cut with a warning"
expect_rc 0
expect_err "COMPANY cut from 5000 to"
expect_rows "$WEBFORM_ROWS"
finish
body_py "'name=' + 'N' * 10000 + '&email=a%40example.com'"
run "10,000-character name with --reject-overflow is refused" \
	--reject-overflow
expect_rc 65
expect_err "/name"
expect_rows "$NO_ROWS"
finish
body_py "'name=N&email=' + 'a' * 290 + '%40example.com'"
refused "300-character e-mail address" 65 "/email: not a valid e-mail address"
body_py "'email=a%40example.com&' + 'k' * 10000 + '=v'"
run "10,000-character field name: accepted, kept out of GoldMine columns"
expect_rc 0
expect_rows "$WEBFORM_ROWS"
finish

#### huge numbers ####
body '{"name":"Ann","email":"a@example.com","n":1e999,"m":-1e999}'
run "JSON: 1e999 and -1e999"
expect_rc 0
expect_rows "$WEBFORM_ROWS"
finish
body '{"name":"Ann","email":"a@example.com","id":18446744073709551616}'
run "JSON: a 2^64 id"
expect_rc 0
expect_rows "$WEBFORM_ROWS"
finish
# A Brevo event whose ts_event is beyond any year gmtime can represent:
# the event's time must be absent or a valid RFC 3339 time, never text
# formatted from an uninitialised struct tm.
body_file "$DATA/brevo-ts-event-year-overflow.json"
CASE="BUG time-overflow: Brevo ts_event 1.7e17 gives a garbage event time"
DIAG=()
"$GMHOOK" parse -c <"$BODY" >"$OUT" 2>"$ERR"
RC=$?
if [ "$RC" -eq 0 ]; then
	t=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["events"][0].get("time") or "")' <"$OUT" 2>&1)
	if [ -n "$t" ] && ! [[ $t =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]; then
		diag "event time is '$t'"
	fi
else
	expect_rc 65
fi
finish

#### duplicate keys ####
body '{"name":"Ann","email":"first@example.com","email":"second@example.com"}'
run "JSON: duplicate key, the last one wins"
expect_rc 0
expect_rows "$WEBFORM_ROWS"
is "e-mail stored" "$(sql 'SELECT CONTSUPREF FROM CONTSUPP')" "second@example.com"
finish
body 'name=Ann&email=first%%40example.com&email=second%%40example.com'
refused "form: repeated e-mail field becomes a list (no single address)" 65 "no e-mail field in the form"

#### deep nesting ####
body_py "'{\"a\":' * 40 + '1' + '}' * 40"
refused "JSON: 40 nested objects (limit 32)" 65 "JSON nests deeper than 32 levels" -s webform
body_py "'[' * 100000 + ']' * 100000"
refused "JSON: 100,000 nested arrays" 65 "JSON nests deeper than 32 levels at byte 32"
body_py "'email=a%40example.com&a' + '[b]' * 40 + '=1'"
refused "form: a[b][b]... 40 levels deep" 65 "nests deeper than 32 levels"
body_py "'&'.join('f%d=1' % i for i in range(3000)) + '&email=a%40example.com'"
refused "form: 3,000 fields (limit 2000)" 65 "more than 2000 fields"

#### wrong types ####
for v in 5 '["a@example.com"]' '{"a":"a@example.com"}' null true; do
	body '{"name":"Ann","email":%s}' "$v"
	refused "JSON: e-mail as $v" 65 "no e-mail field in the form" -s webform
done
body '{"name":42,"email":"a@example.com"}'
run "JSON: name as a number is not used as the contact name"
expect_rc 0
expect_rows "$WEBFORM_ROWS"
is "CONTACT" "$(sql 'SELECT CONTACT FROM CONTACT1')" ""
finish

#### control characters and SQL-looking text: stored verbatim ####
body 'name=x%%01y%%1bz&email=a%%40example.com'
run "form: control characters in a name are stored as sent"
expect_rc 0
expect_rows "$WEBFORM_ROWS"
is "CONTACT" "$(sql 'SELECT hex(CONTACT) FROM CONTACT1')" "7801791B7A"
finish
body '{"name":"Ann\\r\\nBcc: x@example.com","email":"a@example.com"}'
run "JSON: CR LF in a name is stored as sent"
expect_rc 0
expect_rows "$WEBFORM_ROWS"
is "CONTACT" "$(sql 'SELECT hex(CONTACT) FROM CONTACT1')" \
	"$(printf 'Ann\r\nBcc: x@example.com' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"
finish
body "name=Robert%%27%%29%%3B+DROP+TABLE+CONTACT1%%3B--&email=bobby%%40example.com"
run "SQL text in a name is stored verbatim and nothing is dropped"
expect_rc 0
expect_rows "$WEBFORM_ROWS"
is "CONTACT" "$(sql 'SELECT CONTACT FROM CONTACT1')" "Robert'); DROP TABLE CONTACT1;--"
is "tables" "$(sql "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('CONTACT1','CONTACT2','CONTSUPP','CONTHIST','CAL','NOTES','CASES','GMHOOK_LEDGER')")" 8
finish
body '{"name":"x%%'"'"' OR '"'"'1'"'"'='"'"'1","email":"o'"'"'reilly@example.com"}'
run "quotes and LIKE wildcards in name and e-mail are data"
expect_rc 0
expect_rows "$WEBFORM_ROWS"
is "CONTACT" "$(sql 'SELECT CONTACT FROM CONTACT1')" "x%' OR '1'='1"
is "e-mail" "$(sql 'SELECT CONTSUPREF FROM CONTSUPP')" "o'reilly@example.com"
finish

#### header injection ####
body '{"name":"Ann","email":"a@example.com"}'
CASE="-H value with CR LF is one header, not two"
DIAG=()
"$GMHOOK" parse -c -H $'X-Note: a\r\nX-Injected: b' <"$BODY" >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0
expect_out '"headers":[["X-Note","a\r\nX-Injected: b"]]'
finish
refused "-H without a colon" 64 "-H needs 'Name: value'" -H NoColonHere

# cgi_run NAME [VAR=VALUE...]: gmhook cgi with a clean environment.
cgi_run() {
	local name=$1

	shift
	CASE=$name
	DIAG=()
	fresh_db
	env -i PATH="$PATH" TZ=UTC REQUEST_METHOD=POST \
		CONTENT_LENGTH="$(wc -c <"$BODY")" SERVER_NAME=localhost \
		SERVER_PORT=80 "$@" "$GMHOOK" cgi --db "$DB" \
		<"$BODY" >"$OUT" 2>"$ERR"
	RC=$?
}

# The response's header block (up to the blank line) has no injected line.
expect_clean_headers() {
	local bad

	bad=$(tr -d '\r' <"$OUT" | sed '/^$/q' |
		grep -ivE '^(Status|Content-Type|Content-Length|Cache-Control|Retry-After|WWW-Authenticate|Allow): |^$')
	[ -z "$bad" ] || diag "unexpected response header lines: $bad"
}

# Every stderr line is one of gmhook's own, so a value cannot forge a
# line in the web server's error log.
expect_clean_log() {
	local bad

	bad=$(grep -v '^gmhook: ' "$ERR")
	[ -z "$bad" ] || diag "stderr has lines gmhook did not write: $(printf '%q' "$bad")"
}

cgi_run "cgi: HTTP_X_* value with CR LF does not reach the response" \
	CONTENT_TYPE=application/json PATH_INFO=/hooks/webform \
	HTTP_X_EVIL=$'a\r\nSet-Cookie: pwned=1'
expect_rc 0
expect_out "Status: 200 OK"
expect_clean_headers
expect_rows "$WEBFORM_ROWS"
finish
cgi_run "cgi: PATH_INFO with CR LF is refused without injection" \
	CONTENT_TYPE=application/json \
	PATH_INFO=$'/hooks/x\r\nSet-Cookie: pwned=1'
expect_out "Status: 400"
expect_clean_headers
expect_rows "$NO_ROWS"
finish
cgi_run "BUG log-injection: cgi: CR LF in CONTENT_TYPE forges an error-log line" \
	CONTENT_TYPE=$'application/json\r\ngmhook: info: forged line' \
	PATH_INFO=/hooks/webform
expect_out "Status: 415"
expect_clean_headers
expect_clean_log
expect_rows "$NO_ROWS"
finish
body 'name=Ann&email=a%%40example.com'
run "BUG log-injection: CLI: newline in -t forges a stderr line" \
	-t $'text/x-evil\ngmhook: info: forged line'
expect_rc 65
expect_clean_log
expect_rows "$NO_ROWS"
finish

#### envelope: source, size, content type ####
body 'name=Ann&email=a%%40example.com'
refused "unknown --source" 65 "unknown source 'nosuchsource'" --source nosuchsource
body ''
refused "empty body" 65 "body is empty"
body ' \r\n\t '
refused "whitespace-only body" 65 "body is empty"
body_py "'name=Ann&email=a%40example.com&message=' + 'm' * 2000"
refused "body over --max-body" 65 "the limit is 100" --max-body 100
body 'name=Ann&email=a%%40example.com'
refused "multipart without boundary" 65 "multipart/form-data without a boundary parameter" \
	-t multipart/form-data
body_file "$DATA/multipart-overlong-utf8-name.txt"
refused "multipart whose boundary never appears" 65 "no multipart boundary line found" \
	-t 'multipart/form-data; boundary=YY'
refused "unsupported charset" 65 "unsupported charset 'klingon'" \
	-t "$FORM; charset=klingon"
refused "wrong content type image/png" 65 "unsupported content type 'image/png'" \
	-t image/png
refused "form body sent as application/json" 65 "invalid JSON at byte" \
	-t application/json
body '{"name":"Ann","email":"a@example.com"'
refused "truncated JSON" 65 "JSON ends early at byte"
body '{"name":"Ann","email":"a@example.com"} trailing'
refused "JSON with trailing text" 65 "invalid JSON at byte"
body '{}'
refused "empty JSON object: no source" 65 "cannot tell which service sent this payload"
body_py "__import__('json').dumps([{'email': 'a%d@example.com' % i} for i in range(1001)])"
refused "JSON array of 1,001 events" 65 "1000" -s webform

# A legacy form page with accept-charset=ISO-8859-1 percent-encodes its
# Latin-1 bytes: "J%F6rg" is "Jörg" in that charset.
body 'name=J%%F6rg&email=j%%40example.com'
run "BUG charset: urlencoded charset=iso-8859-1 applies to percent-decoded bytes" \
	-t "$FORM; charset=iso-8859-1"
expect_rc 0
expect_rows "$WEBFORM_ROWS"
is "CONTACT" "$(sql 'SELECT CONTACT FROM CONTACT1')" "Jörg"
finish
body 'name=J%%C3%%B6rg&email=j%%40example.com'
run "urlencoded UTF-8 percent escapes decode"
expect_rc 0
is "CONTACT" "$(sql 'SELECT CONTACT FROM CONTACT1')" "Jörg"
finish

#### the fuzzers' crashes, replayed through the CLI ####
for f in "$DATA"/fuzz/parse/*; do
	[ -f "$f" ] || continue
	# First line: content type; second: source; then the body.
	ct=$(sed -n 1p "$f")
	src=$(sed -n 2p "$f")
	tail -c +$(($(head -n 2 "$f" | wc -c) + 1)) "$f" >"$BODY"
	args=()
	[ -n "$ct" ] && args+=(-t "$ct")
	[ -n "$src" ] && args+=(-s "$src")
	CASE="fuzz input $(basename "$f"): no crash, a clean answer"
	DIAG=()
	fresh_db
	"$GMHOOK" --db "$DB" "${args[@]}" <"$BODY" >"$OUT" 2>"$ERR"
	RC=$?
	case $RC in
	0 | 65 | 77) ;;
	*) diag "exit status $RC: $(head -c 300 "$ERR")" ;;
	esac
	finish
done

echo "1..$N"
[ "$FAILED" -eq 0 ]
