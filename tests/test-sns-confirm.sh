#!/bin/bash
# SPDX-License-Identifier: MIT
#
# SNS subscription confirmation end to end. The test makes its own SNS
# signing key and certificate (configured as public_key) and a TLS
# certificate for 127.0.0.1 (configured as confirm_ca_file), signs
# SubscriptionConfirmation messages whose SubscribeURL points at
# rest-server.py speaking HTTPS on 127.0.0.1 (allowed by the test-only
# confirm_test_host), and runs them through `gmhook cgi` (CGI variables
# and standard input, as a web server would) and `gmhook run`. Each case
# checks the answer and what the server received. Prints TAP.
#
#   test-sns-confirm.sh GMHOOK REST-SERVER.PY
#
# $GMHOOK_WRAPPER is put before every gmhook call (valgrind). No traffic
# leaves 127.0.0.1: proxies are switched off, every SubscribeURL that can
# be fetched is on 127.0.0.1, and the SNS host rule is exercised only in
# unit tests and dry runs.

set -u
export LC_ALL=C
export TZ=UTC
unset GMHOOK_DB GMHOOK_SPOOL http_proxy https_proxy HTTP_PROXY HTTPS_PROXY \
	all_proxy ALL_PROXY
export NO_PROXY='*' no_proxy='*'

if [ $# -ne 2 ]; then
	echo "usage: test-sns-confirm.sh GMHOOK REST-SERVER.PY" >&2
	exit 64
fi
GMHOOK=$(realpath "$1")
SERVER=$(realpath "$2")
WRAPPER=${GMHOOK_WRAPPER:-}
for tool in openssl python3 sqlite3; do
	command -v $tool >/dev/null || { echo "test-sns-confirm.sh: $tool is missing" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-sns.XXXXXX") || exit 1
SPID=
cleanup() {
	if [ -n "$SPID" ]; then
		kill "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
OUT=$TMP/stdout
ERR=$TMP/stderr
LOG=$TMP/requests.log
TOKEN=5f1b0c2d3e4a59687766554433221100ffeeddccbbaa99887766554433221100
TOPIC=arn:aws:sns:us-east-1:123456789012:gmhook-test
SUB_ARN=$TOPIC:6a1e2f30-0c4d-4e5f-9a8b-7c6d5e4f3a2b

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
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
	sed 's/^/#   stdout: /' "$OUT" 2>/dev/null | head -10
	sed 's/^/#   stderr: /' "$ERR" 2>/dev/null | head -10
}
check() { # NAME CONDITION-RESULT DIAGNOSTICS...
	local name=$1 result=$2
	shift 2
	if [ "$result" = 0 ]; then ok "$name"; else not_ok "$name" "$@"; fi
}

# ---- keys, certificates, database ----

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=sns-test-signer \
	-keyout "$TMP/sns.key" -out "$TMP/sns.pem" 2>/dev/null &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 \
		-keyout "$TMP/tls.key" -out "$TMP/tls.pem" 2>/dev/null &&
	"$GMHOOK" init-db --db "$TMP/sns.db" 2>/dev/null || {
	echo "Bail out! cannot make the keys or the database"
	exit 1
}
mkdir "$TMP/spool"

# sign.py OUT URL [TAMPER]: a SubscriptionConfirmation for $TOPIC with
# $TOKEN, SignatureVersion 2 (SHA256withRSA over the canonical string of
# the SNS developer guide) with the test's key; TAMPER changes the Token
# after signing.
cat >"$TMP/sign.py" <<'EOF'
import base64, json, subprocess, sys, time, uuid
out, url, key, token, topic = sys.argv[1:6]
tamper = len(sys.argv) > 6
m = {
    "Type": "SubscriptionConfirmation",
    "MessageId": str(uuid.uuid4()),
    "Token": token,
    "TopicArn": topic,
    "Message": "Confirm the subscription to " + topic + " with SubscribeURL.",
    "SubscribeURL": url,
    "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
}
fields = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token",
          "TopicArn", "Type"]
text = "".join(f + "\n" + m[f] + "\n" for f in fields)
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key],
                     input=text.encode(), capture_output=True,
                     check=True).stdout
m["SignatureVersion"] = "2"
m["Signature"] = base64.b64encode(sig).decode()
m["SigningCertURL"] = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem"
if tamper:
    m["Token"] = token[:-1] + ("0" if token[-1] != "0" else "1")
with open(out, "w") as f:
    json.dump(m, f, indent=2)
EOF

# config.py OUT DB SPOOL CERT [KEY=JSON ...]: a configuration whose
# amazon_ses source has public_key = CERT plus the given keys.
cat >"$TMP/config.py" <<'EOF'
import json, sys
out, db, spool, cert = sys.argv[1:5]
ses = {"public_key": open(cert).read()}
for kv in sys.argv[5:]:
    k, v = kv.split("=", 1)
    ses[k] = json.loads(v)
with open(out, "w") as f:
    json.dump({"database": db, "spool": {"dir": spool},
               "sources": {"amazon_ses": ses}}, f)
EOF

# message OUT URL [tamper]
message() {
	python3 "$TMP/sign.py" "$1" "$2" "$TMP/sns.key" "$TOKEN" "$TOPIC" ${3:+tamper}
}

# configs PORT: on.json (confirmations on, the test CA, the test host),
# off.json (confirmations off), noca.json (on, without the test CA).
configs() {
	local host="\"127.0.0.1:$1\""
	python3 "$TMP/config.py" "$TMP/on.json" "$TMP/sns.db" "$TMP/spool" \
		"$TMP/sns.pem" confirm_subscriptions=true \
		"confirm_ca_file=\"$TMP/tls.pem\"" "confirm_test_host=$host"
	python3 "$TMP/config.py" "$TMP/off.json" "$TMP/sns.db" "$TMP/spool" \
		"$TMP/sns.pem"
	python3 "$TMP/config.py" "$TMP/noca.json" "$TMP/sns.db" "$TMP/spool" \
		"$TMP/sns.pem" confirm_subscriptions=true \
		"confirm_test_host=$host"
}

# ---- the HTTPS server ----

stop() {
	if [ -n "$SPID" ]; then
		kill "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
		SPID=
	fi
}

# serve ANSWERS: (re)start the server with the answers (rest-server.py's
# script), set PORT, URL and the configurations.
serve() {
	local i

	stop
	printf '%s\n' "$1" >"$TMP/script.json"
	rm -f "$LOG" "$TMP/port"
	python3 "$SERVER" "$TMP/script.json" "$LOG" "$TMP/port" \
		"$TMP/tls.pem" "$TMP/tls.key" 2>"$TMP/server.err" &
	SPID=$!
	for i in $(seq 1 100); do
		[ -s "$TMP/port" ] && break
		sleep 0.05
	done
	PORT=$(cat "$TMP/port" 2>/dev/null)
	if [ -z "$PORT" ]; then
		echo "Bail out! the HTTPS server did not start"
		cat "$TMP/server.err"
		exit 1
	fi
	URL="https://127.0.0.1:$PORT/?Action=ConfirmSubscription&TopicArn=$TOPIC&Token=$TOKEN"
	configs "$PORT"
}

requests() {
	if [ -f "$LOG" ]; then wc -l <"$LOG"; else echo 0; fi
}

# ---- gmhook as a CGI program and as a command ----

# cgi CONFIG BODY [OPTIONS...]: sets STATUS (HTTP) and RC.
cgi() {
	local config=$1 body=$2
	shift 2
	env -i PATH="$PATH" TZ=UTC NO_PROXY='*' no_proxy='*' \
		REQUEST_METHOD=POST CONTENT_TYPE='text/plain; charset=UTF-8' \
		CONTENT_LENGTH="$(wc -c <"$body")" SERVER_NAME=127.0.0.1 \
		SERVER_PORT=80 SCRIPT_NAME=/hooks PATH_INFO=/amazon_ses \
		REMOTE_ADDR=127.0.0.1 \
		HTTP_X_AMZ_SNS_MESSAGE_TYPE=SubscriptionConfirmation \
		$WRAPPER "$GMHOOK" cgi --config "$config" -vv "$@" \
		<"$body" >"$OUT" 2>"$ERR"
	RC=$?
	STATUS=$(head -n 1 "$OUT" | sed -n 's/^Status: \([0-9]*\).*/\1/p')
}

# run CONFIG BODY [OPTIONS...]: gmhook run; sets RC.
run() {
	local config=$1 body=$2
	shift 2
	$WRAPPER "$GMHOOK" --config "$config" -s amazon_ses -c -vv "$@" \
		-i "$body" >"$OUT" 2>"$ERR"
	RC=$?
}

expect_http() { # NAME STATUS BODY-PATTERN
	check "$1" "$([ "$STATUS" = "$2" ] && [ "$RC" = 0 ] &&
		grep -q -- "$3" "$OUT"; echo $?)" \
		"expected HTTP $2 and $3, got '$STATUS' (exit $RC)"
}

expect_requests() { # NAME COUNT
	local got
	got=$(requests)
	check "$1" "$([ "$got" = "$2" ]; echo $?)" \
		"the server received $got requests, expected $2" \
		"$(cat "$LOG" 2>/dev/null)"
}

token_hidden() { # NAME
	check "$1" "$(! grep -qF "$TOKEN" "$ERR"; echo $?)" \
		"$(grep -F "$TOKEN" "$ERR" | head -3)"
}

spool_empty() { # NAME
	check "$1" "$([ -z "$(ls -A "$TMP/spool")" ]; echo $?)" \
		"$(ls -la "$TMP/spool")"
}

answer_ok="{\"status\": 200, \"body\": \"<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>$SUB_ARN</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>\"}"

# ---- confirmation on ----

serve "[$answer_ok]"
message "$TMP/confirm.json" "$URL"
cgi "$TMP/on.json" "$TMP/confirm.json"
expect_http "cgi: a verified confirmation is confirmed: 200" 200 '"status": "confirmed"'
expect_requests "the server received exactly one request" 1
check "it was a GET of SubscribeURL with the Token" \
	"$(python3 - "$LOG" "$TOKEN" <<'EOF'
import json, sys, urllib.parse
r = [json.loads(l) for l in open(sys.argv[1])][0]
q = urllib.parse.parse_qs(urllib.parse.urlsplit(r["path"]).query)
ok = (r["method"] == "GET" and r["body"] == "" and
      q.get("Token") == [sys.argv[2]] and
      q.get("Action") == ["ConfirmSubscription"] and
      "authorization" not in r["headers"])
sys.exit(0 if ok else 1)
EOF
	echo $?)" "$(cat "$LOG")"
token_hidden "cgi -vv never logs the Token"
check "the log names the topic, not the token" \
	"$(grep -q 'Token=(hidden)' "$ERR"; echo $?)"

run "$TMP/on.json" "$TMP/confirm.json"
check "run: exit 0, status confirmed, with the SubscriptionArn SNS returned" \
	"$([ $RC = 0 ] && grep -q '"status":"confirmed"' "$OUT" &&
		grep -qF "\"subscription_arn\":\"$SUB_ARN\"" "$OUT"; echo $?)"
expect_requests "run: one more GET" 2
check "nothing was written to the database" \
	"$([ "$(sqlite3 "$TMP/sns.db" 'SELECT COUNT(*) FROM GMHOOK_LEDGER')" = 0 ] &&
		[ "$(sqlite3 "$TMP/sns.db" 'SELECT COUNT(*) FROM CONTACT1')" = 0 ]; echo $?)"

run "$TMP/on.json" "$TMP/confirm.json" --dry-run
check "run --dry-run: status dry-run, the token hidden" \
	"$([ $RC = 0 ] && grep -q '"status":"dry-run"' "$OUT" &&
		grep -q 'Token=(hidden)' "$OUT" && ! grep -q "would confirm.*$TOKEN" "$OUT"; echo $?)"
expect_requests "run --dry-run: no request" 2

# The plan a process writes carries no proof of the signature it checked.
$WRAPPER "$GMHOOK" parse --config "$TMP/on.json" -s amazon_ses \
	-i "$TMP/confirm.json" 2>/dev/null |
	$WRAPPER "$GMHOOK" map --config "$TMP/on.json" 2>/dev/null |
	$WRAPPER "$GMHOOK" commit --config "$TMP/on.json" -c >"$OUT" 2>"$ERR"
RC=$?
check "parse | map | commit: the plan read as JSON is not confirmed (ignored)" \
	"$([ $RC = 0 ] && grep -q '"status":"ignored"' "$OUT"; echo $?)"
expect_requests "parse | map | commit: no request" 2

# ---- confirmation off, bad signature, a SubscribeURL elsewhere ----

serve "[$answer_ok]"
message "$TMP/confirm.json" "$URL"
cgi "$TMP/off.json" "$TMP/confirm.json"
expect_http "cgi: confirmations off: 200 ignored" 200 '"status": "ignored"'
expect_requests "confirmations off: no request" 0

message "$TMP/forged.json" "$URL" tamper
cgi "$TMP/on.json" "$TMP/forged.json"
expect_http "cgi: a wrongly signed confirmation is 401" 401 GMHOOK_ESIGNATURE
expect_requests "wrongly signed: no request" 0

message "$TMP/elsewhere.json" "https://127.0.0.1:$((PORT == 65535 ? PORT - 1 : PORT + 1))/?Action=ConfirmSubscription&Token=$TOKEN"
cgi "$TMP/on.json" "$TMP/elsewhere.json"
expect_http "cgi: a SubscribeURL off the SNS hosts is 400 naming /SubscribeURL" 400 '"path": "/SubscribeURL"'
message "$TMP/plain.json" "http://127.0.0.1:$PORT/?Action=ConfirmSubscription&Token=$TOKEN"
cgi "$TMP/on.json" "$TMP/plain.json"
expect_http "cgi: an http:// SubscribeURL is 400" 400 GMHOOK_EVALIDATE
expect_requests "SubscribeURLs refused: no request" 0

cgi "$TMP/noca.json" "$TMP/confirm.json"
check "cgi: a server certificate that does not verify is 500, nothing sent" \
	"$([ "$STATUS" = 500 ] && [ "$(requests)" = 0 ] &&
		grep -qi 'certificate' "$ERR"; echo $?)" "HTTP $STATUS"
token_hidden "a TLS failure never logs the Token"

# ---- SNS failing ----

serve '[{"status": 500, "body": "InternalFailure"}]'
message "$TMP/confirm.json" "$URL"
cgi "$TMP/on.json" "$TMP/confirm.json"
expect_http "cgi: SNS answers 500: 503 so SNS retries" 503 GMHOOK_EUNAVAIL
check "503 carries Retry-After" \
	"$(grep -q '^Retry-After: [0-9]' "$OUT"; echo $?)"
expect_requests "SNS answers 500: one request" 1
check "the log says HTTP 500 with the token hidden" \
	"$(grep -q 'answered HTTP 500' "$ERR" && ! grep -qF "$TOKEN" "$ERR"; echo $?)"
spool_empty "a failed confirmation is not spooled"
run "$TMP/on.json" "$TMP/confirm.json"
check "run: SNS answers 500: exit 75, not spooled" \
	"$([ $RC = 75 ] && [ -z "$(ls -A "$TMP/spool")" ]; echo $?)" "exit $RC"

serve "[{\"status\": 302, \"headers\": {\"Location\": \"https://127.0.0.1:$PORT/moved\"}}]"
message "$TMP/confirm.json" "$URL"
cgi "$TMP/on.json" "$TMP/confirm.json"
expect_http "cgi: a redirect is not followed: 503" 503 GMHOOK_EUNAVAIL
expect_requests "redirect: exactly one request" 1

stop
cgi "$TMP/on.json" "$TMP/confirm.json"
expect_http "cgi: SNS unreachable: 503" 503 GMHOOK_EUNAVAIL
token_hidden "a connection failure never logs the Token"
spool_empty "still nothing spooled"

echo "1..$N"
[ $FAILED -eq 0 ]
