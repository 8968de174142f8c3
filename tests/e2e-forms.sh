#!/bin/bash
# SPDX-License-Identifier: MIT
#
# End-to-end tests of the form providers (Typeform, JotForm, Gravity
# Forms, WPForms, Elementor, Google Forms): our payloads and the shared
# corpus's go through "gmhook run" into a fresh SQLite file, and the rows
# are checked with the sqlite3 tool. Signed and token-guarded deliveries
# are forged too (exit 77, nothing written), and redeliveries must be
# duplicates. Prints TAP.
#
#   e2e-forms.sh GMHOOK [sqlite]
#
# $GMHOOK_CORPUS names the shared corpus (default /work/shared/corpus);
# its form payloads and Typeform vectors are used only when it exists.

set -u
export LC_ALL=C.UTF-8
export TZ=UTC
unset GMHOOK_DB

if [ $# -lt 1 ] || [ "${2:-sqlite}" != sqlite ]; then
	echo "usage: e2e-forms.sh GMHOOK [sqlite]" >&2
	exit 64
fi
GMHOOK=$1
# The script works in its own directory: make the path absolute.
if [[ $GMHOOK == */* && $GMHOOK != /* ]]; then
	GMHOOK=$PWD/$GMHOOK
fi
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/data
CORPUS=${GMHOOK_CORPUS:-/work/shared/corpus}
GOLDMINE="CONTACT1 CONTACT2 CONTSUPP CONTHIST NOTES"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-e2e-forms.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/stdout
ERR=$TMP/stderr
cd "$TMP" || exit 1 # no stray gmhook.json is read

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

q() {
	sqlite3 -separator '|' "$DB" "$1" 2>&1
}

fresh_db() {
	DB=$TMP/case-$((N + 1)).db
	rm -f "$DB"
	if ! "$GMHOOK" init-db --db "$DB" >/dev/null 2>"$TMP/init.err"; then
		diag "init-db failed: $(cat "$TMP/init.err")"
	fi
}

counts() {
	local t out=""

	for t in $GOLDMINE; do
		out="$out $(q "SELECT COUNT(*) FROM $t")"
	done
	echo "${out# }"
}

# Run "gmhook run" on $1 with the options that follow.
run() {
	local file=$1

	shift
	"$GMHOOK" run --db "$DB" -c -i "$file" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

expect_rc() {
	if [ "$RC" != "$1" ]; then
		diag "exit status: expected $1, got $RC; stderr: $(head -c 1500 "$ERR")"
	fi
}

# The content type stored next to a payload (x.multipart.txt ->
# x.content-type), or nothing to let gmhook guess.
ct_of() {
	local f=$1 base

	base=$(dirname "$f")/$(basename "$f" | cut -d. -f1)
	if [ -f "$base.content-type" ]; then
		cat "$base.content-type"
	elif [[ $f == *.multipart.txt ]]; then
		printf 'multipart/form-data; boundary=%s' \
			"$(head -1 "$f" | tr -d '\r' | cut -c3-)"
	fi
}

# file|extra option|email|CONTACT|PHONE1|COMPANY|REF|notes text|note count
CASES=(
	"typeform/form-response.json||asa.lindqvist@example.se|Åsa Lindqvist-Öberg|+46855501234|Nordvind AB|Typeform: Demo request|Products: CRM, Sync, Mobile|1"
	"typeform/form-response-hidden-email.json||known.customer@example.com|Kim Known|||Typeform: NPS survey|recommend us?: 9|0"
	"jotform/submission.multipart.txt||rafal.w@example.pl|Rafał Wiśniewski|(555) 010-4477|Kraków Tools Sp. z o.o.|JotForm: Contact Sales|products: CRM, Sync: mobile|1"
	"jotform/callback-phone-only.multipart.txt|||Ines Duarte|(555) 010-0199||JotForm: Call me back|whenTo: evenings|0"
	"gravityforms/entry.json||giulia.bianchi@example.it|Giulia Bianchi|+39 02 5550 1234||Gravity Forms: form 3|Field 12: Newsletter, Webinar|0"
	"elementor/advanced.form||j.mueller@example.de|Jürgen Müller|+49 30 5550 0000||Elementor: Demo DE|Ihre Anfrage: Bitte um Rückruf.|1"
	"elementor/labels.form|-H|petra.schmidt@example.at|Petra Schmidt|+43 1 555 0000|Alpen Datentechnik|Elementor: Kontakt AT|Firma: Alpen Datentechnik|0"
	"googleforms/response.json||lucia.fernandez@example.es|Lucía Fernández||Ibérica Logística|Google Forms: Solicitud de demo|Correo: lucia.fernandez@example.es|1"
	"wpforms/native.form||noah.okafor@example.ng|Noah Okafor|||WPForms: form 87|2: I would like a callback.|0"
	"wpforms/webhook.json|-s|mia.hoffmann@example.com|Mia Hoffmann|(555) 010-7788||WPForms: Quote request|Phone: (555) 010-7788|1"
)

UA="User-Agent: WordPress/6.5; https://www.example.at"

payload_case() {
	local file opt email contact phone company ref text notes path ct
	local args=()

	IFS='|' read -r file opt email contact phone company ref text notes <<<"$1"
	path=$DATA/$file
	begin "payload $file"
	fresh_db
	ct=$(ct_of "$path")
	[ -n "$ct" ] && args+=(-t "$ct")
	[ "$opt" = -H ] && args+=(-H "$UA")
	[ "$opt" = -s ] && args+=(-s wpforms)
	run "$path" "${args[@]}"
	expect_rc 0
	contains "status" "$(cat "$OUT")" '"status":"committed"'
	is "CONTACT1" "$(q "SELECT COUNT(*), COALESCE(CONTACT, ''), COALESCE(PHONE1, ''), COALESCE(COMPANY, '') FROM CONTACT1")" "1|$contact|$phone|$company"
	if [ -n "$email" ]; then
		is "e-mail row" "$(q "SELECT s.CONTSUPREF || COALESCE(s.ADDRESS1, '') FROM CONTSUPP s JOIN CONTACT1 c ON c.ACCOUNTNO = s.ACCOUNTNO WHERE s.RECTYPE = 'P' AND s.U_CONTACT = 'E-MAIL ADDRESS'")" "$email"
	else
		is "no e-mail row" "$(q "SELECT COUNT(*) FROM CONTSUPP")" 0
	fi
	is "CONTHIST" "$(q "SELECT h.RECTYPE, h.ACTVCODE, h.RESULTCODE, h.REF FROM CONTHIST h JOIN CONTACT1 c ON c.ACCOUNTNO = h.ACCOUNTNO")" "O  |WEB|FRM|$ref"
	contains "CONTHIST.NOTES" "$(q "SELECT NOTES FROM CONTHIST")" "$text"
	is "NOTES rows" "$(q "SELECT COUNT(*) FROM NOTES")" "$notes"
	is "ledger rows" "$(q "SELECT COUNT(*) FROM GMHOOK_LEDGER")" 1
	finish
}

for c in "${CASES[@]}"; do
	payload_case "$c"
done

begin "Typeform form_response_partial is ignored and writes nothing"
fresh_db
run "$DATA/typeform/form-response-partial.json"
expect_rc 0
contains "status" "$(cat "$OUT")" '"status":"ignored"'
is "row counts" "$(counts)" "0 0 0 0 0"
finish

# ---- the shared corpus ----

# file|extra header|email|CONTACT|REF
CORPUS_CASES=(
	"typeform/form-response-docs-example.json||laura@example.com|Laura|Typeform: Webhooks example"
	"gravityforms/entry-all-fields-subinputs.json||chris@example.com|Foo Bar|Gravity Forms: form 1"
	"google-forms/apps-script-onformsubmit-event.json||employee@example.com||Google Forms: form submitted"
	"elementor/advanced-data-nested.form||zoe@example.fr|Zoë Exemple|Elementor: Contact FR"
	"elementor/simple-label-keyed.form|ua|zoe@example.fr|Zoë Exemple|Elementor: Contact FR"
)

corpus_case() {
	local file hdr email contact ref path
	local args=()

	IFS='|' read -r file hdr email contact ref <<<"$1"
	path=$CORPUS/$file
	begin "corpus $file"
	fresh_db
	[ "$hdr" = ua ] && args+=(-H "User-Agent: WordPress/6.6; https://www.example.fr")
	run "$path" "${args[@]}"
	expect_rc 0
	is "CONTACT1" "$(q "SELECT COUNT(*), COALESCE(CONTACT, '') FROM CONTACT1")" "1|$contact"
	is "e-mail row" "$(q "SELECT CONTSUPREF FROM CONTSUPP WHERE RECTYPE = 'P'")" "$email"
	is "CONTHIST" "$(q "SELECT ACTVCODE, RESULTCODE, REF FROM CONTHIST")" "WEB|FRM|$ref"
	finish
}

jotform_corpus_case() {
	local path=$1

	begin "corpus $(basename "$path"): JotForm without e-mail or phone is refused"
	fresh_db
	run "$path" -t "$(ct_of "$path")"
	expect_rc 65
	contains "message" "$(cat "$ERR")" "no e-mail address or phone number in this JotForm submission"
	contains "path" "$(cat "$OUT")" '"path": "/rawRequest"'
	is "row counts" "$(counts)" "0 0 0 0 0"
	finish
}

if [ -d "$CORPUS" ]; then
	for c in "${CORPUS_CASES[@]}"; do
		[ -f "$CORPUS/${c%%|*}" ] && corpus_case "$c"
	done
	for f in "$CORPUS"/jotform/*.multipart.txt; do
		[ -f "$f" ] && jotform_corpus_case "$f"
	done
	begin "corpus html-form stays with webform"
	fresh_db
	run "$CORPUS/html-form/contact-utf8-arrays.form"
	expect_rc 0
	contains "source" "$(q "SELECT SOURCE FROM CONTACT1")" "Web form"
	finish
fi

# ---- signatures and URL tokens ----

cat >"$TMP/signed.json" <<'EOF'
{ "sources": { "typeform": { "secret": "env:GMHOOK_E2E_TYPEFORM_SECRET" },
               "jotform": { "url_token": "env:GMHOOK_E2E_JOTFORM_TOKEN" },
               "elementor": { "url_token": "env:GMHOOK_E2E_JOTFORM_TOKEN" } } }
EOF
export GMHOOK_E2E_TYPEFORM_SECRET=forms-own-secret
export GMHOOK_E2E_JOTFORM_TOKEN=e2e-forms-token-7
TF=$DATA/typeform/form-response.json
TF_SIG=$(openssl dgst -sha256 -hmac "$GMHOOK_E2E_TYPEFORM_SECRET" -binary <"$TF" | base64)

begin "signed Typeform delivery is accepted"
fresh_db
run "$TF" --config "$TMP/signed.json" -H "Typeform-Signature: sha256=$TF_SIG"
expect_rc 0
is "contacts" "$(q 'SELECT COUNT(*) FROM CONTACT1')" 1
finish

forged() {
	local what=$1

	shift
	begin "forged: $what exits 77 and writes nothing"
	fresh_db
	run "$@"
	expect_rc 77
	is "row counts" "$(counts)" "0 0 0 0 0"
	is "ledger" "$(q 'SELECT COUNT(*) FROM GMHOOK_LEDGER')" 0
	finish
}

sed 's/Nordvind AB/Evil Corp/' "$TF" >"$TMP/tampered.json"
forged "Typeform with a tampered body" "$TMP/tampered.json" \
	--config "$TMP/signed.json" -H "Typeform-Signature: sha256=$TF_SIG"
forged "Typeform without a signature" "$TF" --config "$TMP/signed.json"
forged "Typeform signed with another secret" "$TF" --config "$TMP/signed.json" \
	-H "Typeform-Signature: sha256=$(openssl dgst -sha256 -hmac other -binary <"$TF" | base64)"

JF=$DATA/jotform/submission.multipart.txt
JF_CT=$(ct_of "$JF")
begin "JotForm with the right URL token is accepted"
fresh_db
run "$JF" -t "$JF_CT" --config "$TMP/signed.json" \
	-H "X-Gmhook-Url: https://crm.example.com/hook?source=jotform&token=$GMHOOK_E2E_JOTFORM_TOKEN"
expect_rc 0
is "contacts" "$(q 'SELECT COUNT(*) FROM CONTACT1')" 1
finish
forged "JotForm with a wrong URL token" "$JF" -t "$JF_CT" \
	--config "$TMP/signed.json" -H "X-Gmhook-Url: https://crm.example.com/hook?token=guess"
forged "JotForm without a URL token" "$JF" -t "$JF_CT" --config "$TMP/signed.json"
forged "Elementor without a URL token" "$DATA/elementor/advanced.form" \
	--config "$TMP/signed.json"

if [ -d "$CORPUS/typeform/vectors" ]; then
	for v in "$CORPUS"/typeform/vectors/*.json; do
		secret=$(sed -n 's/.*"secret": *"\([^"]*\)".*/\1/p' "$v")
		payload=$(sed -n 's/.*"payload_file": *"\([^"]*\)".*/\1/p' "$v")
		sig=$(sed -n 's/.*"expected_signature": *"\([^"]*\)".*/\1/p' "$v")
		begin "corpus vector $(basename "$v") verifies through the CLI"
		fresh_db
		GMHOOK_E2E_TYPEFORM_SECRET=$secret run "$CORPUS/$payload" \
			--config "$TMP/signed.json" -H "Typeform-Signature: $sig"
		expect_rc 0
		is "contacts" "$(q 'SELECT COUNT(*) FROM CONTACT1')" 1
		finish
	done
fi

# ---- redelivery ----

redelivery() {
	local file=$1 before

	shift
	begin "redelivery of $(basename "$file") is a duplicate"
	fresh_db
	run "$file" "$@"
	expect_rc 0
	before=$(counts)
	run "$file" "$@"
	expect_rc 0
	contains "status" "$(cat "$OUT")" '"status":"duplicate"'
	is "row counts unchanged" "$(counts)" "$before"
	finish
}

redelivery "$TF"
redelivery "$JF" -t "$JF_CT"
redelivery "$DATA/gravityforms/entry.json"
redelivery "$DATA/elementor/advanced.form"

begin "a second form by the same e-mail reuses the contact"
fresh_db
run "$DATA/wpforms/webhook.json" -s wpforms
sed 's/Webhook test from WPForms/Second message/' "$DATA/wpforms/webhook.json" >"$TMP/second.json"
run "$TMP/second.json" -s wpforms
expect_rc 0
is "contacts" "$(q 'SELECT COUNT(*) FROM CONTACT1')" 1
is "history rows" "$(q 'SELECT COUNT(*) FROM CONTHIST')" 2
finish

echo "1..$N"
[ "$FAILED" -eq 0 ]
