/* SPDX-License-Identifier: MIT */
/*
 * The tables gmhook writes, in each SQL dialect, and their column sizes.
 * For the embedded database and the tests, init-db creates the subset of
 * GoldMine's schema that gmhook touches (after ../docs/goldmine.md); for a
 * real GoldMine database only the two gmhook tables are created: the
 * ledger that makes each event exactly-once, and the link table that ties
 * a provider's key (a Calendly invitee) to the row it produced.
 */
#include <stdlib.h>
#include <string.h>

#include "gmhook-private.h"

struct column_size {
	const char *table;
	const char *column;
	size_t size;
};

/* Sizes in characters, as GoldMine declares them (docs/goldmine.md). */
static const struct column_size column_sizes[] = {
	{ "CONTACT1", "COMPANY", 40 },  { "CONTACT1", "CONTACT", 40 },
	{ "CONTACT1", "LASTNAME", 15 }, { "CONTACT1", "DEPARTMENT", 35 },
	{ "CONTACT1", "TITLE", 35 },    { "CONTACT1", "SECR", 20 },
	{ "CONTACT1", "PHONE1", 25 },   { "CONTACT1", "PHONE2", 25 },
	{ "CONTACT1", "PHONE3", 25 },   { "CONTACT1", "FAX", 25 },
	{ "CONTACT1", "EXT1", 6 },      { "CONTACT1", "ADDRESS1", 40 },
	{ "CONTACT1", "ADDRESS2", 40 }, { "CONTACT1", "ADDRESS3", 40 },
	{ "CONTACT1", "CITY", 30 },     { "CONTACT1", "STATE", 20 },
	{ "CONTACT1", "ZIP", 10 },      { "CONTACT1", "COUNTRY", 20 },
	{ "CONTACT1", "DEAR", 20 },     { "CONTACT1", "SOURCE", 20 },
	{ "CONTACT1", "KEY1", 20 },     { "CONTACT1", "KEY2", 20 },
	{ "CONTACT1", "KEY3", 20 },     { "CONTACT1", "KEY4", 20 },
	{ "CONTACT1", "KEY5", 20 },     { "CONTACT1", "MERGECODES", 20 },
	{ "CONTHIST", "REF", 65 },      { "CAL", "REF", 65 },
};

size_t gmhook__column_size(const char *table, const char *column)
{
	size_t i;

	for (i = 0; i < sizeof(column_sizes) / sizeof(column_sizes[0]); i++) {
		if (strcmp(column_sizes[i].table, table) == 0 &&
		    strcmp(column_sizes[i].column, column) == 0) {
			return column_sizes[i].size;
		}
	}
	return 0;
}

bool gmhook__contact2_column_ok(const char *name)
{
	size_t n = strlen(name);
	size_t i;

	if (n < 2 || n > 10 || name[0] != 'U') {
		return false;
	}
	for (i = 1; i < n; i++) {
		if (!(name[i] >= 'A' && name[i] <= 'Z') &&
		    !(name[i] >= '0' && name[i] <= '9') && name[i] != '_') {
			return false;
		}
	}
	return true;
}

/* The GoldMine tables commit writes, in the order they are checked. */
static const char *const written_tables[] = {
	"CONTACT1", "CONTACT2", "CONTSUPP", "CONTHIST",
	"CAL",      "NOTES",    "CASES",    NULL,
};

const char *const *gmhook__schema_tables(void)
{
	return written_tables;
}

/* Columns commit only reads or updates; every other column it needs is
 * in the column list of one of its INSERT statements. */
static const struct column_size columns_read[] = {
	{ "CONTSUPP", "PHONE", 0 }, /* contacts found by a detail's phone */
};

/*
 * If @p sql inserts into @p table, call @p fn for each name of its column
 * list. The list is read from the statement text itself, so a column
 * added to a statement in sql.c is checked without a second list here.
 */
static int insert_columns(const char *sql, const char *table,
                          int (*fn)(const char *column, void *arg), void *arg)
{
	static const char prefix[] = "INSERT INTO ";
	size_t table_len = strlen(table);
	const char *p = sql;
	char column[32];
	size_t n;
	int rc;

	if (strncmp(p, prefix, sizeof(prefix) - 1) != 0) {
		return 0;
	}
	p += sizeof(prefix) - 1;
	if (strncmp(p, table, table_len) != 0 ||
	    strncmp(p + table_len, " (", 2) != 0) {
		return 0;
	}
	for (p += table_len + 2; *p && *p != ')';) {
		for (n = 0; *p && *p != ',' && *p != ')'; p++) {
			if (*p != ' ' && n + 1 < sizeof(column)) {
				column[n++] = *p;
			}
		}
		column[n] = '\0';
		rc = fn(column, arg);
		if (rc < 0) {
			return rc;
		}
		p += *p == ',';
	}
	return 0;
}

int gmhook__schema_columns_used(const char *table,
                                int (*fn)(const char *column, void *arg),
                                void *arg)
{
	size_t i;
	int id;
	int rc;

	for (id = 0; id < GMHOOK__SQL_COUNT; id++) {
		rc = insert_columns(gmhook__sql(id, GMHOOK__DIALECT_OTHER),
		                    table, fn, arg);
		if (rc < 0) {
			return rc;
		}
	}
	for (i = 0; i < sizeof(columns_read) / sizeof(columns_read[0]); i++) {
		if (strcmp(columns_read[i].table, table) == 0) {
			rc = fn(columns_read[i].column, arg);
			if (rc < 0) {
				return rc;
			}
		}
	}
	return 0;
}

/*
 * The DDL, written once with two placeholders: @TS@ for a date-time
 * column (TIMESTAMP; DATETIME on SQL Server, where TIMESTAMP means
 * rowversion) and @MEMO@ for long text (TEXT; VARCHAR(MAX) on SQL Server).
 * Primary keys on RECID are ours, to catch writer bugs; GoldMine ships
 * indexes only.
 */
static const char *const goldmine_ddl[] = {
	"CREATE TABLE CONTACT1 (ACCOUNTNO VARCHAR(20) NOT NULL UNIQUE,"
	" COMPANY VARCHAR(40), CONTACT VARCHAR(40), LASTNAME VARCHAR(15),"
	" DEPARTMENT VARCHAR(35), TITLE VARCHAR(35), SECR VARCHAR(20),"
	" PHONE1 VARCHAR(25) NOT NULL, PHONE2 VARCHAR(25),"
	" PHONE3 VARCHAR(25), FAX VARCHAR(25), EXT1 VARCHAR(6),"
	" EXT2 VARCHAR(6), EXT3 VARCHAR(6), EXT4 VARCHAR(6),"
	" ADDRESS1 VARCHAR(40), ADDRESS2 VARCHAR(40), ADDRESS3 VARCHAR(40),"
	" CITY VARCHAR(30), STATE VARCHAR(20), ZIP VARCHAR(10) NOT NULL,"
	" COUNTRY VARCHAR(20), DEAR VARCHAR(20), SOURCE VARCHAR(20),"
	" KEY1 VARCHAR(20), KEY2 VARCHAR(20), KEY3 VARCHAR(20),"
	" KEY4 VARCHAR(20), KEY5 VARCHAR(20), STATUS VARCHAR(3),"
	" NOTES @MEMO@, MERGECODES VARCHAR(20), CREATEBY VARCHAR(8),"
	" CREATEON @TS@, CREATEAT VARCHAR(5), OWNER VARCHAR(8),"
	" LASTUSER VARCHAR(8), LASTDATE @TS@, LASTTIME VARCHAR(8),"
	" U_COMPANY VARCHAR(40) NOT NULL DEFAULT '',"
	" U_CONTACT VARCHAR(40) NOT NULL DEFAULT '',"
	" U_LASTNAME VARCHAR(15) NOT NULL DEFAULT '',"
	" U_CITY VARCHAR(30) NOT NULL DEFAULT '',"
	" U_STATE VARCHAR(20) NOT NULL DEFAULT '',"
	" U_COUNTRY VARCHAR(20) NOT NULL DEFAULT '',"
	" U_KEY1 VARCHAR(20) NOT NULL DEFAULT '',"
	" U_KEY2 VARCHAR(20) NOT NULL DEFAULT '',"
	" U_KEY3 VARCHAR(20) NOT NULL DEFAULT '',"
	" U_KEY4 VARCHAR(20) NOT NULL DEFAULT '',"
	" U_KEY5 VARCHAR(20) NOT NULL DEFAULT '',"
	" RECID VARCHAR(15) NOT NULL PRIMARY KEY)",
	"CREATE INDEX CONTNAME ON CONTACT1 (U_CONTACT, ACCOUNTNO)",
	"CREATE INDEX CONTCOMP ON CONTACT1 (U_COMPANY, ACCOUNTNO)",
	"CREATE TABLE CONTACT2 (ACCOUNTNO VARCHAR(20) NOT NULL UNIQUE,"
	" CALLBACKON @TS@, CALLBACKAT VARCHAR(8), CALLBKFREQ SMALLINT,"
	" LASTCONTON @TS@, LASTCONTAT VARCHAR(8), LASTATMPON @TS@,"
	" LASTATMPAT VARCHAR(8), MEETDATEON @TS@, MEETTIMEAT VARCHAR(8),"
	" COMMENTS VARCHAR(65), PREVRESULT VARCHAR(65),"
	" NEXTACTION VARCHAR(65), ACTIONON @TS@, CLOSEDATE @TS@,"
	" USERDEF01 VARCHAR(10), USERDEF02 VARCHAR(10),"
	" USERDEF03 VARCHAR(10), USERDEF04 VARCHAR(10),"
	" USERDEF05 VARCHAR(10), USERDEF06 VARCHAR(10),"
	" USERDEF07 VARCHAR(10), USERDEF08 VARCHAR(10),"
	" USERDEF09 VARCHAR(10), USERDEF10 VARCHAR(10),"
	" RECID VARCHAR(15) NOT NULL PRIMARY KEY)",
	"CREATE TABLE CONTSUPP (ACCOUNTNO VARCHAR(20) NOT NULL,"
	" RECTYPE VARCHAR(1) NOT NULL, CONTACT VARCHAR(40), TITLE VARCHAR(35),"
	" CONTSUPREF VARCHAR(35), DEAR VARCHAR(20), PHONE VARCHAR(20),"
	" EXT VARCHAR(6), FAX VARCHAR(20), LINKACCT VARCHAR(20), NOTES @MEMO@,"
	" ADDRESS1 VARCHAR(40), ADDRESS2 VARCHAR(40), ADDRESS3 VARCHAR(40),"
	" CITY VARCHAR(30), STATE VARCHAR(20), ZIP VARCHAR(10),"
	" COUNTRY VARCHAR(20), MERGECODES VARCHAR(20), STATUS VARCHAR(4),"
	" LINKEDDOC @MEMO@, LASTUSER VARCHAR(8), LASTDATE @TS@,"
	" LASTTIME VARCHAR(5), U_CONTACT VARCHAR(40) NOT NULL DEFAULT '',"
	" U_CONTSUPREF VARCHAR(35) NOT NULL DEFAULT '',"
	" U_ADDRESS1 VARCHAR(40) NOT NULL DEFAULT '',"
	" RECID VARCHAR(15) NOT NULL PRIMARY KEY)",
	"CREATE INDEX CONTSUPP_IX ON CONTSUPP"
	" (ACCOUNTNO, RECTYPE, U_CONTACT, RECID)",
	"CREATE INDEX CONTSPFD ON CONTSUPP (RECTYPE, U_CONTACT, U_CONTSUPREF)",
	"CREATE TABLE CONTHIST (USERID VARCHAR(8) NOT NULL,"
	" ACCOUNTNO VARCHAR(20) NOT NULL, SRECTYPE VARCHAR(1),"
	" RECTYPE VARCHAR(10), ONDATE @TS@, ONTIME VARCHAR(5),"
	" ACTVCODE VARCHAR(3), RESULTCODE VARCHAR(3), STATUS VARCHAR(2),"
	" DURATION VARCHAR(8), UNITS VARCHAR(8), REF VARCHAR(65),"
	" NOTES @MEMO@, LINKRECID VARCHAR(15), LOPRECID VARCHAR(15),"
	" CREATEBY VARCHAR(8), CREATEON @TS@, CREATEAT VARCHAR(6),"
	" LASTUSER VARCHAR(8), LASTDATE @TS@, LASTTIME VARCHAR(6),"
	" COMPLETEDID VARCHAR(15), RECID VARCHAR(15) NOT NULL PRIMARY KEY)",
	"CREATE INDEX CONTHIST_IX ON CONTHIST (ACCOUNTNO, ONDATE, RECID)",
	"CREATE TABLE CAL (USERID VARCHAR(8) NOT NULL, ACCOUNTNO VARCHAR(20),"
	" ONDATE @TS@, ONTIME VARCHAR(5), ENDDATE @TS@, ALARMFLAG VARCHAR(1),"
	" ALARMTIME VARCHAR(5), ALARMDATE @TS@, ACTVCODE VARCHAR(3),"
	" RSVP VARCHAR(1), DURATION INTEGER, RECTYPE VARCHAR(1),"
	" ACONFIRM VARCHAR(3), APPTUSER VARCHAR(10), STATUS VARCHAR(2),"
	" DIRCODE VARCHAR(10), NUMBER1 DOUBLE PRECISION,"
	" NUMBER2 DOUBLE PRECISION, COMPANY VARCHAR(60), REF VARCHAR(80),"
	" NOTES @MEMO@, LINKRECID VARCHAR(15), LDOCRECID VARCHAR(15),"
	" LOPRECID VARCHAR(15), CREATEBY VARCHAR(8), CREATEON @TS@,"
	" CREATEAT VARCHAR(5), LASTUSER VARCHAR(8), LASTDATE @TS@,"
	" LASTTIME VARCHAR(5), CALDEF_ID VARCHAR(15), CALDEFEX_ID VARCHAR(15),"
	" GLOBALID VARCHAR(64), ORIG_TIME VARCHAR(5),"
	" RECID VARCHAR(15) NOT NULL PRIMARY KEY)",
	"CREATE INDEX CALCONT ON CAL (ACCOUNTNO, RECTYPE, ONDATE, ONTIME, RECID)",
	"CREATE TABLE NOTES (CREATEDDATE @TS@, USERID VARCHAR(8),"
	" MODIFIEDDATE @TS@, MODIFIEDBY VARCHAR(8), LOPRECID VARCHAR(15),"
	" ACCOUNTNO VARCHAR(20), NOTE @MEMO@, RECTYPE VARCHAR(8),"
	" EXT VARCHAR(5), RECID VARCHAR(15) NOT NULL PRIMARY KEY)",
	"CREATE TABLE CASES (ACCOUNTNO VARCHAR(20), OWNER VARCHAR(8),"
	" NUMBER VARCHAR(40), IS_TEMPLATE SMALLINT, IS_READ SMALLINT,"
	" STATUS SMALLINT, PRIORITY VARCHAR(40), SOURCE VARCHAR(40),"
	" CATEGORY VARCHAR(40), FTYPE VARCHAR(40), OFFERING VARCHAR(200),"
	" SUBJECT VARCHAR(200), DESCRIPTION @MEMO@, NOTES @MEMO@,"
	" RESOLUTION_TYPE VARCHAR(40), RESOLUTION_NOTE @MEMO@,"
	" DUE_DATE @TS@, RESOLVED_BY VARCHAR(8), RESOLVED_DATE @TS@,"
	" CREATED_BY VARCHAR(8), CREATED_DATE @TS@, MODIFIED_BY VARCHAR(8),"
	" MODIFIED_DATE @TS@, RECID VARCHAR(15) NOT NULL PRIMARY KEY)",
	NULL,
};

static const char *const ledger_ddl[] = {
	"CREATE TABLE GMHOOK_LEDGER (SOURCE VARCHAR(32) NOT NULL,"
	" EVENTID VARCHAR(200) NOT NULL, EVENTTYPE VARCHAR(64),"
	" RECEIVED @TS@, COMMITTED @TS@, ACCOUNTNO VARCHAR(20),"
	" RESULT @MEMO@, PRIMARY KEY (SOURCE, EVENTID))",
	"CREATE TABLE GMHOOK_LINK (LINKKEY VARCHAR(200) NOT NULL,"
	" TABLENAME VARCHAR(16) NOT NULL, RECID VARCHAR(15) NOT NULL,"
	" ACCOUNTNO VARCHAR(20), CREATED @TS@,"
	" PRIMARY KEY (LINKKEY, TABLENAME))",
	NULL,
};

/* Replace the placeholders for @p dialect; caller frees. */
char *gmhook__schema_sql(const char *ddl, int dialect)
{
	bool mssql = dialect == GMHOOK__DIALECT_MSSQL;
	struct gmhook__buf b = { 0 };
	const char *p = ddl;

	while (*p) {
		if (strncmp(p, "@TS@", 4) == 0) {
			gmhook__buf_adds(&b, mssql ? "DATETIME" : "TIMESTAMP");
			p += 4;
		} else if (strncmp(p, "@MEMO@", 6) == 0) {
			gmhook__buf_adds(&b, mssql ? "VARCHAR(MAX)" : "TEXT");
			p += 6;
		} else {
			gmhook__buf_addc(&b, *p++);
		}
	}
	return gmhook__buf_steal(&b);
}

/* The table a CREATE statement makes, or NULL for an index. */
static bool create_table_name(const char *ddl, char *name, size_t size)
{
	const char *p;
	size_t n = 0;

	if (strncmp(ddl, "CREATE TABLE ", 13) != 0) {
		return false;
	}
	for (p = ddl + 13; *p && *p != ' ' && n + 1 < size; p++) {
		name[n++] = *p;
	}
	name[n] = '\0';
	return true;
}

/* Run a list of DDL statements; a table that exists already is kept
 * with its indexes, so init-db can run on any database twice. */
static int run_ddl(struct gmhook__db *db, const char *const *ddl,
                   struct gmhook_error *err)
{
	bool skip = false;
	char table[32];
	char *sql;
	int rc;

	for (; *ddl; ddl++) {
		if (create_table_name(*ddl, table, sizeof(table))) {
			rc = gmhook__db_table_exists(db, table, err);
			if (rc < 0) {
				return rc;
			}
			skip = rc > 0;
		}
		if (skip) {
			continue;
		}
		sql = gmhook__schema_sql(*ddl, gmhook__db_dialect(db));
		if (!sql) {
			return gmhook__error_set(err, GMHOOK_ENOMEM,
			                         GMHOOK_STAGE_COMMIT, "",
			                         "out of memory");
		}
		rc = gmhook__db_exec_direct(db, sql, err);
		free(sql);
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

GMHOOK_API int gmhook_init_db(struct gmhook_ctx *ctx, int ledger_only,
                              struct gmhook_error *err)
{
	struct gmhook__db *db;
	int rc;

	if (!ctx) {
		return gmhook__error_set(err, GMHOOK_EINVAL,
		                         GMHOOK_STAGE_COMMIT, "",
		                         "ctx is NULL");
	}
	rc = gmhook__ctx_db(&db, ctx, err);
	if (rc < 0) {
		return rc;
	}
	rc = ledger_only ? 0 : run_ddl(db, goldmine_ddl, err);
	if (rc == 0) {
		rc = run_ddl(db, ledger_ddl, err);
	}
	if (rc < 0) {
		(void) gmhook__db_rollback(db, NULL);
		return rc;
	}
	return gmhook__db_commit(db, err);
}

const char *const *gmhook__schema_statements(bool ledger_only)
{
	return ledger_only ? ledger_ddl : goldmine_ddl;
}

GMHOOK_API char *gmhook_init_db_sql(const char *dialect, int ledger_only)
{
	struct gmhook__buf b = { 0 };
	const char *const *lists[2] = { goldmine_ddl, ledger_ddl };
	const char *const *ddl;
	int d;
	int i;

	if (gmhook__str_ieq(dialect, "mssql") ||
	    gmhook__str_ieq(dialect, "sqlserver")) {
		d = GMHOOK__DIALECT_MSSQL;
	} else if (gmhook__str_ieq(dialect, "postgresql")) {
		d = GMHOOK__DIALECT_POSTGRESQL;
	} else if (gmhook__str_ieq(dialect, "sqlite")) {
		d = GMHOOK__DIALECT_SQLITE;
	} else {
		return NULL;
	}
	for (i = ledger_only ? 1 : 0; i < 2; i++) {
		for (ddl = lists[i]; *ddl; ddl++) {
			char *sql = gmhook__schema_sql(*ddl, d);

			gmhook__buf_addf(&b, "%s;\n", sql ? sql : "");
			b.failed = b.failed || !sql;
			free(sql);
		}
	}
	return gmhook__buf_steal(&b);
}
