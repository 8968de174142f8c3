#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Start and stop a private PostgreSQL 15 server for the database tests.
#
#   pg-server.sh start DIR PORT   initdb into DIR (if needed), listen on
#                                 127.0.0.1:PORT only, unix sockets in DIR,
#                                 trust auth, create database gmhook_test,
#                                 wait until ready and print an ODBC
#                                 connection string on stdout
#   pg-server.sh stop DIR         stop it (fast); safe to call twice
#
# Under root the server runs as the user in $PG_USER (default: postgres),
# which then owns DIR (its parents must be searchable by it). $PG_BIN overrides the server binaries' directory.
# Example: export GMHOOK_TEST_PG="$(tests/pg-server.sh start /tmp/pg 54329)"

set -eu

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

usage() {
	echo "usage: pg-server.sh start DIR PORT | stop DIR" >&2
	exit 64
}

server_user() {
	if [ "$(id -u)" -eq 0 ]; then
		echo "${PG_USER:-postgres}"
	else
		id -un
	fi
}

# Run a server binary as the server user.
as_server() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$(server_user)" -- "$@"
	else
		"$@"
	fi
}

is_running() {
	[ -f "$1/postmaster.pid" ] &&
		as_server "$PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1
}

start() {
	dir=$1
	port=$2
	user=$(server_user)

	case $port in
	'' | *[!0-9]*) usage ;;
	esac
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" -eq 0 ]; then
		chown "$user" "$dir"
	fi
	chmod 700 "$dir"

	if [ ! -f "$dir/PG_VERSION" ]; then
		log=$(as_server "$PG_BIN/initdb" -D "$dir" -U "$user" -E UTF8 \
			--no-locale --auth=trust 2>&1) || {
			echo "$log" >&2
			exit 1
		}
	fi

	if ! is_running "$dir"; then
		as_server "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" \
			-w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off" \
			start >/dev/null || {
			cat "$dir/server.log" >&2
			exit 1
		}
	fi

	if ! as_server "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U "$user" \
		-d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'gmhook_test'" |
		grep -q 1; then
		as_server "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U "$user" \
			gmhook_test
	fi

	echo "Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=$port;Database=gmhook_test;Uid=$user;Pwd=;"
}

stop() {
	dir=$1

	if [ ! -d "$dir" ] || ! is_running "$dir"; then
		return 0
	fi
	as_server "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
}

case ${1:-} in
start)
	[ $# -eq 3 ] || usage
	start "$2" "$3"
	;;
stop)
	[ $# -eq 2 ] || usage
	stop "$2"
	;;
*)
	usage
	;;
esac
