#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The REST backend end to end: the real gmhook tool sends the project's
# example payloads to rest-server.py, a scripted HTTP server on 127.0.0.1
# that records every request and answers as each case says (success, 500
# then success, 429 with Retry-After, a server slower than the timeout,
# 401 ...). Each case checks what gmhook sent (method, path, headers,
# body) and what it reported (exit status, result JSON). Prints TAP.
#
#   test-rest.sh GMHOOK REST-SERVER.PY
#
# $GMHOOK_WRAPPER is put before every gmhook call (valgrind). No traffic
# leaves 127.0.0.1: proxies are switched off and every URL is loopback.

set -u
export LC_ALL=C
export TZ=UTC
unset GMHOOK_DB GMHOOK_SPOOL http_proxy https_proxy HTTP_PROXY HTTPS_PROXY \
	all_proxy ALL_PROXY
export NO_PROXY='*' no_proxy='*'

if [ $# -ne 2 ]; then
	echo "usage: test-rest.sh GMHOOK REST-SERVER.PY" >&2
	exit 64
fi
GMHOOK=$(realpath "$1")
SERVER=$(realpath "$2")
WRAPPER=${GMHOOK_WRAPPER:-}
HERE=$(cd "$(dirname "$0")" && pwd)
PAYLOADS=$HERE/../examples/payloads
KEY='k3y-S3cret-7f3a9c'
export GMHOOK_REST_KEY=$KEY

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-rest.XXXXXX") || exit 1
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

# check.py LOG OUT EXPR: R = the requests, B = their bodies (JSON), H =
# their headers, O = gmhook's JSON output; exit 0 when EXPR is true.
cat >"$TMP/check.py" <<'EOF'
import base64, hashlib, json, os, sys
R = []
if os.path.exists(sys.argv[1]):
    R = [json.loads(l) for l in open(sys.argv[1])]
try:
    O = json.load(open(sys.argv[2]))
except Exception:
    O = None
B = []
for r in R:
    try:
        B.append(json.loads(r["body"]))
    except Exception:
        B.append(None)
H = [r["headers"] for r in R]
T = [r["time"] for r in R]
sys.exit(0 if eval(sys.argv[3]) else 1)
EOF

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

# serve JSON: (re)start the server with the answers in JSON.
serve() {
	local i

	stop
	printf '%s\n' "$1" >"$TMP/script.json"
	rm -f "$LOG" "$TMP/port"
	python3 "$SERVER" "$TMP/script.json" "$LOG" "$TMP/port" &
	SPID=$!
	for i in $(seq 1 100); do
		[ -s "$TMP/port" ] && break
		sleep 0.05
	done
	PORT=$(cat "$TMP/port" 2>/dev/null)
	if [ -z "$PORT" ]; then
		echo "Bail out! rest-server.py did not start"
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

# config [EXTRA]: the configuration, EXTRA being more "rest" members.
config() {
	cat >"$TMP/cfg.json" <<EOF
{"rest": {"url": "http://127.0.0.1:$PORT", "insecure": true,
          "key": "env:GMHOOK_REST_KEY", "retries": 2, "timeout": 2${1:+, $1}}}
EOF
}

# run PAYLOAD [ARGS...]: gmhook --config cfg.json ARGS < PAYLOAD.
run() {
	local payload=$1

	shift
	(cd "$TMP" && $WRAPPER "$GMHOOK" --config "$TMP/cfg.json" -v -v "$@" \
		<"$payload" >"$OUT" 2>"$ERR")
	STATUS=$?
}

expect_status() {
	if [ "$STATUS" != "$1" ]; then
		diag "exit status $STATUS, expected $1"
	fi
}

# check EXPR: a Python expression over R, B, H, T and O (check.py).
check() {
	if ! python3 "$TMP/check.py" "$LOG" "$OUT" "$1" 2>/dev/null; then
		diag "failed: $1"
	fi
}

no_secret() {
	if grep -qF "$KEY" "$OUT" "$ERR"; then
		diag "the key appears in gmhook's output"
	fi
}

CREATED=$PAYLOADS/calendly-invitee-created.json
FORM=$PAYLOADS/webform-contact.form
OK_ANSWER='{"status": 201, "body": {"accountno": "B6120837553%$WEB", "records": [{"table": "CONTACT1", "recid": "R1", "op": "insert"}]}}'
IDEM='"calendly:invitee.created:https://api.calendly.com/scheduled_events/9d2e7b41-3c6a-4f08-a1d5-2b8e6f4c9a03/invitees/4f1c2a7e-0b9d-4c55-8e21-6d3f0a9b7c10"'

echo "TAP version 13"

# ---- cases ----

begin "success: one POST to /events, committed with the server's records"
serve "[$OK_ANSWER]"
config
run "$CREATED"
expect_status 0
check 'len(R) == 1 and R[0]["method"] == "POST" and R[0]["path"] == "/events"'
check 'H[0]["content-type"] == "application/json"'
check 'H[0]["x-api-key"] == "'"$KEY"'"'
check 'H[0]["user-agent"].startswith("gmhook/")'
check 'H[0]["idempotency-key"] == '"$IDEM"
check '"authorization" not in H[0]'
check 'sorted(B[0]) == ["event", "source"] and B[0]["source"] == "calendly"'
check 'sorted(B[0]["event"]) == ["actions", "id", "time", "type"]'
check 'B[0]["event"]["type"] == "invitee.created" and len(B[0]["event"]["actions"]) > 0'
check 'B[0]["event"]["actions"][0]["action"] == "contact.upsert"'
check 'O["status"] == "committed" and O["events"][0]["status"] == "committed"'
check 'O["accountno"] == "B6120837553%$WEB"'
check 'O["events"][0]["records"] == [{"table": "CONTACT1", "recid": "R1", "op": "insert"}]'
no_secret
finish

begin "a redelivery sends the same Idempotency-Key"
run "$CREATED"
expect_status 0
check 'len(R) == 2 and H[0]["idempotency-key"] == H[1]["idempotency-key"]'
finish

begin "500 then success: retried after a backoff with the same key"
serve '[{"status": 500, "body": "boom"}, {"status": 200, "body": {"accountno": "A2"}}]'
config
run "$CREATED"
expect_status 0
check 'len(R) == 2 and H[0]["idempotency-key"] == H[1]["idempotency-key"] == '"$IDEM"
check 'R[0]["body"] == R[1]["body"]'
check 'T[1] - T[0] >= 0.4'
check 'O["status"] == "committed" and O["accountno"] == "A2" and O["events"][0]["records"] == []'
finish

begin "429 with Retry-After: 1, then success: waits the second"
serve '[{"status": 429, "headers": {"Retry-After": "1"}}, {"status": 201}]'
config
run "$CREATED"
expect_status 0
check 'len(R) == 2 and T[1] - T[0] >= 0.9'
check 'O["status"] == "committed"'
finish

begin "a server slower than the timeout: 3 attempts, then exit 75"
serve '[{"status": 200, "sleep": 4}]'
config '"timeout": 1'
run "$CREATED"
expect_status 75
check 'len(R) == 3 and len(set(h["idempotency-key"] for h in H)) == 1'
check 'O["code"] == "GMHOOK_EUNAVAIL" and "3 attempts" in O["message"]'
no_secret
finish

begin "401: exit 78 at once, no retry, credentials named but not shown"
serve '[{"status": 401, "body": {"message": "bad key"}}]'
config
run "$CREATED"
expect_status 78
check 'len(R) == 1'
check 'O["code"] == "GMHOOK_ECONFIG" and "credentials" in O["message"]'
no_secret
finish

begin "409: the server already has the event, status duplicate"
serve '[{"status": 409, "body": {"accountno": "A3"}}]'
config
run "$CREATED"
expect_status 0
check 'len(R) == 1 and O["status"] == "duplicate" and O["accountno"] == "A3"'
finish

begin "200 with {\"status\": \"duplicate\"} is a duplicate too"
serve '[{"status": 200, "body": {"status": "duplicate"}}]'
config
run "$CREATED"
expect_status 0
check 'O["events"][0]["status"] == "duplicate"'
finish

begin "422: exit 65 with the server's message, an echoed key scrubbed"
serve '[{"status": 422, "echo": "X-API-Key"}]'
config
run "$CREATED"
expect_status 65
check 'len(R) == 1 and O["code"] == "GMHOOK_EMAP"'
check '"HTTP 422" in O["message"] and "bad value ***" in O["message"]'
check 'O["path"] == "/events/0"'
no_secret
finish

begin "Basic authentication and a custom path prefix"
serve "[$OK_ANSWER]"
config '"auth": "basic", "user": "gmhook", "url": "http://127.0.0.1:'"$PORT"'/api/v1/"'
run "$CREATED"
expect_status 0
check 'len(R) == 1 and R[0]["path"] == "/api/v1/events"'
check 'H[0]["authorization"] == "Basic " + base64.b64encode(b"gmhook:'"$KEY"'").decode()'
check '"x-api-key" not in H[0]'
no_secret
finish

begin "a custom API key header"
serve "[$OK_ANSWER]"
config '"api_key_header": "Authorization-Token"'
run "$CREATED"
expect_status 0
check 'H[0]["authorization-token"] == "'"$KEY"'" and "x-api-key" not in H[0]'
finish

begin "a web form delivery: source webform, a contact.upsert"
serve "[$OK_ANSWER]"
config
run "$FORM"
expect_status 0
check 'len(R) == 1 and B[0]["source"] == "webform"'
check 'H[0]["idempotency-key"].startswith("webform:")'
check 'any(a["action"] == "contact.upsert" for a in B[0]["event"]["actions"])'
finish

begin "dry run: the requests are shown, nothing is sent, no key"
serve "[$OK_ANSWER]"
config
run "$CREATED" --dry-run
expect_status 0
check 'len(R) == 0'
check 'O["result"]["events"][0]["status"] == "dry-run"'
check 'O["result"]["events"][0]["requests"][0]["method"] == "POST"'
check 'O["result"]["events"][0]["requests"][0]["url"] == "http://127.0.0.1:'"$PORT"'/events"'
check 'O["result"]["events"][0]["requests"][0]["headers"]["X-API-Key"] == "(secret)"'
check 'O["result"]["events"][0]["requests"][0]["headers"]["Idempotency-Key"] == '"$IDEM"
check 'O["result"]["events"][0]["requests"][0]["body"]["source"] == "calendly"'
no_secret
finish

begin "an event id over 200 characters is sent as its SHA-256"
serve "[$OK_ANSWER]"
config
(cd "$TMP" && "$GMHOOK" --config "$TMP/cfg.json" --dry-run \
	<"$CREATED" >"$TMP/dry.json" 2>"$ERR")
python3 - "$TMP/dry.json" >"$TMP/long-plan.json" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1]))["plan"]
plan["events"][0]["id"] = "x" * 300
print(json.dumps(plan))
EOF
run "$TMP/long-plan.json" commit
expect_status 0
check 'H[0]["idempotency-key"] == "calendly:sha256:" + hashlib.sha256(b"x" * 300).hexdigest()'
check 'B[0]["event"]["id"] == "x" * 300'
finish

begin "server always 503, with a spool: exit 75 and the delivery spooled"
serve '[{"status": 503}]'
config
python3 - "$TMP/cfg.json" "$TMP/spool" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg["spool"] = {"dir": sys.argv[2]}
json.dump(cfg, open(sys.argv[1], "w"))
EOF
mkdir -p "$TMP/spool"
run "$CREATED"
expect_status 75
check 'len(R) == 3 and O["status"] == "spooled"'
if [ -z "$(ls "$TMP/spool")" ]; then
	diag "nothing in the spool directory"
fi
finish

begin "nothing listening: connection refused is retried, then exit 75"
stop
config
run "$CREATED"
expect_status 75
check 'O["code"] == "GMHOOK_EUNAVAIL" and "3 attempts" in O["message"]'
finish

begin "an http:// URL without insecure is refused (exit 78), nothing sent"
serve "[$OK_ANSWER]"
config '"insecure": false'
sed -i 's/"insecure": true, //' "$TMP/cfg.json"
run "$CREATED"
expect_status 78
check 'len(R) == 0'
finish

begin "credentials in the URL are refused (exit 78), nothing sent"
config
sed -i "s|http://127.0.0.1|http://u:p@127.0.0.1|" "$TMP/cfg.json"
run "$CREATED"
expect_status 78
check 'len(R) == 0 and O["path"] == "/rest/url"'
finish

stop
echo "1..$N"
[ "$FAILED" -eq 0 ]
