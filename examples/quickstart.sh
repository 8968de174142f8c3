#!/usr/bin/env bash
# Quick start: install the Debian packages, build gmhook, create the
# embedded GoldMine database (gmhook.db, SQLite through ODBC), deliver a
# bundled Calendly booking and show what landed in GoldMine. Run it twice:
# the second delivery is recognised as a duplicate and writes nothing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tests/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
gmhook=build/cli/gmhook
$gmhook init-db --db gmhook.db
echo "== gmhook run < examples/payloads/calendly-invitee-created.json"
$gmhook run --db gmhook.db -H 'Content-Type: application/json' \
	< examples/payloads/calendly-invitee-created.json
echo
echo "== What landed in GoldMine (gmhook.db)"
sqlite3 -box gmhook.db \
	"SELECT ACCOUNTNO, CONTACT, LASTNAME, PHONE1, SOURCE, CREATEBY FROM CONTACT1;" \
	"SELECT CONTACT, CONTSUPREF AS ADDRESS, ZIP AS FLAGS FROM CONTSUPP WHERE RECTYPE = 'P';" \
	"SELECT RECTYPE, date(ONDATE) AS ONDATE, ONTIME, DURATION, REF FROM CAL;" \
	"SELECT RECTYPE, ACTVCODE, RESULTCODE, REF FROM CONTHIST;"
