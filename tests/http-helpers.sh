# SPDX-License-Identifier: MIT
#
# Helpers shared by the web server tests (test-cgi.sh for nginx,
# test-apache.sh for Apache httpd), sourced by them: TAP output, free
# ports, POSTs with curl and the checks of the answer and of the rows in
# the SQLite database. The caller sets TMP (a scratch folder), BASE
# (http://127.0.0.1:PORT) and KEY (the Calendly signing key).

# ---- TAP ----

N=0
FAILED=0
ok() {
	N=$((N + 1))
	echo "ok $N - $1"
}
not_ok() {
	N=$((N + 1))
	FAILED=$((FAILED + 1))
	echo "not ok $N - $1"
	shift
	local line
	for line in "$@"; do
		echo "# $line"
	done
}
check() { # NAME CONDITION-RESULT DIAGNOSTICS...
	local name=$1 result=$2
	shift 2
	if [ "$result" = 0 ]; then ok "$name"; else not_ok "$name" "$@"; fi
}

# ---- servers ----

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_socket() {
	local i
	for i in $(seq 100); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# ---- requests ----

# post PATH FILE [CONTENT-TYPE [CURL-OPTIONS...]]: sets STATUS, HEADERS
# and BODY of the response.
post() {
	local path=$1 file=$2 type=${3:-application/json}
	shift 3 2>/dev/null || shift $#
	STATUS=$(curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' \
		-H "Content-Type: $type" --data-binary "@$file" "$@" \
		"$BASE$path")
	HEADERS=$(tr -d '\r' <"$TMP/headers")
	BODY=$(cat "$TMP/body")
}

# Calendly-Webhook-Signature: t=<now>,v1=HMAC-SHA256(key, "t.body")
calendly_signature() { # FILE [KEY]
	local t
	t=$(date +%s)
	printf 't=%s,v1=%s' "$t" "$( (printf '%s.' "$t"; cat "$1") |
		openssl dgst -sha256 -hmac "${2:-$KEY}" | sed 's/^.*= //')"
}

post_calendly() { # PATH FILE [KEY]
	post "$1" "$2" application/json \
		-H "Calendly-Webhook-Signature: $(calendly_signature "$2" "${3:-$KEY}")"
}

rows() { # DATABASE TABLE
	sqlite3 "$1" "SELECT COUNT(*) FROM $2"
}

expect() { # NAME STATUS [BODY-PATTERN]
	local pattern=${3:-}
	if [ "$STATUS" = "$2" ] &&
		grep -qi '^content-type: application/json' <<<"$HEADERS" &&
		{ [ -z "$pattern" ] || grep -q -- "$pattern" <<<"$BODY"; }; then
		ok "$1"
	else
		not_ok "$1" "expected $2 ${pattern:+and $pattern}, got $STATUS" \
			"$BODY"
	fi
}

expect_rows() { # NAME DATABASE TABLE COUNT
	local got
	got=$(rows "$2" "$3")
	check "$1" "$([ "$got" = "$4" ]; echo $?)" "$3 has $got rows, expected $4"
}
