#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# gmhook's benchmark: one command, one table (docs/performance.md).
#
#   bench/run.sh            the full run (about 5 minutes on 2 cores)
#   BENCH_QUICK=1 bench/run.sh   a smoke run with small counts
#
# Counts: BENCH_SIZES (batch commit, "10000 100000"), BENCH_PG_SIZES (the
# same for PostgreSQL), BENCH_BIG (the memory batch, 1000000), BENCH_GROUP
# (deliveries per transaction, 1000). BENCH_PG_PORT fixes the private
# PostgreSQL's port (default: a free one).
#
# Installs only what tests/install-deps.sh installs (the Debian packages
# in tests/debian-packages.txt, wrk among them), builds gmhook with
# --buildtype=release into $BENCH_BUILD (default build-bench/), starts a
# private PostgreSQL (tests/pg-server.sh), gmhook fastcgi and nginx on
# 127.0.0.1, stops them at the end, and prints the table. Nothing leaves
# the machine. Work files go to a temporary folder, removed at the end
# (BENCH_KEEP=1 keeps it).
set -euo pipefail
export LC_ALL=C TZ=UTC
unset GMHOOK_DB GMHOOK_SPOOL

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
CORPUS=${GMHOOK_CORPUS:-/work/shared/corpus}
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	SIZES="1000 5000"; BIG=20000; SPAWNS=50; WRK_SECONDS=3; PIPE_SECONDS=0.05
else
	SIZES="10000 100000"; BIG=1000000; SPAWNS=500; WRK_SECONDS=15
	PIPE_SECONDS=0.3
fi
GROUP=${BENCH_GROUP:-1000}
SIZES=${BENCH_SIZES:-$SIZES}
PG_SIZES=${BENCH_PG_SIZES:-$SIZES}
BIG=${BENCH_BIG:-$BIG}

W=$(mktemp -d "${TMPDIR:-/tmp}/gmhook-bench.XXXXXX")
PIDS=()
cleanup() {
	local p
	[ -f "$W/nginx.pid" ] && kill "$(cat "$W/nginx.pid")" 2>/dev/null
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	"$ROOT/tests/pg-server.sh" stop "$W/pg" >/dev/null 2>&1 || true
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT

say() { echo "bench: $*" >&2; }

# ---- build ----
"$ROOT/tests/install-deps.sh"
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$ROOT" --buildtype=release >/dev/null
fi
ninja -C "$BUILD" cli/gmhook tests/gmq >/dev/null
GMHOOK=$BUILD/cli/gmhook
cc -O2 -o "$W/pipeline" "$ROOT/bench/pipeline.c" -I"$ROOT/include" \
	-I"$BUILD/include" -L"$BUILD/libgmhook" -lgmhook \
	-Wl,-rpath,"$BUILD/libgmhook"
cc -O2 -o "$W/spawn" "$ROOT/bench/spawn.c"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---- payloads ----

# The corpus when present, else the project's own test payloads:
# "source<TAB>content-type<TAB>file".
manifest() {
	local f dir src type
	if [ -d "$CORPUS" ]; then
		for f in "$CORPUS"/*/*.json "$CORPUS"/*/*.form "$CORPUS"/*/*.multipart.txt; do
			[ -f "$f" ] || continue
			dir=$(basename "$(dirname "$f")")
			case $dir in
			html-form) src=webform ;;
			amazon-ses) src=amazon_ses ;;
			*) src=${dir//-/} ;;
			esac
			case $f in
			*.json) type=application/json ;;
			*.form) type=application/x-www-form-urlencoded ;;
			*) type="multipart/form-data; boundary=$(head -c 200 "$f" | head -n1 | tr -d '\r' | sed 's/^--//')" ;;
			esac
			printf '%s\t%s\t%s\n' "$src" "$type" "$f"
		done
	else
		for f in "$ROOT"/tests/data/*/*.json "$ROOT"/tests/data/*/*.form; do
			dir=$(basename "$(dirname "$f")")
			case $dir in e2e | mapping | sql | bad-input) continue ;; esac
			case $f in *.json) type=application/json ;; *) type=application/x-www-form-urlencoded ;; esac
			printf '%s\t%s\t%s\n' "$dir" "$type" "$f"
		done
	fi
}

# $1 distinct web form deliveries, one JSON body per line, built from the
# project's web form payload with a different person in each.
bodies() {
	awk -v n="$1" -v off="${2:-0}" 'BEGIN {
		for (i = off; i < off + n; i++)
			printf "{\"form_name\": \"Pricing request\", \"full_name\": \"Bench Person %d\", \"email\": \"bench.%d@example.com\", \"company\": \"Sakura Trading\", \"phone\": \"+81 3 5555 0142\", \"seats\": \"25\", \"newsletter\": true, \"message\": \"Please send a quote for %d seats.\"}\n", i, i, i
	}'
}

RESULTS=$W/results
: >"$RESULTS"
row() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"; }

# ---- 1. parse + validate + map, one core ----
say "parse + validate + map (one core)"
manifest >"$W/manifest"
taskset -c 0 "$W/pipeline" "$W/manifest" "$PIPE_SECONDS" >"$W/pipeline.tsv"
while IFS=$'\t' read -r src files skipped bytes eps ns; do
	[ "$src" = source ] && continue
	row "pipeline" "$src ($files files, $skipped skipped, ${bytes} B)" "$eps ev/s" "$ns ns/ev"
done <"$W/pipeline.tsv"

# ---- 2. batch commit: SQLite and PostgreSQL ----
batch() { # LABEL DB COUNT
	local t0 t1 n
	"$GMHOOK" init-db --db "$2" 2>/dev/null
	bodies "$3" >"$W/in.jsonl"
	t0=$(date +%s.%N)
	/usr/bin/time -f '%U %S' -o "$W/cpu" "$GMHOOK" run --batch \
		--batch-size "$GROUP" --source webform --db "$2" \
		-q <"$W/in.jsonl" >"$W/out.jsonl"
	t1=$(date +%s.%N)
	n=$(grep -c '"status":"committed","accountno"' "$W/out.jsonl" || true)
	[ "$n" = "$3" ] || say "warning: $1 committed $n of $3"
	row "batch commit" "$1, $3 events, groups of $GROUP" \
		"$(awk -v n="$3" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f ev/s", n / (b - a) }')" \
		"$(awk -v a="$t0" -v b="$t1" -v n="$3" '{ c = $1 + $2; printf "%.1f s; gmhook CPU %.1f s (%.0f ev/s)", b - a, c, (c > 0 ? n / c : 0) }' "$W/cpu")"
}
say "batch commit into SQLite"
for n in $SIZES; do
	rm -f "$W/batch.db"
	batch SQLite "$W/batch.db" "$n"
done
say "batch commit into PostgreSQL"
# Under root the server runs as postgres, which must reach its folder.
[ "$(id -u)" -eq 0 ] && chmod 755 "$W"
PG=$("$ROOT/tests/pg-server.sh" start "$W/pg" "${BENCH_PG_PORT:-$(free_port)}")
for n in $PG_SIZES; do
	for t in GMHOOK_LEDGER GMHOOK_LINK CONTACT1 CONTACT2 CONTSUPP CONTHIST CAL NOTES CASES; do
		"$BUILD/tests/gmq" "$PG" "DROP TABLE IF EXISTS $t" >/dev/null 2>&1 || true
	done
	batch PostgreSQL "$PG" "$n"
done

# ---- 3. one process per event ----
say "one process per event (gmhook run)"
rm -f "$W/spawn.db"
"$GMHOOK" init-db --db "$W/spawn.db" 2>/dev/null
bodies "$SPAWNS" 5000000 | "$W/spawn" "$GMHOOK" run --source webform \
	--db "$W/spawn.db" -q -c >"$W/spawn.txt"
read -r _ failed median p99 mean <<<"$(tr '=' ' ' <"$W/spawn.txt" | awk '{ print $2, $4, $6, $8, $10 }')"
row "one process per event" "gmhook run, SQLite, $SPAWNS runs ($failed failed)" "median $median ms" "p99 $p99 ms"

# ---- 4. FastCGI behind nginx, real commits into SQLite ----
say "FastCGI behind nginx, wrk for $WRK_SECONDS s"
"$GMHOOK" init-db --db "$W/fcgi.db" 2>/dev/null
printf '{"database": "%s"}\n' "$W/fcgi.db" >"$W/fcgi.json"
"$GMHOOK" fastcgi --listen "$W/gmhook.sock" --config "$W/fcgi.json" -q 2>"$W/fastcgi.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -S "$W/gmhook.sock" ] && break; sleep 0.1; done
PORT=$(free_port)
user=""
[ "$(id -u)" -eq 0 ] && user="user root;"
mkdir -p "$W/nginx"
cat >"$W/nginx.conf" <<EOF
$user
worker_processes 1;
pid $W/nginx.pid;
error_log $W/nginx-error.log warn;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $W/nginx/body;
	proxy_temp_path $W/nginx/proxy;
	fastcgi_temp_path $W/nginx/fastcgi;
	uwsgi_temp_path $W/nginx/uwsgi;
	scgi_temp_path $W/nginx/scgi;
	server {
		listen 127.0.0.1:$PORT;
		location /hooks/ {
			fastcgi_split_path_info ^(/hooks)(/.*)\$;
			include /etc/nginx/fastcgi_params;
			fastcgi_param PATH_INFO \$fastcgi_path_info;
			fastcgi_param SCRIPT_FILENAME /unused;
			fastcgi_pass unix:$W/gmhook.sock;
		}
	}
}
EOF
nginx -p "$W" -c "$W/nginx.conf" -e "$W/nginx-error.log"
wrk -t1 -c4 -d"${WRK_SECONDS}s" -s "$ROOT/bench/wrk-post.lua" \
	"http://127.0.0.1:$PORT/hooks/webform" >"$W/wrk.txt" 2>&1 || true
rps=$(awk '/Requests\/sec/ { print $2 }' "$W/wrk.txt")
non2xx=$(awk '/Non-2xx/ { print $5 }' "$W/wrk.txt")
lat=$(awk '/Latency/ { print $2; exit }' "$W/wrk.txt")
ledger=$("$BUILD/tests/gmq" "$W/fcgi.db" "SELECT COUNT(*) FROM GMHOOK_LEDGER" 2>/dev/null || echo "?")
row "FastCGI + nginx" "wrk -t1 -c4 ${WRK_SECONDS}s, SQLite, ${ledger} events committed, ${non2xx:-0} non-2xx" "${rps:-?} req/s" "mean latency ${lat:-?}"
kill "$(cat "$W/nginx.pid")" 2>/dev/null || true
rm -f "$W/nginx.pid"

# ---- 5. peak resident memory ----
say "peak memory"
rm -f "$W/mem.db"
"$GMHOOK" init-db --db "$W/mem.db" 2>/dev/null
bodies 1 9000000 >"$W/one.json"
/usr/bin/time -f %M -o "$W/one.rss" "$GMHOOK" run --source webform --db "$W/mem.db" -q <"$W/one.json" >/dev/null
row "peak RSS" "one event (gmhook run, SQLite)" "$(cat "$W/one.rss") KiB" "-"
bodies "$BIG" 10000000 >"$W/big.jsonl"
/usr/bin/time -f %M -o "$W/big.rss" "$GMHOOK" run --batch --batch-size "$GROUP" \
	--source webform --db "$W/mem.db" -q <"$W/big.jsonl" >/dev/null &
bpid=$!
samples=""
while kill -0 "$bpid" 2>/dev/null; do
	child=$(pgrep -P "$bpid" -x gmhook || true)
	[ -n "$child" ] && samples="$samples $(awk '/VmRSS/ { print $2 }' "/proc/$child/status" 2>/dev/null)"
	sleep 2
done
wait "$bpid" || true
row "peak RSS" "$BIG-event batch (SQLite, groups of $GROUP)" "$(cat "$W/big.rss") KiB" "RSS every 2 s:$(echo "$samples" | tr -s ' ' | cut -c1-80) KiB"

# ---- the table ----
echo
printf '%-22s | %-62s | %-14s | %s\n' "measure" "what" "result" "detail"
printf '%s\n' "-----------------------+----------------------------------------------------------------+----------------+--------------"
while IFS=$'\t' read -r a b c d; do
	printf '%-22s | %-62s | %-14s | %s\n' "$a" "$b" "$c" "$d"
done <"$RESULTS"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); gmhook $("$GMHOOK" --version | cut -d' ' -f2), release build"
