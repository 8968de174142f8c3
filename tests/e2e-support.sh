#!/bin/bash
# SPDX-License-Identifier: MIT
#
# End-to-end tests of the help-desk and Twilio sources (group "support"):
# our payloads in tests/data/<provider>/ and the corpus payloads of
# Zendesk, Freshdesk, Help Scout, Jira, osTicket and Twilio go through
# `gmhook run` into a fresh SQLite database, and the rows that matter are
# checked with the sqlite3 tool. Prints TAP.
#
#   e2e-support.sh GMHOOK sqlite
#
# $GMHOOK_CORPUS names the shared corpus (default /work/shared/corpus);
# its payloads are tested only when it exists.

set -u
export LC_ALL=C.UTF-8
export TZ=UTC
unset GMHOOK_DB

if [ $# -ne 2 ] || [ "$2" != sqlite ]; then
	echo "usage: e2e-support.sh GMHOOK sqlite" >&2
	exit 64
fi
GMHOOK=$1
if ! command -v sqlite3 >/dev/null; then
	echo "1..0 # SKIP the sqlite3 tool is not installed"
	exit 0
fi
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/data
CORPUS=${GMHOOK_CORPUS:-/work/shared/corpus}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-e2e-support.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/stdout
ERR=$TMP/stderr
FORM=application/x-www-form-urlencoded

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
}

is() {
	if [ "$2" != "$3" ]; then
		diag "$1: expected '$3', got '$2'"
	fi
}

contains() {
	if ! grep -qF -- "$3" <<<"$2"; then
		diag "$1: '$3' not found in: $(head -c 600 <<<"$2")"
	fi
}

# ---- gmhook and the database ----

fresh_db() {
	DB=$TMP/case-$((N + 1)).db
	rm -f "$DB"
	if ! "$GMHOOK" init-db --db "$DB" >/dev/null 2>"$TMP/init.err"; then
		diag "init-db failed: $(cat "$TMP/init.err")"
	fi
}

# gm FILE [OPTIONS...]: run FILE into $DB; stdout in $OUT, status in $RC.
gm() {
	local file=$1

	shift
	"$GMHOOK" run --db "$DB" -c -i "$file" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

expect_rc() {
	if [ "$RC" != "$1" ]; then
		diag "exit status: expected $1, got $RC; stderr: $(head -c 800 "$ERR")"
	fi
}

status() {
	grep -o '"status": *"[a-z-]*"' "$OUT" | head -1 | sed 's/.*"\([a-z-]*\)"$/\1/'
}

q() {
	sqlite3 -separator '|' "$DB" "$1" 2>&1
}

counts() {
	q "SELECT (SELECT COUNT(*) FROM CONTACT1), (SELECT COUNT(*) FROM CONTSUPP), (SELECT COUNT(*) FROM CONTHIST), (SELECT COUNT(*) FROM CASES)"
}

# The case and history of the contact with e-mail $1: checks that the
# case and the TKT/NEW history row sit on the contact the address names.
check_ticket() {
	local email=$1 subject=$2 priority=$3 number=$4 source=$5 link=$6
	local acct

	acct=$(q "SELECT c.ACCOUNTNO FROM CONTACT1 c JOIN CONTSUPP s ON s.ACCOUNTNO = c.ACCOUNTNO WHERE s.CONTACT = 'E-mail Address' AND s.CONTSUPREF = '$email'")
	if [ -z "$acct" ]; then
		diag "no contact with e-mail $email"
		return
	fi
	is "case" "$(q "SELECT SUBJECT, PRIORITY, NUMBER, SOURCE, STATUS FROM CASES WHERE ACCOUNTNO = '$acct'")" \
		"$subject|$priority|$number|$source|0"
	is "history" "$(q "SELECT RECTYPE, ACTVCODE, RESULTCODE FROM CONTHIST WHERE ACCOUNTNO = '$acct'")" "O  |TKT|NEW"
	is "link" "$(q "SELECT COUNT(*) FROM GMHOOK_LINK WHERE LINKKEY = '$link' AND TABLENAME = 'CASES'")" 1
}

expect_ignored() {
	expect_rc 0
	is "status" "$(status)" ignored
	is "rows" "$(counts)" "0|0|0|0"
}

# ---- our payloads: tickets ----

begin "zendesk: new ticket becomes contact, case and history; redelivery is a duplicate"
fresh_db
gm "$DATA/zendesk/ticket-created.json"
expect_rc 0
is "status" "$(status)" committed
is "contact" "$(q "SELECT CONTACT, LASTNAME, SOURCE FROM CONTACT1")" "Ann Oak|Oak|Zendesk"
check_ticket ann.oak@example.org "Printer on fire" Urgent 4711 Zendesk zendesk:4711
contains "description" "$(q "SELECT DESCRIPTION FROM CASES")" "The printer in room 3 is on fire."
before=$(counts)
gm "$DATA/zendesk/ticket-created.json"
expect_rc 0
is "second status" "$(status)" duplicate
is "counts after redelivery" "$(counts)" "$before"
finish

for f in zendesk/ticket-solved.json zendesk/event-ticket-created.json \
	freshdesk/ticket-closed.json jira/issue-updated.json \
	jira/issue-created-cloud.json osticket/ticket-created.json \
	osticket/ticket-updated.json twilio/status-delivered.form \
	twilio/status-failed-30003.form; do
	begin "$f is ignored and writes nothing"
	fresh_db
	gm "$DATA/$f"
	expect_ignored
	is "ledger" "$(q "SELECT COUNT(*) FROM GMHOOK_LEDGER")" 0
	finish
done

begin "freshdesk: JSON and urlencoded tickets become cases"
fresh_db
gm "$DATA/freshdesk/ticket-created.json"
expect_rc 0
check_ticket bo.ek@example.se "Invoice &amp; refund" Medium 20 Freshdesk freshdesk:20
is "description" "$(q "SELECT DESCRIPTION FROM CASES WHERE NUMBER = '20'" | tr -d '\r')" "Where is my refund?

Order #1001 <urgent>"
gm "$DATA/freshdesk/ticket-created.form" -t "$FORM"
expect_rc 0
check_ticket cy.lund@example.org "Login fails" Low 21 Freshdesk freshdesk:21
finish

begin "help scout: convo.created becomes a case"
fresh_db
gm "$DATA/helpscout/convo-created.json" -H 'X-HelpScout-Event: convo.created'
expect_rc 0
check_ticket dee.ro@example.net "Cannot reset password" "" 3141 "Help Scout" helpscout:9001
is "contact" "$(q "SELECT CONTACT FROM CONTACT1")" "Dee Ro"
finish

begin "help scout: convo.assigned is ignored"
fresh_db
gm "$DATA/helpscout/convo-assigned.json" -H 'X-HelpScout-Event: convo.assigned'
expect_ignored
finish

begin "jira: issue_created becomes a case for the reporter"
fresh_db
gm "$DATA/jira/issue-created.json"
expect_rc 0
check_ticket eva.lind@example.com "VPN drops every hour" High HELP-7 Jira jira:10007
is "category and type" "$(q "SELECT CATEGORY, FTYPE FROM CASES")" "IT Service Desk|IT Help"
is "history date" "$(q "SELECT substr(ONDATE, 1, 10), ONTIME FROM CONTHIST")" "2026-03-02|14:05"
finish

begin "osticket: a ticket with an e-mail becomes a case"
fresh_db
gm "$DATA/osticket/ticket-created-email.json"
expect_rc 0
check_ticket fritz.o@example.de "Drucker druckt nicht" "" 100235 osTicket osticket:100235
finish

# ---- our payloads: SMS ----

begin "twilio: SMS from a known number lands on that contact, which keeps its name"
fresh_db
printf 'name=Ann+Oak&email=ann.oak%%40example.org&phone=%%28555%%29+555-0123' >"$TMP/seed.form"
gm "$TMP/seed.form" -s webform -t "$FORM"
expect_rc 0
gm "$DATA/twilio/inbound-sms.form" -t "$FORM"
expect_rc 0
is "contacts" "$(q "SELECT COUNT(*) FROM CONTACT1")" 1
is "name kept" "$(q "SELECT CONTACT FROM CONTACT1")" "Ann Oak"
is "phone kept as typed" "$(q "SELECT PHONE1 FROM CONTACT1")" "(555) 555-0123"
is "history" "$(q "SELECT h.RECTYPE, h.ACTVCODE, h.RESULTCODE, h.REF FROM CONTHIST h JOIN CONTACT1 c ON c.ACCOUNTNO = h.ACCOUNTNO WHERE h.ACTVCODE = 'SMS'")" \
	"O  |SMS|IN|SMS from +15555550123"
contains "notes" "$(q "SELECT NOTES FROM CONTHIST WHERE ACTVCODE = 'SMS'")" "Please call me back ☎"
before=$(counts)
gm "$DATA/twilio/inbound-sms.form" -t "$FORM"
is "redelivery" "$(status)" duplicate
is "counts after redelivery" "$(counts)" "$before"
gm "$DATA/twilio/status-undelivered-21610.form" -t "$FORM"
expect_rc 0
is "opt-out" "$(q "SELECT h.RESULTCODE, h.REF FROM CONTHIST h JOIN CONTACT1 c ON c.ACCOUNTNO = h.ACCOUNTNO WHERE h.RESULTCODE = 'OPT' AND c.CONTACT = 'Ann Oak'")" \
	"OPT|SMS opt-out: +15555550123"
finish

begin "twilio: an SMS from a number on a phone detail row lands on that contact"
fresh_db
printf 'name=Ann+Oak&email=ann.oak%%40example.org' >"$TMP/seed2.form"
gm "$TMP/seed2.form" -s webform -t "$FORM"
expect_rc 0
q "INSERT INTO CONTSUPP (ACCOUNTNO, RECTYPE, CONTACT, PHONE, RECID) SELECT ACCOUNTNO, 'P', 'Mobile', '(555) 555-0123', 'DETAILPHONE0001' FROM CONTACT1" >/dev/null
gm "$DATA/twilio/inbound-sms.form" -t "$FORM"
expect_rc 0
is "contacts" "$(q "SELECT COUNT(*) FROM CONTACT1")" 1
is "history on Ann" "$(q "SELECT c.CONTACT FROM CONTHIST h JOIN CONTACT1 c ON c.ACCOUNTNO = h.ACCOUNTNO WHERE h.ACTVCODE = 'SMS'")" "Ann Oak"
finish

begin "twilio: MMS and WhatsApp from unknown numbers create contacts by phone"
fresh_db
gm "$DATA/twilio/inbound-mms.form"
expect_rc 0
gm "$DATA/twilio/inbound-whatsapp.form"
expect_rc 0
is "contacts" "$(q "SELECT PHONE1, CONTACT, SOURCE FROM CONTACT1 ORDER BY PHONE1")" \
	"+15555550124|+15555550124|Twilio SMS
+15555550125|+15555550125|Twilio SMS"
contains "media" "$(q "SELECT NOTES FROM CONTHIST WHERE REF = 'SMS from +15555550124'")" "/Media/ME02 (application/pdf)"
contains "whatsapp" "$(q "SELECT NOTES FROM CONTHIST WHERE REF = 'WhatsApp from +15555550125'")" "Hola, ¿están abiertos?"
finish

begin "cases off: a ticket becomes a CAL to-do and a history row, no case"
fresh_db
echo '{"defaults": {"cases": false}}' >"$TMP/nocases.json"
gm "$DATA/zendesk/ticket-created.json" --config "$TMP/nocases.json"
expect_rc 0
is "no case" "$(q "SELECT COUNT(*) FROM CASES")" 0
is "to-do" "$(q "SELECT RECTYPE, ACTVCODE, substr(REF, 1, 22) FROM CAL")" "D|TKT|Follow up Zendesk tick"
is "history" "$(q "SELECT ACTVCODE, RESULTCODE FROM CONTHIST")" "TKT|NEW"
finish

begin "sms_new_contacts off: an SMS from an unknown number writes nothing"
fresh_db
echo '{"defaults": {"sms_new_contacts": false}}' >"$TMP/nosms.json"
gm "$DATA/twilio/inbound-sms.form" -t "$FORM" --config "$TMP/nosms.json"
expect_rc 0
is "rows" "$(counts)" "0|0|0|0"
contains "warning" "$(cat "$OUT")" "no GoldMine contact matches"
finish

begin "twilio: an opt-out for an unknown number writes nothing"
fresh_db
gm "$DATA/twilio/status-undelivered-21610.form"
expect_rc 0
is "rows" "$(counts)" "0|0|0|0"
finish

# ---- signatures through --config ----

cat >"$TMP/config.json" <<'EOF'
{"sources": {
  "zendesk": {"secret": "env:SUPPORT_ZD"},
  "helpscout": {"secret": "env:SUPPORT_HS"},
  "jira": {"secret": "env:SUPPORT_JIRA"},
  "twilio": {"secret": "env:SUPPORT_TW",
             "public_url": "https://crm.example.com/gmhook/twilio?src=sms"},
  "freshdesk": {"url_token": "env:SUPPORT_FD"}
}}
EOF
export SUPPORT_ZD=zd-secret-ABC SUPPORT_HS=hs-secret-XYZ
export SUPPORT_JIRA=jira-secret SUPPORT_TW=tw-token-123 SUPPORT_FD=fd-token-1
ZD_TS=2026-03-02T14:05:09Z

# signed_case NAME FILE GOOD-HEADER BAD-HEADER [OPTIONS...]
signed_case() {
	local name=$1 file=$2 good=$3 bad=$4

	shift 4
	begin "$name: a valid signature commits, a forged one exits 77"
	fresh_db
	gm "$DATA/$file" --config "$TMP/config.json" -H "$bad" "$@"
	expect_rc 77
	is "rows after forgery" "$(counts)" "0|0|0|0"
	is "ledger after forgery" "$(q "SELECT COUNT(*) FROM GMHOOK_LEDGER")" 0
	gm "$DATA/$file" --config "$TMP/config.json" -H "$good" "$@"
	expect_rc 0
	is "status" "$(status)" committed
	finish
}

signed_case zendesk zendesk/ticket-created.json \
	'X-Zendesk-Webhook-Signature: Bk30dMiimooTePyZOEGDCNs5v4xWr1/yqnZrtuMokJc=' \
	'X-Zendesk-Webhook-Signature: Ck30dMiimooTePyZOEGDCNs5v4xWr1/yqnZrtuMokJc=' \
	-H "X-Zendesk-Webhook-Signature-Timestamp: $ZD_TS" --received "$ZD_TS"
signed_case "help scout" helpscout/convo-created.json \
	'X-HelpScout-Signature: b57/wcR3NSpEwOl7Zwd5GTQySCM=' \
	'X-HelpScout-Signature: c57/wcR3NSpEwOl7Zwd5GTQySCM=' \
	-H 'X-HelpScout-Event: convo.created'
signed_case jira jira/issue-created.json \
	'X-Hub-Signature: sha256=11155a7a4a09dea11dfeb821d89b67e3d6d7dd9f0b6112d12ba80ace5c9e6730' \
	'X-Hub-Signature: sha256=21155a7a4a09dea11dfeb821d89b67e3d6d7dd9f0b6112d12ba80ace5c9e6730'
signed_case twilio twilio/inbound-sms.form \
	'X-Twilio-Signature: wLB2Rkj88JPif02piXKNI/6uerE=' \
	'X-Twilio-Signature: xLB2Rkj88JPif02piXKNI/6uerE=' -t "$FORM"
signed_case "freshdesk url token" freshdesk/ticket-created.json \
	'X-Gmhook-Url: https://crm.example.com/hook?token=fd-token-1' \
	'X-Gmhook-Url: https://crm.example.com/hook?token=fd-token-2'

begin "zendesk: a stale signature exits 77"
fresh_db
gm "$DATA/zendesk/ticket-created.json" --config "$TMP/config.json" \
	-H 'X-Zendesk-Webhook-Signature: Bk30dMiimooTePyZOEGDCNs5v4xWr1/yqnZrtuMokJc=' \
	-H "X-Zendesk-Webhook-Signature-Timestamp: $ZD_TS" \
	--received 2026-03-02T14:15:09Z
expect_rc 77
is "rows" "$(counts)" "0|0|0|0"
finish

# ---- the corpus ----

corpus_case() {
	local file=$1

	shift
	begin "corpus $file"
	fresh_db
	gm "$CORPUS/$file" "$@"
	expect_rc 0
}

if [ -d "$CORPUS" ]; then
	corpus_case zendesk/trigger-custom-json-ticket-created.json
	is "status" "$(status)" ignored
	contains "reason" "$(cat "$OUT")" "requester_email"
	is "rows" "$(counts)" "0|0|0|0"
	finish

	corpus_case freshdesk/ticket-created-placeholders.json
	check_ticket requester-bob@example.com "Test ticket subject ☃" High 11 Freshdesk freshdesk:11
	is "contact" "$(q "SELECT CONTACT FROM CONTACT1")" "Requester ☃ Bob"
	finish

	corpus_case freshdesk/ticket-created-inline-image-html.json
	check_ticket requester-bob@example.com "Not enough ☃ guinea pigs" Urgent 12 Freshdesk freshdesk:12
	contains "image" "$(q "SELECT DESCRIPTION FROM CASES")" "[image: http://cdn.freshdesk.com/"
	finish

	corpus_case helpscout/convo-created-v2-conversation.json \
		-H 'X-HelpScout-Event: convo.created'
	check_ticket bear@example.com "Need Help" "" 15473 "Help Scout" helpscout:123
	finish

	corpus_case jira/issue-created-unicode-server.json
	check_ticket othello@example.com "New bug with à hook" Major BUG-15 Jira jira:10400
	is "contact" "$(q "SELECT CONTACT FROM CONTACT1")" "Lea Example"
	finish

	corpus_case osticket/plugin-ticket-created.json
	is "status" "$(status)" ignored
	is "rows" "$(counts)" "0|0|0|0"
	finish

	for f in inbound-sms-real inbound-mms-image inbound-sms-to-short-code; do
		corpus_case "twilio/$f.form"
		from=$(tr '&' '\n' <"$CORPUS/twilio/$f.form" | sed -n 's/^From=%2B/+/p')
		is "contact" "$(q "SELECT PHONE1 FROM CONTACT1")" "$from"
		is "history" "$(q "SELECT ACTVCODE, RESULTCODE, REF FROM CONTHIST")" "SMS|IN|SMS from $from"
		finish
	done

	corpus_case twilio/status-callback-sent.form
	is "status" "$(status)" ignored
	is "rows" "$(counts)" "0|0|0|0"
	finish

	begin "corpus twilio/status-callback-failed-21610-unsubscribed.form"
	fresh_db
	printf 'MessageSid=SMseed&AccountSid=AC1&From=%%2B15555831111&To=%%2B15555550100&Body=hi' >"$TMP/seed.form"
	gm "$TMP/seed.form" -s twilio
	expect_rc 0
	gm "$CORPUS/twilio/status-callback-failed-21610-unsubscribed.form"
	expect_rc 0
	is "opt-out" "$(q "SELECT RESULTCODE, REF FROM CONTHIST WHERE RESULTCODE = 'OPT'")" "OPT|SMS opt-out: +15555831111"
	is "contacts" "$(q "SELECT COUNT(*) FROM CONTACT1")" 1
	finish

	if [ -f "$CORPUS/twilio/vectors/derived-inbound-sms-real.json" ]; then
		begin "corpus twilio vector: signed inbound SMS verifies through the CLI"
		fresh_db
		SUPPORT_TW=0123456789abcdef0123456789abcdef \
			gm "$CORPUS/twilio/inbound-sms-real.form" \
			--config "$TMP/config.json" \
			-H 'X-Twilio-Signature: VqJ1oZVem4CaGOeiAIhbREYrjRw=' \
			-H 'X-Gmhook-Url: https://crm.example.com/webhooks/twilio/sms'
		# The configured public_url wins over the header, and it
		# names another URL.
		expect_rc 77
		printf '{"sources": {"twilio": {"secret": "env:SUPPORT_TW"}}}' \
			>"$TMP/config-url.json"
		SUPPORT_TW=0123456789abcdef0123456789abcdef \
			gm "$CORPUS/twilio/inbound-sms-real.form" \
			--config "$TMP/config-url.json" \
			-H 'X-Twilio-Signature: VqJ1oZVem4CaGOeiAIhbREYrjRw=' \
			-H 'X-Gmhook-Url: https://crm.example.com/webhooks/twilio/sms'
		expect_rc 0
		is "status" "$(status)" committed
		finish
	fi

	if [ -f "$CORPUS/helpscout/vectors/derived-sdk-secret.json" ]; then
		begin "corpus help scout vector verifies through the CLI"
		fresh_db
		SUPPORT_HS=asdffdsa gm "$CORPUS/helpscout/convo-created-v2-conversation.json" \
			--config "$TMP/config.json" \
			-H 'X-HelpScout-Signature: VEoMWS9wsXEsH+9rtkwkCfnNUfU=' \
			-H 'X-HelpScout-Event: convo.created'
		expect_rc 0
		is "status" "$(status)" committed
		finish
	fi
fi

echo "1..$N"
[ "$FAILED" -eq 0 ]
