#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Site mapping files through the real CLI. (1) Broken configurations and
# mapping files: "gmhook --config FILE check" exits 78 and names the file
# and the JSON pointer at fault. (2) Every file in examples/mappings passes
# "gmhook check". (3) The new-user story: a mapping for Formloop, a form
# builder gmhook has no module for, is checked, explained with
# "gmhook parse -s generic | gmhook map --explain", and lands in a SQLite
# GoldMine database with a site CONTACT2 field. Prints TAP.
#
#   test-mapping-cli.sh GMHOOK DATA_DIR EXAMPLES_DIR

set -u
export LC_ALL=C.UTF-8
export TZ=America/New_York
unset GMHOOK_DB

if [ $# -ne 3 ]; then
	echo "usage: test-mapping-cli.sh GMHOOK DATA_DIR EXAMPLES_DIR" >&2
	exit 64
fi
abs() {
	case $1 in
	/*) echo "$1" ;;
	*) echo "$PWD/$1" ;;
	esac
}
GMHOOK=$(abs "$1")
DATA=$(abs "$2")
EXAMPLES=$(abs "$3")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-mapping-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1 # no stray gmhook.json is read

n=0
ok() { # ok CONDITION-STATUS DESCRIPTION [DIRECTIVE]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2${3:+ # $3}"
	else
		echo "not ok $n - $2${3:+ # $3}"
	fi
}

# ==== (1) broken configurations ====

# bad NAME MAPPING-JSON POINTER MESSAGE-PART [TODO]: the mapping file
# bad.json, named by gmhook.json, must be refused with exit 78, and the
# error must name bad.json, the pointer and the message.
bad() {
	local dir=$TMP/bad-$((n + 1))
	mkdir -p "$dir"
	printf '%s\n' "$2" >"$dir/bad.json"
	echo '{ "mappings": ["bad.json"] }' >"$dir/gmhook.json"
	"$GMHOOK" --config "$dir/gmhook.json" check >"$dir/out" 2>"$dir/err"
	local rc=$?
	local line
	line=$(head -n 1 "$dir/err")
	local want="gmhook: $3: $dir/bad.json: "
	[ -z "$3" ] && want="gmhook: $dir/bad.json: "
	[ $rc -eq 78 ] && [[ $line == "$want"*"$4"*"(GMHOOK_ECONFIG)" ]]
	local status=$?
	ok $status "check refuses $1 (exit 78, bad.json, '$3')" "${5:-}"
	if [ $status -ne 0 ]; then
		echo "#   exit $rc: $line"
	fi
}

# The smallest valid rule around ACTIONS (a JSON array).
rule() {
	printf '{"rules": [{"source": "generic", "actions": %s}]}' "$1"
}
upsert() {
	rule "[{\"action\": \"contact.upsert\", \"match\": {\"email\": \"a@example.org\"}, $1}]"
}

bad "a pointer without its leading slash" \
	"$(rule '[{"action": "note.add", "text": {"pointer": "payload/text"}}]')" \
	/rules/0/actions/0/text/pointer 'must be a JSON pointer such as "/payload/email"'
bad "an unknown transform" \
	"$(rule '[{"action": "note.add", "text": {"pointer": "/t", "transforms": ["trim", "capitalize"]}}]')" \
	/rules/0/actions/0/text/transforms/1 "unknown transform 'capitalize'"
bad "an unknown transform object" \
	"$(rule '[{"action": "note.add", "text": {"pointer": "/t", "transforms": [{"cut": 3}]}}]')" \
	/rules/0/actions/0/text/transforms/0 "unknown transform 'cut'"
bad "an unknown GoldMine column in contact1" \
	"$(upsert '"contact1": {"EMAIL": {"pointer": "/email"}}')" \
	/rules/0/actions/0/contact1/EMAIL "not a CONTACT1 column gmhook writes"
bad "a contact2 field name in lower case" \
	"$(upsert '"contact2": {"ucustom": "x"}')" \
	/rules/0/actions/0/contact2/ucustom "not a CONTACT2 field name"
bad "a contact2 field name without its U" \
	"$(upsert '"contact2": {"CUSTOM": "x"}')" \
	/rules/0/actions/0/contact2/CUSTOM "not a CONTACT2 field name"
bad "rules that are not an array" \
	'{"rules": {"source": "generic"}}' \
	/rules "must be an array of rules"
bad "when that is not an array" \
	'{"rules": [{"source": "generic", "when": {"pointer": "/a", "exists": true}, "actions": []}]}' \
	/rules/0/when "must be an array"
bad "actions that are not an array" \
	'{"rules": [{"source": "generic", "actions": {"action": "note.add"}}]}' \
	/rules/0/actions "must be an array of actions"
bad "a mode that does not exist" \
	'{"rules": [{"source": "generic", "mode": "merge", "actions": []}]}' \
	/rules/0/mode '"replace", "extend" or "ignore"'
bad "an unknown key in the file" \
	'{"rules": [], "include": ["other.json"]}' \
	/include "unknown key"
bad "an unknown key in a rule" \
	'{"rules": [{"source": "generic", "events": "x", "actions": []}]}' \
	/rules/0/events "unknown key 'events'"
bad "an unknown key in a condition" \
	'{"rules": [{"source": "generic", "when": [{"pointer": "/a", "equals": "x", "case": "ignore"}], "actions": []}]}' \
	/rules/0/when/0 "exactly one of equals, exists, one_of, matches"
bad "an unknown key in a value" \
	"$(rule '[{"action": "note.add", "text": {"pointer": "/t", "sep": ","}}]')" \
	/rules/0/actions/0/text/sep "unknown key 'sep'"
bad "an unknown action" \
	"$(rule '[{"action": "contact.create"}]')" \
	/rules/0/actions/0/action 'needs "action"'
bad "a regular expression that does not compile" \
	'{"rules": [{"source": "generic", "when": [{"pointer": "/a", "matches": "([a-z]"}], "actions": []}]}' \
	/rules/0/when/0 "valid POSIX extended regular expression"
bad "an unknown source" \
	'{"rules": [{"source": "formloop", "actions": []}]}' \
	/rules/0/source "unknown source 'formloop' (see gmhook sources)"
bad "a file that is not JSON" \
	'{"rules": [' \
	"" "not a JSON object"
bad "a condition pointer without its leading slash" \
	'{"rules": [{"source": "generic", "when": [{"pointer": "form_id", "exists": true}], "actions": []}]}' \
	/rules/0/when/0/pointer "must be a JSON pointer"
bad "an unknown key in an action" \
	"$(rule '[{"action": "note.add", "txt": "hello"}]')" \
	/rules/0/actions/0/txt "unknown key 'txt'"
bad "an unknown key in match" \
	"$(rule '[{"action": "contact.upsert", "match": {"emial": "a@example.org"}}]')" \
	/rules/0/actions/0/match/emial "unknown key 'emial'"
bad "a transform argument of the wrong type" \
	"$(rule '[{"action": "note.add", "text": {"pointer": "/t", "transforms": [{"truncate": "ten"}]}}]')" \
	/rules/0/actions/0/text/transforms/0/truncate "must be"

# A missing mapping file: named, exit 78 (the pointer is "", the file).
mkdir -p "$TMP/missing"
echo '{ "mappings": ["site/nope.json"] }' >"$TMP/missing/gmhook.json"
"$GMHOOK" --config "$TMP/missing/gmhook.json" check >/dev/null 2>"$TMP/missing/err"
rc=$?
[ $rc -eq 78 ] && grep -q "gmhook: $TMP/missing/site/nope.json: cannot open the mapping file (GMHOOK_ECONFIG)" "$TMP/missing/err"
ok $? "check refuses a missing mapping file (exit 78, its path)"

# Mistakes in the configuration file's own keys.
config_bad() { # NAME CONFIG-JSON POINTER MESSAGE-PART
	local dir=$TMP/config-$((n + 1))
	mkdir -p "$dir"
	printf '%s\n' "$2" >"$dir/gmhook.json"
	"$GMHOOK" --config "$dir/gmhook.json" check >/dev/null 2>"$dir/err"
	local rc=$?
	[ $rc -eq 78 ] && grep -qF "gmhook: $3: $dir/gmhook.json: $4" "$dir/err"
	ok $? "check refuses $1 (exit 78, gmhook.json, '$3')"
}
config_bad "mappings that are not an array" '{ "mappings": "site.json" }' \
	/mappings "must be an array of file names"
config_bad "an empty mapping file name" '{ "mappings": [""] }' \
	/mappings/0 "must be a file name"
config_bad "a misspelt mappings key" '{ "mapping": ["site.json"] }' \
	/mapping "unknown key 'mapping'"
config_bad "a phone_country that is no calling code" \
	'{ "defaults": { "phone_country": "UK" } }' \
	/defaults/phone_country "must be a calling code"

# ==== (2) every example mapping passes check ====

all=""
for f in "$EXAMPLES"/*.json; do
	name=$(basename "$f")
	mkdir -p "$TMP/ex"
	echo "{ \"mappings\": [\"$f\"] }" >"$TMP/ex/gmhook.json"
	"$GMHOOK" --config "$TMP/ex/gmhook.json" check >"$TMP/ex/out" 2>&1
	ok $? "examples/mappings/$name passes gmhook check"
	all="$all${all:+, }\"$f\""
done
echo "{ \"mappings\": [$all] }" >"$TMP/ex/all.json"
"$GMHOOK" --config "$TMP/ex/all.json" check >/dev/null 2>&1
ok $? "all the example mappings load together"

# ==== (3) a new user maps Formloop, a service gmhook has never seen ====

mkdir -p "$TMP/site/mappings"
cd "$TMP/site" || exit 1
cp "$EXAMPLES/form-builder-formloop.json" mappings/formloop.json
cat >gmhook.json <<EOF
{
  "database": "$TMP/site/goldmine.db",
  "defaults": { "phone_country": "1", "timezone": "America/New_York" },
  "mappings": ["mappings/formloop.json"]
}
EOF
# What Formloop POSTs (urlencoded, fields[...] nested), received 07:30Z on
# the day New York moves to daylight time.
printf '%s' 'form_id=demo-request&submission_id=FL-10042&submitted_at=2026-03-08T07%3A30%3A00Z&fields%5Bemail%5D=+Rosa.Diaz%40Example.net&fields%5Bname%5D=rosa+d%C3%ADaz&fields%5Bphone%5D=(415)+555-0142&fields%5Bcompany%5D=Nine-Nine+Labs&fields%5Bbudget%5D=10k-50k&fields%5Bproducts%5D%5B%5D=crm&fields%5Bproducts%5D%5B%5D=sync&fields%5Bmessage%5D=Call+me+after+10' >body.form

"$GMHOOK" --config gmhook.json check >out 2>err
rc=$?
[ $rc -eq 0 ] && grep -q "configuration gmhook.json is valid" out
ok $? "formloop: gmhook check accepts the new mapping"

"$GMHOOK" --config gmhook.json parse -s generic \
	-t application/x-www-form-urlencoded --received 1772460309 \
	<body.form >event.json 2>err &&
	"$GMHOOK" --config gmhook.json map --explain <event.json >plan.json 2>err
ok $? "formloop: parse -s generic | map --explain succeeds"

# explain FIELD JQ-CONDITION DESCRIPTION: the explain entry of FIELD.
explain() {
	jq -e --arg f "$1" ".events[0].explain[] | select(.field == \$f) | $2" \
		plan.json >/dev/null 2>&1
	ok $? "formloop explain: $3"
}
jq -e '.events[0].rule == "site mapping"' plan.json >/dev/null
ok $? "formloop explain: the event is mapped by a site mapping"
explain match/email '.rule == "mappings/formloop.json/rules/0" and .rule_name == "formloop demo request" and .pointer == "/fields/email" and .transforms == ["trim", "lower"] and .value == "rosa.diaz@example.net" and .action == 0' \
	"match/email from /fields/email, trim+lower"
explain contact1/CONTACT '.pointer == "/fields/name" and .transforms == ["trim", "title"] and .value == "Rosa Díaz"' \
	"CONTACT from /fields/name, title"
explain contact1/PHONE1 '.pointer == "/fields/phone" and .transforms == ["e164"] and .value == "+14155550142"' \
	"PHONE1 from /fields/phone, e164 with the default country"
explain contact1/SOURCE '(has("pointer") | not) and .transforms == [] and .value == "Formloop"' \
	"SOURCE is a literal (no pointer)"
explain contact2/UCUSTOM '.pointer == "/fields/budget" and .transforms[0].lookup.table["10k-50k"] == "M" and .value == "M"' \
	"UCUSTOM from /fields/budget through lookup"
explain contact2/USERDEF05 '.pointer == "/fields/products" and .value == "CRM+SYNC"' \
	"USERDEF05 joins the /fields/products array"
explain ondate '.action == 2 and .pointer == "/submitted_at" and .transforms == ["date"] and .value == "2026-03-08"' \
	"history ondate in the server zone"
explain ontime '.value == "03:30"' \
	"history ontime 07:30Z is 03:30 EDT"

"$GMHOOK" --config gmhook.json init-db >/dev/null 2>err
ok $? "formloop: gmhook init-db"
sqlite3 goldmine.db "ALTER TABLE CONTACT2 ADD COLUMN UCUSTOM VARCHAR(20)"
ok $? "formloop: the site adds the custom field CONTACT2.UCUSTOM"

"$GMHOOK" --config gmhook.json run -s generic \
	-t application/x-www-form-urlencoded --received 1772460309 \
	<body.form >result.json 2>err
rc=$?
ok $rc "formloop: gmhook run commits the submission"
[ $rc -eq 0 ] || sed 's/^/#   /' err result.json

q() {
	sqlite3 -separator '|' goldmine.db "$1"
}
row=$(q "SELECT CONTACT, LASTNAME, COMPANY, PHONE1, SOURCE FROM CONTACT1")
[ "$row" = "Rosa Díaz|Díaz|Nine-Nine Labs|+14155550142|Formloop" ]
ok $? "formloop: CONTACT1 row ($row)"
row=$(q "SELECT C2.UCUSTOM, C2.USERDEF05 FROM CONTACT2 C2 JOIN CONTACT1 C1 ON C1.ACCOUNTNO = C2.ACCOUNTNO")
[ "$row" = "M|CRM+SYNC" ]
ok $? "formloop: CONTACT2 custom field UCUSTOM and USERDEF05 ($row)"
row=$(q "SELECT COUNT(*) FROM CONTSUPP WHERE RECTYPE = 'P' AND CONTSUPREF || COALESCE(ADDRESS1, '') = 'rosa.diaz@example.net'")
[ "$row" = 1 ]
ok $? "formloop: one e-mail row for rosa.diaz@example.net ($row)"
row=$(q "SELECT RECTYPE, ACTVCODE, RESULTCODE, date(ONDATE), ONTIME, REF FROM CONTHIST")
[ "$row" = "O  |WEB|DMO|2026-03-08|03:30|Formloop demo-request FL-10042" ]
ok $? "formloop: CONTHIST row ($row)"

"$GMHOOK" --config gmhook.json run -s generic \
	-t application/x-www-form-urlencoded --received 1772460309 \
	<body.form >again.json 2>err
rc=$?
[ $rc -eq 0 ] && grep -q duplicate again.json &&
	[ "$(q 'SELECT COUNT(*) FROM CONTHIST')" = 1 ]
ok $? "formloop: the same delivery again is a duplicate, nothing written"

# ==== (4) a source's own mapping file, and the built-in files ====

BUILTIN=$(cd "$EXAMPLES/../../libgmhook/mappings" && pwd)
CAL=$(cd "$EXAMPLES/../payloads" && pwd)/calendly-invitee-created.json
mkdir -p "$TMP/own" && cd "$TMP/own" || exit 1
cat >calendly-site.json <<'JSON'
{ "rules": [ { "event": "invitee.created", "mode": "extend",
  "actions": [ { "action": "history.add", "rectype": "O",
    "ondate": { "record": "/when", "transforms": ["date"] },
    "ref": { "join": ["Site:", { "record": "/title" }] } } ] } ] }
JSON
echo '{ "sources": { "calendly": { "mapping": "calendly-site.json" } } }' \
	>gmhook.json
"$GMHOOK" --config gmhook.json parse -s calendly -i "$CAL" 2>err |
	"$GMHOOK" --config gmhook.json validate 2>>err |
	"$GMHOOK" --config gmhook.json map >plan.json 2>>err
refs=$(python3 -c 'import json,sys; p=json.load(open("plan.json")); print("|".join(a.get("ref","") for a in p["events"][0]["actions"] if a["action"]=="history.add"))' 2>&1)
[ "$refs" = "Calendly: booked 30 Minute Product Demo|Site: 30 Minute Product Demo" ]
ok $? "sources.calendly.mapping: a rule without \"source\" extends Calendly's built-in mapping ($refs)"

sed 's/"event": "invitee.created"/"source": "mailchimp", "event": "x"/' \
	calendly-site.json >other.json
echo '{ "sources": { "calendly": { "mapping": "other.json" } } }' >bad.json
"$GMHOOK" --config bad.json check >out 2>err
rc=$?
[ $rc -eq 78 ] && grep -q "/rules/0/source: other.json: this file is the mapping of source 'calendly'" err
st=$?
ok $st "sources.calendly.mapping: a rule naming another source is refused (exit $rc)"
[ $st -eq 0 ] || sed 's/^/#   /' err

mkdir -p site-builtin
cp "$BUILTIN"/*.json site-builtin/
sed -i 's/"resultcode": "BKD"/"resultcode": "NEW"/' site-builtin/calendly.json
echo '{ "builtin_mappings": "site-builtin" }' >builtin.json
"$GMHOOK" --config builtin.json check >out 2>err
ok $? "builtin_mappings: a directory with every built-in file passes check"
"$GMHOOK" --config builtin.json parse -s calendly -i "$CAL" 2>err |
	"$GMHOOK" --config builtin.json validate 2>>err |
	"$GMHOOK" --config builtin.json map >plan.json 2>>err
grep -q '"resultcode": "NEW"' plan.json && ! grep -q '"resultcode": "BKD"' plan.json
ok $? "builtin_mappings: the directory's calendly.json is the one that runs"

rm site-builtin/calendly.json
"$GMHOOK" --config builtin.json check >out 2>err
rc=$?
[ $rc -eq 78 ] && grep -q "site-builtin/calendly.json: cannot open the built-in mapping file" err
st=$?
ok $st "builtin_mappings: a missing built-in file is a configuration error (exit $rc)"
[ $st -eq 0 ] || sed 's/^/#   /' err

echo '{ "rules": [ { "source": "calendly", "actions": [ { "action": "note.add", "text": { "record": "email" } } ] } ] }' \
	>site-builtin/calendly.json
"$GMHOOK" --config builtin.json check >out 2>err
rc=$?
[ $rc -eq 78 ] && grep -q "/rules/0/actions/0/text/record: .*site-builtin/calendly.json: must be a JSON pointer" err
st=$?
ok $st "builtin_mappings: a broken built-in file names file and pointer (exit $rc)"
[ $st -eq 0 ] || sed 's/^/#   /' err
"$GMHOOK" sources | grep -q "^  mapping: calendly.json "
ok $? "gmhook sources names Calendly's built-in mapping file"
cd "$TMP" || exit 1

echo "1..$n"
