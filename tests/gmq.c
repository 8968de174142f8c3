/* SPDX-License-Identifier: MIT */
/*
 * gmq: a tiny query tool for the end-to-end tests. It runs SQL through
 * ODBC against the database a gmhook --db value names, so the same
 * assertions in e2e.sh work on SQLite and PostgreSQL. The --db value is
 * turned into a connection string by the library's own rule; statements
 * that return no rows (DROP, DELETE ...) go through the library's
 * database layer and are committed; queries use a plain ODBC fetch loop,
 * because that layer reads only a first row. This is a test tool, not
 * part of libgmhook, so it may include <sql.h>.
 *
 * Output: one line per row, columns separated by a tab. SQL NULL prints as
 * \N; a backslash, tab, newline or carriage return inside a value prints
 * as \\, \t, \n or \r (PostgreSQL's COPY text format). Date-time columns
 * print as "YYYY-MM-DD HH:MM:SS" whatever the driver's own text form is.
 * With -H, a query first prints its column names, upper case, as a line.
 * Exit status: 0 success, 1 database error (message on stderr), 64 usage.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sql.h>
#include <sqlext.h>

#include "gmhook-private.h"

#define VALUE_CHUNK 4096

/* -H: print the column names before the rows. */
static bool print_header;

struct query {
	SQLHENV env;
	SQLHDBC dbc;
	SQLHSTMT stmt;
};

static void usage(void)
{
	fprintf(stderr, "usage: gmq [-H] CONNECTION SQL [SQL...]\n");
}

static void print_diag(SQLSMALLINT type, SQLHANDLE handle, const char *what)
{
	SQLCHAR state[6] = "";
	SQLCHAR text[512] = "";
	SQLINTEGER native = 0;
	SQLSMALLINT len = 0;
	SQLRETURN rc;

	rc = SQLGetDiagRec(type, handle, 1, state, &native, text,
	                   (SQLSMALLINT) sizeof(text), &len);
	if (!SQL_SUCCEEDED(rc)) {
		fprintf(stderr, "gmq: %s\n", what);
		return;
	}
	fprintf(stderr, "gmq: %s: %s (%s)\n", what, (char *) text,
	        (char *) state);
}

/* Does @p sql return rows? Judged by its first keyword. */
static bool is_query(const char *sql)
{
	static const char *const words[] = { "SELECT", "WITH", "VALUES",
		                             "PRAGMA", "SHOW", "EXPLAIN" };
	size_t i;

	while (isspace((unsigned char) *sql) || *sql == '(') {
		sql++;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i]);

		if (strncasecmp(sql, words[i], n) == 0 &&
		    !isalnum((unsigned char) sql[n])) {
			return true;
		}
	}
	return false;
}

static void put_escaped(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		default:
			putchar(s[i]);
			break;
		}
	}
}

static bool is_datetime(SQLSMALLINT sql_type)
{
	return sql_type == SQL_TYPE_TIMESTAMP || sql_type == SQL_TIMESTAMP ||
	       sql_type == SQL_DATETIME;
}

/* Print a date-time column in one form for every driver. */
static int put_timestamp(SQLHSTMT stmt, SQLUSMALLINT col)
{
	SQL_TIMESTAMP_STRUCT ts;
	SQLLEN ind = 0;
	SQLRETURN rc;

	memset(&ts, 0, sizeof(ts));
	rc = SQLGetData(stmt, col, SQL_C_TYPE_TIMESTAMP, &ts, sizeof(ts), &ind);
	if (!SQL_SUCCEEDED(rc)) {
		print_diag(SQL_HANDLE_STMT, stmt, "cannot read a date-time");
		return -1;
	}
	if (ind == SQL_NULL_DATA) {
		fputs("\\N", stdout);
		return 0;
	}
	printf("%04d-%02u-%02u %02u:%02u:%02u", ts.year, ts.month, ts.day,
	       ts.hour, ts.minute, ts.second);
	return 0;
}

/* Print a column as text, read in pieces so any length works. */
static int put_text(SQLHSTMT stmt, SQLUSMALLINT col)
{
	char chunk[VALUE_CHUNK];
	SQLLEN ind = 0;
	SQLRETURN rc;
	size_t got;

	for (;;) {
		rc = SQLGetData(stmt, col, SQL_C_CHAR, chunk, sizeof(chunk),
		                &ind);
		if (rc == SQL_NO_DATA) {
			return 0;
		}
		if (!SQL_SUCCEEDED(rc)) {
			print_diag(SQL_HANDLE_STMT, stmt,
			           "cannot read a column");
			return -1;
		}
		if (ind == SQL_NULL_DATA) {
			fputs("\\N", stdout);
			return 0;
		}
		got = (ind == SQL_NO_TOTAL || ind >= (SQLLEN) sizeof(chunk))
		              ? sizeof(chunk) - 1
		              : (size_t) ind;
		put_escaped(chunk, got);
		if (rc == SQL_SUCCESS || got < sizeof(chunk) - 1) {
			return 0;
		}
	}
}

static int put_row(SQLHSTMT stmt, const SQLSMALLINT *types, SQLSMALLINT n_cols)
{
	SQLSMALLINT i;
	int r = 0;

	for (i = 0; i < n_cols && r == 0; i++) {
		if (i > 0) {
			putchar('\t');
		}
		if (is_datetime(types[i])) {
			r = put_timestamp(stmt, (SQLUSMALLINT) (i + 1));
		} else {
			r = put_text(stmt, (SQLUSMALLINT) (i + 1));
		}
	}
	putchar('\n');
	return r;
}

static int column_types(SQLSMALLINT **out, SQLHSTMT stmt, SQLSMALLINT n)
{
	SQLSMALLINT *types = calloc((size_t) n + 1, sizeof(*types));
	SQLSMALLINT i;
	SQLRETURN rc;

	if (!types) {
		fprintf(stderr, "gmq: out of memory\n");
		return -1;
	}
	for (i = 0; i < n; i++) {
		rc = SQLDescribeCol(stmt, (SQLUSMALLINT) (i + 1), NULL, 0, NULL,
		                    &types[i], NULL, NULL, NULL);
		if (!SQL_SUCCEEDED(rc)) {
			types[i] = SQL_VARCHAR;
		}
	}
	*out = types;
	return 0;
}

static void put_header(SQLHSTMT stmt, SQLSMALLINT n_cols)
{
	SQLCHAR name[256];
	SQLSMALLINT len;
	SQLSMALLINT i;
	SQLRETURN rc;

	for (i = 0; i < n_cols; i++) {
		name[0] = '\0';
		rc = SQLDescribeCol(stmt, (SQLUSMALLINT) (i + 1), name,
		                    (SQLSMALLINT) sizeof(name), &len, NULL,
		                    NULL, NULL, NULL);
		if (!SQL_SUCCEEDED(rc)) {
			name[0] = '\0';
		}
		gmhook__str_upper((char *) name);
		printf("%s%s", i > 0 ? "\t" : "", (char *) name);
	}
	putchar('\n');
}

static int fetch_all(SQLHSTMT stmt)
{
	SQLSMALLINT *types = NULL;
	SQLSMALLINT n_cols = 0;
	SQLRETURN rc;
	int r;

	rc = SQLNumResultCols(stmt, &n_cols);
	if (!SQL_SUCCEEDED(rc)) {
		print_diag(SQL_HANDLE_STMT, stmt, "cannot count columns");
		return -1;
	}
	r = column_types(&types, stmt, n_cols);
	if (r == 0 && print_header) {
		put_header(stmt, n_cols);
	}
	while (r == 0 && n_cols > 0) {
		rc = SQLFetch(stmt);
		if (rc == SQL_NO_DATA) {
			break;
		}
		if (!SQL_SUCCEEDED(rc)) {
			print_diag(SQL_HANDLE_STMT, stmt, "cannot fetch");
			r = -1;
			break;
		}
		r = put_row(stmt, types, n_cols);
	}
	free(types);
	return r;
}

static void query_close(struct query *q)
{
	if (q->stmt) {
		(void) SQLFreeHandle(SQL_HANDLE_STMT, q->stmt);
	}
	if (q->dbc) {
		(void) SQLDisconnect(q->dbc);
		(void) SQLFreeHandle(SQL_HANDLE_DBC, q->dbc);
	}
	if (q->env) {
		(void) SQLFreeHandle(SQL_HANDLE_ENV, q->env);
	}
	memset(q, 0, sizeof(*q));
}

static int query_open(struct query *q, const char *connection)
{
	SQLSMALLINT out_len = 0;
	SQLRETURN rc;

	memset(q, 0, sizeof(*q));
	rc = SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &q->env);
	if (SQL_SUCCEEDED(rc)) {
		rc = SQLSetEnvAttr(q->env, SQL_ATTR_ODBC_VERSION,
		                   (SQLPOINTER) SQL_OV_ODBC3, 0);
	}
	if (SQL_SUCCEEDED(rc)) {
		rc = SQLAllocHandle(SQL_HANDLE_DBC, q->env, &q->dbc);
	}
	if (!SQL_SUCCEEDED(rc)) {
		fprintf(stderr, "gmq: cannot set up ODBC\n");
		return -1;
	}

	rc = SQLDriverConnect(q->dbc, NULL, (SQLCHAR *) (uintptr_t) connection,
	                      SQL_NTS, NULL, 0, &out_len, SQL_DRIVER_NOPROMPT);
	if (!SQL_SUCCEEDED(rc)) {
		print_diag(SQL_HANDLE_DBC, q->dbc, "cannot connect");
		(void) SQLFreeHandle(SQL_HANDLE_DBC, q->dbc);
		q->dbc = NULL;
		return -1;
	}

	rc = SQLAllocHandle(SQL_HANDLE_STMT, q->dbc, &q->stmt);
	if (!SQL_SUCCEEDED(rc)) {
		print_diag(SQL_HANDLE_DBC, q->dbc, "cannot make a statement");
		return -1;
	}
	return 0;
}

/* A query: plain ODBC, every row printed. */
static int run_query(struct query *q, const char *connection, const char *sql)
{
	SQLRETURN rc;
	int r;

	if (!q->stmt && query_open(q, connection) < 0) {
		return -1;
	}

	rc = SQLExecDirect(q->stmt, (SQLCHAR *) (uintptr_t) sql, SQL_NTS);
	if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
		print_diag(SQL_HANDLE_STMT, q->stmt, "cannot execute");
		return -1;
	}
	r = rc == SQL_NO_DATA ? 0 : fetch_all(q->stmt);
	(void) SQLFreeStmt(q->stmt, SQL_CLOSE);
	return r;
}

/* Any other statement: the library's layer, then commit. */
static int run_statement(struct gmhook__db **db, struct gmhook_ctx *ctx,
                         const char *connection, const char *sql)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	int rc = 0;

	if (!*db) {
		rc = gmhook__db_open(db, ctx, connection, &err);
	}
	if (rc == 0) {
		rc = gmhook__db_exec_direct(*db, sql, &err);
	}
	if (rc == 0) {
		rc = gmhook__db_commit(*db, &err);
	}
	if (rc < 0) {
		fprintf(stderr, "gmq: %s (%s%s%s)\n", err.message,
		        gmhook_code_name(err.code), err.sqlstate[0] ? " " : "",
		        err.sqlstate);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_ctx *ctx = NULL;
	struct gmhook__db *db = NULL;
	struct query q = { 0 };
	char *connection = NULL;
	int status = 0;
	int i;

	if (argc > 1 && strcmp(argv[1], "-H") == 0) {
		print_header = true;
		argv++;
		argc--;
	}
	if (argc < 3) {
		usage();
		return 64;
	}
	connection = gmhook__db_connection_string(argv[1]);
	if (!connection || gmhook_ctx_new(&ctx, NULL, &err) < 0) {
		fprintf(stderr, "gmq: cannot start: %s\n",
		        connection ? err.message : "bad connection");
		free(connection);
		return 1;
	}

	for (i = 2; i < argc && status == 0; i++) {
		int r = is_query(argv[i])
		                ? run_query(&q, connection, argv[i])
		                : run_statement(&db, ctx, connection, argv[i]);

		status = r < 0 ? 1 : 0;
	}

	query_close(&q);
	gmhook__db_close(db);
	gmhook_ctx_free(ctx);
	free(connection);
	fflush(stdout);
	return status;
}
