#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gmhook behind a real web server: nginx on 127.0.0.1 (a free high port,
# a private configuration in a temporary folder) runs gmhook as a CGI
# program through fcgiwrap and as `gmhook fastcgi`, and curl sends real
# payloads. Each case checks the HTTP status and the rows in the SQLite
# database. Prints TAP; exits 77 (skipped) when nginx or fcgiwrap is
# missing.
#
#   test-cgi.sh GMHOOK
#
# $GMHOOK_WRAPPER is put before every gmhook server process (for example
# "valgrind --leak-check=full --error-exitcode=99 -q"); a CGI run or the
# FastCGI process ending with status 99 fails the test. $GMHOOK_CORPUS
# names the shared corpus (default /work/shared/corpus); its Calendly
# deliveries are sent when the folder exists.

set -u
export LC_ALL=C
export TZ=UTC
unset GMHOOK_DB

if [ $# -ne 1 ]; then
	echo "usage: test-cgi.sh GMHOOK" >&2
	exit 64
fi
GMHOOK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WRAPPER=${GMHOOK_WRAPPER:-}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/data/e2e
EXAMPLES=$HERE/../examples/payloads
CORPUS=${GMHOOK_CORPUS:-/work/shared/corpus}
NGINX=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null)
FCGIWRAP=$(command -v fcgiwrap || ls /usr/sbin/fcgiwrap 2>/dev/null)
for tool in curl sqlite3 openssl python3; do
	command -v $tool >/dev/null || { echo "test-cgi.sh: $tool is missing" >&2; exit 1; }
done
if [ -z "$NGINX" ] || [ -z "$FCGIWRAP" ]; then
	echo "1..0 # SKIP nginx or fcgiwrap is not installed"
	exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-cgi.XXXXXX") || exit 1
chmod 755 "$TMP"
PIDS=()
cleanup() {
	local pid
	[ -f "$TMP/nginx.pid" ] && kill "$(cat "$TMP/nginx.pid")" 2>/dev/null
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# TAP, ports, requests and checks (ok, check, post, expect, ...).
. "$HERE/http-helpers.sh"

# ---- servers ----

KEY=cgi-test-signing-key
TWILIO_TOKEN=cgi-test-twilio-auth-token
write_config() { # FILE DATABASE [SPOOL]
	local spool=""
	[ -n "${3:-}" ] && spool=", \"spool\": {\"dir\": \"$3\"}"
	cat >"$1" <<-EOF
	{"database": "$2"$spool,
	 "sources": {"calendly": {"secret": "env:CAL_KEY"}}}
	EOF
}

# A CGI program for fcgiwrap: gmhook with its options, and its exit
# status recorded so a valgrind error (99) is seen.
write_cgi() { # NAME OPTIONS...
	local name=$1
	shift
	cat >"$TMP/$name.sh" <<-EOF
	#!/bin/sh
	export CAL_KEY='$KEY' TWILIO_TOKEN='$TWILIO_TOKEN' TZ=UTC
	$WRAPPER "$GMHOOK" cgi $*
	rc=\$?
	[ \$rc -eq 0 ] || echo "$name \$rc" >>"$TMP/cgi-exit-failures"
	exit \$rc
	EOF
	chmod 755 "$TMP/$name.sh"
}

location() { # PREFIX FASTCGI-SOCKET [SCRIPT]
	cat <<-EOF
	location $1/ {
		fastcgi_split_path_info ^($1)(/.*)\$;
		include /etc/nginx/fastcgi_params;
		fastcgi_param PATH_INFO \$fastcgi_path_info;
		fastcgi_param SCRIPT_FILENAME ${3:-/unused};
		fastcgi_pass unix:$2;
	}
	EOF
}

start_nginx() {
	local user=""
	[ "$(id -u)" -eq 0 ] && user="user root;"
	PORT=$(free_port)
	cat >"$TMP/nginx.conf" <<-EOF
	$user
	worker_processes 1;
	pid $TMP/nginx.pid;
	error_log $TMP/nginx-error.log info;
	events { worker_connections 64; }
	http {
		access_log $TMP/nginx-access.log;
		client_body_temp_path $TMP/nginx-body;
		proxy_temp_path $TMP/nginx-proxy;
		fastcgi_temp_path $TMP/nginx-fastcgi;
		uwsgi_temp_path $TMP/nginx-uwsgi;
		scgi_temp_path $TMP/nginx-scgi;
		client_max_body_size 4m;
		server {
			listen 127.0.0.1:$PORT;
			server_name localhost;
			$(location /cgi/hooks "$TMP/fcgiwrap.sock" "$TMP/cgi.sh")
			$(location /cgi-direct/hooks "$TMP/fcgiwrap.sock" "$TMP/cgi-direct.sh")
			$(location /cgi-down/hooks "$TMP/fcgiwrap.sock" "$TMP/cgi-down.sh")
			$(location /cgi-spool/hooks "$TMP/fcgiwrap.sock" "$TMP/cgi-spool.sh")
			$(location /fcgi/hooks "$TMP/gmhook.sock")
			$(location /fcgi-later/hooks "$TMP/gmhook-later.sock")
			$(location /cgi-trust/hooks "$TMP/fcgiwrap.sock" "$TMP/cgi-trust.sh")
			$(location /cgi-untrust/hooks "$TMP/fcgiwrap.sock" "$TMP/cgi-untrust.sh")
			$(location /fcgi-trust/hooks "$TMP/gmhook-trust.sock")
		}
	}
	EOF
	"$NGINX" -p "$TMP" -c "$TMP/nginx.conf" -e "$TMP/nginx-error.log" ||
		return 1
}

start_fastcgi() { # SOCKET CONFIG LOG [OPTIONS...]
	local socket=$1 config=$2 log=$3
	shift 3
	CAL_KEY=$KEY TWILIO_TOKEN=$TWILIO_TOKEN $WRAPPER "$GMHOOK" fastcgi \
		--listen "$socket" --config "$config" --max-body 100000 -v "$@" \
		2>"$log" &
	PIDS+=($!)
	wait_for_socket "$socket"
}

# A configuration that trusts the forwarded headers of PEERS (a JSON
# array) and checks Twilio signatures.
write_trust_config() { # FILE DATABASE PEERS
	cat >"$1" <<-EOF
	{"database": "$2", "http": {"trust_proxy": $3},
	 "sources": {"twilio": {"secret": "env:TWILIO_TOKEN"}}}
	EOF
}

"$GMHOOK" init-db --db "$TMP/cgi.db" 2>/dev/null &&
	"$GMHOOK" init-db --db "$TMP/fcgi.db" 2>/dev/null || {
	echo "Bail out! init-db failed"
	exit 1
}
"$GMHOOK" init-db --db "$TMP/oracle.db" 2>/dev/null
write_config "$TMP/cgi.json" "$TMP/cgi.db"
write_config "$TMP/fcgi.json" "$TMP/fcgi.db"
write_config "$TMP/down.json" "$TMP/missing/down.db"
mkdir "$TMP/spool"
write_config "$TMP/spool.json" "$TMP/missing/down.db" "$TMP/spool"
write_config "$TMP/later.json" "$TMP/later/later.db"
write_cgi cgi --config "$TMP/cgi.json" --max-body 100000 --trust-proxy -v
write_cgi cgi-direct --config "$TMP/cgi.json" --max-body 100000 -v
write_cgi cgi-down --config "$TMP/down.json"
write_cgi cgi-spool --config "$TMP/spool.json"
"$GMHOOK" init-db --db "$TMP/trust.db" 2>/dev/null
write_trust_config "$TMP/trust.json" "$TMP/trust.db" '["192.0.2.1", "127.0.0.0/8"]'
write_trust_config "$TMP/untrust.json" "$TMP/trust.db" '["192.0.2.0/24"]'
write_cgi cgi-trust --config "$TMP/trust.json" -v
write_cgi cgi-untrust --config "$TMP/untrust.json" -v

"$FCGIWRAP" -s "unix:$TMP/fcgiwrap.sock" 2>"$TMP/fcgiwrap.log" &
PIDS+=($!)
wait_for_socket "$TMP/fcgiwrap.sock" &&
	start_fastcgi "$TMP/gmhook.sock" "$TMP/fcgi.json" "$TMP/fastcgi.log" \
		--trust-proxy &&
	start_fastcgi "$TMP/gmhook-later.sock" "$TMP/later.json" \
		"$TMP/fastcgi-later.log" --trust-proxy &&
	start_fastcgi "$TMP/gmhook-trust.sock" "$TMP/trust.json" \
		"$TMP/fastcgi-trust.log" &&
	start_nginx || {
	echo "Bail out! the servers did not start"
	cat "$TMP"/*.log >&2
	exit 1
}
BASE=http://127.0.0.1:$PORT

# The cases, once per server: PREFIX (/cgi or /fcgi) and DATABASE.
run_cases() {
	local p=$1 db=$2 name=$3 big ledger f rc want

	post_calendly "$p/hooks/calendly" "$EXAMPLES/calendly-invitee-created.json"
	expect "$name: signed Calendly booking is committed" 200 '"status": "committed"'
	expect_rows "$name: booking wrote one contact" "$db" CONTACT1 1
	expect_rows "$name: booking wrote one appointment" "$db" CAL 1
	expect_rows "$name: booking wrote one ledger row" "$db" GMHOOK_LEDGER 1

	post_calendly "$p/hooks/calendly" "$EXAMPLES/calendly-invitee-created.json"
	expect "$name: redelivery answers duplicate" 200 '"status": "duplicate"'
	expect_rows "$name: redelivery wrote nothing" "$db" GMHOOK_LEDGER 1

	post_calendly "$p/hooks/calendly" "$EXAMPLES/calendly-second-booking.json" wrong-key
	expect "$name: wrongly signed is 401" 401 GMHOOK_ESIGNATURE
	post "$p/hooks/calendly" "$EXAMPLES/calendly-second-booking.json"
	expect "$name: unsigned with a secret configured is 401" 401 GMHOOK_ESIGNATURE
	post "$p/hooks/calendly?x=1" "$EXAMPLES/calendly-second-booking.json" \
		application/json -H "Calendly-Webhook-Signature: t=1,v1=00"
	expect "$name: a stale signature is 401" 401 GMHOOK_ESIGNATURE
	expect_rows "$name: refused deliveries wrote nothing" "$db" GMHOOK_LEDGER 1

	big=$TMP/big.json
	head -c 200000 /dev/zero | tr '\0' ' ' >"$big"
	post "$p/hooks/webform" "$big"
	expect "$name: a body over --max-body is 413" 413
	STATUS=$(curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' \
		"$BASE$p/hooks/calendly")
	HEADERS=$(tr -d '\r' <"$TMP/headers")
	BODY=$(cat "$TMP/body")
	expect "$name: GET is 405" 405
	check "$name: 405 names Allow: POST" \
		"$(grep -qx 'Allow: POST' <<<"$HEADERS"; echo $?)" "$HEADERS"
	post "$p/hooks/webform" "$EXAMPLES/webform-contact.form" text/plain
	expect "$name: text/plain is 415" 415 GMHOOK_EMEDIATYPE
	printf '{"email": "x@example.com",' >"$TMP/broken.json"
	post "$p/hooks/webform" "$TMP/broken.json"
	expect "$name: malformed JSON is 400" 400 GMHOOK_EPARSE
	post "$p/hooks/no-such-source" "$DATA/webform-json.json"
	expect "$name: an unknown source is 400" 400 GMHOOK_ESOURCE
	post "$p/hooks/bad%20name" "$DATA/webform-json.json"
	expect "$name: a malformed source name is 400" 400
	expect_rows "$name: refused deliveries wrote nothing" "$db" GMHOOK_LEDGER 1

	post "$p/hooks/webform" "$EXAMPLES/webform-contact.form" \
		application/x-www-form-urlencoded
	expect "$name: urlencoded web form is committed" 200 '"status": "committed"'
	post "$p/hooks/?source=webform" "$DATA/webform-json.json"
	expect "$name: JSON web form, source from the query, is committed" 200 '"status": "committed"'
	post "$p/hooks/webform" "$DATA/webform-multipart.txt" \
		"$(cat "$DATA/webform-multipart.content-type")"
	expect "$name: multipart web form is committed" 200 '"status": "committed"'
	expect_rows "$name: three web forms, three contacts more" "$db" CONTACT1 4
	for f in "$DATA"/calendly-*.json "$EXAMPLES/calendly-second-booking.json"; do
		post_calendly "$p/hooks/calendly" "$f"
		expect "$name: signed $(basename "$f") is committed" 200 '"status": "committed"'
	done
	expect_rows "$name: ledger holds every committed event" "$db" GMHOOK_LEDGER 8

	[ -d "$CORPUS/calendly" ] || return 0
	for f in "$CORPUS"/calendly/*.json; do
		# The tool on the same bytes is the oracle: 0 -> 200, 65 -> 400.
		(cd "$TMP" && "$GMHOOK" --dry-run --db "$TMP/oracle.db" \
			-s calendly -i "$f" >/dev/null 2>&1)
		rc=$?
		want=$([ $rc -eq 0 ] && echo 200 || echo 400)
		ledger=$(rows "$db" GMHOOK_LEDGER)
		post_calendly "$p/hooks/calendly" "$f"
		expect "$name: corpus $(basename "$f") is $want" "$want"
		if [ "$want" = 200 ] && grep -q '"duplicate"' <<<"$BODY"; then
			want=$ledger
		elif [ "$want" = 200 ]; then
			want=$((ledger + 1))
		else
			want=$ledger
		fi
		expect_rows "$name: corpus $(basename "$f") ledger rows" "$db" GMHOOK_LEDGER "$want"
	done
}

echo "# nginx on 127.0.0.1:$PORT"
run_cases /cgi "$TMP/cgi.db" cgi
run_cases /fcgi "$TMP/fcgi.db" fastcgi

# ---- the public URL behind a proxy ----

printf 'From=%%2B15550100&Body=hi&MessageSid=SM00000000000000000000000000000000' >"$TMP/sms.form"
for p in cgi fcgi; do
	log=$TMP/fcgiwrap.log
	[ $p = fcgi ] && log=$TMP/fastcgi.log
	post "/$p/hooks/twilio?x=1&y=a%2Fb" "$TMP/sms.form" \
		application/x-www-form-urlencoded \
		-H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: hooks.example.test' \
		-H 'X-Gmhook-Url: https://forged.example.test/'
	url="https://hooks.example.test/$p/hooks/twilio?x=1&y=a%2Fb"
	check "$p: trusted proxy: the library receives $url" \
		"$(grep -qF "X-Gmhook-Url $url" "$log"; echo $?)" \
		"$(grep X-Gmhook-Url "$log" | tail -n 3)"
	check "$p: a sender's own X-Gmhook-Url is dropped" \
		"$(! grep -q forged "$log"; echo $?)"
	if [ "$STATUS" = 200 ]; then
		check "$p: Twilio gets empty TwiML" \
			"$(grep -qi '^content-type: text/xml' <<<"$HEADERS" &&
				grep -qF '<Response></Response>' <<<"$BODY"; echo $?)" "$BODY"
	else
		expect "$p: no twilio source yet: 400" 400 GMHOOK_ESOURCE
	fi
done
post "/cgi-direct/hooks/twilio" "$TMP/sms.form" \
	application/x-www-form-urlencoded \
	-H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: hooks.example.test'
url="http://127.0.0.1:$PORT/cgi-direct/hooks/twilio"
check "cgi: untrusted proxy headers are ignored: $url" \
	"$(grep -qF "X-Gmhook-Url $url" "$TMP/fcgiwrap.log"; echo $?)" \
	"$(grep X-Gmhook-Url "$TMP/fcgiwrap.log" | tail -n 3)"

# ---- trusted proxies from the configuration (http.trust_proxy) ----

# X-Twilio-Signature: base64 HMAC-SHA1(auth token, URL + the sorted
# form parameters as name + value).
twilio_signature() { # URL FILE
	python3 - "$1" "$2" "$TWILIO_TOKEN" <<-'EOF'
	import base64, hashlib, hmac, sys, urllib.parse
	url, path, token = sys.argv[1:]
	pairs = urllib.parse.parse_qsl(open(path).read(), keep_blank_values=True)
	data = url + "".join(k + v for k, v in sorted(pairs))
	mac = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
	print(base64.b64encode(mac).decode())
	EOF
}

post_twilio_behind_proxy() { # PREFIX
	local url="https://hooks.example.test$1/hooks/twilio"
	post "$1/hooks/twilio" "$TMP/sms.form" application/x-www-form-urlencoded \
		-H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: hooks.example.test' \
		-H "X-Twilio-Signature: $(twilio_signature "$url" "$TMP/sms.form")"
}

for p in cgi-trust fcgi-trust; do
	post_twilio_behind_proxy "/$p"
	check "$p: a Twilio request signed for the public URL verifies behind a proxy trusted by the configuration" \
		"$([ "$STATUS" = 200 ] && grep -qF '<Response></Response>' <<<"$BODY"; echo $?)" \
		"HTTP $STATUS" "$BODY"
done
expect_rows "trusted proxy: the SMS was written once" "$TMP/trust.db" GMHOOK_LEDGER 1
post_twilio_behind_proxy /cgi-untrust
expect "cgi-untrust: the same request from a peer the configuration does not trust is 401" \
	401 GMHOOK_ESIGNATURE
url="http://127.0.0.1:$PORT/cgi-untrust/hooks/twilio"
check "cgi-untrust: the URL is rebuilt from the request itself: $url" \
	"$(grep -qF "X-Gmhook-Url $url" "$TMP/fcgiwrap.log"; echo $?)" \
	"$(grep X-Gmhook-Url "$TMP/fcgiwrap.log" | tail -n 3)"

# ---- the database unreachable ----

post_calendly /cgi-down/hooks/calendly "$EXAMPLES/calendly-invitee-created.json"
expect "cgi: database unreachable, no spool: 503" 503 GMHOOK_EUNAVAIL
check "cgi: 503 carries Retry-After" \
	"$(grep -q '^Retry-After: [0-9]' <<<"$HEADERS"; echo $?)" "$HEADERS"
post_calendly /cgi-spool/hooks/calendly "$EXAMPLES/calendly-invitee-created.json"
expect "cgi: database unreachable, spool configured: 202" 202 '"status": "spooled"'
check "cgi: the delivery is in the spool" \
	"$([ "$(ls "$TMP/spool" | grep -c '\.json$')" = 1 ]; echo $?)" \
	"$(ls -la "$TMP/spool")"

post_calendly /fcgi-later/hooks/calendly "$EXAMPLES/calendly-invitee-created.json"
expect "fastcgi: database unreachable: 503" 503 GMHOOK_EUNAVAIL
check "fastcgi: 503 carries Retry-After" \
	"$(grep -q '^Retry-After: [0-9]' <<<"$HEADERS"; echo $?)" "$HEADERS"
mkdir "$TMP/later" && "$GMHOOK" init-db --db "$TMP/later/later.db" 2>/dev/null
post_calendly /fcgi-later/hooks/calendly "$EXAMPLES/calendly-invitee-created.json"
expect "fastcgi: reconnects once the database is back" 200 '"status": "committed"'
expect_rows "fastcgi: the retried delivery is written" "$TMP/later/later.db" GMHOOK_LEDGER 1

# ---- shutdown ----

kill "$(cat "$TMP/nginx.pid")"
for i in 1 2 3; do
	pid=${PIDS[$i]}
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	check "fastcgi: process $i stops with status 0 on SIGTERM" \
		"$([ $rc = 0 ]; echo $?)" "exit status $rc" \
		"$(tail -n 5 "$TMP"/fastcgi*.log)"
done
check "cgi: every CGI run exited 0" \
	"$([ ! -s "$TMP/cgi-exit-failures" ]; echo $?)" \
	"$(cat "$TMP/cgi-exit-failures" 2>/dev/null)"

echo "1..$N"
[ $FAILED -eq 0 ]
