#!/bin/bash
# SPDX-License-Identifier: MIT
#
# End-to-end tests of the order sources (Shopify, WooCommerce, Stripe,
# Square): our payloads in tests/data/<provider>/ and, when it exists, the
# shared corpus go through "gmhook run" into a fresh SQLite file each, and
# the rows are checked with the sqlite3 tool: the contact from the billing
# details, the CONTHIST sale with amount and quantity, the "Order" detail
# row; ignored events write nothing; redeliveries are duplicates; forged
# signatures exit 77 and write nothing. Prints TAP.
#
#   e2e-orders.sh GMHOOK sqlite
#
# $GMHOOK_WRAPPER is put before every gmhook call (valgrind, say);
# $GMHOOK_CORPUS names the corpus (default /work/shared/corpus).

set -u
export LC_ALL=C
export TZ=UTC
unset GMHOOK_DB

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ "${2:-sqlite}" != sqlite ]; then
	echo "usage: e2e-orders.sh GMHOOK [sqlite]" >&2
	exit 64
fi
GMHOOK=$1
case $GMHOOK in
/*) ;;
*) GMHOOK=$PWD/$GMHOOK ;;
esac
WRAPPER=${GMHOOK_WRAPPER:-}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/data
CORPUS=${GMHOOK_CORPUS:-/work/shared/corpus}

if ! command -v sqlite3 >/dev/null; then
	echo "Bail out! the sqlite3 tool is needed"
	exit 1
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-e2e-orders.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
# No ./gmhook.json may leak in: run in the scratch directory and always
# name a configuration file.
cd "$TMP" || exit 1
echo '{}' >"$TMP/none.json"
CONFIG=$TMP/none.json
OUT=$TMP/stdout
ERR=$TMP/stderr

# ---- TAP ----

N=0
FAILED=0
CASE=
DIAG=()

begin() {
	CASE=$1
	DIAG=()
	fresh_db
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

gm() {
	# $WRAPPER is split into words on purpose.
	# shellcheck disable=SC2086
	$WRAPPER "$GMHOOK" "$@"
}

fresh_db() {
	DB=$TMP/case-$((N + 1)).db
	rm -f "$DB"
	if ! gm init-db --db "$DB" >/dev/null 2>"$TMP/init.err"; then
		diag "init-db failed: $(cat "$TMP/init.err")"
	fi
}

# deliver FILE [gmhook options...]: "gmhook run" into $DB; $RC, $OUT.
deliver() {
	local file=$1

	shift
	gm run --config "$CONFIG" --db "$DB" -c -i "$file" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

expect_rc() {
	if [ "$RC" != "$1" ]; then
		diag "exit status: expected $1, got $RC; stderr: $(head -c 1500 "$ERR")"
	fi
}

expect_status() {
	contains "status" "$(cat "$OUT")" "\"status\":\"$1\""
}

q() {
	sqlite3 -separator '|' "$DB" "$1" 2>&1
}

counts() {
	q "SELECT (SELECT COUNT(*) FROM CONTACT1) || ' ' ||
	  (SELECT COUNT(*) FROM CONTSUPP) || ' ' ||
	  (SELECT COUNT(*) FROM CONTHIST) || ' ' ||
	  (SELECT COUNT(*) FROM GMHOOK_LEDGER)"
}

# The contact: "CONTACT|LASTNAME|COMPANY|PHONE1|ADDRESS1|ADDRESS2|CITY|
# STATE|ZIP|COUNTRY|SOURCE" and its e-mail row ("" for none).
check_contact() {
	is "CONTACT1 rows" "$(q 'SELECT COUNT(*) FROM CONTACT1')" 1
	is "CONTACT1" "$(q "SELECT COALESCE(CONTACT, ''), COALESCE(LASTNAME, ''), COALESCE(COMPANY, ''), COALESCE(PHONE1, ''), COALESCE(ADDRESS1, ''), COALESCE(ADDRESS2, ''), COALESCE(CITY, ''), COALESCE(STATE, ''), COALESCE(ZIP, ''), COALESCE(COUNTRY, ''), COALESCE(SOURCE, '') FROM CONTACT1")" "$1"
	is "e-mail row" "$(q "SELECT s.CONTSUPREF || COALESCE(s.ADDRESS1, '') FROM CONTSUPP s JOIN CONTACT1 c ON c.ACCOUNTNO = s.ACCOUNTNO WHERE s.U_CONTACT = 'E-MAIL ADDRESS'")" "$2"
}

# The sales, NEW before PAI: "RESULT|DURATION|UNITS|REF" lines, all on the
# contact, RECTYPE S and ACTVCODE ORD.
check_sales() {
	is "CONTHIST sales" "$(q "SELECT h.RESULTCODE, COALESCE(h.DURATION, ''), COALESCE(h.UNITS, ''), h.REF FROM CONTHIST h JOIN CONTACT1 c ON c.ACCOUNTNO = h.ACCOUNTNO WHERE h.RECTYPE = 'S  ' AND h.SRECTYPE = 'S' AND h.ACTVCODE = 'ORD' AND h.USERID = 'WEBHOOK' ORDER BY h.RESULTCODE")" "$1"
	is "CONTHIST rows" "$(q 'SELECT COUNT(*) FROM CONTHIST')" "$(grep -c . <<<"$1")"
}

check_notes() {
	contains "CONTHIST.NOTES" "$(q 'SELECT NOTES FROM CONTHIST')" "$1"
}

# The "Order" detail rows' references.
check_detail() {
	is "Order detail" "$(q "SELECT s.CONTSUPREF FROM CONTSUPP s JOIN CONTACT1 c ON c.ACCOUNTNO = s.ACCOUNTNO WHERE s.RECTYPE = 'P' AND s.CONTACT = 'Order' ORDER BY s.CONTSUPREF")" "$1"
}

check_nothing_written() {
	is "rows (CONTACT1 CONTSUPP CONTHIST ledger)" "$(counts)" "0 0 0 0"
}

# Configuration with a secret for source $1 from $ORDER_SECRET, and
# optionally a public_url $2.
secret_config() {
	local url=${2:+, \"public_url\": \"$2\"}

	printf '{"sources": {"%s": {"secret": "env:ORDER_SECRET"%s}}}\n' \
		"$1" "$url" >"$TMP/secret.json"
	CONFIG=$TMP/secret.json
}

no_config() {
	CONFIG=$TMP/none.json
}

b64_hmac() {
	openssl dgst -"$1" -hmac "$2" -binary | base64
}

# ==== Shopify ====

SHOP_HDRS=(-H 'X-Shopify-Topic: orders/create'
	-H 'X-Shopify-Event-Id: 7b1d0c9e-2f3a-4b5c-8d6e-0f1a2b3c4d5e'
	-H 'X-Shopify-Shop-Domain: teapots.myshopify.com')
INGRID="Ingrid Holm|Holm|Holm & Berg Design|+1 617 555 0142|42 Harbour Road|Suite 5|Boston|MA|02110|United States|Shopify"

begin "shopify orders/create: contact, sale, order detail"
deliver "$DATA/shopify/orders-create.json" "${SHOP_HDRS[@]}"
expect_rc 0
expect_status committed
check_contact "$INGRID" ingrid.holm@example.com
check_sales "NEW|123.45|3|Shopify order #1001"
check_notes "2 x Linen Tea Towel - Blue [TT-BLUE] @ 24.95"
check_notes "Shopify order id: 5829103847561234567"
check_detail "#1001"
finish

begin "shopify redelivery is a duplicate; orders/paid adds the paid sale"
deliver "$DATA/shopify/orders-create.json" "${SHOP_HDRS[@]}"
before=$(counts)
deliver "$DATA/shopify/orders-create.json" "${SHOP_HDRS[@]}"
expect_rc 0
expect_status duplicate
is "counts after redelivery" "$(counts)" "$before"
deliver "$DATA/shopify/orders-create.json" -H 'X-Shopify-Topic: orders/paid' \
	-H 'X-Shopify-Event-Id: 0d9c8b7a-6f5e-4d3c-2b1a-000000000002'
expect_rc 0
expect_status committed
check_sales "NEW|123.45|3|Shopify order #1001
PAI|123.45|3|Shopify order #1001"
check_detail "#1001"
is "CONTACT1 rows" "$(q 'SELECT COUNT(*) FROM CONTACT1')" 1
finish

begin "shopify admin test notification is ignored"
deliver "$DATA/shopify/orders-create.json" "${SHOP_HDRS[@]}" -H 'X-Shopify-Test: true'
expect_rc 0
expect_status ignored
check_nothing_written
finish

begin "shopify POS order matched on the phone"
deliver "$DATA/shopify/orders-create-pos-phone.json" -H 'X-Shopify-Topic: orders/create'
expect_rc 0
expect_status committed
check_contact "Björn Åkesson-Lindqvist-Marklund|Åkesson-Lindqvi||+46 8 555 0177|Drottninggatan 108, 3 tr, c/o Stiftelsen||Stockholm||111 60|Sweden|Shopify" ""
check_sales "NEW|1499.00|1|Shopify order #1002"
check_detail "#1002"
contains "warning" "$(cat "$OUT")" "ADDRESS1 cut from 69 to 40 characters"
finish

begin "shopify order without e-mail or phone is ignored"
deliver "$DATA/shopify/orders-create-no-contact.json" -H 'X-Shopify-Topic: orders/create'
expect_rc 0
expect_status ignored
check_nothing_written
finish

begin "shopify signed with the configured secret"
secret_config shopify
export ORDER_SECRET=shpss_e2e_secret
sig=$(b64_hmac sha256 "$ORDER_SECRET" <"$DATA/shopify/orders-create.json")
deliver "$DATA/shopify/orders-create.json" "${SHOP_HDRS[@]}" -H "X-Shopify-Hmac-Sha256: $sig"
expect_rc 0
expect_status committed
check_sales "NEW|123.45|3|Shopify order #1001"
finish

begin "shopify forged signature exits 77 and writes nothing"
deliver "$DATA/shopify/orders-create.json" "${SHOP_HDRS[@]}" \
	-H "X-Shopify-Hmac-Sha256: $(printf x | b64_hmac sha256 "$ORDER_SECRET")"
expect_rc 77
check_nothing_written
deliver "$DATA/shopify/orders-create.json" "${SHOP_HDRS[@]}"
expect_rc 77
check_nothing_written
no_config
finish

# ==== WooCommerce ====

WOO_HDRS=(-H 'X-WC-Webhook-Topic: order.created'
	-H 'X-WC-Webhook-Source: https://shop.example/'
	-H 'User-Agent: WooCommerce/8.6.1 Hookshot (WordPress/6.4.3)')

begin "woocommerce order.created: contact, sale, order detail"
deliver "$DATA/woocommerce/order-created.json" "${WOO_HDRS[@]}"
expect_rc 0
expect_status committed
check_contact "Chiara Bellandi|Bellandi||+39 055 555 0123|Via dei Servi 12||Firenze|FI|50122|IT|WooCommerce" chiara.bellandi@example.it
check_sales "NEW|69.90|6|WooCommerce order #1042"
check_notes "2 x Caffè macinato 250 g [CAF-250] = 18.03"
check_notes "Customer note: Per favore, consegna dopo le 18"
check_detail "#1042"
before=$(counts)
deliver "$DATA/woocommerce/order-created.json" "${WOO_HDRS[@]}"
expect_rc 0
expect_status duplicate
is "counts after redelivery" "$(counts)" "$before"
finish

begin "woocommerce order.updated is ignored"
deliver "$DATA/woocommerce/order-updated.json" -H 'X-WC-Webhook-Topic: order.updated'
expect_rc 0
expect_status ignored
check_nothing_written
finish

begin "woocommerce ping answers 0 even with a secret configured"
secret_config woocommerce
export ORDER_SECRET=wc-e2e-secret
deliver "$DATA/woocommerce/ping.form" -t application/x-www-form-urlencoded
expect_rc 0
expect_status ignored
check_nothing_written
finish

begin "woocommerce signed, then forged"
sig=$(b64_hmac sha256 "$ORDER_SECRET" <"$DATA/woocommerce/order-created.json")
deliver "$DATA/woocommerce/order-created.json" "${WOO_HDRS[@]}" -H "X-WC-Webhook-Signature: $sig"
expect_rc 0
expect_status committed
before=$(counts)
deliver "$DATA/woocommerce/order-updated.json" -H 'X-WC-Webhook-Topic: order.created' -H "X-WC-Webhook-Signature: $sig"
expect_rc 77
is "counts after a forged delivery" "$(counts)" "$before"
no_config
finish

# ==== Stripe ====

begin "stripe checkout.session.completed: contact, paid sale, detail"
deliver "$DATA/stripe/checkout-session-completed.json" -t 'application/json; charset=utf-8'
expect_rc 0
expect_status committed
check_contact "Devon Marsh|Marsh||+1 503 555 0188|1200 NW Naito Pkwy|Apt 7|Portland|OR|97209|US|Stripe" devon.marsh@example.com
check_sales "PAI|123.45||Stripe checkout ORD-2026-0042"
check_notes "Payment intent: pi_3PqT8wLkdIwHu7ix1AbCdEfG"
check_detail "ORD-2026-0042"
before=$(counts)
deliver "$DATA/stripe/checkout-session-completed.json"
expect_status duplicate
is "counts after redelivery" "$(counts)" "$before"
finish

begin "stripe charge.succeeded in yen"
deliver "$DATA/stripe/charge-succeeded-jpy.json"
expect_rc 0
expect_status committed
check_contact "Haruto Sato|Sato|||12 Shijo-dori||Kyoto||600-8001|JP|Stripe" haruto.sato@example.jp
check_sales "PAI|2000||Stripe charge pi_3PqU1aLkdIwHu7ix0AsDfGhJ"
check_detail "pi_3PqU1aLkdIwHu7ix0AsDfGhJ"
finish

begin "stripe payment_intent.created is ignored"
deliver "$DATA/stripe/payment-intent-created.json"
expect_rc 0
expect_status ignored
check_nothing_written
finish

begin "stripe signed now, then stale and forged"
secret_config stripe
export ORDER_SECRET=whsec_e2e_secret
now=$(date +%s)
v1=$( (printf '%s.' "$now"; cat "$DATA/stripe/charge-succeeded-jpy.json") |
	openssl dgst -sha256 -hmac "$ORDER_SECRET" | sed 's/.*= //')
deliver "$DATA/stripe/charge-succeeded-jpy.json" -H "Stripe-Signature: t=$now,v1=$v1"
expect_rc 0
expect_status committed
before=$(counts)
deliver "$DATA/stripe/checkout-session-completed.json" -H "Stripe-Signature: t=$now,v1=$v1"
expect_rc 77
deliver "$DATA/stripe/charge-succeeded-jpy.json" -H "Stripe-Signature: t=$now,v1=$v1" --received $((now + 301))
expect_rc 77
is "counts after forged deliveries" "$(counts)" "$before"
no_config
finish

# ==== Square ====

SQ_URL=https://crm.example.com/gmhook/square

begin "square COMPLETED payment: contact, sale, detail"
deliver "$DATA/square/payment-updated-completed.json"
expect_rc 0
expect_status committed
check_contact "Rosa Delgado|Delgado|||77 Mission Street|Floor 2|San Francisco|CA|94105|US|Square" rosa.delgado@example.org
check_sales "PAI|45.99||Square order qW3FakeOrderId0001xyzAB"
check_notes "Note: Two loaves, one sourdough"
check_detail "qW3FakeOrderId0001xyzAB"
finish

begin "square later update of the same payment is a duplicate"
deliver "$DATA/square/payment-updated-completed.json"
before=$(counts)
sed 's/6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e/7a2d3e4f-5b6c-4d7e-8f90-a1b2c3d4e5f6/; s/"version":3/"version":4/' \
	"$DATA/square/payment-updated-completed.json" >"$TMP/sq-later.json"
deliver "$TMP/sq-later.json"
expect_rc 0
expect_status duplicate
is "counts" "$(counts)" "$before"
finish

for f in payment-created-approved payment-created-cash-no-email test-notification; do
	begin "square $f is ignored"
	deliver "$DATA/square/$f.json"
	expect_rc 0
	expect_status ignored
	check_nothing_written
	finish
done

begin "square signed over URL + body, legacy SHA-1 too; forged exits 77"
secret_config square "$SQ_URL"
export ORDER_SECRET=sq-e2e-key
f=$DATA/square/payment-updated-completed.json
sig=$( (printf '%s' "$SQ_URL"; cat "$f") | b64_hmac sha256 "$ORDER_SECRET")
sig1=$( (printf '%s' "$SQ_URL"; cat "$f") | b64_hmac sha1 "$ORDER_SECRET")
deliver "$f" -H "x-square-hmacsha256-signature: $sig"
expect_rc 0
expect_status committed
fresh_db
deliver "$f" -H "x-square-signature: $sig1"
expect_rc 0
expect_status committed
fresh_db
deliver "$f" -H "x-square-hmacsha256-signature: $sig1"
expect_rc 77
secret_config square "$SQ_URL/"
deliver "$f" -H "x-square-hmacsha256-signature: $sig"
expect_rc 77
check_nothing_written
no_config
finish

# ==== The shared corpus ====

if [ -d "$CORPUS/shopify" ]; then
	begin "corpus shopify test notification with X-Shopify-Test is ignored"
	deliver "$CORPUS/shopify/orders-create-test-notification.json" \
		-H 'X-Shopify-Topic: orders/create' -H 'X-Shopify-Test: true'
	expect_rc 0
	expect_status ignored
	check_nothing_written
	finish

	begin "corpus shopify order (ids above 2^53) without the test header"
	deliver "$CORPUS/shopify/orders-create-test-notification.json" \
		-H 'X-Shopify-Topic: orders/create'
	expect_rc 0
	expect_status committed
	contains "event id" "$(cat "$OUT")" '"id":"820982911946154508:orders/create"'
	check_contact "Steve Shipper|Shipper|Shipping Company|555-555-SHIP|123 Shipping Street||Shippington|KY|40003|United States|Shopify" jon@example.com
	check_sales "NEW|1575.90|2|Shopify order #9999"
	check_notes "Shopify order id: 820982911946154508"
	check_detail "#9999"
	finish

	for v in "$CORPUS"/shopify/vectors/*.json; do
		begin "corpus vector $(basename "$v") through the CLI"
		python3 - "$v" "$CORPUS" "$TMP/vector" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
body = v["payload"].encode() if "payload" in v else open(sys.argv[2] + "/" + v["payload_file"], "rb").read()
open(sys.argv[3] + ".body", "wb").write(body)
open(sys.argv[3] + ".secret", "w").write(v["secret"])
open(sys.argv[3] + ".sig", "w").write(v["expected_signature"])
EOF
		secret_config shopify
		ORDER_SECRET=$(cat "$TMP/vector.secret")
		export ORDER_SECRET
		deliver "$TMP/vector.body" -s shopify -H 'X-Shopify-Topic: orders/create' \
			-H "X-Shopify-Hmac-Sha256: $(cat "$TMP/vector.sig")"
		expect_rc 0
		export ORDER_SECRET=wrong
		fresh_db
		deliver "$TMP/vector.body" -s shopify -H 'X-Shopify-Topic: orders/create' \
			-H "X-Shopify-Hmac-Sha256: $(cat "$TMP/vector.sig")"
		expect_rc 77
		check_nothing_written
		no_config
		finish
	done
fi

if [ -d "$CORPUS/woocommerce" ]; then
	begin "corpus woocommerce order.created (INR)"
	deliver "$CORPUS/woocommerce/order-created-v3-inr.json" -H 'X-WC-Webhook-Topic: order.created'
	expect_rc 0
	expect_status committed
	check_contact "Tony Stark|Stark|Woocommerce|5555557890|Mumbai||Dadar|MH|123|IN|WooCommerce" tony@example.com
	check_sales "NEW|649.00|1|WooCommerce order #74"
	check_notes "1 x Marvel = 499.00"
	check_detail "#74"
	finish

	begin "corpus woocommerce ping"
	deliver "$CORPUS/woocommerce/webhook-created-ping.form" -t application/x-www-form-urlencoded
	expect_rc 0
	expect_status ignored
	check_nothing_written
	finish

	begin "corpus woocommerce signed vector (ERPNext) through the CLI"
	python3 - "$CORPUS/woocommerce/vectors/order-created-erpnext.json" "$TMP/vector" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
open(sys.argv[2] + ".body", "wb").write(v["payload"].encode())
open(sys.argv[2] + ".secret", "w").write(v["secret"])
open(sys.argv[2] + ".sig", "w").write(v["expected_signature"])
EOF
	secret_config woocommerce
	ORDER_SECRET=$(cat "$TMP/vector.secret")
	export ORDER_SECRET
	deliver "$TMP/vector.body" -H 'X-WC-Webhook-Topic: order.created' \
		-H "X-WC-Webhook-Signature: $(cat "$TMP/vector.sig")"
	expect_rc 0
	expect_status committed
	check_sales "NEW|649.00|1|WooCommerce order #74"
	fresh_db
	deliver "$CORPUS/woocommerce/order-created-v3-inr.json" -H 'X-WC-Webhook-Topic: order.created' \
		-H "X-WC-Webhook-Signature: $(cat "$TMP/vector.sig")"
	expect_rc 77
	check_nothing_written
	no_config
	finish
fi

if [ -d "$CORPUS/stripe" ]; then
	begin "corpus stripe charge.succeeded (2018 API, card on source)"
	deliver "$CORPUS/stripe/charge-succeeded-livemode-2018.json" -t 'application/json; charset=utf-8'
	expect_rc 0
	expect_status committed
	check_contact "name||||line1||city|ST|00000|country|Stripe" user@example.com
	check_sales "PAI|1.00||Stripe charge ch_000000000000000000000000"
	check_detail "ch_000000000000000000000000"
	finish

	begin "corpus stripe checkout.session.completed"
	deliver "$CORPUS/stripe/checkout-session-completed-raw-2023.json" -t 'application/json; charset=utf-8'
	expect_rc 0
	expect_status committed
	check_contact "a|||||||||DE|Stripe" buyer.example@example.com
	check_sales "PAI|10.00||Stripe checkout pi_3MkxTsIeF8oCm2lo1bE4xmPO"
	check_detail "pi_3MkxTsIeF8oCm2lo1bE4xmPO"
	finish

	for v in "$CORPUS"/stripe/vectors/*.json; do
		begin "corpus vector $(basename "$v") through the CLI"
		python3 - "$v" "$CORPUS" "$TMP/vector" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
body = v["payload"].encode() if "payload" in v else open(sys.argv[2] + "/" + v["payload_file"], "rb").read()
open(sys.argv[3] + ".body", "wb").write(body)
open(sys.argv[3] + ".secret", "w").write(v["secret"])
open(sys.argv[3] + ".sig", "w").write(v["header_value"])
open(sys.argv[3] + ".t", "w").write(v["timestamp"])
EOF
		secret_config stripe
		ORDER_SECRET=$(cat "$TMP/vector.secret")
		export ORDER_SECRET
		t=$(cat "$TMP/vector.t")
		deliver "$TMP/vector.body" -s stripe -t application/json --received "$t" \
			-H "Stripe-Signature: $(cat "$TMP/vector.sig")"
		expect_rc 0
		deliver "$TMP/vector.body" -s stripe -t application/json --received $((t + 301)) \
			-H "Stripe-Signature: $(cat "$TMP/vector.sig")"
		expect_rc 77
		no_config
		finish
	done
fi

if [ -d "$CORPUS/square" ]; then
	for f in payment-updated-card-captured terminal-checkout-updated-legacy-sha1 webhooks-test-notification-signed; do
		begin "corpus square $f is ignored"
		deliver "$CORPUS/square/$f.json"
		expect_rc 0
		expect_status ignored
		check_nothing_written
		finish
	done

	for v in "$CORPUS"/square/vectors/*.json; do
		begin "corpus vector $(basename "$v") through the CLI"
		python3 - "$v" "$TMP/vector" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
open(sys.argv[2] + ".body", "wb").write(v["payload"].encode())
open(sys.argv[2] + ".secret", "w").write(v["secret"])
open(sys.argv[2] + ".sig", "w").write(v["expected_signature"])
open(sys.argv[2] + ".url", "w").write(v["notification_url"])
open(sys.argv[2] + ".header", "w").write(v["header"].split()[0])
EOF
		secret_config square "$(cat "$TMP/vector.url")"
		ORDER_SECRET=$(cat "$TMP/vector.secret")
		export ORDER_SECRET
		deliver "$TMP/vector.body" -s square \
			-H "$(cat "$TMP/vector.header"): $(cat "$TMP/vector.sig")"
		expect_rc 0
		expect_status ignored
		export ORDER_SECRET=wrong
		deliver "$TMP/vector.body" -s square \
			-H "$(cat "$TMP/vector.header"): $(cat "$TMP/vector.sig")"
		expect_rc 77
		check_nothing_written
		no_config
		finish
	done
fi

echo "1..$N"
[ "$FAILED" -eq 0 ]
