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
