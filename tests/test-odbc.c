/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the database layer (odbc.c) against a real SQLite file,
 * created in a fresh temporary directory for each test and reached through
 * unixODBC and the sqlite3odbc driver. When GMHOOK_TEST_PG holds an ODBC
 * connection string (tests/pg-server.sh prints one), the PostgreSQL tests
 * at the end of the table run too; otherwise they are not registered.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gmhook-private.h"

/* Defined in odbc.c for the tests. */
size_t gmhook__db_stmt_count(const struct gmhook__db *db);

struct fixture {
	char dir[64];
	char file[128];
	char conn[256];
	struct gmhook_ctx ctx;
	struct gmhook__db *db;
};

static struct gmhook__param text(const char *s)
{
	struct gmhook__param p = { .type = GMHOOK__P_TEXT, .s = s };

	return p;
}

static struct gmhook__param integer(int64_t i)
{
	struct gmhook__param p = { .type = GMHOOK__P_INT, .i = i };

	return p;
}

static struct gmhook__param timestamp(int year, int mon, int day, int hour,
                                      int min, int sec)
{
	struct gmhook__param p = { .type = GMHOOK__P_TIMESTAMP };

	p.ts.tm_year = year - 1900;
	p.ts.tm_mon = mon - 1;
	p.ts.tm_mday = day;
	p.ts.tm_hour = hour;
	p.ts.tm_min = min;
	p.ts.tm_sec = sec;
	return p;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double) (now.tv_sec - start->tv_sec) +
	       (double) (now.tv_nsec - start->tv_nsec) / 1e9;
}

static void exec_ok(struct gmhook__db *db, const char *sql)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	int r;

	r = gmhook__db_exec_direct(db, sql, &err);
	if (r != 0) {
		fail_msg("%s: %s", sql, err.message);
	}
}

/* The single integer a query such as "SELECT COUNT(*) ..." returns. */
static long query_long(struct gmhook__db *db, const char *sql)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__row row = { NULL, 0 };
	long value;
	int r;

	r = gmhook__db_exec(db, sql, NULL, 0, &row, &err);
	if (r != 1) {
		fail_msg("%s: %d %s", sql, r, err.message);
	}
	assert_non_null(row.cols[0]);
	value = strtol(row.cols[0], NULL, 10);
	gmhook__row_clear(&row);
	return value;
}

static int open_db(struct fixture *f, const char *conn,
                   struct gmhook_error *err)
{
	return gmhook__db_open(&f->db, &f->ctx, conn, err);
}

static int setup_sqlite(void **state)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct fixture *f;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	strcpy(f->dir, "/tmp/gmhook-odbc-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->file, sizeof(f->file), "%s/test.db", f->dir);
	snprintf(f->conn, sizeof(f->conn), "Driver=SQLite3;Database=%s",
	         f->file);
	f->ctx.opts.login_timeout = 5;

	assert_int_equal(open_db(f, f->conn, &err), 0);
	assert_int_equal(gmhook__db_dialect(f->db), GMHOOK__DIALECT_SQLITE);
	exec_ok(f->db, "CREATE TABLE t (id INTEGER PRIMARY KEY, "
	               "name VARCHAR(100), n BIGINT, d DOUBLE PRECISION, "
	               "ts TIMESTAMP, other VARCHAR(10))");
	assert_int_equal(gmhook__db_commit(f->db, &err), 0);
	*state = f;
	return 0;
}

static int teardown_sqlite(void **state)
{
	struct fixture *f = *state;

	gmhook__db_close(f->db);
	(void) unlink(f->file);
	(void) rmdir(f->dir);
	free(f);
	return 0;
}

static void odbc_connection_string_follows_rules(void **state)
{
	static const struct {
		const char *db;
		const char *expected;
	} cases[] = {
		{ "gmhook.db", "Driver=SQLite3;Database=gmhook.db" },
		{ "x.sqlite", "Driver=SQLite3;Database=x.sqlite" },
		{ "x.sqlite3", "Driver=SQLite3;Database=x.sqlite3" },
		{ "/var/lib/gm", "Driver=SQLite3;Database=/var/lib/gm" },
		{ "./data", "Driver=SQLite3;Database=./data" },
		{ "GoldMine", "DSN=GoldMine" },
		{ "gm.dbx", "DSN=gm.dbx" },
		{ "DSN=gm;UID=sa;PWD=x", "DSN=gm;UID=sa;PWD=x" },
		{ "Driver=SQLite3;Database=a.db",
		  "Driver=SQLite3;Database=a.db" },
		{ "", NULL },
		{ NULL, NULL },
	};

	size_t i;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = gmhook__db_connection_string(cases[i].db);

		if (cases[i].expected == NULL) {
			assert_null(got);
			continue;
		}
		assert_non_null(got);
		assert_string_equal(got, cases[i].expected);
		free(got);
	}
}

static void odbc_every_param_type_round_trips(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__row row = { NULL, 0 };
	struct gmhook__param params[6];
	struct gmhook__param key = integer(1);

	params[0] = integer(1);
	params[1] = text("Zoë O'Brien; \"quoted\"");
	params[2] = integer(-9007199254740993LL);
	params[3] =
	        (struct gmhook__param){ .type = GMHOOK__P_DOUBLE, .d = 3.25 };
	params[4] = timestamp(2024, 2, 29, 13, 45, 7);
	params[5] = (struct gmhook__param){ .type = GMHOOK__P_NULL };
	assert_int_equal(gmhook__db_exec(f->db,
	                                 "INSERT INTO t (id, name, n, d, ts, "
	                                 "other) VALUES (?, ?, ?, ?, ?, ?)",
	                                 params, 6, NULL, &err),
	                 1);

	assert_int_equal(gmhook__db_exec(f->db,
	                                 "SELECT id, name, n, d, ts, other "
	                                 "FROM t WHERE id = ?",
	                                 &key, 1, &row, &err),
	                 1);
	assert_int_equal(row.n_cols, 6);
	assert_string_equal(row.cols[0], "1");
	assert_string_equal(row.cols[1], "Zoë O'Brien; \"quoted\"");
	assert_string_equal(row.cols[2], "-9007199254740993");
	assert_true(strtod(row.cols[3], NULL) == 3.25);
	/* sqlite3odbc stores SQL_TIMESTAMP as text, with milliseconds. */
	assert_memory_equal(row.cols[4], "2024-02-29 13:45:07", 19);
	assert_null(row.cols[5]);
	gmhook__row_clear(&row);
}

static void odbc_select_without_match_returns_zero(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__row row = { NULL, 0 };
	struct gmhook__param key = integer(42);

	assert_int_equal(gmhook__db_exec(f->db,
	                                 "SELECT name FROM t WHERE id = ?",
	                                 &key, 1, &row, &err),
	                 0);
	assert_int_equal(row.n_cols, 0);
	assert_null(row.cols);
}

static void odbc_same_sql_reuses_one_statement(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	const char *sql = "INSERT INTO t (id, name) VALUES (?, ?)";
	struct gmhook__param params[2];
	size_t count = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		params[0] = integer(i + 1);
		params[1] = text(i % 2 ? "odd" : "even");
		assert_int_equal(
		        gmhook__db_exec(f->db, sql, params, 2, NULL, &err), 1);
		if (i == 0) {
			count = gmhook__db_stmt_count(f->db);
		}
		assert_int_equal(gmhook__db_stmt_count(f->db), count);
	}
	assert_int_equal(count, 1);
	assert_int_equal(query_long(f->db, "SELECT COUNT(*) FROM t"), 1000);
	assert_int_equal(query_long(f->db, "SELECT COUNT(*) FROM t WHERE "
	                                   "name = 'odd'"),
	                 500);
	assert_int_equal(gmhook__db_commit(f->db, &err), 0);
}

static void odbc_cache_stays_bounded(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	char sql[64];
	int i;

	for (i = 0; i < 200; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		assert_int_equal(
		        gmhook__db_exec(f->db, sql, NULL, 0, NULL, &err), 0);
		assert_true(gmhook__db_stmt_count(f->db) <= 64);
	}
	assert_int_equal(query_long(f->db, "SELECT 7"), 7);
}

static void odbc_rows_affected_are_counted(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__param p[2];

	exec_ok(f->db, "INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b'), "
	               "(3, 'c')");
	p[0] = text("z");
	assert_int_equal(gmhook__db_exec(f->db, "UPDATE t SET name = ?", p, 1,
	                                 NULL, &err),
	                 3);
	p[1] = integer(99);
	assert_int_equal(gmhook__db_exec(f->db,
	                                 "UPDATE t SET name = ? WHERE id = ?",
	                                 p, 2, NULL, &err),
	                 0);
	p[0] = integer(2);
	assert_int_equal(gmhook__db_exec(f->db, "DELETE FROM t WHERE id = ?", p,
	                                 1, NULL, &err),
	                 1);
	assert_int_equal(gmhook__db_exec(f->db, "DELETE FROM t WHERE id = ?", p,
	                                 1, NULL, &err),
	                 0);
}

static void odbc_unique_violation_is_edb_class_23(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__param p = integer(5);
	const char *sql = "INSERT INTO t (id) VALUES (?)";

	assert_int_equal(gmhook__db_exec(f->db, sql, &p, 1, NULL, &err), 1);
	assert_int_equal(gmhook__db_exec(f->db, sql, &p, 1, NULL, &err),
	                 GMHOOK_EDB);
	assert_int_equal(err.code, GMHOOK_EDB);
	assert_int_equal(err.stage, GMHOOK_STAGE_COMMIT);
	assert_string_equal(err.path, "");
	assert_memory_equal(err.sqlstate, "23", 2);
	assert_non_null(strstr(err.message, "database: "));
	assert_non_null(strstr(err.message, "UNIQUE"));

	/* The statement is still usable after the failure. */
	p = integer(6);
	assert_int_equal(gmhook__db_exec(f->db, sql, &p, 1, NULL, &err), 1);
}

static void odbc_rollback_hides_and_commit_publishes(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__db *other = NULL;

	exec_ok(f->db, "INSERT INTO t (id) VALUES (1)");
	assert_int_equal(gmhook__db_rollback(f->db, &err), 0);
	assert_int_equal(query_long(f->db, "SELECT COUNT(*) FROM t"), 0);

	exec_ok(f->db, "INSERT INTO t (id) VALUES (2)");
	assert_int_equal(gmhook__db_open(&other, &f->ctx, f->conn, &err), 0);
	assert_int_equal(gmhook__db_commit(f->db, &err), 0);
	assert_int_equal(query_long(other, "SELECT COUNT(*) FROM t"), 1);
	assert_int_equal(query_long(other, "SELECT id FROM t"), 2);
	gmhook__db_close(other);
}

static void odbc_long_text_round_trips(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__row row = { NULL, 0 };
	struct gmhook__param p[2];
	size_t len = 100 * 1024;
	char *big;
	size_t i;

	big = malloc(len + 1);
	assert_non_null(big);
	for (i = 0; i < len; i++) {
		big[i] = (char) ('a' + (char) (i % 26));
	}
	big[len] = '\0';

	p[0] = integer(1);
	p[1] = text(big);
	assert_int_equal(
	        gmhook__db_exec(f->db, "INSERT INTO t (id, name) VALUES (?, ?)",
	                        p, 2, NULL, &err),
	        1);
	assert_int_equal(gmhook__db_exec(f->db, "SELECT name, id FROM t", NULL,
	                                 0, &row, &err),
	                 1);
	assert_int_equal(strlen(row.cols[0]), len);
	assert_string_equal(row.cols[0], big);
	assert_string_equal(row.cols[1], "1");
	gmhook__row_clear(&row);
	free(big);
}

static void odbc_table_exists_ignores_case_and_patterns(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;

	exec_ok(f->db, "CREATE TABLE GMHOOK_LEDGER (id INTEGER)");
	assert_int_equal(gmhook__db_table_exists(f->db, "t", &err), 1);
	assert_int_equal(gmhook__db_table_exists(f->db, "T", &err), 1);
	assert_int_equal(gmhook__db_table_exists(f->db, "gmhook_ledger", &err),
	                 1);
	assert_int_equal(gmhook__db_table_exists(f->db, "GMHOOKxLEDGER", &err),
	                 0);
	assert_int_equal(gmhook__db_table_exists(f->db, "CONTACT1", &err), 0);
}

static void odbc_syntax_error_is_edb(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;

	assert_int_equal(gmhook__db_exec_direct(f->db, "SELEKT 1", &err),
	                 GMHOOK_EDB);
	assert_int_equal(err.stage, GMHOOK_STAGE_COMMIT);
	assert_non_null(strstr(err.message, "database: "));
	assert_true(strlen(err.message) < sizeof(err.message));
}

/* A second writer gives up after its Timeout= instead of waiting. */
static void odbc_locked_file_is_unavailable(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__db *first = NULL;
	struct gmhook__db *second = NULL;
	char conn[300];

	snprintf(conn, sizeof(conn), "%s;Timeout=200", f->conn);
	assert_int_equal(gmhook__db_open(&first, &f->ctx, conn, &err), 0);
	assert_int_equal(gmhook__db_open(&second, &f->ctx, conn, &err), 0);
	exec_ok(first, "INSERT INTO t (id) VALUES (1)");
	assert_int_equal(gmhook__db_exec_direct(
	                         second, "INSERT INTO t (id) VALUES (2)", &err),
	                 GMHOOK_EUNAVAIL);
	assert_int_equal(err.stage, GMHOOK_STAGE_COMMIT);
	gmhook__db_close(second);
	gmhook__db_close(first);
}

static void odbc_missing_directory_is_unavailable(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__db *db = NULL;
	char *conn;
	char path[200];

	snprintf(path, sizeof(path), "%s/no/such/dir/gm.db", f->dir);
	conn = gmhook__db_connection_string(path);
	assert_non_null(conn);
	assert_int_equal(gmhook__db_open(&db, &f->ctx, conn, &err),
	                 GMHOOK_EUNAVAIL);
	assert_null(db);
	assert_int_equal(err.code, GMHOOK_EUNAVAIL);
	assert_int_equal(err.stage, GMHOOK_STAGE_COMMIT);
	assert_non_null(strstr(err.message, "database: "));
	free(conn);
}

static void odbc_closed_port_is_unavailable_without_password(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__db *db = NULL;
	struct timespec start;
	const char *conn = "Driver=PostgreSQL Unicode;Server=127.0.0.1;"
	                   "Port=1;Database=gm;Uid=gmuser;"
	                   "Pwd=Sw0rdfish-s3cret;";

	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(gmhook__db_open(&db, &f->ctx, conn, &err),
	                 GMHOOK_EUNAVAIL);
	assert_true(seconds_since(&start) < 5.0);
	assert_null(db);
	assert_memory_equal(err.sqlstate, "08", 2);
	assert_non_null(strstr(err.message, "database: "));
	assert_null(strstr(err.message, "Sw0rdfish"));
	assert_null(strstr(err.message, "Driver="));
}

/*
 * A listener that never answers: the kernel completes the TCP handshake
 * from the backlog, so only the login timeout ends the wait.
 */
static void odbc_silent_server_hits_login_timeout(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__db *db = NULL;
	struct sockaddr_in addr;
	socklen_t addr_len = sizeof(addr);
	struct timespec start;
	char conn[200];
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *) &addr, sizeof(addr)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *) &addr, &addr_len),
	                 0);
	snprintf(conn, sizeof(conn),
	         "Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=%d;"
	         "Database=gm;Uid=gmuser;Pwd=Sw0rdfish-s3cret;",
	         ntohs(addr.sin_port));

	/* libpq's connect_timeout has a floor of 2 seconds. */
	f->ctx.opts.login_timeout = 2;
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(gmhook__db_open(&db, &f->ctx, conn, &err),
	                 GMHOOK_EUNAVAIL);
	assert_true(seconds_since(&start) < 6.0);
	assert_null(db);
	assert_null(strstr(err.message, "Sw0rdfish"));
	close(fd);
}

/* The driver manager names the driver it cannot load in its message. */
static void odbc_echoed_password_is_masked(void **state)
{
	static const char *const conns[] = {
		"Driver=No Such Driver Sw0rdfish;PWD=Sw0rdfish;Database=x",
		"Driver={No Such pwd=Sw0rdfish x};Database=x",
		"Driver={No Such Password={Sw0rdfish x}};Database=x",
	};
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__db *db = NULL;
	size_t i;

	for (i = 0; i < sizeof(conns) / sizeof(conns[0]); i++) {
		assert_true(gmhook__db_open(&db, &f->ctx, conns[i], &err) < 0);
		assert_null(db);
		assert_non_null(strstr(err.message, "No Such"));
		assert_null(strstr(err.message, "Sw0rdfish"));
	}
}

/* ---- PostgreSQL, when GMHOOK_TEST_PG names a server ---- */

static int setup_pg(void **state)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct fixture *f;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->conn, sizeof(f->conn), "%s", getenv("GMHOOK_TEST_PG"));
	f->ctx.opts.login_timeout = 5;
	assert_int_equal(open_db(f, f->conn, &err), 0);
	exec_ok(f->db, "DROP TABLE IF EXISTS gmhook_pg_t");
	exec_ok(f->db, "CREATE TABLE gmhook_pg_t (id INTEGER PRIMARY KEY, "
	               "name VARCHAR(100), n BIGINT, d DOUBLE PRECISION, "
	               "ts TIMESTAMP, other VARCHAR(10))");
	assert_int_equal(gmhook__db_commit(f->db, &err), 0);
	*state = f;
	return 0;
}

static int teardown_pg(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;

	(void) gmhook__db_rollback(f->db, &err);
	(void) gmhook__db_exec_direct(f->db, "DROP TABLE gmhook_pg_t", &err);
	(void) gmhook__db_commit(f->db, &err);
	gmhook__db_close(f->db);
	free(f);
	return 0;
}

static void odbc_pg_round_trip_and_unique_violation(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__row row = { NULL, 0 };
	struct gmhook__param p[6];
	const char *insert = "INSERT INTO gmhook_pg_t (id, name, n, d, ts, "
	                     "other) VALUES (?, ?, ?, ?, ?, ?)";

	assert_int_equal(gmhook__db_dialect(f->db), GMHOOK__DIALECT_POSTGRESQL);
	p[0] = integer(1);
	p[1] = text("Zoë O'Brien");
	p[2] = integer(-9007199254740993LL);
	p[3] = (struct gmhook__param){ .type = GMHOOK__P_DOUBLE, .d = 3.25 };
	p[4] = timestamp(2024, 2, 29, 13, 45, 7);
	p[5] = (struct gmhook__param){ .type = GMHOOK__P_NULL };
	assert_int_equal(gmhook__db_exec(f->db, insert, p, 6, NULL, &err), 1);
	assert_int_equal(gmhook__db_commit(f->db, &err), 0);

	assert_int_equal(gmhook__db_exec(f->db,
	                                 "SELECT id, name, n, d, ts, other "
	                                 "FROM gmhook_pg_t WHERE id = ?",
	                                 p, 1, &row, &err),
	                 1);
	assert_string_equal(row.cols[0], "1");
	assert_string_equal(row.cols[1], "Zoë O'Brien");
	assert_string_equal(row.cols[2], "-9007199254740993");
	assert_true(strtod(row.cols[3], NULL) == 3.25);
	assert_string_equal(row.cols[4], "2024-02-29 13:45:07");
	assert_null(row.cols[5]);
	gmhook__row_clear(&row);

	assert_int_equal(gmhook__db_exec(f->db, insert, p, 6, NULL, &err),
	                 GMHOOK_EDB);
	assert_string_equal(err.sqlstate, "23505");
	assert_int_equal(gmhook__db_rollback(f->db, &err), 0);

	p[0] = text("x");
	assert_int_equal(gmhook__db_exec(f->db,
	                                 "UPDATE gmhook_pg_t SET name = ? "
	                                 "WHERE id = 7",
	                                 p, 1, NULL, &err),
	                 0);
	assert_int_equal(gmhook__db_table_exists(f->db, "GMHOOK_PG_T", &err),
	                 1);
	assert_int_equal(gmhook__db_table_exists(f->db, "GMHOOK_PGxT", &err),
	                 0);
}

static void odbc_pg_long_text_round_trips(void **state)
{
	struct fixture *f = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook__row row = { NULL, 0 };
	struct gmhook__param p[2];
	size_t len = 100 * 1024;
	char *big;
	size_t i;

	exec_ok(f->db, "ALTER TABLE gmhook_pg_t ALTER COLUMN name TYPE TEXT");
	big = malloc(len + 1);
	assert_non_null(big);
	for (i = 0; i < len; i++) {
		big[i] = (char) ('a' + (char) (i % 26));
	}
	big[len] = '\0';
	p[0] = integer(1);
	p[1] = text(big);
	assert_int_equal(gmhook__db_exec(f->db,
	                                 "INSERT INTO gmhook_pg_t (id, name) "
	                                 "VALUES (?, ?)",
	                                 p, 2, NULL, &err),
	                 1);
	assert_int_equal(gmhook__db_exec(f->db, "SELECT name FROM gmhook_pg_t",
	                                 NULL, 0, &row, &err),
	                 1);
	assert_string_equal(row.cols[0], big);
	gmhook__row_clear(&row);
	free(big);
}

#define SQLITE_TEST(name) \
	cmocka_unit_test_setup_teardown(name, setup_sqlite, teardown_sqlite)
#define PG_TEST(name) \
	cmocka_unit_test_setup_teardown(name, setup_pg, teardown_pg)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(odbc_connection_string_follows_rules),
		SQLITE_TEST(odbc_every_param_type_round_trips),
		SQLITE_TEST(odbc_select_without_match_returns_zero),
		SQLITE_TEST(odbc_same_sql_reuses_one_statement),
		SQLITE_TEST(odbc_cache_stays_bounded),
		SQLITE_TEST(odbc_rows_affected_are_counted),
		SQLITE_TEST(odbc_unique_violation_is_edb_class_23),
		SQLITE_TEST(odbc_rollback_hides_and_commit_publishes),
		SQLITE_TEST(odbc_long_text_round_trips),
		SQLITE_TEST(odbc_table_exists_ignores_case_and_patterns),
		SQLITE_TEST(odbc_syntax_error_is_edb),
		SQLITE_TEST(odbc_locked_file_is_unavailable),
		SQLITE_TEST(odbc_missing_directory_is_unavailable),
		SQLITE_TEST(odbc_closed_port_is_unavailable_without_password),
		SQLITE_TEST(odbc_silent_server_hits_login_timeout),
		SQLITE_TEST(odbc_echoed_password_is_masked),
		/* PostgreSQL last: dropped unless GMHOOK_TEST_PG is set. */
		PG_TEST(odbc_pg_round_trip_and_unique_violation),
		PG_TEST(odbc_pg_long_text_round_trips),
	};
	size_t n_pg = 2;
	size_t n = sizeof(tests) / sizeof(tests[0]);
	const char *pg = getenv("GMHOOK_TEST_PG");

	if (pg == NULL || pg[0] == '\0') {
		n -= n_pg;
	}
	return _cmocka_run_group_tests("odbc", tests, n, NULL, NULL);
}
