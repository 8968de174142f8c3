/* SPDX-License-Identifier: MIT */
/*
 * The database layer, and the only file that speaks ODBC. The commit stage
 * and gmhook_init_db() reach the GoldMine database through the gmhook__db_*
 * calls below: connect with autocommit off, prepare each distinct SQL text
 * once per connection, bind parameters, fetch rows as strings and translate
 * every ODBC diagnostic into a struct gmhook_error (stage commit).
 */
#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sql.h>
#include <sqlext.h>

#include "gmhook-private.h"

#define STMT_CACHE_MAX        64
#define DEFAULT_LOGIN_TIMEOUT 15
#define SQLITE_BUSY_TIMEOUT   "Timeout=10000"
#define LONG_TEXT_BYTES       4000
#define DIAG_TEXT_MAX         1024
#define GETDATA_CHUNK         4096

/* psqlODBC's level of rollback on errors: 0, the driver does nothing. */
#define PG_NO_STATEMENT_ROLLBACK "Protocol=7.4-0"

/* SQLite result codes that sqlite3odbc reports as the native error. */
#define SQLITE_RC_BUSY       5
#define SQLITE_RC_LOCKED     6
#define SQLITE_RC_CONSTRAINT 19

struct cached_stmt {
	char *sql;
	SQLHSTMT stmt;
	uint64_t last_used;
};

struct gmhook__db {
	struct gmhook_ctx *ctx;
	SQLHENV env;
	SQLHDBC dbc;
	bool connected;
	int dialect;
	struct cached_stmt cache[STMT_CACHE_MAX];
	size_t n_cached;
	uint64_t clock;
};

/* Storage of one bound parameter; it must live until SQLExecute returns. */
struct bind_slot {
	SQLLEN ind;
	SQLBIGINT i;
	SQLDOUBLE d;
	SQL_TIMESTAMP_STRUCT ts;
};

/* The first diagnostic record of a handle. */
struct diag {
	char sqlstate[6];
	long native;
	char text[DIAG_TEXT_MAX];
};

/* One "key=value" attribute of a connection string. */
struct attr {
	const char *key;
	size_t key_len;
	const char *val;
	size_t val_len;
};

/* A string growing as SQLGetData hands over a column in pieces. */
struct text {
	char *data;
	size_t len;
	size_t cap;
};

size_t gmhook__db_stmt_count(const struct gmhook__db *db);

/* ---- Connection strings ---- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t len = strlen(s);
	size_t suffix_len = strlen(suffix);

	if (suffix_len > len) {
		return false;
	}
	return strcmp(s + len - suffix_len, suffix) == 0;
}

static bool is_sqlite_file(const char *db)
{
	return strchr(db, '/') != NULL || ends_with(db, ".db") ||
	       ends_with(db, ".sqlite") || ends_with(db, ".sqlite3");
}

char *gmhook__db_connection_string(const char *db)
{
	const char *prefix;
	size_t size;
	char *out;

	if (db == NULL || db[0] == '\0') {
		return NULL;
	}
	if (strchr(db, '=') != NULL) {
		return gmhook__strdup(db);
	}
	prefix = is_sqlite_file(db) ? "Driver=SQLite3;Database=" : "DSN=";

	size = strlen(prefix) + strlen(db) + 1;
	out = malloc(size);
	if (out == NULL) {
		return NULL;
	}
	memcpy(out, prefix, strlen(prefix));
	memcpy(out + strlen(prefix), db, strlen(db) + 1);
	return out;
}

/*
 * Step to the next "key=value" attribute of @p *cursor. A value in braces
 * may hold ';' (the SQLDriverConnect grammar); inside braces "}}" stands
 * for '}' and is left doubled in the value, which the checks here allow.
 */
static bool next_attr(const char **cursor, struct attr *a)
{
	const char *p = *cursor;
	const char *eq;

	while (*p == ';' || *p == ' ') {
		p++;
	}
	if (*p == '\0') {
		return false;
	}
	a->key = p;
	eq = p;
	while (*eq != '\0' && *eq != '=' && *eq != ';') {
		eq++;
	}
	a->key_len = (size_t) (eq - p);
	a->val = eq;
	a->val_len = 0;
	if (*eq != '=') {
		*cursor = eq;
		return true;
	}

	p = eq + 1;
	if (*p == '{') {
		a->val = ++p;
		while (*p != '\0' && !(p[0] == '}' && p[1] != '}')) {
			p += (p[0] == '}') ? 2 : 1;
		}
		a->val_len = (size_t) (p - a->val);
		p += (*p == '}') ? 1 : 0;
	} else {
		a->val = p;
		while (*p != '\0' && *p != ';') {
			p++;
		}
		a->val_len = (size_t) (p - a->val);
	}
	*cursor = p;
	return true;
}

static bool key_is(const struct attr *a, const char *name)
{
	return a->key_len == strlen(name) &&
	       strncasecmp(a->key, name, a->key_len) == 0;
}

static bool val_contains(const struct attr *a, const char *needle)
{
	size_t needle_len = strlen(needle);
	size_t i;

	for (i = 0; i + needle_len <= a->val_len; i++) {
		if (strncasecmp(a->val + i, needle, needle_len) == 0) {
			return true;
		}
	}
	return false;
}

static bool names_sqlite_driver(const char *connection)
{
	struct attr a;

	while (next_attr(&connection, &a)) {
		if (key_is(&a, "Driver") && val_contains(&a, "SQLite")) {
			return true;
		}
	}
	return false;
}

static bool names_postgresql_driver(const char *connection)
{
	struct attr a;

	while (next_attr(&connection, &a)) {
		if (key_is(&a, "Driver") && val_contains(&a, "PostgreSQL")) {
			return true;
		}
	}
	return false;
}

static bool has_attr(const char *connection, const char *name)
{
	struct attr a;

	while (next_attr(&connection, &a)) {
		if (key_is(&a, name)) {
			return true;
		}
	}
	return false;
}

/*
 * Defaults for the drivers gmhook knows, added when the string names the
 * driver and does not set the attribute itself:
 * - sqlite3odbc waits up to 100 s on a locked file unless the string has
 *   a "Timeout=<ms>" attribute. Concurrent writers should wait, but not
 *   that long: Timeout=10000.
 * - psqlODBC by default wraps every statement in a savepoint of its own
 *   (statement-level rollback), a second round trip per statement. gmhook
 *   rolls a failed event back to its own savepoint or ends the
 *   transaction, so the driver is told to do nothing: Protocol=7.4-0.
 */
static char *with_driver_defaults(const char *connection)
{
	const char *extra = NULL;
	const char *sep;
	size_t len;
	char *out;

	if (names_sqlite_driver(connection) &&
	    !has_attr(connection, "Timeout")) {
		extra = SQLITE_BUSY_TIMEOUT;
	} else if (names_postgresql_driver(connection) &&
	           !has_attr(connection, "Protocol")) {
		extra = PG_NO_STATEMENT_ROLLBACK;
	}
	if (!extra) {
		return gmhook__strdup(connection);
	}

	len = strlen(connection);
	sep = (len > 0 && connection[len - 1] != ';') ? ";" : "";
	out = malloc(len + strlen(sep) + strlen(extra) + 1);
	if (out == NULL) {
		return NULL;
	}
	memcpy(out, connection, len);
	memcpy(out + len, sep, strlen(sep));
	memcpy(out + len + strlen(sep), extra, strlen(extra) + 1);
	return out;
}

/* ---- Diagnostics ---- */

/* Cut @p s to less than @p size bytes without splitting a UTF-8 sequence. */
static void cut_utf8(char *s, size_t size)
{
	size_t len = strlen(s);

	if (len < size) {
		return;
	}
	len = size - 1;
	while (len > 0 && ((unsigned char) s[len] & 0xC0) == 0x80) {
		len--;
	}
	s[len] = '\0';
}

/* Replace every occurrence of @p secret (@p secret_len > 0) by "***". */
static void mask_secret(char *msg, const char *secret, size_t secret_len)
{
	char out[DIAG_TEXT_MAX];
	size_t o = 0;
	const char *p = msg;

	while (*p != '\0' && o + 4 < sizeof(out)) {
		if (strncmp(p, secret, secret_len) == 0) {
			memcpy(out + o, "***", 3);
			o += 3;
			p += secret_len;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	memcpy(msg, out, o + 1);
}

/*
 * Blank the value after any "PWD=" or "Password=" a driver echoed (a
 * braced value may hold ';' and spaces).
 */
static void mask_password_attrs(char *msg)
{
	static const char *const keys[] = { "pwd=", "password=" };
	size_t k;
	char *p;
	char *end;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		for (p = msg; *p != '\0'; p++) {
			if (strncasecmp(p, keys[k], strlen(keys[k])) != 0) {
				continue;
			}
			p += strlen(keys[k]);
			end = p;
			while (*p == '{' && *end != '\0' && *end != '}') {
				end++;
			}
			while (*end != '\0' && *end != ';' && *end != ' ') {
				end++;
			}
			memmove(p, end, strlen(end) + 1);
			if (*p == '\0') {
				break;
			}
		}
	}
}

/*
 * Drivers may echo parts of the connection string in their messages.
 * Remove every password the string carries, and any "PWD=" value.
 */
static void redact(char *msg, const char *connection)
{
	struct attr a;

	while (connection != NULL && next_attr(&connection, &a)) {
		if ((key_is(&a, "PWD") || key_is(&a, "Password")) &&
		    a.val_len > 0) {
			mask_secret(msg, a.val, a.val_len);
		}
	}
	mask_password_attrs(msg);
}

static void read_diag(struct diag *d, SQLSMALLINT type, SQLHANDLE handle)
{
	SQLCHAR state[6] = "";
	SQLINTEGER native = 0;
	SQLSMALLINT text_len = 0;
	SQLRETURN rc;

	memset(d, 0, sizeof(*d));
	if (handle == SQL_NULL_HANDLE) {
		return;
	}
	rc = SQLGetDiagRec(type, handle, 1, state, &native, (SQLCHAR *) d->text,
	                   sizeof(d->text), &text_len);
	if (!SQL_SUCCEEDED(rc)) {
		d->text[0] = '\0';
		return;
	}
	memcpy(d->sqlstate, state, sizeof(d->sqlstate) - 1);
	d->native = (long) native;
}

/*
 * sqlite3odbc reports every engine error as HY000 with the SQLite result
 * code as the native error; give constraint failures the standard class
 * 23 so callers can recognise a unique-key violation on every dialect.
 */
static void fix_sqlite_state(struct diag *d, bool sqlite)
{
	if (sqlite && (d->native & 0xff) == SQLITE_RC_CONSTRAINT &&
	    (strcmp(d->sqlstate, "HY000") == 0 ||
	     strcmp(d->sqlstate, "S1000") == 0)) {
		memcpy(d->sqlstate, "23000", sizeof(d->sqlstate));
	}
}

/*
 * Temporary failures are GMHOOK_EUNAVAIL: the event can be spooled and
 * retried. SQLite's busy and locked codes are the file-lock form of a
 * timeout, and a SQLite connect fails only when the file cannot be opened.
 */
static int classify(const struct diag *d, bool sqlite, bool connecting)
{
	long rc = d->native & 0xff;

	if (strncmp(d->sqlstate, "08", 2) == 0 ||
	    strcmp(d->sqlstate, "HYT00") == 0 ||
	    strcmp(d->sqlstate, "HYT01") == 0) {
		return GMHOOK_EUNAVAIL;
	}
	if (sqlite && (rc == SQLITE_RC_BUSY || rc == SQLITE_RC_LOCKED)) {
		return GMHOOK_EUNAVAIL;
	}
	if (sqlite && connecting) {
		return GMHOOK_EUNAVAIL;
	}
	return GMHOOK_EDB;
}

/*
 * libpq's messages, which psqlodbc passes on, span lines ("...failed:
 * Connection refused\n\tIs the server running..."). Keep one line: turn
 * each run of white space or control characters into a single space.
 */
static void flatten(char *s)
{
	char *o = s;
	const char *p;

	for (p = s; *p != '\0'; p++) {
		if (isspace((unsigned char) *p) ||
		    iscntrl((unsigned char) *p)) {
			if (o > s && o[-1] != ' ') {
				*o++ = ' ';
			}
			continue;
		}
		*o++ = *p;
	}
	while (o > s && o[-1] == ' ') {
		o--;
	}
	*o = '\0';
}

static int report(struct gmhook_error *err, const struct diag *d, int code,
                  const char *what)
{
	char text[sizeof(err->message) - sizeof("database: ")];
	int r;

	if (d->text[0] != '\0') {
		memcpy(text, d->text, sizeof(text) - 1);
		text[sizeof(text) - 1] = '\0';
	} else {
		memcpy(text, what, strnlen(what, sizeof(text) - 1));
		text[strnlen(what, sizeof(text) - 1)] = '\0';
	}
	flatten(text);
	cut_utf8(text, sizeof(text));

	r = gmhook__error_set(err, code, GMHOOK_STAGE_COMMIT, "",
	                      "database: %s", text);
	if (err != NULL) {
		memcpy(err->sqlstate, d->sqlstate, sizeof(err->sqlstate));
		err->native = d->native;
	}
	return r;
}

/*
 * Translate the first diagnostic of @p handle into @p err. @p what names
 * the failed step for drivers that leave no diagnostic behind.
 */
static int db_error(const struct gmhook__db *db, SQLSMALLINT type,
                    SQLHANDLE handle, const char *what,
                    struct gmhook_error *err)
{
	bool sqlite = db->dialect == GMHOOK__DIALECT_SQLITE;
	struct diag d;

	read_diag(&d, type, handle);
	fix_sqlite_state(&d, sqlite);
	redact(d.text, NULL);
	return report(err, &d, classify(&d, sqlite, false), what);
}

static int no_memory(struct gmhook_error *err)
{
	return gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_COMMIT, "",
	                         "database: out of memory");
}

/* ---- Connecting ---- */

static SQLUINTEGER login_timeout(const struct gmhook_ctx *ctx)
{
	if (ctx->opts.login_timeout == 0) {
		return DEFAULT_LOGIN_TIMEOUT;
	}
	return (SQLUINTEGER) ctx->opts.login_timeout;
}

static int alloc_handles(struct gmhook__db *db, struct gmhook_error *err)
{
	SQLUINTEGER timeout = login_timeout(db->ctx);
	SQLRETURN rc;

	rc = SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &db->env);
	if (!SQL_SUCCEEDED(rc)) {
		db->env = SQL_NULL_HENV;
		return gmhook__error_set(
		        err, GMHOOK_EDB, GMHOOK_STAGE_COMMIT, "",
		        "database: cannot allocate an ODBC environment");
	}

	rc = SQLSetEnvAttr(db->env, SQL_ATTR_ODBC_VERSION,
	                   (SQLPOINTER) SQL_OV_ODBC3, 0);
	if (!SQL_SUCCEEDED(rc)) {
		return db_error(db, SQL_HANDLE_ENV, db->env,
		                "cannot select ODBC 3", err);
	}

	rc = SQLAllocHandle(SQL_HANDLE_DBC, db->env, &db->dbc);
	if (!SQL_SUCCEEDED(rc)) {
		db->dbc = SQL_NULL_HDBC;
		return db_error(db, SQL_HANDLE_ENV, db->env,
		                "cannot allocate an ODBC connection", err);
	}

	/* Optional features: a driver may refuse them (HYC00); go on. */
	(void) SQLSetConnectAttr(db->dbc, SQL_ATTR_LOGIN_TIMEOUT,
	                         (SQLPOINTER) (uintptr_t) timeout, 0);
	(void) SQLSetConnectAttr(db->dbc, SQL_ATTR_CONNECTION_TIMEOUT,
	                         (SQLPOINTER) (uintptr_t) timeout, 0);
	return 0;
}

static int driver_connect(struct gmhook__db *db, const char *connection,
                          struct gmhook_error *err)
{
	SQLSMALLINT out_len = 0;
	SQLRETURN rc;
	struct diag d;
	bool sqlite;

	rc = SQLDriverConnect(db->dbc, NULL, (SQLCHAR *) (uintptr_t) connection,
	                      SQL_NTS, NULL, 0, &out_len, SQL_DRIVER_NOPROMPT);
	if (SQL_SUCCEEDED(rc)) {
		db->connected = true;
		return 0;
	}

	read_diag(&d, SQL_HANDLE_DBC, db->dbc);
	sqlite = names_sqlite_driver(connection) ||
	         strstr(d.text, "[SQLite]") != NULL;
	redact(d.text, connection);
	return report(err, &d, classify(&d, sqlite, true), "cannot connect");
}

static int detect_dialect(struct gmhook__db *db)
{
	char name[128] = "";
	SQLSMALLINT len = 0;
	SQLRETURN rc;

	rc = SQLGetInfo(db->dbc, SQL_DBMS_NAME, name, sizeof(name), &len);
	if (!SQL_SUCCEEDED(rc)) {
		name[0] = '\0';
	}
	log_debug(db->ctx, "database: connected to \"%s\"", name);

	if (strstr(name, "SQLite") != NULL) {
		return GMHOOK__DIALECT_SQLITE;
	}
	if (strstr(name, "PostgreSQL") != NULL) {
		return GMHOOK__DIALECT_POSTGRESQL;
	}
	if (strstr(name, "Microsoft SQL Server") != NULL) {
		return GMHOOK__DIALECT_MSSQL;
	}
	return GMHOOK__DIALECT_OTHER;
}

int gmhook__db_open(struct gmhook__db **out, struct gmhook_ctx *ctx,
                    const char *connection, struct gmhook_error *err)
{
	struct gmhook__db *db = NULL;
	char *conn = NULL;
	SQLRETURN rc;
	int r;

	assert(out != NULL);
	assert(ctx != NULL);
	if (connection == NULL || connection[0] == '\0') {
		return gmhook__error_set(err, GMHOOK_EINVAL,
		                         GMHOOK_STAGE_COMMIT, "",
		                         "database: connection is empty");
	}

	db = calloc(1, sizeof(*db));
	conn = with_driver_defaults(connection);
	if (db == NULL || conn == NULL) {
		r = no_memory(err);
		goto out;
	}
	db->ctx = ctx;

	r = alloc_handles(db, err);
	if (r < 0) {
		goto out;
	}

	r = driver_connect(db, conn, err);
	if (r < 0) {
		goto out;
	}
	db->dialect = detect_dialect(db);
	if (db->dialect == GMHOOK__DIALECT_SQLITE) {
		/* Savepoint sub-journals in memory rather than in temporary
		 * files: a batch made some 45 writes per event to them. Set
		 * before autocommit goes off, outside any transaction. */
		(void) gmhook__db_exec_direct(db, "PRAGMA temp_store = MEMORY",
		                              NULL);
	}

	rc = SQLSetConnectAttr(db->dbc, SQL_ATTR_AUTOCOMMIT,
	                       (SQLPOINTER) SQL_AUTOCOMMIT_OFF, 0);
	if (!SQL_SUCCEEDED(rc)) {
		r = db_error(db, SQL_HANDLE_DBC, db->dbc,
		             "cannot turn autocommit off", err);
		goto out;
	}

	*out = db;
	db = NULL;
	r = 0;
out:
	gmhook__db_close(db);
	free(conn);
	return r;
}

static void cache_drop(struct cached_stmt *c)
{
	(void) SQLFreeHandle(SQL_HANDLE_STMT, c->stmt);
	free(c->sql);
	c->stmt = SQL_NULL_HSTMT;
	c->sql = NULL;
}

void gmhook__db_close(struct gmhook__db *db)
{
	size_t i;

	if (db == NULL) {
		return;
	}
	for (i = 0; i < db->n_cached; i++) {
		cache_drop(&db->cache[i]);
	}

	/* Disconnecting inside a transaction fails with 25000. */
	if (db->connected) {
		(void) SQLEndTran(SQL_HANDLE_DBC, db->dbc, SQL_ROLLBACK);
		(void) SQLDisconnect(db->dbc);
	}
	if (db->dbc != SQL_NULL_HDBC) {
		(void) SQLFreeHandle(SQL_HANDLE_DBC, db->dbc);
	}
	if (db->env != SQL_NULL_HENV) {
		(void) SQLFreeHandle(SQL_HANDLE_ENV, db->env);
	}
	free(db);
}

int gmhook__db_dialect(const struct gmhook__db *db)
{
	return db->dialect;
}

/* Tests: how many prepared statements the cache holds. */
size_t gmhook__db_stmt_count(const struct gmhook__db *db)
{
	return db->n_cached;
}

/* ---- Statements ---- */

static int alloc_stmt(SQLHSTMT *out, struct gmhook__db *db,
                      struct gmhook_error *err)
{
	SQLRETURN rc;

	rc = SQLAllocHandle(SQL_HANDLE_STMT, db->dbc, out);
	if (!SQL_SUCCEEDED(rc)) {
		*out = SQL_NULL_HSTMT;
		return db_error(db, SQL_HANDLE_DBC, db->dbc,
		                "cannot allocate a statement", err);
	}
	return 0;
}

static struct cached_stmt *cache_slot(struct gmhook__db *db)
{
	size_t oldest = 0;
	size_t i;

	if (db->n_cached < STMT_CACHE_MAX) {
		return &db->cache[db->n_cached++];
	}
	for (i = 1; i < db->n_cached; i++) {
		if (db->cache[i].last_used < db->cache[oldest].last_used) {
			oldest = i;
		}
	}
	cache_drop(&db->cache[oldest]);
	return &db->cache[oldest];
}

/* The prepared statement for @p sql, preparing it on first use. */
static int cache_get(SQLHSTMT *out, struct gmhook__db *db, const char *sql,
                     struct gmhook_error *err)
{
	struct cached_stmt *c;
	SQLHSTMT stmt = SQL_NULL_HSTMT;
	char *copy = NULL;
	SQLRETURN rc;
	size_t i;
	int r;

	for (i = 0; i < db->n_cached; i++) {
		if (strcmp(db->cache[i].sql, sql) == 0) {
			db->cache[i].last_used = ++db->clock;
			*out = db->cache[i].stmt;
			return 0;
		}
	}

	r = alloc_stmt(&stmt, db, err);
	if (r < 0) {
		goto out;
	}
	log_debug(db->ctx, "database: prepare %s", sql);
	rc = SQLPrepare(stmt, (SQLCHAR *) (uintptr_t) sql, SQL_NTS);
	if (!SQL_SUCCEEDED(rc)) {
		r = db_error(db, SQL_HANDLE_STMT, stmt, "cannot prepare", err);
		goto out;
	}
	copy = gmhook__strdup(sql);
	if (copy == NULL) {
		r = no_memory(err);
		goto out;
	}

	c = cache_slot(db);
	c->sql = copy;
	c->stmt = stmt;
	c->last_used = ++db->clock;
	*out = stmt;
	copy = NULL;
	stmt = SQL_NULL_HSTMT;
	r = 0;
out:
	if (stmt != SQL_NULL_HSTMT) {
		(void) SQLFreeHandle(SQL_HANDLE_STMT, stmt);
	}
	free(copy);
	return r;
}

static void to_timestamp(SQL_TIMESTAMP_STRUCT *ts, const struct tm *tm)
{
	ts->year = (SQLSMALLINT) (tm->tm_year + 1900);
	ts->month = (SQLUSMALLINT) (tm->tm_mon + 1);
	ts->day = (SQLUSMALLINT) tm->tm_mday;
	ts->hour = (SQLUSMALLINT) tm->tm_hour;
	ts->minute = (SQLUSMALLINT) tm->tm_min;
	ts->second = (SQLUSMALLINT) tm->tm_sec;
	ts->fraction = 0;
}

static SQLRETURN bind_one(SQLHSTMT stmt, SQLUSMALLINT pos,
                          const struct gmhook__param *p, struct bind_slot *slot)
{
	size_t len;

	switch (p->type) {
	case GMHOOK__P_TEXT:
		len = strlen(p->s);
		slot->ind = (SQLLEN) len;
		return SQLBindParameter(
		        stmt, pos, SQL_PARAM_INPUT, SQL_C_CHAR,
		        len > LONG_TEXT_BYTES ? SQL_LONGVARCHAR : SQL_VARCHAR,
		        len > 0 ? len : 1, 0, (SQLPOINTER) (uintptr_t) p->s,
		        (SQLLEN) len, &slot->ind);
	case GMHOOK__P_INT:
		slot->i = (SQLBIGINT) p->i;
		return SQLBindParameter(stmt, pos, SQL_PARAM_INPUT,
		                        SQL_C_SBIGINT, SQL_BIGINT, 19, 0,
		                        &slot->i, 0, &slot->ind);
	case GMHOOK__P_DOUBLE:
		slot->d = p->d;
		return SQLBindParameter(stmt, pos, SQL_PARAM_INPUT,
		                        SQL_C_DOUBLE, SQL_DOUBLE, 15, 0,
		                        &slot->d, 0, &slot->ind);
	case GMHOOK__P_TIMESTAMP:
		to_timestamp(&slot->ts, &p->ts);
		return SQLBindParameter(stmt, pos, SQL_PARAM_INPUT,
		                        SQL_C_TYPE_TIMESTAMP,
		                        SQL_TYPE_TIMESTAMP, 19, 0, &slot->ts,
		                        sizeof(slot->ts), &slot->ind);
	default:
		slot->ind = SQL_NULL_DATA;
		return SQLBindParameter(stmt, pos, SQL_PARAM_INPUT, SQL_C_CHAR,
		                        SQL_VARCHAR, 1, 0, NULL, 0, &slot->ind);
	}
}

static int bind_params(struct gmhook__db *db, SQLHSTMT stmt,
                       const struct gmhook__param *params, size_t n,
                       struct bind_slot *slots, struct gmhook_error *err)
{
	SQLRETURN rc;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct gmhook__param *p = &params[i];

		if (p->type < GMHOOK__P_NULL || p->type > GMHOOK__P_DOUBLE ||
		    (p->type == GMHOOK__P_TEXT && p->s == NULL)) {
			return gmhook__error_set(
			        err, GMHOOK_EINVAL, GMHOOK_STAGE_COMMIT, "",
			        "database: parameter %zu is invalid (type %d)",
			        i + 1, p->type);
		}
		rc = bind_one(stmt, (SQLUSMALLINT) (i + 1), p, &slots[i]);
		if (!SQL_SUCCEEDED(rc)) {
			return db_error(db, SQL_HANDLE_STMT, stmt,
			                "cannot bind a parameter", err);
		}
	}
	return 0;
}

static bool text_add(struct text *t, const char *s, size_t n)
{
	size_t want;
	char *data;

	if (n > SIZE_MAX - t->len - 1) {
		return false;
	}
	want = t->len + n + 1;
	if (want > t->cap) {
		size_t cap = t->cap > 0 ? t->cap : 64;

		while (cap < want) {
			cap = cap > SIZE_MAX / 2 ? want : cap * 2;
		}
		data = realloc(t->data, cap);
		if (data == NULL) {
			return false;
		}
		t->data = data;
		t->cap = cap;
	}
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
	return true;
}

/*
 * Read column @p col as text, in pieces, so values of any length work.
 * SQL_SUCCESS_WITH_INFO with 01004 means the piece filled the buffer and
 * more follows; the indicator then holds the remaining length or
 * SQL_NO_TOTAL.
 */
static int get_column(char **out, struct gmhook__db *db, SQLHSTMT stmt,
                      SQLUSMALLINT col, struct gmhook_error *err)
{
	struct text t = { NULL, 0, 0 };
	char chunk[GETDATA_CHUNK];
	SQLLEN ind = 0;
	SQLRETURN rc;
	size_t got;
	int r;

	for (;;) {
		rc = SQLGetData(stmt, col, SQL_C_CHAR, chunk, sizeof(chunk),
		                &ind);
		if (rc == SQL_NO_DATA) {
			break;
		}
		if (!SQL_SUCCEEDED(rc)) {
			r = db_error(db, SQL_HANDLE_STMT, stmt,
			             "cannot read a column", err);
			goto out;
		}
		if (ind == SQL_NULL_DATA) {
			*out = NULL;
			r = 0;
			goto out;
		}
		got = (ind == SQL_NO_TOTAL || ind >= (SQLLEN) sizeof(chunk))
		              ? sizeof(chunk) - 1
		              : (size_t) ind;
		if (!text_add(&t, chunk, got)) {
			r = no_memory(err);
			goto out;
		}
		if (got < sizeof(chunk) - 1 || rc == SQL_SUCCESS) {
			break;
		}
	}

	if (t.data == NULL && !text_add(&t, "", 0)) {
		r = no_memory(err);
		goto out;
	}
	*out = t.data;
	t.data = NULL;
	r = 0;
out:
	free(t.data);
	return r;
}

void gmhook__row_clear(struct gmhook__row *row)
{
	size_t i;

	if (row == NULL) {
		return;
	}
	for (i = 0; i < row->n_cols; i++) {
		free(row->cols[i]);
	}
	free(row->cols);
	row->cols = NULL;
	row->n_cols = 0;
}

/* Fetch the first row of the result into @p row: 1, or 0 when none. */
static int fetch_first(struct gmhook__row *row, struct gmhook__db *db,
                       SQLHSTMT stmt, struct gmhook_error *err)
{
	struct gmhook__row got = { NULL, 0 };
	SQLSMALLINT n_cols = 0;
	SQLRETURN rc;
	int r;

	rc = SQLNumResultCols(stmt, &n_cols);
	if (!SQL_SUCCEEDED(rc)) {
		r = db_error(db, SQL_HANDLE_STMT, stmt, "cannot count columns",
		             err);
		goto out;
	}
	rc = n_cols > 0 ? SQLFetch(stmt) : SQL_NO_DATA;
	if (rc != SQL_NO_DATA && !SQL_SUCCEEDED(rc)) {
		r = db_error(db, SQL_HANDLE_STMT, stmt, "cannot fetch", err);
		goto out;
	}

	if (rc != SQL_NO_DATA) {
		got.cols = calloc((size_t) n_cols, sizeof(*got.cols));
		if (got.cols == NULL) {
			r = no_memory(err);
			goto out;
		}
	}
	for (; got.cols != NULL && got.n_cols < (size_t) n_cols; got.n_cols++) {
		r = get_column(&got.cols[got.n_cols], db, stmt,
		               (SQLUSMALLINT) (got.n_cols + 1), err);
		if (r < 0) {
			goto out;
		}
	}

	gmhook__row_clear(row);
	*row = got;
	r = got.cols != NULL ? 1 : 0;
	got.cols = NULL;
	got.n_cols = 0;
out:
	gmhook__row_clear(&got);
	return r;
}

static int rows_affected(struct gmhook__db *db, SQLHSTMT stmt,
                         struct gmhook_error *err)
{
	SQLLEN count = 0;
	SQLRETURN rc;

	rc = SQLRowCount(stmt, &count);
	if (!SQL_SUCCEEDED(rc)) {
		return db_error(db, SQL_HANDLE_STMT, stmt, "cannot count rows",
		                err);
	}
	if (count < 0) {
		return 0;
	}
	return count > INT_MAX ? INT_MAX : (int) count;
}

int gmhook__db_exec(struct gmhook__db *db, const char *sql,
                    const struct gmhook__param *params, size_t n,
                    struct gmhook__row *row, struct gmhook_error *err)
{
	struct bind_slot *slots = NULL;
	SQLHSTMT stmt = SQL_NULL_HSTMT;
	SQLRETURN rc;
	int r;

	assert(db != NULL && sql != NULL);
	assert(n == 0 || params != NULL);
	r = cache_get(&stmt, db, sql, err);
	if (r < 0) {
		return r;
	}
	(void) SQLFreeStmt(stmt, SQL_CLOSE);
	(void) SQLFreeStmt(stmt, SQL_RESET_PARAMS);

	if (n > 0) {
		slots = calloc(n, sizeof(*slots));
		if (slots == NULL) {
			r = no_memory(err);
			goto out;
		}
	}
	r = bind_params(db, stmt, params, n, slots, err);
	if (r < 0) {
		goto out;
	}

	/* An UPDATE or DELETE that matched nothing returns SQL_NO_DATA. */
	rc = SQLExecute(stmt);
	if (rc == SQL_NO_DATA) {
		gmhook__row_clear(row);
		r = 0;
		goto out;
	}
	if (!SQL_SUCCEEDED(rc)) {
		r = db_error(db, SQL_HANDLE_STMT, stmt, "cannot execute", err);
		goto out;
	}
	if (row != NULL) {
		r = fetch_first(row, db, stmt, err);
	} else {
		r = rows_affected(db, stmt, err);
	}
out:
	/* Close the cursor now: SQLite cannot commit while one is open. */
	(void) SQLFreeStmt(stmt, SQL_CLOSE);
	(void) SQLFreeStmt(stmt, SQL_RESET_PARAMS);
	free(slots);
	return r;
}

int gmhook__db_exec_direct(struct gmhook__db *db, const char *sql,
                           struct gmhook_error *err)
{
	SQLHSTMT stmt = SQL_NULL_HSTMT;
	SQLRETURN rc;
	int r;

	assert(db != NULL && sql != NULL);
	r = alloc_stmt(&stmt, db, err);
	if (r < 0) {
		return r;
	}

	log_debug(db->ctx, "database: execute %s", sql);
	rc = SQLExecDirect(stmt, (SQLCHAR *) (uintptr_t) sql, SQL_NTS);
	if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
		r = db_error(db, SQL_HANDLE_STMT, stmt, "cannot execute", err);
	}
	(void) SQLFreeHandle(SQL_HANDLE_STMT, stmt);
	return r;
}

static int end_transaction(struct gmhook__db *db, SQLSMALLINT how,
                           struct gmhook_error *err)
{
	SQLRETURN rc;

	assert(db != NULL);
	rc = SQLEndTran(SQL_HANDLE_DBC, db->dbc, how);
	if (!SQL_SUCCEEDED(rc)) {
		return db_error(db, SQL_HANDLE_DBC, db->dbc,
		                how == SQL_COMMIT ? "cannot commit"
		                                  : "cannot roll back",
		                err);
	}
	return 0;
}

int gmhook__db_commit(struct gmhook__db *db, struct gmhook_error *err)
{
	return end_transaction(db, SQL_COMMIT, err);
}

int gmhook__db_rollback(struct gmhook__db *db, struct gmhook_error *err)
{
	return end_transaction(db, SQL_ROLLBACK, err);
}

/* ---- Catalog ---- */

/* Escape the pattern characters '_' and '%' of a SQLTables argument. */
static char *table_pattern(struct gmhook__db *db, const char *table)
{
	char escape[8] = "";
	SQLSMALLINT len = 0;
	SQLRETURN rc;
	const char *p;
	char *out;
	char *o;

	rc = SQLGetInfo(db->dbc, SQL_SEARCH_PATTERN_ESCAPE, escape,
	                sizeof(escape), &len);
	if (!SQL_SUCCEEDED(rc) || strlen(escape) != 1) {
		return gmhook__strdup(table);
	}
	if (strlen(table) > (SIZE_MAX - 1) / 2) {
		return NULL;
	}
	out = malloc(strlen(table) * 2 + 1);
	if (out == NULL) {
		return NULL;
	}
	for (p = table, o = out; *p != '\0'; p++) {
		if (*p == '_' || *p == '%' || *p == escape[0]) {
			*o++ = escape[0];
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* One SQLTables lookup: 1 when a table named @p table (any case) exists. */
static int find_table(struct gmhook__db *db, const char *table,
                      const char *name, struct gmhook_error *err)
{
	SQLHSTMT stmt = SQL_NULL_HSTMT;
	char *pattern = NULL;
	char *found = NULL;
	SQLRETURN rc;
	int r;

	pattern = table_pattern(db, name);
	if (pattern == NULL) {
		return no_memory(err);
	}
	r = alloc_stmt(&stmt, db, err);
	if (r < 0) {
		goto out;
	}

	rc = SQLTables(stmt, NULL, 0, NULL, 0, (SQLCHAR *) pattern, SQL_NTS,
	               NULL, 0);
	if (!SQL_SUCCEEDED(rc)) {
		r = db_error(db, SQL_HANDLE_STMT, stmt, "cannot list tables",
		             err);
		goto out;
	}
	for (;;) {
		rc = SQLFetch(stmt);
		if (rc == SQL_NO_DATA) {
			r = 0;
			break;
		}
		if (!SQL_SUCCEEDED(rc)) {
			r = db_error(db, SQL_HANDLE_STMT, stmt,
			             "cannot list tables", err);
			break;
		}
		r = get_column(&found, db, stmt, 3, err);
		if (r < 0) {
			break;
		}
		r = found != NULL && strcasecmp(found, table) == 0;
		free(found);
		found = NULL;
		if (r == 1) {
			break;
		}
	}
out:
	if (stmt != SQL_NULL_HSTMT) {
		(void) SQLFreeHandle(SQL_HANDLE_STMT, stmt);
	}
	free(pattern);
	return r;
}

/*
 * Catalog name matching is case-sensitive on PostgreSQL (which folds
 * unquoted names to lower case) and not on SQLite or SQL Server, so look
 * for the name as given, then in lower case, then in upper case.
 */
int gmhook__db_table_exists(struct gmhook__db *db, const char *table,
                            struct gmhook_error *err)
{
	char *name = NULL;
	char *c;
	int pass;
	int r = 0;

	assert(db != NULL && table != NULL);
	name = gmhook__strdup(table);
	if (name == NULL) {
		return no_memory(err);
	}
	for (pass = 0; pass < 3 && r == 0; pass++) {
		for (c = name; pass > 0 && *c != '\0'; c++) {
			*c = (char) (pass == 1 ? tolower((unsigned char) *c)
			                       : toupper((unsigned char) *c));
		}
		if (pass > 0 && strcmp(name, table) == 0) {
			continue;
		}
		r = find_table(db, table, name, err);
	}
	free(name);
	return r;
}

/*
 * The size a catalog row reports, in characters, for the fixed-width and
 * varying character types only. Numbers report their precision there,
 * and long text (TEXT, VARCHAR(MAX) reported as long) a driver's
 * arbitrary cap such as PostgreSQL's 8190: neither limits a value.
 */
static long character_size(const char *data_type, const char *size)
{
	long type = data_type ? strtol(data_type, NULL, 10) : 0;

	switch (type) {
	case SQL_CHAR:
	case SQL_VARCHAR:
	case SQL_WCHAR:
	case SQL_WVARCHAR:
		return size ? strtol(size, NULL, 10) : 0;
	default:
		return 0;
	}
}

/* One pass of gmhook__db_columns() with the table name spelled @p name. */
static int list_columns(struct gmhook__db *db, const char *name,
                        void (*fn)(const char *column, long size, void *arg),
                        void *arg, struct gmhook_error *err)
{
	SQLHSTMT stmt = SQL_NULL_HSTMT;
	char *pattern = table_pattern(db, name);
	char *data_type = NULL;
	char *column = NULL;
	char *size = NULL;
	SQLRETURN rc;
	int found = 0;
	int r;

	if (pattern == NULL) {
		return no_memory(err);
	}
	r = alloc_stmt(&stmt, db, err);
	if (r < 0) {
		goto out;
	}
	rc = SQLColumns(stmt, NULL, 0, NULL, 0, (SQLCHAR *) pattern, SQL_NTS,
	                NULL, 0);
	if (!SQL_SUCCEEDED(rc)) {
		r = db_error(db, SQL_HANDLE_STMT, stmt, "cannot list columns",
		             err);
		goto out;
	}
	for (;;) {
		rc = SQLFetch(stmt);
		if (rc == SQL_NO_DATA) {
			break;
		}
		if (!SQL_SUCCEEDED(rc)) {
			r = db_error(db, SQL_HANDLE_STMT, stmt,
			             "cannot list columns", err);
			goto out;
		}
		/* COLUMN_NAME is column 4, DATA_TYPE 5, COLUMN_SIZE 7. */
		r = get_column(&column, db, stmt, 4, err);
		if (r == 0) {
			r = get_column(&data_type, db, stmt, 5, err);
		}
		if (r == 0) {
			r = get_column(&size, db, stmt, 7, err);
		}
		if (r < 0) {
			goto out;
		}
		if (column) {
			fn(column, character_size(data_type, size), arg);
			found++;
		}
		free(column);
		free(data_type);
		free(size);
		column = NULL;
		data_type = NULL;
		size = NULL;
	}
	r = found;
out:
	free(column);
	free(data_type);
	free(size);
	free(pattern);
	if (stmt != SQL_NULL_HSTMT) {
		(void) SQLFreeHandle(SQL_HANDLE_STMT, stmt);
	}
	return r;
}

int gmhook__db_columns(struct gmhook__db *db, const char *table,
                       void (*fn)(const char *column, long size, void *arg),
                       void *arg, struct gmhook_error *err)
{
	char *name = gmhook__strdup(table);
	char *c;
	int pass;
	int r = 0;

	if (name == NULL) {
		return no_memory(err);
	}
	/* As written, then lower case (PostgreSQL folds unquoted names). */
	for (pass = 0; pass < 2 && r == 0; pass++) {
		for (c = name; pass > 0 && *c != '\0'; c++) {
			*c = (char) tolower((unsigned char) *c);
		}
		r = list_columns(db, name, fn, arg, err);
	}
	free(name);
	return r;
}
