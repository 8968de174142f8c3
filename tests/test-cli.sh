#!/usr/bin/env bash
# The command line itself: help, version, sources, usage errors, init-db
# --schema-only, check. TAP output.
set -u
G=$1
n=0
fail=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$G" --help >"$tmp/out" 2>&1
ok $? "--help exits 0"
grep -q "Exit status: 0 done" "$tmp/out"
ok $? "--help lists the exit statuses"
"$G" --version | grep -qE '^gmhook [0-9]+\.[0-9]+\.[0-9]+$'
ok $? "--version prints the version"

"$G" sources >"$tmp/sources"
ok $? "sources exits 0"
count=$(grep -c '^[a-z_]*$' "$tmp/sources")
[ "$count" -ge 20 ]
ok $? "sources lists $count sources"
[ "$(grep -c '^  signature: ' "$tmp/sources")" -eq "$count" ] &&
	[ "$(grep -c '^  writes: ' "$tmp/sources")" -eq "$count" ]
ok $? "every source names its signature scheme and what it writes"
for s in calendly webform shopify woocommerce stripe square mailchimp sendgrid \
	mailgun postmark amazon_ses brevo zendesk freshdesk helpscout jira twilio \
	typeform jotform gravityforms elementor generic; do
	grep -qx "$s" "$tmp/sources" || { echo "# missing $s"; false; } || break
done
ok $? "sources includes every provider the mission names"

"$G" --bogus </dev/null >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 64 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "bogus" "$tmp/err"
ok $? "an unknown option exits 64 with one line naming it (rc=$rc)"
"$G" frobnicate </dev/null >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 64 ] && grep -q "unknown command 'frobnicate'" "$tmp/err"
ok $? "an unknown command exits 64 (rc=$rc)"
"$G" -H 'no colon' </dev/null >/dev/null 2>"$tmp/err"
[ $? -eq 64 ] && grep -q "Name: value" "$tmp/err"
ok $? "a malformed -H exits 64"

"$G" init-db --schema-only --dialect mssql >"$tmp/mssql.sql"
ok $? "init-db --schema-only prints T-SQL"
grep -q "CREATE TABLE GMHOOK_LEDGER" "$tmp/mssql.sql" &&
	grep -q "DATETIME" "$tmp/mssql.sql" && ! grep -q "TIMESTAMP" "$tmp/mssql.sql"
ok $? "the T-SQL uses DATETIME, never TIMESTAMP"
"$G" init-db --schema-only --ledger-only >"$tmp/ledger.sql"
! grep -q "CONTACT1" "$tmp/ledger.sql" && [ "$(grep -c 'CREATE TABLE' "$tmp/ledger.sql")" -eq 2 ]
ok $? "--ledger-only touches only gmhook's two tables"
"$G" init-db --schema-only --dialect oracle >/dev/null 2>&1
[ $? -eq 64 ]
ok $? "an unknown dialect exits 64"
[ ! -e gmhook.db ] || [ -n "${GMHOOK_DB:-}" ]
ok $? "--schema-only created no database"

echo '{"database": "x.db", "limits": {"max_bodyy": 5}}' >"$tmp/bad.json"
"$G" --config "$tmp/bad.json" check >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 78 ] && grep -q "/limits/max_bodyy" "$tmp/err" && grep -q "bad.json" "$tmp/err"
ok $? "check: an unknown key exits 78 naming the file and pointer (rc=$rc)"
echo '{"database": "x.db"}' >"$tmp/good.json"
"$G" --config "$tmp/good.json" check >/dev/null 2>&1
ok $? "check: a valid configuration exits 0"

# Configuration errors of the HTTP front door and of SNS confirmations
# name the JSON pointer of the key at fault.
bad_config() { # NAME POINTER JSON
	printf '%s' "$3" >"$tmp/bad.json"
	"$G" --config "$tmp/bad.json" check >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq 78 ] && grep -qF "$2" "$tmp/err"
	ok $? "check: $1 exits 78 naming $2 (rc=$rc)"
}
bad_config "an unknown key under http" /http/trusted \
	'{"http": {"trusted": true}}'
bad_config "a trust_proxy entry that is no address" /http/trust_proxy/1 \
	'{"http": {"trust_proxy": ["127.0.0.1", "proxy.example.com"]}}'
bad_config "a network with too long a prefix" /http/trust_proxy/0 \
	'{"http": {"trust_proxy": ["10.0.0.0/33"]}}'
bad_config "confirm_subscriptions on another source" \
	/sources/stripe/confirm_subscriptions \
	'{"sources": {"stripe": {"confirm_subscriptions": true}}}'
bad_config "confirm_subscriptions without public_key" \
	/sources/amazon_ses/confirm_subscriptions \
	'{"sources": {"amazon_ses": {"confirm_subscriptions": true}}}'
bad_config "a confirm_test_host that is not loopback" \
	/sources/amazon_ses/confirm_test_host \
	'{"sources": {"amazon_ses": {"confirm_test_host": "sns.example.com:443"}}}'
printf '{"database": "x.db", "http": {"trust_proxy": ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]}}' >"$tmp/trust.json"
"$G" --config "$tmp/trust.json" check >/dev/null 2>&1
ok $? "check: http.trust_proxy with addresses and networks is valid"

# gmhook cgi with the CGI variables a web server sets: the public URL
# (logged with -v) comes from X-Forwarded-* only for a trusted peer. The
# source is unknown, so no database is opened.
cgi_url() { # CONFIG REMOTE_ADDR [OPTIONS...]
	local config=$1 peer=$2
	shift 2
	printf '{}' | env -i PATH="$PATH" REQUEST_METHOD=POST \
		CONTENT_TYPE=application/json CONTENT_LENGTH=2 \
		SERVER_NAME=gm.internal SERVER_PORT=8080 SCRIPT_NAME=/hooks \
		PATH_INFO=/no-such-source REMOTE_ADDR="$peer" \
		HTTP_X_FORWARDED_PROTO=https \
		HTTP_X_FORWARDED_HOST=hooks.example.test \
		"$G" cgi --config "$config" -v "$@" 2>&1 >/dev/null |
		sed -n 's/^gmhook: info: cgi: X-Gmhook-Url //p'
}
proxied=https://hooks.example.test/hooks/no-such-source
direct=http://gm.internal:8080/hooks/no-such-source
for peer in 127.0.0.1 10.20.30.40 fd00::7 ::ffff:10.1.2.3; do
	[ "$(cgi_url "$tmp/trust.json" "$peer")" = "$proxied" ]
	ok $? "cgi: a peer in http.trust_proxy ($peer) is believed"
done
for peer in 127.0.0.2 192.0.2.1 fe80::1 not-an-address; do
	[ "$(cgi_url "$tmp/trust.json" "$peer")" = "$direct" ]
	ok $? "cgi: a peer outside http.trust_proxy ($peer) is not"
done
[ "$(cgi_url "$tmp/good.json" 127.0.0.1)" = "$direct" ]
ok $? "cgi: without http.trust_proxy nobody is believed"
[ "$(cgi_url "$tmp/good.json" 192.0.2.1 --trust-proxy)" = "$proxied" ]
ok $? "cgi: --trust-proxy believes any peer, whatever the configuration"
printf '{"database": "x.db", "http": {"trust_proxy": true}}' >"$tmp/trustall.json"
[ "$(cgi_url "$tmp/trustall.json" 192.0.2.1)" = "$proxied" ]
ok $? "cgi: \"trust_proxy\": true believes any peer"

# An unsubscribe can also flag the contact it found in a CONTACT2 field.
db="$tmp/u.db"
"$G" init-db --db "$db" 2>/dev/null
sqlite3 "$db" "ALTER TABLE CONTACT2 ADD COLUMN UOPTOUT VARCHAR(1)"
cat >"$tmp/optout.json" <<'JSON'
{"rules": [{"source": "mailchimp", "event": "unsubscribe", "mode": "extend",
 "actions": [{"action": "contact.find",
  "match": {"email": {"pointer": "/data/email"}}, "contact2": {"UOPTOUT": "Y"}}]}]}
JSON
printf '{"database": "%s", "mappings": ["%s"]}' "$db" "$tmp/optout.json" >"$tmp/optcfg.json"
printf 'email=ann.oak%%40example.org&name=Ann+Oak' |
	"$G" --db "$db" -c -t application/x-www-form-urlencoded >/dev/null
printf 'type=unsubscribe&fired_at=2026-12-01+10%%3A00%%3A00&data%%5Bemail%%5D=ann.oak%%40example.org&data%%5Breason%%5D=manual' |
	"$G" --config "$tmp/optcfg.json" -s mailchimp -c -t application/x-www-form-urlencoded >/dev/null
[ "$(sqlite3 "$db" "SELECT UOPTOUT FROM CONTACT2")" = Y ] &&
	[ "$(sqlite3 "$db" "SELECT COUNT(*) FROM CONTHIST WHERE RESULTCODE = 'UNS'")" = 1 ]
ok $? "an unsubscribe sets a site CONTACT2 opt-out field through contact.find"

echo "1..$n"
exit $fail
