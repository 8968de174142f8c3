#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Secrets never appear in gmhook's output, and personal data stays out of
# its logs below debug level. Signing secrets (env:, file: and inline),
# a URL token, a REST API key and an ODBC Pwd= are configured; gmhook
# then runs at -v -v on good and forged deliveries, against a closed
# PostgreSQL port and a closed REST port, through gmhook cgi, and on
# broken configuration files. No secret may show on stdout or stderr.
# Then a delivery's e-mail address and name must not show on stderr at
# the default level or at -v (info). Cases named "BUG ..." document a
# fault reported to the lead. Prints TAP.
#
#   test-secrets.sh GMHOOK

set -u
export LC_ALL=C.UTF-8
export TZ=UTC
unset GMHOOK_DB GMHOOK_SPOOL

if [ $# -lt 1 ]; then
	echo "usage: test-secrets.sh GMHOOK" >&2
	exit 64
fi
GMHOOK=$1
if [[ $GMHOOK == */* && $GMHOOK != /* ]]; then
	GMHOOK=$PWD/$GMHOOK
fi
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/data

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-secrets.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
OUT=$TMP/stdout
ERR=$TMP/stderr
DB=$TMP/gm.db
NOW=1772460309

# The secrets: distinctive strings that occur nowhere else.
export GMT_CALENDLY=calSecret-7Q3x9ZpLw
export GMT_POSTMARK=pmToken-H6j2Dq9Rv
export GMT_REST=restKey-B8c4Nx3Ft
FILE_SECRET=whsec_fileSecret-K2m8Vn4Ys
INLINE_SECRET=shopInline-R5t1Yw0Ue
ODBC_PWD=odbcPwd-Z9k5Ls7Qa
SECRETS=("$GMT_CALENDLY" "$GMT_POSTMARK" "$GMT_REST" "$FILE_SECRET"
	"$INLINE_SECRET" "$ODBC_PWD")
printf '%s\n' "$FILE_SECRET" >"$TMP/stripe.key"

# A port nothing listens on (bound and released by the kernel's choice).
closed_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
PG_PORT=$(closed_port)
REST_PORT=$(closed_port)

write_config() {
	cat >"$TMP/gmhook.json" <<EOF
{
  "sources": {
    "calendly": { "secret": "env:GMT_CALENDLY" },
    "stripe": { "secret": "file:$TMP/stripe.key" },
    "shopify": { "secret": "$INLINE_SECRET" },
    "postmark": { "url_token": "env:GMT_POSTMARK" }
  }$1
}
EOF
}
write_config ""
cat >"$TMP/rest.json" <<EOF
{
  "rest": { "url": "http://127.0.0.1:$REST_PORT/gm", "insecure": true,
            "key": "env:GMT_REST", "retries": 1, "connect_timeout": 2 },
  "sources": { "calendly": { "secret": "env:GMT_CALENDLY" } }
}
EOF

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

expect_rc() {
	[ "$RC" -eq "$1" ] ||
		diag "exit status: expected $1, got $RC; stderr: $(head -c 400 "$ERR")"
}

# No secret on stdout or stderr.
no_secrets() {
	local s where

	for s in "${SECRETS[@]}"; do
		for where in "$OUT" "$ERR"; do
			if grep -qF -- "$s" "$where"; then
				diag "secret '$s' in $(basename "$where"): $(grep -F -- "$s" "$where" | head -3)"
			fi
		done
	done
}

# run NAME STATUS BODY-FILE [GMHOOK ARGS...]
run() {
	local status=$2 body=$3

	CASE=$1
	DIAG=()
	shift 3
	"$GMHOOK" "$@" <"$body" >"$OUT" 2>"$ERR"
	RC=$?
	[ "$status" = any ] || expect_rc "$status"
	no_secrets
	finish
}

hmac_hex() { # KEY MESSAGE-FILE [PREFIX]
	python3 - "$1" "$2" "${3:-}" <<'PY'
import hashlib, hmac, sys
key, path, prefix = sys.argv[1:4]
msg = prefix.encode() + open(path, "rb").read()
print(hmac.new(key.encode(), msg, hashlib.sha256).hexdigest())
PY
}

hmac_b64() { # KEY MESSAGE-FILE
	python3 - "$1" "$2" <<'PY'
import base64, hashlib, hmac, sys
key, path = sys.argv[1:3]
print(base64.b64encode(hmac.new(key.encode(), open(path, "rb").read(),
      hashlib.sha256).digest()).decode())
PY
}

"$GMHOOK" init-db --db "$DB" >/dev/null 2>&1 || echo "# init-db failed"

#### signing secrets at -v -v ####
CAL=$DATA/e2e/calendly-v1-invitee-created.json
sig=$(hmac_hex "$GMT_CALENDLY" "$CAL" "$NOW.")
run "calendly: good signature, env: secret" 0 "$CAL" \
	--db "$DB" -v -v --received "$NOW" \
	-H "Calendly-Webhook-Signature: t=$NOW,v1=$sig"
run "calendly: forged signature" 77 "$CAL" \
	--db "$DB" -v -v --received "$NOW" \
	-H "Calendly-Webhook-Signature: t=$NOW,v1=${sig//[0-9]/0}"
run "calendly: the secret itself as the signature" 77 "$CAL" \
	--db "$DB" -v -v --received "$NOW" \
	-H "Calendly-Webhook-Signature: t=$NOW,v1=$GMT_CALENDLY"
STRIPE=$(ls "$DATA"/stripe/*.json | head -1)
ssig=$(hmac_hex "$FILE_SECRET" "$STRIPE" "$NOW.")
run "stripe: good signature, file: secret, dry run" any "$STRIPE" \
	--db "$DB" -v -v -n --received "$NOW" -s stripe \
	-H "Stripe-Signature: t=$NOW,v1=$ssig"
run "stripe: forged signature" 77 "$STRIPE" \
	--db "$DB" -v -v --received "$NOW" -s stripe \
	-H "Stripe-Signature: t=$NOW,v1=$(hmac_hex wrong "$STRIPE" "$NOW.")"
SHOP=$(ls "$DATA"/shopify/*.json | head -1)
run "shopify: forged signature, inline secret" 77 "$SHOP" \
	--db "$DB" -v -v -s shopify -H "X-Shopify-Topic: orders/create" \
	-H "X-Shopify-Hmac-Sha256: $(hmac_b64 wrong "$SHOP")"
run "shopify: good signature, inline secret, dry run" any "$SHOP" \
	--db "$DB" -v -v -n -s shopify -H "X-Shopify-Topic: orders/create" \
	-H "X-Shopify-Hmac-Sha256: $(hmac_b64 "$INLINE_SECRET" "$SHOP")"
PM=$(ls "$DATA"/postmark/*.json | head -1)
run "postmark: token in the URL header, -v -v" any "$PM" \
	--db "$DB" -v -v -s postmark \
	-H "X-Gmhook-Url: https://hooks.example.com/hooks/postmark?token=$GMT_POSTMARK"
run "postmark: wrong token" 77 "$PM" \
	--db "$DB" -v -v -s postmark \
	-H "X-Gmhook-Url: https://hooks.example.com/hooks/postmark?token=nope"

#### gmhook cgi with a URL token ####
cgi() { # NAME QUERY BODY-FILE
	CASE=$1
	DIAG=()
	env -i PATH="$PATH" TZ=UTC REQUEST_METHOD=POST \
		CONTENT_TYPE=application/json \
		CONTENT_LENGTH="$(wc -c <"$3")" SERVER_NAME=hooks.example.com \
		SERVER_PORT=443 HTTPS=on PATH_INFO=/hooks/postmark \
		QUERY_STRING="$2" GMT_POSTMARK="$GMT_POSTMARK" \
		GMT_CALENDLY="$GMT_CALENDLY" \
		"$GMHOOK" cgi --db "$DB" --config "$TMP/gmhook.json" -v -v \
		<"$3" >"$OUT" 2>"$ERR"
	RC=$?
	no_secrets
	finish
}
cgi "BUG url-token: cgi -v logs the request URL with ?token=" \
	"token=$GMT_POSTMARK" "$PM"
cgi "cgi: wrong token" "token=nope" "$PM"

#### unreachable backends ####
CONN="Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=$PG_PORT;Database=gm;Uid=gmhook;Pwd=$ODBC_PWD;"
run "PostgreSQL on a closed port, Pwd= in the connection string" 75 "$CAL" \
	--db "$CONN" -v -v --received "$NOW" \
	-H "Calendly-Webhook-Signature: t=$NOW,v1=$sig"
run "PostgreSQL: PWD= in upper case" 75 "$CAL" \
	--db "${CONN/Pwd=/PWD=}" -v -v --received "$NOW" \
	-H "Calendly-Webhook-Signature: t=$NOW,v1=$sig"
run "PostgreSQL: init-db on a closed port" any /dev/null \
	init-db --db "$CONN" -v -v
run "REST backend on a closed port" 75 "$CAL" \
	--config "$TMP/rest.json" -v -v --received "$NOW" \
	-H "Calendly-Webhook-Signature: t=$NOW,v1=$sig"

#### configuration errors ####
run "check: a good configuration at -v -v" 0 /dev/null \
	check -v -v --config "$TMP/gmhook.json"
write_config ', "limits": { "max_body": "big" }'
run "config error next to the secrets" 78 /dev/null \
	check -v -v --config "$TMP/gmhook.json"
write_config ', "rest": { "url": "https://gmhook:'"$GMT_REST"'@127.0.0.1:'"$REST_PORT"'/api" }'
run "rest.url with credentials: refused at commit" 78 "$CAL" \
	--config "$TMP/gmhook.json" -v -v --received "$NOW" \
	-H "Calendly-Webhook-Signature: t=$NOW,v1=$sig"
run "BUG check-rest: gmhook check accepts rest.url with credentials" 78 \
	/dev/null check -v -v --config "$TMP/gmhook.json"
write_config ', "rest": { "url": "https://127.0.0.1:'"$REST_PORT"'/api", "key": "'"$GMT_REST"$'\x01''" }'
run "rest.key with a control character: refused at commit" 78 "$CAL" \
	--config "$TMP/gmhook.json" -v -v --received "$NOW" \
	-H "Calendly-Webhook-Signature: t=$NOW,v1=$sig"
write_config ', "database": "'"$CONN"'", "bogus": 1'
run "config: unknown key beside a connection string with Pwd=" 78 /dev/null \
	check -v -v --config "$TMP/gmhook.json"
cat >"$TMP/gmhook.json" <<EOF
{ "sources": { "calendly": { "secret": ["$INLINE_SECRET", 5] } } }
EOF
run "config: a secret list with a bad entry" 78 /dev/null \
	check -v -v --config "$TMP/gmhook.json"
cat >"$TMP/gmhook.json" <<EOF
{ "sources": { "calendly": { "secret": "env:GMT_UNSET_VARIABLE" } } }
EOF
run "config: env: naming an unset variable" 78 /dev/null \
	check -v -v --config "$TMP/gmhook.json"
cat >"$TMP/gmhook.json" <<EOF
{ "sources": { "calendly": { "secret": "$INLINE_SECRET", } }, }
EOF
run "config: trailing comma after an inline secret" any /dev/null \
	check -v -v --config "$TMP/gmhook.json"
write_config ""

#### personal data in logs: none at the default level or -v ####
PII_EMAIL=zebulon.quux@example.com
PII_NAME=Zebulon
pii_case() { # NAME BODY-FILE [GMHOOK ARGS...]
	local name=$1 body=$2 level

	shift 2
	for level in "" -v; do
		CASE="$name (${level:-default level})"
		DIAG=()
		rm -f "$TMP/pii.db"
		"$GMHOOK" init-db --db "$TMP/pii.db" >/dev/null 2>&1
		"$GMHOOK" --db "$TMP/pii.db" $level "$@" <"$body" >"$OUT" 2>"$ERR"
		RC=$?
		for s in "$PII_EMAIL" "$PII_NAME" "${EXTRA_PII[@]}"; do
			if grep -qiF -- "$s" "$ERR"; then
				diag "'$s' on stderr: $(grep -iF -- "$s" "$ERR" | head -3)"
			fi
		done
		finish
	done
}
EXTRA_PII=()
printf 'name=Zebulon+Quux&email=zebulon.quux%%40example.com&phone=%%2B1+555+0100&message=hello' >"$TMP/form"
pii_case "web form committed" "$TMP/form"
pii_case "web form, second delivery (duplicate)" "$TMP/form"
python3 -c "import sys; sys.stdout.write('name=Zebulon+' + 'Q' * 300 + '&email=zebulon.quux%40example.com&company=' + 'C' * 300)" >"$TMP/form-long"
pii_case "web form with names cut (warnings)" "$TMP/form-long"
printf 'name=Zebulon+Quux&email=zebulon.quux%%40example' >"$TMP/form-bad"
pii_case "web form with a bad e-mail address (error)" "$TMP/form-bad"
printf '{"name":"Zebulon Quux","email":"zebulon.quux@example.com","event":"x"}' >"$TMP/json"
pii_case "JSON web form" "$TMP/json" -s webform
EXTRA_PII=("$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["payload"]["email"])' "$CAL" 2>/dev/null || echo no-such-address)")
pii_case "calendly booking" "$CAL" --received "$NOW" \
	-H "Calendly-Webhook-Signature: t=$NOW,v1=$sig" --config "$TMP/gmhook.json"
EXTRA_PII=()

echo "1..$N"
[ "$FAILED" -eq 0 ]
