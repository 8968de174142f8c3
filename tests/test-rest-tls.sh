#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The REST backend over TLS: the real gmhook tool against rest-server.py
# serving HTTPS on 127.0.0.1 with certificates made for this run by the
# openssl tool in a temporary directory (a throwaway CA, a server
# certificate for 127.0.0.1 signed by it, one for another host name, and
# a second CA that signed nothing gmhook meets). Checks that a delivery
# succeeds with the CA in rest.ca_file, and that without it, with the
# wrong CA or with a certificate for another host the request fails as a
# configuration error (exit 78) that says why, before any byte of the
# event reaches the server. Prints TAP.
#
#   test-rest-tls.sh GMHOOK REST-SERVER.PY
#
# $GMHOOK_WRAPPER is put before every gmhook call (valgrind). No traffic
# leaves 127.0.0.1: proxies are switched off and every URL is loopback.

set -u
export LC_ALL=C
export TZ=UTC
unset GMHOOK_DB GMHOOK_SPOOL http_proxy https_proxy HTTP_PROXY HTTPS_PROXY \
	all_proxy ALL_PROXY CURL_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR
export NO_PROXY='*' no_proxy='*'

if [ $# -ne 2 ]; then
	echo "usage: test-rest-tls.sh GMHOOK REST-SERVER.PY" >&2
	exit 64
fi
GMHOOK=$(realpath "$1")
SERVER=$(realpath "$2")
WRAPPER=${GMHOOK_WRAPPER:-}
HERE=$(cd "$(dirname "$0")" && pwd)
CREATED=$HERE/../examples/payloads/calendly-invitee-created.json
export GMHOOK_REST_KEY='k3y-S3cret-tls-5e1d'

echo "TAP version 13"
if ! command -v openssl >/dev/null; then
	echo "1..0 # SKIP the openssl tool is not installed"
	exit 0
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-rest-tls.XXXXXX") || exit 1
SPID=
cleanup() {
	if [ -n "$SPID" ]; then
		kill "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
OUT=$TMP/stdout
ERR=$TMP/stderr
LOG=$TMP/requests.log
PKI=$TMP/pki

# ---- certificates ----

# ca NAME: a self-signed CA certificate NAME.pem with its key NAME.key.
ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/$1.key" -out "$PKI/$1.pem" -days 2 \
		-subj "/CN=gmhook test $1" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign"
}

# server NAME CA SAN: a server certificate NAME.pem (key NAME.key) for
# the subjectAltName SAN, signed by CA.
server() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/$1.key" -out "$PKI/$1.csr" -subj "/CN=$1" &&
		printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$3" \
			>"$PKI/$1.ext" &&
		openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$2.pem" \
			-CAkey "$PKI/$2.key" -CAcreateserial -days 2 \
			-extfile "$PKI/$1.ext" -out "$PKI/$1.pem"
}

mkdir -p "$PKI"
if ! {
	ca ca && ca other-ca &&
		server loopback ca "IP:127.0.0.1,DNS:localhost" &&
		server wrong-host ca "DNS:gmhook-wrong-host.test"
} >"$TMP/openssl.log" 2>&1; then
	echo "Bail out! openssl could not make the test certificates"
	sed 's/^/# /' "$TMP/openssl.log"
	exit 1
fi

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
	sed 's/^/#   stdout: /' "$OUT" | head -20
	sed 's/^/#   stderr: /' "$ERR" | head -20
}

# ---- the server ----

# serve CERT: (re)start the HTTPS server with the certificate CERT, every
# request answered 201 with an accountno.
serve() {
	local i

	stop
	printf '%s\n' '[{"status": 201, "body": {"accountno": "TLS1"}}]' \
		>"$TMP/script.json"
	rm -f "$LOG" "$TMP/port"
	python3 "$SERVER" "$TMP/script.json" "$LOG" "$TMP/port" \
		"$PKI/$1.pem" "$PKI/$1.key" 2>"$TMP/server.err" &
	SPID=$!
	for i in $(seq 1 100); do
		[ -s "$TMP/port" ] && break
		sleep 0.05
	done
	PORT=$(cat "$TMP/port" 2>/dev/null)
	if [ -z "$PORT" ]; then
		echo "Bail out! rest-server.py did not start with TLS"
		sed 's/^/# /' "$TMP/server.err"
		exit 1
	fi
}

stop() {
	if [ -n "$SPID" ]; then
		kill "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
		SPID=
	fi
}

# config [EXTRA]: an https:// configuration with a spool, EXTRA being
# more "rest" members.
config() {
	mkdir -p "$TMP/spool"
	cat >"$TMP/cfg.json" <<EOF
{"rest": {"url": "https://127.0.0.1:$PORT/gm", "key": "env:GMHOOK_REST_KEY",
          "retries": 2, "timeout": 10${1:+, $1}},
 "spool": {"dir": "$TMP/spool"}}
EOF
}

run() {
	(cd "$TMP" && $WRAPPER "$GMHOOK" --config "$TMP/cfg.json" "$@" \
		<"$CREATED" >"$OUT" 2>"$ERR")
	STATUS=$?
}

expect_status() {
	if [ "$STATUS" != "$1" ]; then
		diag "exit status $STATUS, expected $1"
	fi
}

# check EXPR: a Python expression over R (the requests the server
# answered) and O (gmhook's JSON output).
check() {
	if ! python3 - "$LOG" "$OUT" "$1" <<'EOF' 2>/dev/null; then
import json, os, sys
R = []
if os.path.exists(sys.argv[1]):
    R = [json.loads(l) for l in open(sys.argv[1])]
try:
    O = json.load(open(sys.argv[2]))
except Exception:
    O = None
sys.exit(0 if eval(sys.argv[3]) else 1)
EOF
		diag "failed: $1"
	fi
}

stderr_has() {
	if ! grep -qiF -- "$1" "$ERR"; then
		diag "stderr lacks '$1'"
	fi
}

nothing_spooled() {
	if [ -n "$(ls "$TMP/spool")" ]; then
		diag "the spool holds: $(ls "$TMP/spool")"
	fi
}

# The refusal every verification failure shares: exit 78 at once, no
# request reached the server, nothing spooled, the reason on stderr.
refused() {
	expect_status 78
	check 'len(R) == 0'
	check 'O["code"] == "GMHOOK_ECONFIG" and O["status"] == "error"'
	check '"rest.ca_file" in O["message"] and "gave up" not in O["message"]'
	stderr_has "(TLS verification failed: see rest.ca_file and rest.url)"
	nothing_spooled
}

# ---- cases ----

begin "https with the CA in rest.ca_file: delivered and verified"
serve loopback
config "\"ca_file\": \"$PKI/ca.pem\""
run
expect_status 0
check 'len(R) == 1 and R[0]["method"] == "POST" and R[0]["path"] == "/gm/events"'
check 'R[0]["headers"]["x-api-key"] == "'"$GMHOOK_REST_KEY"'"'
check 'O["status"] == "committed" and O["accountno"] == "TLS1"'
if grep -qi "insecure\|not verified" "$ERR"; then
	diag "a verification warning on stderr: $(cat "$ERR")"
fi
finish

begin "a relative rest.ca_file is taken from the configuration's directory"
cp "$PKI/ca.pem" "$TMP/site-ca.pem"
config '"ca_file": "site-ca.pem"'
(cd / && $WRAPPER "$GMHOOK" --config "$TMP/cfg.json" <"$CREATED" \
	>"$OUT" 2>"$ERR")
STATUS=$?
expect_status 0
check 'len(R) == 2 and O["status"] == "committed"'
finish

begin "no rest.ca_file: verification is on by default, the private CA is refused"
serve loopback
config
run
refused
stderr_has "certificate"
finish

begin "a CA that did not sign the server's certificate is refused"
config "\"ca_file\": \"$PKI/other-ca.pem\""
run
refused
finish

begin "a certificate for another host name is refused"
serve wrong-host
config "\"ca_file\": \"$PKI/ca.pem\""
run
refused
stderr_has "host name"
finish

begin "\"insecure\": false is the same as leaving it out"
serve loopback
config '"insecure": false'
run
refused
finish

begin "\"insecure\": true skips verification, and says so on stderr"
config '"insecure": true'
run
expect_status 0
check 'len(R) == 1 and O["status"] == "committed"'
stderr_has "rest.insecure is true: the server's TLS certificate and host name are not verified"
finish

begin "an unreadable rest.ca_file is a configuration error at load"
serve loopback
config "\"ca_file\": \"$TMP/no-such-ca.pem\""
run
expect_status 78
check 'len(R) == 0 and O["path"] == "/rest/ca_file"'
check '"no-such-ca.pem" in O["message"]'
finish

begin "a rest.ca_file that holds no certificate is refused at the request"
serve loopback
printf 'not a certificate\n' >"$TMP/junk.pem"
config "\"ca_file\": \"$TMP/junk.pem\""
run
expect_status 78
check 'len(R) == 0 and O["code"] == "GMHOOK_ECONFIG"'
nothing_spooled
finish

begin "gmhook check accepts the TLS configuration without connecting"
serve loopback
config "\"ca_file\": \"$PKI/ca.pem\""
run check
expect_status 0
check 'len(R) == 0'
finish

stop
echo "1..$N"
[ "$FAILED" -eq 0 ]
