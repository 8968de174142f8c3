#!/bin/bash
# SPDX-License-Identifier: MIT
#
# gmhook behind Apache httpd: a private httpd on 127.0.0.1 (a free high
# port, its own configuration in a temporary folder, no system
# configuration) runs gmhook as a CGI program through mod_cgid and
# reaches `gmhook fastcgi` through mod_proxy_fcgi, with the directives
# docs/deploy.md shows. curl sends signed and wrongly signed payloads;
# each case checks the HTTP status, the rows in the SQLite database and
# the public URL gmhook rebuilt. Prints TAP; exits 77 (skipped) only
# when Apache httpd is not installed.
#
#   test-apache.sh GMHOOK
#
# When run as root, httpd's children (and so the CGI program) run as
# www-data, which gets the CGI database's folder; the FastCGI process
# runs as the caller. $GMHOOK_WRAPPER is put before every gmhook server
# process, as in test-cgi.sh.

set -u
export LC_ALL=C
export TZ=UTC
unset GMHOOK_DB GMHOOK_SPOOL http_proxy https_proxy HTTP_PROXY HTTPS_PROXY \
	all_proxy ALL_PROXY
export NO_PROXY='*' no_proxy='*'

if [ $# -ne 1 ]; then
	echo "usage: test-apache.sh GMHOOK" >&2
	exit 64
fi
GMHOOK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WRAPPER=${GMHOOK_WRAPPER:-}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/data/e2e
EXAMPLES=$HERE/../examples/payloads
HTTPD=$(command -v apache2 || command -v httpd ||
	ls /usr/sbin/apache2 /usr/sbin/httpd 2>/dev/null | head -n 1)
MODULES=
for dir in /usr/lib/apache2/modules /usr/lib64/httpd/modules \
	/usr/lib/httpd/modules; do
	[ -f "$dir/mod_cgid.so" ] && MODULES=$dir && break
done
for tool in curl sqlite3 openssl python3; do
	command -v $tool >/dev/null || { echo "test-apache.sh: $tool is missing" >&2; exit 1; }
done
if [ -z "$HTTPD" ] || [ -z "$MODULES" ]; then
	echo "1..0 # SKIP Apache httpd (apache2) is not installed"
	exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-apache.XXXXXX") || exit 1
chmod 755 "$TMP"
HPID=
FPID=
cleanup() {
	if [ -n "$HPID" ]; then
		kill "$HPID" 2>/dev/null
		wait "$HPID" 2>/dev/null
	fi
	if [ -n "$FPID" ]; then
		kill "$FPID" 2>/dev/null
		wait "$FPID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# TAP, ports, requests and checks (ok, check, post, expect, ...).
. "$HERE/http-helpers.sh"

# ---- servers ----

KEY=apache-test-signing-key
USER_LINES=
if [ "$(id -u)" -eq 0 ]; then
	# httpd refuses to serve as root: its children, the CGI program
	# among them, run as www-data (nobody where there is none).
	RUN_AS=www-data
	id -u "$RUN_AS" >/dev/null 2>&1 || RUN_AS=nobody
	USER_LINES="User $RUN_AS
Group $(id -gn "$RUN_AS")"
fi

write_config() { # FILE DATABASE
	cat >"$1" <<-EOF
	{"database": "$2",
	 "sources": {"calendly": {"secret": "env:CAL_KEY"}}}
	EOF
}

# The CGI program: the deploy.md wrapper, with the exit status recorded
# so a valgrind error (99) is seen.
cat >"$TMP/gmhook-cgi" <<EOF
#!/bin/sh
export CAL_KEY='$KEY' TZ=UTC
$WRAPPER "$GMHOOK" cgi --config "$TMP/cgi/cgi.json" --max-body 100000 -v
rc=\$?
[ \$rc -eq 0 ] || echo "cgi \$rc" >>"$TMP/cgi/exit-failures"
exit \$rc
EOF
chmod 755 "$TMP/gmhook-cgi"

start_httpd() {
	PORT=$(free_port)
	cat >"$TMP/httpd.conf" <<-EOF
	ServerRoot "$TMP"
	ServerName 127.0.0.1
	Listen 127.0.0.1:$PORT
	PidFile "$TMP/httpd.pid"
	DefaultRuntimeDir "$TMP"
	ErrorLog "$TMP/httpd-error.log"
	LogLevel info
	$USER_LINES
	LoadModule mpm_event_module "$MODULES/mod_mpm_event.so"
	LoadModule authz_core_module "$MODULES/mod_authz_core.so"
	LoadModule alias_module "$MODULES/mod_alias.so"
	LoadModule cgid_module "$MODULES/mod_cgid.so"
	LoadModule proxy_module "$MODULES/mod_proxy.so"
	LoadModule proxy_fcgi_module "$MODULES/mod_proxy_fcgi.so"
	ScriptSock "$TMP/cgid.sock"
	StartServers 1
	ServerLimit 1
	ThreadsPerChild 8
	MaxRequestWorkers 8
	<Directory />
		Require all denied
	</Directory>

	# gmhook cgi through mod_cgid, as in docs/deploy.md:
	# /cgi/hooks/calendly -> SCRIPT_NAME=/cgi/hooks, PATH_INFO=/calendly
	ScriptAlias /cgi/hooks "$TMP/gmhook-cgi"
	<Directory "$TMP">
		Require all granted
	</Directory>
	<Location /cgi/hooks>
		LimitRequestBody 2097152
	</Location>

	# gmhook fastcgi through mod_proxy_fcgi, as in docs/deploy.md.
	ProxyPass "/fcgi/hooks/" "fcgi://127.0.0.1:$FPORT/fcgi/hooks/"
	<Location /fcgi/hooks/>
		Require all granted
		LimitRequestBody 2097152
	</Location>
	EOF
	# In the foreground, as this script's child: stopped and reaped by
	# the script, also when a case fails.
	"$HTTPD" -f "$TMP/httpd.conf" -DFOREGROUND 2>>"$TMP/httpd-error.log" &
	HPID=$!
	for _ in $(seq 100); do
		kill -0 "$HPID" 2>/dev/null || return 1
		curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return 0
		sleep 0.1
	done
	return 1
}

start_fastcgi() {
	FPORT=$(free_port)
	CAL_KEY=$KEY $WRAPPER "$GMHOOK" fastcgi --listen "127.0.0.1:$FPORT" \
		--config "$TMP/fcgi.json" --max-body 100000 -v \
		2>"$TMP/fastcgi.log" &
	FPID=$!
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$FPORT") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

mkdir "$TMP/cgi"
"$GMHOOK" init-db --db "$TMP/cgi/cgi.db" 2>/dev/null &&
	"$GMHOOK" init-db --db "$TMP/fcgi.db" 2>/dev/null || {
	echo "Bail out! init-db failed"
	exit 1
}
write_config "$TMP/cgi/cgi.json" "$TMP/cgi/cgi.db"
write_config "$TMP/fcgi.json" "$TMP/fcgi.db"
if [ -n "${RUN_AS:-}" ]; then
	# SQLite writes its journal next to the database file.
	chown -R "$RUN_AS:" "$TMP/cgi"
fi

start_fastcgi && start_httpd || {
	echo "Bail out! the servers did not start"
	cat "$TMP"/*.log >&2
	exit 1
}
BASE=http://127.0.0.1:$PORT
echo "# $("$HTTPD" -v | head -n 1) on 127.0.0.1:$PORT"

# ---- the cases, once per front door ----

# run_cases NAME DATABASE URL-OF-SOURCE LOG: URL-OF-SOURCE is the path
# that names calendly (PATH_INFO for CGI, the query for FastCGI).
run_cases() {
	local name=$1 db=$2 calendly=$3 log=$4 webform=${3/calendly/webform}
	local url=$BASE$calendly

	post_calendly "$calendly" "$EXAMPLES/calendly-invitee-created.json"
	expect "$name: signed Calendly booking is committed" 200 '"status": "committed"'
	expect_rows "$name: booking wrote one contact" "$db" CONTACT1 1
	expect_rows "$name: booking wrote one appointment" "$db" CAL 1
	expect_rows "$name: booking wrote one ledger row" "$db" GMHOOK_LEDGER 1
	check "$name: the public URL is rebuilt as sent: $url" \
		"$(grep -qF "X-Gmhook-Url $url" "$log"; echo $?)" \
		"$(grep X-Gmhook-Url "$log" | tail -n 3)"

	post_calendly "$calendly" "$EXAMPLES/calendly-invitee-created.json"
	expect "$name: redelivery answers duplicate" 200 '"status": "duplicate"'

	post_calendly "$calendly" "$EXAMPLES/calendly-second-booking.json" wrong-key
	expect "$name: wrongly signed is 401" 401 GMHOOK_ESIGNATURE
	post "$calendly" "$EXAMPLES/calendly-second-booking.json"
	expect "$name: unsigned with a secret configured is 401" 401 GMHOOK_ESIGNATURE
	expect_rows "$name: refused deliveries wrote nothing" "$db" GMHOOK_LEDGER 1

	post "$webform" "$EXAMPLES/webform-contact.form" \
		application/x-www-form-urlencoded
	expect "$name: urlencoded web form is committed" 200 '"status": "committed"'
	post "$webform" "$EXAMPLES/webform-contact.form" text/plain
	expect "$name: text/plain is 415" 415 GMHOOK_EMEDIATYPE
	head -c 200000 /dev/zero | tr '\0' ' ' >"$TMP/big.json"
	post "$webform" "$TMP/big.json"
	expect "$name: a body over --max-body is 413" 413
	STATUS=$(curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' \
		"$BASE$calendly")
	HEADERS=$(tr -d '\r' <"$TMP/headers")
	BODY=$(cat "$TMP/body")
	expect "$name: GET is 405" 405
	post_calendly "$calendly" "$EXAMPLES/calendly-second-booking.json"
	expect "$name: the second booking is committed" 200 '"status": "committed"'
	expect_rows "$name: ledger holds every committed event" "$db" GMHOOK_LEDGER 3
}

run_cases cgi "$TMP/cgi/cgi.db" /cgi/hooks/calendly "$TMP/httpd-error.log"
run_cases fastcgi "$TMP/fcgi.db" "/fcgi/hooks/?source=calendly" \
	"$TMP/fastcgi.log"

# ---- shutdown ----

kill "$HPID"
wait "$HPID"
HPID=
kill -TERM "$FPID"
wait "$FPID"
rc=$?
FPID=
check "fastcgi: stops with status 0 on SIGTERM" "$([ $rc = 0 ]; echo $?)" \
	"exit status $rc" "$(tail -n 5 "$TMP/fastcgi.log")"
check "cgi: every CGI run exited 0" \
	"$([ ! -s "$TMP/cgi/exit-failures" ]; echo $?)" \
	"$(cat "$TMP/cgi/exit-failures" 2>/dev/null)"

echo "1..$N"
[ $FAILED -eq 0 ]
