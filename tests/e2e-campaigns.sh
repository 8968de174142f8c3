#!/bin/bash
# SPDX-License-Identifier: MIT
#
# End-to-end tests of the campaign providers (Mailchimp, SendGrid,
# Mailgun, Postmark, Amazon SES, Brevo): our payloads and the shared
# corpus's go through "gmhook run" into a fresh SQLite file whose e-mail
# rows were seeded by a web form delivery (merge code "N"), and the rows
# are checked with the sqlite3 tool: an unsubscribe strips the merge code,
# a hard bounce deletes the e-mail row, both leave a history row. Forged
# deliveries exit 77 and write nothing; redeliveries are duplicates.
# Prints TAP.
#
#   e2e-campaigns.sh GMHOOK [sqlite]
#
# $GMHOOK_CORPUS names the shared corpus (default /work/shared/corpus);
# its campaign payloads and vectors are used only when it exists.

set -u
export LC_ALL=C.UTF-8
export TZ=UTC
unset GMHOOK_DB

if [ $# -lt 1 ] || [ "${2:-sqlite}" != sqlite ]; then
	echo "usage: e2e-campaigns.sh GMHOOK [sqlite]" >&2
	exit 64
fi
GMHOOK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # we cd below
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/data
CORPUS=${GMHOOK_CORPUS:-/work/shared/corpus}
GOLDMINE="CONTACT1 CONTSUPP CONTHIST GMHOOK_LEDGER"
FORM=application/x-www-form-urlencoded
OUR_TS=1772460309

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-e2e-campaigns.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/stdout
ERR=$TMP/stderr
cd "$TMP" || exit 1 # no stray gmhook.json is read

export E2E_MAILGUN_KEY=gmhook-mailgun-test-key
export E2E_WRONG_KEY=not-the-signing-key
export E2E_URL_TOKEN=campaign-url-token-0001

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

# ---- database ----

q() {
	sqlite3 -separator '|' "$DB" "$1" 2>&1
}

counts() {
	local t out=""

	for t in $GOLDMINE; do
		out="$out $(q "SELECT COUNT(*) FROM $t")"
	done
	echo "${out# }"
}

# A configuration: defaults.merge_codes "N" plus the source settings in
# $1 (a JSON object body, may be empty).
config() {
	printf '{"defaults": {"merge_codes": "N"}, "sources": {%s}}\n' "$1" \
		>"$TMP/config.json"
}

fresh_db() {
	DB=$TMP/case-$((N + 1)).db
	rm -f "$DB"
	config ""
	if ! "$GMHOOK" init-db --db "$DB" >/dev/null 2>"$TMP/init.err"; then
		diag "init-db failed: $(cat "$TMP/init.err")"
	fi
}

# Give each address a contact and an e-mail row with merge code N.
seed() {
	local a

	for a in "$@"; do
		printf '{"email": "%s", "name": "Seed %s"}' "$a" "${a%%@*}" \
			>"$TMP/seed.json"
		if ! "$GMHOOK" run --db "$DB" --config "$TMP/config.json" \
			-s webform -i "$TMP/seed.json" >/dev/null 2>"$ERR"; then
			diag "seeding $a failed: $(cat "$ERR")"
		fi
	done
}

email_rows() {
	q "SELECT COUNT(*) FROM CONTSUPP WHERE RECTYPE = 'P'
	   AND CONTACT = 'E-mail Address'
	   AND lower(CONTSUPREF || coalesce(ADDRESS1, '')) = lower('$1')"
}

merge_codes() {
	q "SELECT coalesce(MERGECODES, '') FROM CONTSUPP WHERE RECTYPE = 'P'
	   AND lower(CONTSUPREF || coalesce(ADDRESS1, '')) = lower('$1')"
}

account_of() {
	q "SELECT ACCOUNTNO FROM CONTACT1 WHERE CONTACT = 'Seed ${1%%@*}'"
}

# Run "gmhook run" on $1 with the options that follow.
run() {
	local file=$1

	shift
	"$GMHOOK" run --db "$DB" --config "$TMP/config.json" -c -i "$file" \
		"$@" >"$OUT" 2>"$ERR"
	RC=$?
}

expect_rc() {
	if [ "$RC" != "$1" ]; then
		diag "exit status: expected $1, got $RC; stderr: $(head -c 1500 "$ERR")"
	fi
}

ct_args() {
	case $1 in
	*.form) echo "-t $FORM" ;;
	*) echo "-t application/json" ;;
	esac
}

# ---- checks ----

# The history row of a suppression: on the address's contact, O/EML with
# result code $2, REF and notes as given.
check_history() {
	local addr=$1 code=$2 note=$3 acct row

	acct=$(account_of "$addr")
	row=$(q "SELECT trim(RECTYPE), ACTVCODE, REF FROM CONTHIST
		 WHERE ACCOUNTNO = '$acct' AND RESULTCODE = '$code'")
	case $code in
	BNC) is "history ($addr)" "$row" "O|EML|Hard bounce: $addr" ;;
	*) contains "history ($addr)" "$row" "O|EML|" ;;
	esac
	contains "history notes ($addr)" \
		"$(q "SELECT NOTES FROM CONTHIST WHERE ACCOUNTNO = '$acct'
		      AND RESULTCODE = '$code'")" "$note"
}

# After an unsubscribe or complaint: the row stays, its code is gone.
check_optout() {
	is "e-mail rows of $1" "$(email_rows "$1")" 1
	is "merge codes of $1" "$(merge_codes "$1")" ""
	check_history "$1" "$2" "$3"
}

# After a hard bounce: the row is gone, the history keeps address and
# reason.
check_bounce() {
	is "e-mail rows of $1" "$(email_rows "$1")" 0
	check_history "$1" BNC "$2"
	contains "history notes ($1)" \
		"$(q "SELECT NOTES FROM CONTHIST WHERE RESULTCODE = 'BNC'
		      AND ACCOUNTNO = '$(account_of "$1")'")" "Address: $1"
}

# One delivery about one address: seed, run, check, redeliver.
# suppress NAME FILE ADDRESS optout|bounce CODE NOTE [run options...]
suppress() {
	local name=$1 file=$2 addr=$3 kind=$4 code=$5 note=$6 before

	shift 6
	begin "$name"
	fresh_db
	seed "$addr"
	run "$file" $(ct_args "$file") "$@"
	expect_rc 0
	contains "result" "$(cat "$OUT")" '"status":"committed"'
	if [ "$kind" = bounce ]; then
		check_bounce "$addr" "$note"
	else
		check_optout "$addr" "$code" "$note"
	fi
	before=$(counts)
	run "$file" $(ct_args "$file") "$@"
	expect_rc 0
	contains "redelivery" "$(cat "$OUT")" '"status":"duplicate"'
	is "counts after redelivery" "$(counts)" "$before"
	finish
}

# A delivery that must change nothing; $3, when not empty, must be in
# the result (the reason).
ignored() {
	local name=$1 file=$2 text=${3:-} before

	shift 2
	[ $# -gt 0 ] && shift
	begin "$name"
	fresh_db
	seed ann.oak@example.org
	before=$(counts)
	run "$file" $(ct_args "$file") "$@"
	expect_rc 0
	contains "result" "$(cat "$OUT")" '"status":"ignored"'
	if [ -n "$text" ]; then
		contains "reason" "$(cat "$OUT")" "$text"
	fi
	is "counts" "$(counts)" "$before"
	finish
}

# A forged or unauthenticated delivery: exit 77, nothing written.
forged() {
	local name=$1 file=$2 addr=$3 before

	shift 3
	begin "$name"
	fresh_db
	seed "$addr"
	before=$(counts)
	run "$file" $(ct_args "$file") "$@"
	expect_rc 77
	is "counts" "$(counts)" "$before"
	is "merge codes of $addr" "$(merge_codes "$addr")" "N"
	finish
}

# ---- our payloads ----

D=$DATA/mailchimp
suppress "mailchimp unsubscribe" $D/unsubscribe.form ann.oak@example.org \
	optout UNS "Reason: manual"
suppress "mailchimp unsubscribe, data[reason] twice" \
	$D/unsubscribe-repeated-reason.form cy.elm@example.org optout UNS \
	"Reason: manual, hard"
suppress "mailchimp unsubscribe for abuse" $D/unsubscribe-abuse.form \
	di.fir@example.org optout SPM "Reason: abuse"
suppress "mailchimp cleaned (hard)" $D/cleaned-hard.form \
	bo+news@example.org bounce BNC "Reason: hard"
ignored "mailchimp profile" $D/profile.form
ignored "mailchimp subscribe" $D/subscribe.form

begin "mailchimp upemail adds the new address to the old one's contact"
fresh_db
seed eve.old@example.org
run $D/upemail.form -t $FORM
expect_rc 0
acct=$(account_of eve.old@example.org)
is "new address row" "$(q "SELECT ACCOUNTNO FROM CONTSUPP WHERE
	U_CONTSUPREF = 'EVE.NEW@EXAMPLE.ORG'")" "$acct"
is "old address row kept" "$(email_rows eve.old@example.org)" 1
contains "history" "$(q "SELECT REF, NOTES FROM CONTHIST WHERE
	RESULTCODE = 'CHG' AND ACCOUNTNO = '$acct'")" \
	"New address: eve.new@example.org"
finish

begin "mailchimp unsubscribe of an unknown address warns and writes no history"
fresh_db
seed someone.else@example.org
run $D/unsubscribe.form -t $FORM
expect_rc 0
contains "result" "$(cat "$OUT")" "no GoldMine contact matches"
is "history rows" "$(q "SELECT COUNT(*) FROM CONTHIST WHERE ACTVCODE = 'EML'")" 0
is "other contact's merge codes" "$(merge_codes someone.else@example.org)" N
finish

config_token='"mailchimp": {"url_token": "env:E2E_URL_TOKEN"}'
begin "mailchimp with url_token: no token exits 77, the token passes"
fresh_db
seed ann.oak@example.org
config "$config_token"
before=$(counts)
run $D/unsubscribe.form -t $FORM
expect_rc 77
is "counts" "$(counts)" "$before"
run $D/unsubscribe.form -t $FORM -H "X-Gmhook-Url: https://crm.example.com/hook?token=wrong"
expect_rc 77
run $D/unsubscribe.form -t $FORM -H "X-Gmhook-Url: https://crm.example.com/hook?token=$E2E_URL_TOKEN"
expect_rc 0
is "merge codes" "$(merge_codes ann.oak@example.org)" ""
finish

D=$DATA/sendgrid
begin "sendgrid batch: each event on its own, by sg_event_id"
fresh_db
seed ann.oak@example.org bo.birch@example.org cy.elm@example.org \
	di.fir@example.org eve.ash@example.org fay.oak@example.org \
	gus.yew@example.org
ledger0=$(q "SELECT COUNT(*) FROM GMHOOK_LEDGER")
run $D/events-batch.json
expect_rc 0
contains "result" "$(cat "$OUT")" '"status":"mixed"'
is "ann.oak (bounce) rows" "$(email_rows ann.oak@example.org)" 0
is "bo.birch (blocked) codes" "$(merge_codes bo.birch@example.org)" N
is "cy.elm (dropped, bounced) rows" "$(email_rows cy.elm@example.org)" 0
for a in di.fir eve.ash fay.oak gus.yew; do
	is "$a codes" "$(merge_codes $a@example.org)" ""
done
is "history BNC/UNS/SPM" "$(q "SELECT
	SUM(RESULTCODE = 'BNC'), SUM(RESULTCODE = 'UNS'),
	SUM(RESULTCODE = 'SPM') FROM CONTHIST WHERE ACTVCODE = 'EML'")" "2|3|1"
is "ledger rows" "$(q "SELECT COUNT(*) FROM GMHOOK_LEDGER
	WHERE SOURCE = 'sendgrid'")" 6
contains "ledger key" "$(q "SELECT EVENTID FROM GMHOOK_LEDGER
	WHERE SOURCE = 'sendgrid'")" "c2cVZHJvcHBlZC11bnN1Yi0wNA=="
before=$(counts)
run $D/events-batch.json
expect_rc 0
contains "redelivery" "$(cat "$OUT")" '"status":"duplicate"'
is "counts after redelivery" "$(counts)" "$before"
finish

SG_KEY=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqUoqjEDqTgKBM96hMZ4fqHHDvtcmM7g+wGscrTWp7hLJxr47CmgtGNw7Rr0muCya++vVGlaRnzQF7BYeqfUh8A==
SG_SIG=MEUCIQCBnhDX9UTLCbbJ4bWpzcWQFLLdzVUzr2A2Lq4B4GjL4AIgKJtWIpeSgMl+Mz6My2f4IJTt2On8ulkbxck2VKEJv2g=
sg_config="\"sendgrid\": {\"public_key\": \"$SG_KEY\"}"
begin "sendgrid signed bounce verifies with the public key"
fresh_db
seed hal.oak@example.org
config "$sg_config"
run $D/bounce-single.json --received $((OUR_TS + 10)) \
	-H "X-Twilio-Email-Event-Webhook-Signature: $SG_SIG" \
	-H "X-Twilio-Email-Event-Webhook-Timestamp: $OUR_TS"
expect_rc 0
check_bounce hal.oak@example.org "reason: 550 5.1.1 no such user"
finish

begin "sendgrid forged signature exits 77"
fresh_db
seed hal.oak@example.org
config "$sg_config"
before=$(counts)
run $D/bounce-single.json --received $((OUR_TS + 10)) \
	-H "X-Twilio-Email-Event-Webhook-Signature: MEUCIQCBnhDX9UTLCbbJ4bWpzcWQFLLdzVUzr2A2Lq4B4GjL4AIgKJtWIpeSgMl+Mz6My2f4IJTt2On8ulkbxck2VKEJv3g=" \
	-H "X-Twilio-Email-Event-Webhook-Timestamp: $OUR_TS"
expect_rc 77
run $D/bounce-single.json --received $((OUR_TS + 400)) \
	-H "X-Twilio-Email-Event-Webhook-Signature: $SG_SIG" \
	-H "X-Twilio-Email-Event-Webhook-Timestamp: $OUR_TS"
expect_rc 77
run $D/bounce-single.json --received $((OUR_TS + 10))
expect_rc 77
is "counts" "$(counts)" "$before"
finish

D=$DATA/mailgun
mg_config='"mailgun": {"secret": "env:E2E_MAILGUN_KEY"}'
mg_opts="--received $OUR_TS"
for spec in "failed-permanent.json ann.oak@example.org bounce BNC Code:_550" \
	"unsubscribed.json cy.elm@example.org optout UNS Provider:_Mailgun" \
	"complained.json di.fir@example.org optout SPM Event:_complained" \
	"legacy-bounced.form eve.ash@example.org bounce BNC Error:_5.1.1" \
	"legacy-dropped-unsubscribed.form fay.oak@example.org optout UNS Code:_606"; do
	set -- $spec
	config "$mg_config"
	cp "$TMP/config.json" "$TMP/mg.json"
	suppress "mailgun $1 (signed)" $D/$1 $2 $3 $4 "${5//_/ }" \
		--config "$TMP/mg.json" $mg_opts
done
for f in failed-temporary.json delivered.json; do
	ignored "mailgun $f" $D/$f
done
config "\"mailgun\": {\"secret\": \"env:E2E_WRONG_KEY\"}"
cp "$TMP/config.json" "$TMP/mg-wrong.json"
forged "mailgun signed with another key exits 77" $D/failed-permanent.json \
	ann.oak@example.org --config "$TMP/mg-wrong.json" $mg_opts
forged "mailgun stale timestamp exits 77" $D/failed-permanent.json \
	ann.oak@example.org --config "$TMP/mg.json" --received $((OUR_TS + 301))

D=$DATA/postmark
suppress "postmark HardBounce" $D/bounce-hard.json ann.oak@example.org \
	bounce BNC "Details: smtp;550 5.1.1 unknown user"
suppress "postmark SpamComplaint" $D/spam-complaint.json \
	cy.elm@example.org optout SPM "Provider: Postmark"
suppress "postmark SubscriptionChange" $D/subscription-change.json \
	di.fir@example.org optout UNS "SuppressionReason: ManualSuppression"
suppress "postmark Unsubscribe-type bounce" $D/bounce-unsubscribe.json \
	eve.ash@example.org optout UNS "TypeCode: 16"
for f in bounce-soft.json subscription-reactivate.json delivery.json; do
	ignored "postmark $f" $D/$f
done
config '"postmark": {"url_token": "env:E2E_URL_TOKEN"}'
cp "$TMP/config.json" "$TMP/pm.json"
forged "postmark without the url token exits 77" $D/bounce-hard.json \
	ann.oak@example.org --config "$TMP/pm.json"

D=$DATA/amazon_ses
begin "amazon_ses permanent bounce of two recipients, one unknown"
fresh_db
seed ann.oak@example.org
run $D/bounce-permanent.json
expect_rc 0
check_bounce ann.oak@example.org "Reason: smtp; 550 5.1.1 user unknown"
contains "warning" "$(cat "$OUT")" "no GoldMine contact matches"
is "history rows" "$(q "SELECT COUNT(*) FROM CONTHIST WHERE RESULTCODE = 'BNC'")" 1
finish
suppress "amazon_ses complaint" $D/complaint.json di.fir@example.org \
	optout SPM "Complaint type: abuse"
for f in bounce-transient.json delivery.json; do
	ignored "amazon_ses $f" $D/$f
done
ignored "amazon_ses subscription confirmation names the host, fetches nothing" \
	$D/subscription-confirmation.json "sns.us-east-1.amazonaws.com"
ses_cert=$(sed ':a;N;$!ba;s/\n/\\n/g' $D/signing-cert.pem)
config "\"amazon_ses\": {\"public_key\": \"$ses_cert\"}"
cp "$TMP/config.json" "$TMP/ses.json"
suppress "amazon_ses signed with the configured certificate" \
	$D/bounce-permanent.json ann.oak@example.org bounce BNC \
	"Status: 5.1.1" --config "$TMP/ses.json" \
	--received 2026-03-02T14:06:00Z
sed 's/ann\.oak@example\.org\\"/ann.oaq@example.org\\"/' \
	$D/bounce-permanent.json >"$TMP/ses-forged.json"
forged "amazon_ses forged message exits 77" "$TMP/ses-forged.json" \
	ann.oak@example.org --config "$TMP/ses.json" \
	--received 2026-03-02T14:06:00Z

D=$DATA/brevo
suppress "brevo hard_bounce" $D/hard-bounce.json ann.oak@example.org \
	bounce BNC "Reason: 550 5.1.1 mailbox unavailable"
suppress "brevo unsubscribed" $D/unsubscribed.json bo.birch@example.org \
	optout UNS "Provider: Brevo"
suppress "brevo spam" $D/spam.json cy.elm@example.org optout SPM \
	"Event: spam"
ignored "brevo soft_bounce" $D/soft-bounce.json
begin "brevo batch of three events"
fresh_db
seed eve.ash@example.org fay.oak@example.org
run $D/batch.json
expect_rc 0
is "eve.ash rows" "$(email_rows eve.ash@example.org)" 0
is "fay.oak codes" "$(merge_codes fay.oak@example.org)" ""
is "ledger rows" "$(q "SELECT COUNT(*) FROM GMHOOK_LEDGER WHERE SOURCE = 'brevo'")" 2
finish
config '"brevo": {"url_token": "env:E2E_URL_TOKEN"}'
cp "$TMP/config.json" "$TMP/bv.json"
forged "brevo without the url token exits 77" $D/hard-bounce.json \
	ann.oak@example.org --config "$TMP/bv.json" \
	-H "Authorization: Basic $(printf 'brevo:wrong' | base64)"

# ---- the shared corpus ----

if [ -d "$CORPUS" ]; then
	C=$CORPUS/mailchimp
	suppress "corpus mailchimp unsubscribe-manual" \
		$C/unsubscribe-manual.form jo.example@example.com optout UNS \
		"Reason: manual"
	suppress "corpus mailchimp unsubscribe-docs-duplicate-reason" \
		$C/unsubscribe-docs-duplicate-reason.form api+unsub@example.com \
		optout UNS "Reason: manual, hard"
	suppress "corpus mailchimp cleaned-hard" $C/cleaned-hard.form \
		api+cleaned@example.com bounce BNC "Reason: hard"
	ignored "corpus mailchimp profile-update" $C/profile-update.form
	ignored "corpus mailchimp subscribe-groupings-array" \
		$C/subscribe-groupings-array.form

	C=$CORPUS/sendgrid
	begin "corpus sendgrid bounce-dropped-batch"
	fresh_db
	seed noreply@example.com example@example.com
	run $C/bounce-dropped-batch.json
	expect_rc 0
	is "noreply rows" "$(email_rows noreply@example.com)" 0
	is "example rows" "$(email_rows example@example.com)" 0
	is "history BNC" "$(q "SELECT COUNT(*) FROM CONTHIST WHERE RESULTCODE = 'BNC'")" 2
	before=$(counts)
	run $C/bounce-dropped-batch.json
	contains "redelivery" "$(cat "$OUT")" '"status":"duplicate"'
	is "counts after redelivery" "$(counts)" "$before"
	finish
	suppress "corpus sendgrid dropped-unsubscribed-address" \
		$C/dropped-unsubscribed-address.json unsubscribe@example.com \
		optout UNS "reason: Unsubscribed Address"
	V=$C/vectors/ecdsa-real-dropped-event.json
	if [ -f "$V" ]; then
		key=$(sed -n 's/.*"public_key": "\(.*\)",$/\1/p' "$V")
		sig=$(sed -n 's/.*"expected_signature": "\(.*\)",$/\1/p' "$V")
		ts=$(sed -n 's/.*"timestamp": "\(.*\)",$/\1/p' "$V")
		config "\"sendgrid\": {\"public_key\": \"$key\"}"
		cp "$TMP/config.json" "$TMP/sg-real.json"
		suppress "corpus sendgrid real signed delivery verifies" \
			$C/dropped-bounced-address-signed-real.json \
			hello@world.com bounce BNC "reason: Bounced Address" \
			--config "$TMP/sg-real.json" --received "$ts" \
			-H "X-Twilio-Email-Event-Webhook-Signature: $sig" \
			-H "X-Twilio-Email-Event-Webhook-Timestamp: $ts"
		forged "corpus sendgrid real delivery, wrong timestamp, exits 77" \
			$C/dropped-bounced-address-signed-real.json \
			hello@world.com --config "$TMP/sg-real.json" \
			--received "$ts" \
			-H "X-Twilio-Email-Event-Webhook-Signature: $sig" \
			-H "X-Twilio-Email-Event-Webhook-Timestamp: $((ts + 1))"
	fi

	C=$CORPUS/mailgun
	export E2E_ANYMAIL_KEY=TEST_WEBHOOK_SIGNING_KEY
	config '"mailgun": {"secret": "env:E2E_ANYMAIL_KEY"}'
	cp "$TMP/config.json" "$TMP/mg-corpus.json"
	suppress "corpus mailgun unsubscribed (signed)" $C/unsubscribed.json \
		recipient@example.com optout UNS "Event: unsubscribed" \
		--config "$TMP/mg-corpus.json" --received 1377213791
	suppress "corpus mailgun legacy-dropped-bounce (signed)" \
		$C/legacy-dropped-bounce.form bounce@example.com bounce BNC \
		"Description: Not delivering to previously bounced address" \
		--config "$TMP/mg-corpus.json" --received 1461261330
	forged "corpus mailgun unsubscribed, stale, exits 77" \
		$C/unsubscribed.json recipient@example.com \
		--config "$TMP/mg-corpus.json" --received 1377214791

	C=$CORPUS/postmark
	suppress "corpus postmark bounce-hard" $C/bounce-hard.json \
		bounce@example.com bounce BNC "Type: HardBounce"
	suppress "corpus postmark subscription-change-unsubscribe" \
		$C/subscription-change-unsubscribe.json john@example.com \
		optout UNS "SuppressionReason: ManualSuppression"
	ignored "corpus postmark bounce-type-unsubscribe (no address)" \
		$C/bounce-type-unsubscribe.json

	C=$CORPUS/amazon-ses
	suppress "corpus amazon-ses sns-notification-bounce-permanent" \
		$C/sns-notification-bounce-permanent.json jane@example.com \
		bounce BNC "Reason: smtp; 550 5.1.1 <jane@example.com>... User unknown"
	ignored "corpus amazon-ses sns-subscription-confirmation" \
		$C/sns-subscription-confirmation.json \
		"sns.us-west-2.amazonaws.com"

	C=$CORPUS/brevo
	suppress "corpus brevo transactional-hard-bounce" \
		$C/transactional-hard-bounce.json not-a-user@example.com \
		bounce BNC "Reason: RecipientError: 550 5.5.0"
	ignored "corpus brevo transactional-request-full" \
		$C/transactional-request-full.json

	C=$CORPUS/constant-contact
	begin "corpus constant-contact has no unsubscribe webhook: refused, nothing written"
	fresh_db
	before=$(counts)
	run $C/partner-webhook-tier-increase-docs.json
	expect_rc 65
	is "counts" "$(counts)" "$before"
	finish
fi

echo "1..$N"
[ "$FAILED" -eq 0 ]
