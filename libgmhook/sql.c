/* SPDX-License-Identifier: MIT */
/*
 * Every statement the commit stage runs, in one place, in each dialect:
 * the portable text, and the SQLite, PostgreSQL and SQL Server (T-SQL)
 * forms where they differ (TOP 1 for LIMIT 1, locking hints, the write and
 * match-key locks). Values are always bound; the three templates with %s
 * take GoldMine column names from commit.c's fixed list or checked field
 * names. tests/test-sql.c pins the text of every statement in every
 * dialect against tests/data/sql/<dialect>.sql.
 */
#include <stddef.h>

#include "gmhook-private.h"

struct statement {
	const char *name;
	const char *portable;
	const char *sqlite;     /* NULL: the portable text */
	const char *postgresql; /* NULL: the portable text */
	const char *mssql;      /* NULL: the portable text */
};

static const struct statement statements[GMHOOK__SQL_COUNT] = {
	[GMHOOK__SQL_WRITE_LOCK] = {
		"write_lock",
		"UPDATE GMHOOK_LEDGER SET SOURCE = SOURCE WHERE 1 = 0",
		"UPDATE GMHOOK_LEDGER SET SOURCE = SOURCE WHERE 1 = 0",
		"",
		"",
	},
	[GMHOOK__SQL_LEDGER_LOOKUP] = {
		"ledger_lookup",
		"SELECT RESULT FROM GMHOOK_LEDGER WHERE SOURCE = ? AND"
		  " EVENTID = ?",
		NULL,
		NULL,
		"SELECT RESULT FROM GMHOOK_LEDGER WITH (UPDLOCK, HOLDLOCK)"
		  " WHERE SOURCE = ? AND EVENTID = ?",
	},
	[GMHOOK__SQL_LEDGER_INSERT] = {
		"ledger_insert",
		"INSERT INTO GMHOOK_LEDGER (SOURCE, EVENTID, EVENTTYPE,"
		  " RECEIVED, COMMITTED, ACCOUNTNO, RESULT) VALUES (?, ?, ?,"
		  " ?, ?, ?, ?)",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_LOCK_MATCH_KEY] = {
		"lock_match_key",
		"",
		"",
		"SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(?)))"
		  " AS l",
		"DECLARE @r INT; EXEC @r = sp_getapplock @Resource = ?,"
		  " @LockMode = 'Exclusive', @LockOwner = 'Transaction',"
		  " @LockTimeout = 30000; SELECT @r",
	},
	[GMHOOK__SQL_FIND_BY_EMAIL] = {
		"find_by_email",
		"SELECT ACCOUNTNO FROM CONTSUPP WHERE RECTYPE = 'P' AND"
		  " U_CONTACT = 'E-MAIL ADDRESS' AND U_CONTSUPREF = ? AND"
		  " U_ADDRESS1 = ? ORDER BY ACCOUNTNO",
		"SELECT ACCOUNTNO FROM CONTSUPP WHERE RECTYPE = 'P' AND"
		  " U_CONTACT = 'E-MAIL ADDRESS' AND U_CONTSUPREF = ? AND"
		  " U_ADDRESS1 = ? ORDER BY ACCOUNTNO LIMIT 1",
		"SELECT ACCOUNTNO FROM CONTSUPP WHERE RECTYPE = 'P' AND"
		  " U_CONTACT = 'E-MAIL ADDRESS' AND U_CONTSUPREF = ? AND"
		  " U_ADDRESS1 = ? ORDER BY ACCOUNTNO LIMIT 1",
		"SELECT TOP 1 ACCOUNTNO FROM CONTSUPP WHERE RECTYPE = 'P'"
		  " AND U_CONTACT = 'E-MAIL ADDRESS' AND U_CONTSUPREF = ? AND"
		  " U_ADDRESS1 = ? ORDER BY ACCOUNTNO",
	},
	[GMHOOK__SQL_CONTACT_BY_ACCOUNTNO] = {
		"contact_by_accountno",
		"SELECT RECID, CONTACT FROM CONTACT1 WHERE ACCOUNTNO = ?",
		"SELECT RECID, CONTACT FROM CONTACT1 WHERE ACCOUNTNO = ?"
		  " LIMIT 1",
		"SELECT RECID, CONTACT FROM CONTACT1 WHERE ACCOUNTNO = ?"
		  " LIMIT 1",
		"SELECT TOP 1 RECID, CONTACT FROM CONTACT1 WHERE ACCOUNTNO"
		  " = ?",
	},
	[GMHOOK__SQL_FIND_BY_DETAIL_PHONE] = {
		"find_by_detail_phone",
		"SELECT c.ACCOUNTNO, c.RECID, c.CONTACT FROM CONTSUPP s JOIN"
		  " CONTACT1 c ON c.ACCOUNTNO = s.ACCOUNTNO WHERE s.RECTYPE IN"
		  " ('C', 'P') AND s.PHONE LIKE ? ORDER BY c.ACCOUNTNO",
		"SELECT c.ACCOUNTNO, c.RECID, c.CONTACT FROM CONTSUPP s JOIN"
		  " CONTACT1 c ON c.ACCOUNTNO = s.ACCOUNTNO WHERE s.RECTYPE IN"
		  " ('C', 'P') AND s.PHONE LIKE ? ORDER BY c.ACCOUNTNO LIMIT 1",
		"SELECT c.ACCOUNTNO, c.RECID, c.CONTACT FROM CONTSUPP s JOIN"
		  " CONTACT1 c ON c.ACCOUNTNO = s.ACCOUNTNO WHERE s.RECTYPE IN"
		  " ('C', 'P') AND s.PHONE LIKE ? ORDER BY c.ACCOUNTNO LIMIT 1",
		"SELECT TOP 1 c.ACCOUNTNO, c.RECID, c.CONTACT FROM CONTSUPP s"
		  " JOIN CONTACT1 c ON c.ACCOUNTNO = s.ACCOUNTNO WHERE"
		  " s.RECTYPE IN ('C', 'P') AND s.PHONE LIKE ? ORDER BY"
		  " c.ACCOUNTNO",
	},
	[GMHOOK__SQL_FIND_BY_PHONE] = {
		"find_by_phone",
		"SELECT ACCOUNTNO, RECID, CONTACT FROM CONTACT1 WHERE"
		  " PHONE1 LIKE ? OR PHONE2 LIKE ? OR PHONE3 LIKE ? ORDER BY"
		  " ACCOUNTNO",
		"SELECT ACCOUNTNO, RECID, CONTACT FROM CONTACT1 WHERE"
		  " PHONE1 LIKE ? OR PHONE2 LIKE ? OR PHONE3 LIKE ? ORDER BY"
		  " ACCOUNTNO LIMIT 1",
		"SELECT ACCOUNTNO, RECID, CONTACT FROM CONTACT1 WHERE"
		  " PHONE1 LIKE ? OR PHONE2 LIKE ? OR PHONE3 LIKE ? ORDER BY"
		  " ACCOUNTNO LIMIT 1",
		"SELECT TOP 1 ACCOUNTNO, RECID, CONTACT FROM CONTACT1 WHERE"
		  " PHONE1 LIKE ? OR PHONE2 LIKE ? OR PHONE3 LIKE ? ORDER BY"
		  " ACCOUNTNO",
	},
	[GMHOOK__SQL_INSERT_CONTACT1] = {
		"insert_contact1",
		"INSERT INTO CONTACT1 (ACCOUNTNO, COMPANY, CONTACT,"
		  " LASTNAME, DEPARTMENT, TITLE, SECR, PHONE1, PHONE2,"
		  " PHONE3, FAX, EXT1, ADDRESS1, ADDRESS2, ADDRESS3, CITY,"
		  " STATE, ZIP, COUNTRY, DEAR, SOURCE, KEY1, KEY2, KEY3,"
		  " KEY4, KEY5, MERGECODES, STATUS, CREATEBY, CREATEON,"
		  " CREATEAT, OWNER, LASTUSER, LASTDATE, LASTTIME, U_COMPANY,"
		  " U_CONTACT, U_LASTNAME, U_CITY, U_STATE, U_COUNTRY,"
		  " U_KEY1, U_KEY2, U_KEY3, U_KEY4, U_KEY5, RECID) VALUES (?,"
		  " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		  " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		  " ?, ?, ?, ?, ?, ?, ?, ?)",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_INSERT_CONTACT2] = {
		"insert_contact2",
		"INSERT INTO CONTACT2 (ACCOUNTNO, RECID) VALUES (?, ?)",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_UPDATE_CONTACT1_COLUMN] = {
		"update_contact1_column",
		"UPDATE CONTACT1 SET %s = ? WHERE ACCOUNTNO = ?",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_UPDATE_CONTACT1_SHADOWED] = {
		"update_contact1_shadowed",
		"UPDATE CONTACT1 SET %s = ?, %s = ? WHERE ACCOUNTNO = ?",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_UPDATE_CONTACT1_AUDIT] = {
		"update_contact1_audit",
		"UPDATE CONTACT1 SET LASTUSER = ?, LASTDATE = ?, LASTTIME ="
		  " ? WHERE ACCOUNTNO = ?",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_UPDATE_CONTACT2_COLUMN] = {
		"update_contact2_column",
		"UPDATE CONTACT2 SET %s = ? WHERE ACCOUNTNO = ?",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_EMAIL_EXISTS] = {
		"email_exists",
		"SELECT RECID FROM CONTSUPP WHERE ACCOUNTNO = ? AND RECTYPE"
		  " = 'P' AND U_CONTACT = 'E-MAIL ADDRESS' AND U_CONTSUPREF ="
		  " ? AND U_ADDRESS1 = ?",
		"SELECT RECID FROM CONTSUPP WHERE ACCOUNTNO = ? AND RECTYPE"
		  " = 'P' AND U_CONTACT = 'E-MAIL ADDRESS' AND U_CONTSUPREF ="
		  " ? AND U_ADDRESS1 = ? LIMIT 1",
		"SELECT RECID FROM CONTSUPP WHERE ACCOUNTNO = ? AND RECTYPE"
		  " = 'P' AND U_CONTACT = 'E-MAIL ADDRESS' AND U_CONTSUPREF ="
		  " ? AND U_ADDRESS1 = ? LIMIT 1",
		"SELECT TOP 1 RECID FROM CONTSUPP WHERE ACCOUNTNO = ? AND"
		  " RECTYPE = 'P' AND U_CONTACT = 'E-MAIL ADDRESS' AND"
		  " U_CONTSUPREF = ? AND U_ADDRESS1 = ?",
	},
	[GMHOOK__SQL_HAS_PRIMARY] = {
		"has_primary",
		"SELECT RECID FROM CONTSUPP WHERE ACCOUNTNO = ? AND RECTYPE"
		  " = 'P' AND U_CONTACT = 'E-MAIL ADDRESS' AND ZIP LIKE '_1%'",
		"SELECT RECID FROM CONTSUPP WHERE ACCOUNTNO = ? AND RECTYPE"
		  " = 'P' AND U_CONTACT = 'E-MAIL ADDRESS' AND ZIP LIKE '_1%'"
		  " LIMIT 1",
		"SELECT RECID FROM CONTSUPP WHERE ACCOUNTNO = ? AND RECTYPE"
		  " = 'P' AND U_CONTACT = 'E-MAIL ADDRESS' AND ZIP LIKE '_1%'"
		  " LIMIT 1",
		"SELECT TOP 1 RECID FROM CONTSUPP WHERE ACCOUNTNO = ? AND"
		  " RECTYPE = 'P' AND U_CONTACT = 'E-MAIL ADDRESS' AND ZIP"
		  " LIKE '_1%'",
	},
	[GMHOOK__SQL_INSERT_EMAIL] = {
		"insert_email",
		"INSERT INTO CONTSUPP (ACCOUNTNO, RECTYPE, CONTACT,"
		  " CONTSUPREF, ADDRESS1, ZIP, STATUS, LINKACCT, MERGECODES,"
		  " LASTUSER, LASTDATE, LASTTIME, U_CONTACT, U_CONTSUPREF,"
		  " U_ADDRESS1, RECID) VALUES (?, 'P', 'E-mail Address', ?,"
		  " ?, ?, '00', ?, ?, ?, ?, ?, 'E-MAIL ADDRESS', ?, ?, ?)",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_OPTOUT_CODE] = {
		"optout_code",
		"UPDATE CONTSUPP SET MERGECODES = REPLACE(MERGECODES, ?,"
		  " ''), LASTUSER = ?, LASTDATE = ?, LASTTIME = ? WHERE"
		  " RECTYPE = 'P' AND U_CONTACT = 'E-MAIL ADDRESS' AND"
		  " U_CONTSUPREF = ? AND U_ADDRESS1 = ?",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_OPTOUT_ALL] = {
		"optout_all",
		"UPDATE CONTSUPP SET MERGECODES = '', LASTUSER = ?,"
		  " LASTDATE = ?, LASTTIME = ? WHERE RECTYPE = 'P' AND"
		  " U_CONTACT = 'E-MAIL ADDRESS' AND U_CONTSUPREF = ? AND"
		  " U_ADDRESS1 = ?",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_BOUNCE_FLAG] = {
		"bounce_flag",
		"UPDATE CONTSUPP SET MERGECODES = '', ZIP = '001', LASTUSER"
		  " = ?, LASTDATE = ?, LASTTIME = ? WHERE RECTYPE = 'P' AND"
		  " U_CONTACT = 'E-MAIL ADDRESS' AND U_CONTSUPREF = ? AND"
		  " U_ADDRESS1 = ?",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_BOUNCE_DELETE] = {
		"bounce_delete",
		"DELETE FROM CONTSUPP WHERE RECTYPE = 'P' AND U_CONTACT ="
		  " 'E-MAIL ADDRESS' AND U_CONTSUPREF = ? AND U_ADDRESS1 = ?",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_FIND_DETAIL] = {
		"find_detail",
		"SELECT RECID FROM CONTSUPP WHERE ACCOUNTNO = ? AND RECTYPE"
		  " = 'P' AND U_CONTACT = ? AND U_CONTSUPREF = ?",
		"SELECT RECID FROM CONTSUPP WHERE ACCOUNTNO = ? AND RECTYPE"
		  " = 'P' AND U_CONTACT = ? AND U_CONTSUPREF = ? LIMIT 1",
		"SELECT RECID FROM CONTSUPP WHERE ACCOUNTNO = ? AND RECTYPE"
		  " = 'P' AND U_CONTACT = ? AND U_CONTSUPREF = ? LIMIT 1",
		"SELECT TOP 1 RECID FROM CONTSUPP WHERE ACCOUNTNO = ? AND"
		  " RECTYPE = 'P' AND U_CONTACT = ? AND U_CONTSUPREF = ?",
	},
	[GMHOOK__SQL_INSERT_DETAIL] = {
		"insert_detail",
		"INSERT INTO CONTSUPP (ACCOUNTNO, RECTYPE, CONTACT,"
		  " CONTSUPREF, NOTES, STATUS, LASTUSER, LASTDATE, LASTTIME,"
		  " U_CONTACT, U_CONTSUPREF, U_ADDRESS1, RECID) VALUES (?,"
		  " 'P', ?, ?, ?, '00', ?, ?, ?, ?, ?, '', ?)",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_INSERT_HISTORY] = {
		"insert_history",
		"INSERT INTO CONTHIST (USERID, ACCOUNTNO, SRECTYPE,"
		  " RECTYPE, ONDATE, ONTIME, ACTVCODE, RESULTCODE, STATUS,"
		  " DURATION, UNITS, REF, NOTES, LINKRECID, LOPRECID,"
		  " CREATEBY, CREATEON, CREATEAT, LASTUSER, LASTDATE,"
		  " LASTTIME, COMPLETEDID, RECID) VALUES (?, ?, ?, ?, ?, ?,"
		  " ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?, ?, ?, '', ?)",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_INSERT_LINK] = {
		"insert_link",
		"INSERT INTO GMHOOK_LINK (LINKKEY, TABLENAME, RECID,"
		  " ACCOUNTNO, CREATED) VALUES (?, ?, ?, ?, ?)",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_WAS_CANCELED] = {
		"was_canceled",
		"SELECT RECID FROM GMHOOK_LINK WHERE LINKKEY = ? AND"
		  " TABLENAME = 'CANCELED'",
		"SELECT RECID FROM GMHOOK_LINK WHERE LINKKEY = ? AND"
		  " TABLENAME = 'CANCELED' LIMIT 1",
		"SELECT RECID FROM GMHOOK_LINK WHERE LINKKEY = ? AND"
		  " TABLENAME = 'CANCELED' LIMIT 1",
		"SELECT TOP 1 RECID FROM GMHOOK_LINK WHERE LINKKEY = ? AND"
		  " TABLENAME = 'CANCELED'",
	},
	[GMHOOK__SQL_INSERT_CAL] = {
		"insert_cal",
		"INSERT INTO CAL (USERID, ACCOUNTNO, ONDATE, ONTIME,"
		  " ENDDATE, ALARMFLAG, ALARMTIME, ACTVCODE, RSVP, DURATION,"
		  " RECTYPE, ACONFIRM, APPTUSER, STATUS, COMPANY, REF, NOTES,"
		  " LINKRECID, LOPRECID, CREATEBY, CREATEON, CREATEAT,"
		  " LASTUSER, LASTDATE, LASTTIME, ORIG_TIME, RECID) VALUES"
		  " (?, ?, ?, ?, ?, 'N', '', ?, 'N', ?, ?, '', '', ?, ?, ?,"
		  " ?, '', '', ?, ?, ?, ?, ?, ?, ?, ?)",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_FIND_CAL_LINK] = {
		"find_cal_link",
		"SELECT RECID FROM GMHOOK_LINK WHERE LINKKEY = ? AND"
		  " TABLENAME = 'CAL'",
		"SELECT RECID FROM GMHOOK_LINK WHERE LINKKEY = ? AND"
		  " TABLENAME = 'CAL' LIMIT 1",
		"SELECT RECID FROM GMHOOK_LINK WHERE LINKKEY = ? AND"
		  " TABLENAME = 'CAL' LIMIT 1",
		"SELECT TOP 1 RECID FROM GMHOOK_LINK WHERE LINKKEY = ? AND"
		  " TABLENAME = 'CAL'",
	},
	[GMHOOK__SQL_DELETE_CAL] = {
		"delete_cal",
		"DELETE FROM CAL WHERE RECID = ?",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_DELETE_CAL_LINK] = {
		"delete_cal_link",
		"DELETE FROM GMHOOK_LINK WHERE LINKKEY = ? AND TABLENAME ="
		  " 'CAL'",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_INSERT_NOTE] = {
		"insert_note",
		"INSERT INTO NOTES (CREATEDDATE, USERID, MODIFIEDDATE,"
		  " MODIFIEDBY, LOPRECID, ACCOUNTNO, NOTE, RECTYPE, EXT,"
		  " RECID) VALUES (?, ?, ?, ?, ?, ?, ?, 'C1', 'html', ?)",
		NULL,
		NULL,
		NULL,
	},
	[GMHOOK__SQL_CASE_LINKED] = {
		"case_linked",
		"SELECT RECID FROM GMHOOK_LINK WHERE LINKKEY = ? AND"
		  " TABLENAME = 'CASES'",
		"SELECT RECID FROM GMHOOK_LINK WHERE LINKKEY = ? AND"
		  " TABLENAME = 'CASES' LIMIT 1",
		"SELECT RECID FROM GMHOOK_LINK WHERE LINKKEY = ? AND"
		  " TABLENAME = 'CASES' LIMIT 1",
		"SELECT TOP 1 RECID FROM GMHOOK_LINK WHERE LINKKEY = ? AND"
		  " TABLENAME = 'CASES'",
	},
	[GMHOOK__SQL_INSERT_CASE] = {
		"insert_case",
		"INSERT INTO CASES (ACCOUNTNO, OWNER, NUMBER, IS_TEMPLATE,"
		  " IS_READ, STATUS, PRIORITY, SOURCE, CATEGORY, FTYPE,"
		  " SUBJECT, DESCRIPTION, CREATED_BY, CREATED_DATE,"
		  " MODIFIED_BY, MODIFIED_DATE, RECID) VALUES (?, ?, ?, 0, 0,"
		  " 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		NULL,
		NULL,
		NULL,
	},
	/* A batch commits a group of events in one transaction with a
	 * savepoint per event, so one event's failure undoes only its own
	 * rows. SQL Server has no RELEASE: a savepoint ends with the
	 * transaction. */
	[GMHOOK__SQL_SAVEPOINT] = {
		"savepoint",
		"SAVEPOINT gmhook_event",
		NULL,
		NULL,
		"SAVE TRANSACTION gmhook_event",
	},
	[GMHOOK__SQL_ROLLBACK_TO_SAVEPOINT] = {
		"rollback_to_savepoint",
		"ROLLBACK TO SAVEPOINT gmhook_event",
		NULL,
		NULL,
		"ROLLBACK TRANSACTION gmhook_event",
	},
	[GMHOOK__SQL_RELEASE_SAVEPOINT] = {
		"release_savepoint",
		"RELEASE SAVEPOINT gmhook_event",
		NULL,
		NULL,
		"",
	},
};

const char *gmhook__sql(int id, int dialect)
{
	const struct statement *s;
	const char *text = NULL;

	if (id < 0 || id >= GMHOOK__SQL_COUNT) {
		return "";
	}
	s = &statements[id];
	switch (dialect) {
	case GMHOOK__DIALECT_SQLITE:
		text = s->sqlite;
		break;
	case GMHOOK__DIALECT_POSTGRESQL:
		text = s->postgresql;
		break;
	case GMHOOK__DIALECT_MSSQL:
		text = s->mssql;
		break;
	default:
		break;
	}
	return text ? text : s->portable;
}

const char *gmhook__sql_name(int id)
{
	return id >= 0 && id < GMHOOK__SQL_COUNT ? statements[id].name : "";
}
