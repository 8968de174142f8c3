/* SPDX-License-Identifier: MIT */
/*
 * Stage 4, commit: a plan's actions become GoldMine rows, one database
 * transaction per event, together with the event's ledger row. The ledger
 * (GMHOOK_LEDGER, unique on source + event id) is read first and written
 * last in the same transaction, so an event is applied exactly once even
 * when two deliveries race: the loser's insert hits the unique key, rolls
 * back and answers "duplicate" with the first result. Every statement is
 * parameter-bound; the only names put into SQL text are GoldMine column
 * names from the fixed list below, never text from a payload or a plan.
 * gmhook_commit_batch() commits a group of plans in one transaction
 * instead, each event inside its own savepoint, so one event's failure
 * (or duplicate) undoes only that event's rows.
 */
#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmhook-private.h"

#define COMMIT GMHOOK_STAGE_COMMIT

/* Buffers for column values, in bytes: a character takes up to 4 bytes
 * in UTF-8, so 40 characters need 160. */
#define SHADOW_SIZE 256
#define EMAIL_PART  256

/* Event ids longer than the ledger column are stored as their digest. */
#define LEDGER_ID_MAX 200

struct run {
	struct gmhook_ctx *ctx;
	struct gmhook__db *db;
	bool dry_run;
	bool grouped;      /* a savepoint per event inside a group */
	bool group_broken; /* a savepoint statement failed: the group is lost */
	char date[11];     /* today in the server's zone, "YYYY-MM-DD" */
	char hhmm[6];      /* now, "HH:MM" */
	struct tm now_tm;
	int64_t now;
	/* the contact the current event's actions apply to */
	char accountno[21];
	char contact_recid[16];
	char contact_name[41];
	bool have_contact;
	bool no_contact; /* contact.find found nobody: skip contact actions */
	json_object *records;
	json_object *warnings;
	json_object *sql;
	const char *signature_note; /* "not checked: ..." from the plan */
	bool signature_verified;    /* the plan's, see struct gmhook_plan */
	char path[128]; /* pointer of the current action in the plan */
	/* values cut to this database's columns, freed after each action */
	char *cuts[16];
	size_t n_cuts;
};

/* ==== Parameters and statement execution ==== */

static struct gmhook__param p_text(const char *s)
{
	struct gmhook__param p = { GMHOOK__P_TEXT, s ? s : "", 0, 0, { 0 } };

	return p;
}

static struct gmhook__param p_int(int64_t i)
{
	struct gmhook__param p = { GMHOOK__P_INT, NULL, i, 0, { 0 } };

	return p;
}

/* A date "YYYY-MM-DD" at midnight, as GoldMine stores dates. */
static struct gmhook__param p_date(const char *ymd)
{
	struct gmhook__param p = { GMHOOK__P_TIMESTAMP, NULL, 0, 0, { 0 } };

	if (ymd && sscanf(ymd, "%4d-%2d-%2d", &p.ts.tm_year, &p.ts.tm_mon,
	                  &p.ts.tm_mday) == 3) {
		p.ts.tm_year -= 1900;
		p.ts.tm_mon -= 1;
	} else {
		p.type = GMHOOK__P_NULL;
	}
	return p;
}

static struct gmhook__param p_datetime(const struct tm *tm)
{
	struct gmhook__param p = { GMHOOK__P_TIMESTAMP, NULL, 0, 0, { 0 } };

	p.ts = *tm;
	return p;
}

static json_object *param_json(const struct gmhook__param *p)
{
	char buf[32];

	switch (p->type) {
	case GMHOOK__P_TEXT:
		return json_object_new_string(p->s);
	case GMHOOK__P_INT:
		return json_object_new_int64(p->i);
	case GMHOOK__P_DOUBLE:
		return json_object_new_double(p->d);
	case GMHOOK__P_TIMESTAMP:
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &p->ts);
		return json_object_new_string(buf);
	default:
		return NULL;
	}
}

/*
 * Run a statement. In a dry run, writes are recorded with their
 * parameters instead of executed; reads always run, so the SQL shown is
 * the SQL a real commit would run now.
 */
static int exec(struct run *r, const char *sql, const struct gmhook__param *p,
                size_t n, struct gmhook__row *row, struct gmhook_error *err)
{
	json_object *entry;
	json_object *params;
	size_t i;

	if (!r->dry_run || row) {
		return gmhook__db_exec(r->db, sql, p, n, row, err);
	}
	entry = json_object_new_object();
	params = json_object_new_array();
	if (!entry || !params) {
		json_object_put(entry);
		json_object_put(params);
		return gmhook__error_set(err, GMHOOK_ENOMEM, COMMIT, "",
		                         "out of memory");
	}
	for (i = 0; i < n; i++) {
		json_object_array_add(params, param_json(&p[i]));
	}
	json_object_object_add(entry, "sql", json_object_new_string(sql));
	json_object_object_add(entry, "params", params);
	json_object_array_add(r->sql, entry);
	return 1;
}

static void record(struct run *r, const char *table, const char *recid,
                   const char *op)
{
	json_object *rec = json_object_new_object();

	if (!rec) {
		return;
	}
	json_object_object_add(rec, "table", json_object_new_string(table));
	json_object_object_add(rec, "recid", json_object_new_string(recid));
	json_object_object_add(rec, "op", json_object_new_string(op));
	json_object_array_add(r->records, rec);
}

static void warn(struct run *r, const char *fmt, ...) GMHOOK_PRINTF(2, 3);

static void warn(struct run *r, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	json_object_array_add(r->warnings, json_object_new_string(message));
	log_warn(r->ctx, "%s", message);
}

/* ==== Plan values ==== */

/*
 * A string field of an action, checked against its column size. Plans
 * can be hand-edited JSON, so commit re-checks what map guaranteed.
 */
static int field(const char **out, struct run *r, json_object *action,
                 const char *key, size_t max, bool required,
                 struct gmhook_error *err)
{
	json_object *v = NULL;
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", r->path, key);
	*out = "";
	if (!json_object_object_get_ex(action, key, &v) ||
	    json_object_is_type(v, json_type_null)) {
		if (required) {
			return gmhook__error_set(err, GMHOOK_EMAP, COMMIT, path,
			                         "the action needs %s", key);
		}
		return 0;
	}
	if (!json_object_is_type(v, json_type_string)) {
		return gmhook__error_set(err, GMHOOK_EMAP, COMMIT, path,
		                         "must be a string");
	}
	*out = json_object_get_string(v);
	if (max && gmhook__utf8_chars(*out) > max) {
		return gmhook__error_set(err, GMHOOK_EMAP, COMMIT, path,
		                         "longer than its column (%zu)", max);
	}
	return 0;
}

/* Upper-cased copy for a U_ column (@p size bytes, enough for the
 * column's characters in UTF-8). */
static void shadow(char *out, size_t size, const char *s)
{
	snprintf(out, size, "%s", s);
	gmhook__str_upper(out);
}

/* Split an address as GoldMine stores it: 35 characters in CONTSUPREF,
 * the rest in ADDRESS1. */
static void split_email(const char *address, char ref[EMAIL_PART],
                        char rest[EMAIL_PART], char u_ref[EMAIL_PART],
                        char u_rest[EMAIL_PART])
{
	size_t cut = gmhook__utf8_prefix(address, 35);

	snprintf(ref, EMAIL_PART, "%.*s", (int) cut, address);
	snprintf(rest, EMAIL_PART, "%s", address + cut);
	shadow(u_ref, EMAIL_PART, ref);
	shadow(u_rest, EMAIL_PART, rest);
}

static int field_error(struct run *r, const char *key, struct gmhook_error *err,
                       const char *fmt, ...) GMHOOK_PRINTF(4, 5);

/* A plan error at the action's field @p key. */
static int field_error(struct run *r, const char *key, struct gmhook_error *err,
                       const char *fmt, ...)
{
	char message[200];
	char path[192];
	va_list ap;

	snprintf(path, sizeof(path), "%s", r->path);
	gmhook__path_push(path, sizeof(path), key);
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return gmhook__error_set(err, GMHOOK_EMAP, COMMIT, path, "%s", message);
}

/* ==== The database's own column sizes ==== */

static void live_add(const char *column, long size, void *arg)
{
	struct gmhook__live_table *t = arg;

	if (t->n == GMHOOK__LIVE_COLUMNS) {
		return;
	}
	snprintf(t->cols[t->n].name, sizeof(t->cols[t->n].name), "%s", column);
	gmhook__str_upper(t->cols[t->n].name);
	t->cols[t->n].size = size;
	t->n++;
}

/* The catalog entry of a table commit writes; NULL for any other. */
static struct gmhook__live_table *live_named(struct gmhook__live_schema *live,
                                             const char *table)
{
	static const struct {
		const char *name;
		size_t offset;
	} tables[] = {
		{ "CONTACT1", offsetof(struct gmhook__live_schema, contact1) },
		{ "CONTACT2", offsetof(struct gmhook__live_schema, contact2) },
		{ "CONTSUPP", offsetof(struct gmhook__live_schema, contsupp) },
		{ "CONTHIST", offsetof(struct gmhook__live_schema, conthist) },
		{ "CAL", offsetof(struct gmhook__live_schema, cal) },
		{ "NOTES", offsetof(struct gmhook__live_schema, notes) },
		{ "CASES", offsetof(struct gmhook__live_schema, cases) },
	};

	size_t i;

	for (i = 0; live && i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (strcmp(tables[i].name, table) == 0) {
			return (struct gmhook__live_table *) ((char *) live +
			                                      tables[i].offset);
		}
	}
	return NULL;
}

static long live_size(const struct gmhook__live_table *t, const char *column);

struct live_need {
	const struct gmhook__live_table *t;
	const char *table;
	struct gmhook_error *err;
};

static int live_need_column(const char *column, void *arg)
{
	struct live_need *need = arg;

	if (live_size(need->t, column) >= 0) {
		return 0;
	}
	return gmhook__error_set(
	        need->err, GMHOOK_ECONFIG, COMMIT, "",
	        "%s has no column %s in this database; gmhook writes it (docs/databases.md)",
	        need->table, column);
}

/*
 * A table the catalog did not list is missing, or the catalog read found
 * nothing (SQLite's driver answers so under another writer's lock). A
 * query tells them apart: 1 the table is there, 0 it is not, negative
 * when the database cannot answer now.
 */
static int table_answers(struct gmhook__db *db, const char *table,
                         struct gmhook_error *err)
{
	struct gmhook__row row = { 0 };
	char sql[64];
	int rc;

	snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE 1 = 0", table);
	rc = gmhook__db_exec(db, sql, NULL, 0, &row, err);
	gmhook__row_clear(&row);
	(void) gmhook__db_rollback(db, NULL);
	if (rc == GMHOOK_EDB) {
		return 0;
	}
	return rc < 0 ? rc : 1;
}

/*
 * Every table and column commit's statements name must exist, or the
 * first event that reaches the statement would fail with a database
 * error and be spooled forever: it is a configuration error before
 * anything is written instead.
 */
static int live_check(struct gmhook__live_schema *live, struct gmhook__db *db,
                      struct gmhook_error *err)
{
	const char *const *table;
	struct live_need need;
	int rc;

	for (table = gmhook__schema_tables(); *table; table++) {
		need.t = live_named(live, *table);
		need.table = *table;
		need.err = err;
		if (!need.t) {
			continue;
		}
		rc = need.t->n ? 1 : table_answers(db, *table, err);
		if (rc == 0) {
			return gmhook__error_set(
			        err, GMHOOK_ECONFIG, COMMIT, "",
			        "the database has no table %s (or gmhook's login cannot see it); gmhook writes it",
			        *table);
		}
		if (rc > 0 && need.t->n) {
			rc = gmhook__schema_columns_used(
			        *table, live_need_column, &need);
		}
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

/*
 * Read the real columns of every GoldMine table commit writes from the
 * catalog, once per connection: a site may have widened or narrowed
 * them, and its custom CONTACT2 fields exist only there. When the
 * catalog cannot be read (a driver without catalog functions, a login
 * without the right) or lists none of them, GoldMine's documented sizes
 * are all there is and nothing is checked. A lost connection is still an
 * error: the event waits in the spool.
 */
static int live_load(struct gmhook_ctx *ctx, struct gmhook__db *db,
                     struct gmhook_error *err)
{
	struct gmhook_error catalog = GMHOOK_ERROR_INIT;
	const char *const *table;
	size_t listed = 0;
	int rc = 0;

	if (ctx->live && ctx->live->db == db) {
		return 0;
	}
	if (!ctx->live) {
		ctx->live = calloc(1, sizeof(*ctx->live));
		if (!ctx->live) {
			return gmhook__error_set(err, GMHOOK_ENOMEM, COMMIT, "",
			                         "out of memory");
		}
	}
	memset(ctx->live, 0, sizeof(*ctx->live));
	for (table = gmhook__schema_tables(); rc >= 0 && *table; table++) {
		rc = gmhook__db_columns(db, *table, live_add,
		                        live_named(ctx->live, *table),
		                        &catalog);
		listed += rc > 0;
	}
	(void) gmhook__db_rollback(db, NULL);
	if (rc == GMHOOK_EDB) {
		log_warn(
		        ctx,
		        "the database's catalog cannot be read (%s); values are cut to GoldMine's documented sizes and no columns are checked",
		        catalog.message);
		memset(ctx->live, 0, sizeof(*ctx->live));
		listed = 0;
		rc = 0;
	} else if (rc < 0 && err) {
		*err = catalog;
	}
	if (rc >= 0 && listed > 0) {
		rc = live_check(ctx->live, db, err);
	}
	if (rc < 0) {
		return rc;
	}
	/* An empty answer is read again at the next commit: it may have
	 * been a lock, not a catalog without these tables. */
	ctx->live->db = listed > 0 || catalog.code ? db : NULL;
	return 0;
}

/* The size of @p column, 0 when not a character column, -1 when the
 * catalog does not list it. */
static long live_size(const struct gmhook__live_table *t, const char *column)
{
	size_t i;

	for (i = 0; t && i < t->n; i++) {
		if (strcmp(t->cols[i].name, column) == 0) {
			return t->cols[i].size;
		}
	}
	return -1;
}

/*
 * Fit @p value to the column's size in this database (plans are cut to
 * GoldMine's documented sizes; a site's may be smaller). A cut adds a
 * warning, or fails when the overflow option is "reject".
 */
static int live_fit(struct run *r, const struct gmhook__live_table *t,
                    const char *table, const char *column, const char *value,
                    char *buf, size_t size, const char **out,
                    struct gmhook_error *err)
{
	long max = live_size(t, column);
	size_t chars = gmhook__utf8_chars(value);
	size_t cut;

	*out = value;
	if (max <= 0 || chars <= (size_t) max) {
		return 0;
	}
	if (r->ctx->opts.overflow == GMHOOK_OVERFLOW_REJECT) {
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, COMMIT, r->path,
		        "%s.%s holds %ld characters in this database; the value has %zu",
		        table, column, max, chars);
	}
	cut = gmhook__utf8_prefix(value, (size_t) max);
	snprintf(buf, size, "%.*s", (int) cut, value);
	warn(r,
	     "%s.%s: cut from %zu to %ld characters (the column's size in this database)",
	     table, column, chars, max);
	*out = buf;
	return 0;
}

static const struct gmhook__live_table *live_table(struct run *r, int which)
{
	if (!r->ctx->live) {
		return NULL;
	}
	return which == 1 ? &r->ctx->live->contact1 : &r->ctx->live->contact2;
}

/*
 * Fit *@p value to @p table.@p column as this database declares it, as
 * live_fit(); a cut value is kept until the action ends. Without a
 * catalog the value stays as the plan has it, already checked against
 * GoldMine's documented size.
 */
static int fit(struct run *r, const char *table, const char *column,
               const char **value, struct gmhook_error *err)
{
	const struct gmhook__live_table *t = live_named(r->ctx->live, table);
	long max = live_size(t, column);
	size_t size;
	char *buf;

	if (max <= 0 || gmhook__utf8_chars(*value) <= (size_t) max) {
		return 0;
	}
	assert(r->n_cuts < sizeof(r->cuts) / sizeof(r->cuts[0]));
	size = strlen(*value) + 1;
	buf = malloc(size);
	if (!buf) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, COMMIT, "",
		                         "out of memory");
	}
	r->cuts[r->n_cuts++] = buf;
	return live_fit(r, t, table, column, *value, buf, size, value, err);
}

struct fit_field {
	const char *column;
	const char **value;
};

/* fit() for several columns of one table. */
static int fit_all(struct run *r, const char *table,
                   const struct fit_field *fields, size_t n,
                   struct gmhook_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = fit(r, table, fields[i].column, fields[i].value, err);
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

static void free_cuts(struct run *r)
{
	while (r->n_cuts > 0) {
		free(r->cuts[--r->n_cuts]);
	}
}

/* ==== contact.upsert ==== */

/* CONTACT1 columns a plan may set, with their shadow column if any. */
static const struct {
	const char *column;
	const char *shadow;
} contact1_columns[] = {
	{ "COMPANY", "U_COMPANY" },
	{ "CONTACT", "U_CONTACT" },
	{ "LASTNAME", "U_LASTNAME" },
	{ "DEPARTMENT", NULL },
	{ "TITLE", NULL },
	{ "SECR", NULL },
	{ "PHONE1", NULL },
	{ "PHONE2", NULL },
	{ "PHONE3", NULL },
	{ "FAX", NULL },
	{ "EXT1", NULL },
	{ "ADDRESS1", NULL },
	{ "ADDRESS2", NULL },
	{ "ADDRESS3", NULL },
	{ "CITY", "U_CITY" },
	{ "STATE", "U_STATE" },
	{ "ZIP", NULL },
	{ "COUNTRY", "U_COUNTRY" },
	{ "DEAR", NULL },
	{ "SOURCE", NULL },
	{ "KEY1", "U_KEY1" },
	{ "KEY2", "U_KEY2" },
	{ "KEY3", "U_KEY3" },
	{ "KEY4", "U_KEY4" },
	{ "KEY5", "U_KEY5" },
	{ "MERGECODES", NULL },
};

#define N_CONTACT1 (sizeof(contact1_columns) / sizeof(contact1_columns[0]))

static int contact1_index(const char *column)
{
	size_t i;

	for (i = 0; i < N_CONTACT1; i++) {
		if (strcmp(contact1_columns[i].column, column) == 0) {
			return (int) i;
		}
	}
	return -1;
}

/* Check every key of the plan's "contact1" object against the list. */
static int check_contact1(struct run *r, json_object *c1, const char *group,
                          struct gmhook_error *err)
{
	char path[192];
	size_t max;

	json_object_object_foreach (c1, key, value) {
		snprintf(path, sizeof(path), "%s/%s", r->path, group);
		gmhook__path_push(path, sizeof(path), key);
		if (contact1_index(key) < 0) {
			return gmhook__error_set(
			        err, GMHOOK_EMAP, COMMIT, path,
			        "not a CONTACT1 column gmhook writes");
		}
		if (!json_object_is_type(value, json_type_string)) {
			return gmhook__error_set(err, GMHOOK_EMAP, COMMIT, path,
			                         "must be a string");
		}
		max = gmhook__column_size("CONTACT1", key);
		if (max &&
		    gmhook__utf8_chars(json_object_get_string(value)) > max) {
			return gmhook__error_set(
			        err, GMHOOK_EMAP, COMMIT, path,
			        "longer than CONTACT1.%s (%zu)", key, max);
		}
	}
	return 0;
}

static int find_contact_by_email(struct run *r, const char *email,
                                 struct gmhook_error *err)
{
	const char *sql_email = gmhook__sql(GMHOOK__SQL_FIND_BY_EMAIL,
	                                    gmhook__db_dialect(r->db));
	const char *sql_contact = gmhook__sql(GMHOOK__SQL_CONTACT_BY_ACCOUNTNO,
	                                      gmhook__db_dialect(r->db));
	struct gmhook__row row = { 0 };
	struct gmhook__param p[2];
	char ref[EMAIL_PART], rest[EMAIL_PART], u_ref[EMAIL_PART],
	        u_rest[EMAIL_PART];
	int rc;

	split_email(email, ref, rest, u_ref, u_rest);
	p[0] = p_text(u_ref);
	p[1] = p_text(u_rest);
	rc = exec(r, sql_email, p, 2, &row, err);
	if (rc <= 0) {
		return rc;
	}
	snprintf(r->accountno, sizeof(r->accountno), "%s",
	         row.cols[0] ? row.cols[0] : "");
	gmhook__row_clear(&row);
	p[0] = p_text(r->accountno);
	rc = exec(r, sql_contact, p, 1, &row, err);
	if (rc > 0) {
		snprintf(r->contact_recid, sizeof(r->contact_recid), "%s",
		         row.cols[0] ? row.cols[0] : "");
		snprintf(r->contact_name, sizeof(r->contact_name), "%s",
		         row.n_cols > 1 && row.cols[1] ? row.cols[1] : "");
	}
	gmhook__row_clear(&row);
	return rc;
}

static int insert_contact(struct run *r, json_object *c1, json_object *c1_new,
                          const char *source, struct gmhook_error *err)
{
	const char *sql_contact2 = gmhook__sql(GMHOOK__SQL_INSERT_CONTACT2,
	                                       gmhook__db_dialect(r->db));
	struct gmhook__param p[47];
	char shadows[N_CONTACT1][SHADOW_SIZE];
	char fitted[N_CONTACT1][SHADOW_SIZE];
	const char *v[N_CONTACT1];
	char recid2[16];
	size_t i;
	size_t n = 0;
	int rc;

	for (i = 0; i < N_CONTACT1; i++) {
		json_object *value = NULL;

		v[i] = "";
		if (c1 && json_object_object_get_ex(
		                  c1, contact1_columns[i].column, &value)) {
			v[i] = json_object_get_string(value);
		}
		if (!v[i][0] && c1_new &&
		    json_object_object_get_ex(
		            c1_new, contact1_columns[i].column, &value)) {
			v[i] = json_object_get_string(value);
		}
		rc = live_fit(r, live_table(r, 1), "CONTACT1",
		              contact1_columns[i].column, v[i], fitted[i],
		              sizeof(fitted[i]), &v[i], err);
		if (rc < 0) {
			return rc;
		}
		shadow(shadows[i], sizeof(shadows[i]), v[i]);
	}
	if (!v[contact1_index("SOURCE")][0]) {
		v[contact1_index("SOURCE")] = source;
	}
	if (!v[contact1_index("MERGECODES")][0]) {
		v[contact1_index("MERGECODES")] = r->ctx->merge_codes;
	}
	gmhook__accountno(r->accountno, r->now,
	                  v[1][0] ? v[1] : v[0]); /* CONTACT, else COMPANY */
	gmhook__recid(r->contact_recid, r->now);
	snprintf(r->contact_name, sizeof(r->contact_name), "%s", v[1]);
	p[n++] = p_text(r->accountno);
	for (i = 0; i < N_CONTACT1; i++) {
		p[n++] = p_text(v[i]);
	}
	p[n++] = p_text("U0");
	p[n++] = p_text(r->ctx->user);
	p[n++] = p_date(r->date);
	p[n++] = p_text(r->hhmm);
	p[n++] = p_text(r->ctx->owner);
	p[n++] = p_text(r->ctx->user);
	p[n++] = p_date(r->date);
	p[n++] = p_text(r->hhmm);
	p[n++] = p_text(shadows[contact1_index("COMPANY")]);
	p[n++] = p_text(shadows[contact1_index("CONTACT")]);
	p[n++] = p_text(shadows[contact1_index("LASTNAME")]);
	p[n++] = p_text(shadows[contact1_index("CITY")]);
	p[n++] = p_text(shadows[contact1_index("STATE")]);
	p[n++] = p_text(shadows[contact1_index("COUNTRY")]);
	p[n++] = p_text(shadows[contact1_index("KEY1")]);
	p[n++] = p_text(shadows[contact1_index("KEY2")]);
	p[n++] = p_text(shadows[contact1_index("KEY3")]);
	p[n++] = p_text(shadows[contact1_index("KEY4")]);
	p[n++] = p_text(shadows[contact1_index("KEY5")]);
	p[n++] = p_text(r->contact_recid);
	rc = exec(r,
	          gmhook__sql(GMHOOK__SQL_INSERT_CONTACT1,
	                      gmhook__db_dialect(r->db)),
	          p, n, NULL, err);
	if (rc < 0) {
		return rc;
	}
	record(r, "CONTACT1", r->contact_recid, "insert");
	gmhook__recid(recid2, r->now);
	p[0] = p_text(r->accountno);
	p[1] = p_text(recid2);
	rc = exec(r, sql_contact2, p, 2, NULL, err);
	if (rc >= 0) {
		record(r, "CONTACT2", recid2, "insert");
	}
	return rc < 0 ? rc : 0;
}

/* Update the mapped, non-empty fields of an existing contact, one
 * statement per column so each text is prepared once and reused. */
static int update_contact(struct run *r, json_object *c1,
                          struct gmhook_error *err)
{
	const char *sql_audit = gmhook__sql(GMHOOK__SQL_UPDATE_CONTACT1_AUDIT,
	                                    gmhook__db_dialect(r->db));
	struct gmhook__param p[4];
	char sql[160];
	char upper[SHADOW_SIZE];
	int idx;
	int rc;

	json_object_object_foreach (c1, key, value) {
		const char *s = json_object_get_string(value);
		char fitted[SHADOW_SIZE];

		idx = contact1_index(key);
		if (idx < 0 || !s[0] || strcmp(key, "SOURCE") == 0) {
			continue;
		}
		rc = live_fit(r, live_table(r, 1), "CONTACT1", key, s, fitted,
		              sizeof(fitted), &s, err);
		if (rc < 0) {
			return rc;
		}
		shadow(upper, sizeof(upper), s);
		if (contact1_columns[idx].shadow) {
			snprintf(sql, sizeof(sql),
			         gmhook__sql(
			                 GMHOOK__SQL_UPDATE_CONTACT1_SHADOWED,
			                 gmhook__db_dialect(r->db)),
			         contact1_columns[idx].column,
			         contact1_columns[idx].shadow);
			p[0] = p_text(s);
			p[1] = p_text(upper);
			p[2] = p_text(r->accountno);
			rc = exec(r, sql, p, 3, NULL, err);
		} else {
			snprintf(sql, sizeof(sql),
			         gmhook__sql(GMHOOK__SQL_UPDATE_CONTACT1_COLUMN,
			                     gmhook__db_dialect(r->db)),
			         contact1_columns[idx].column);
			p[0] = p_text(s);
			p[1] = p_text(r->accountno);
			rc = exec(r, sql, p, 2, NULL, err);
		}
		if (rc < 0) {
			return rc;
		}
	}
	p[0] = p_text(r->ctx->user);
	p[1] = p_date(r->date);
	p[2] = p_text(r->hhmm);
	p[3] = p_text(r->accountno);
	rc = exec(r, sql_audit, p, 4, NULL, err);
	if (rc >= 0) {
		record(r, "CONTACT1", r->contact_recid, "update");
	}
	return rc < 0 ? rc : 0;
}

/*
 * GoldMine has no unique key on e-mail addresses, so two processes
 * delivering events for the same new person could both find no contact
 * and both create one. A database lock on the normalised address, held
 * until the transaction ends, makes the second wait for the first: an
 * advisory transaction lock on PostgreSQL, an application lock on SQL
 * Server. SQLite needs none: begin_event() already holds the write lock.
 */
static int lock_match_key(struct run *r, const char *email,
                          struct gmhook_error *err)
{
	const char *sql = gmhook__sql(GMHOOK__SQL_LOCK_MATCH_KEY,
	                              gmhook__db_dialect(r->db));
	struct gmhook__row row = { 0 };
	struct gmhook__param p[1];
	char key[96];
	int rc;

	if (!sql[0]) {
		return 0;
	}
	snprintf(key, sizeof(key), "gmhook:email:%s", email);
	gmhook__str_upper(key);
	p[0] = p_text(key);
	rc = gmhook__db_exec(r->db, sql, p, 1, &row, err);
	gmhook__row_clear(&row);
	return rc < 0 ? rc : 0;
}

/*
 * A LIKE pattern for a phone number whatever its formatting: its last ten
 * digits with '%' between them, so "+1 (555) 010-4477" and
 * "5550104477" both match "(555)010-4477" as GoldMine formats it.
 */
static bool phone_pattern(char *out, size_t size, const char *phone)
{
	char digits[32];
	size_t n = 0;
	size_t i;
	size_t w = 0;

	for (; *phone && n < sizeof(digits) - 1; phone++) {
		if (*phone >= '0' && *phone <= '9') {
			digits[n++] = *phone;
		}
	}
	if (n < 3 || 2 * n + 2 > size) {
		return false;
	}
	i = n > 10 ? n - 10 : 0;
	for (; i < n; i++) {
		out[w++] = '%';
		out[w++] = digits[i];
	}
	out[w++] = '%';
	out[w] = '\0';
	return true;
}

static int find_contact_by_phone(struct run *r, const char *phone,
                                 struct gmhook_error *err)
{
	const char *sql = gmhook__sql(GMHOOK__SQL_FIND_BY_PHONE,
	                              gmhook__db_dialect(r->db));
	struct gmhook__row row = { 0 };
	struct gmhook__param p[3];
	char pattern[64];
	int rc;

	if (!phone_pattern(pattern, sizeof(pattern), phone)) {
		return 0;
	}
	p[0] = p_text(pattern);
	p[1] = p[0];
	p[2] = p[0];
	rc = exec(r, sql, p, 3, &row, err);
	if (rc == 0) {
		/* Then the phones of additional contacts and phone details. */
		rc = exec(r,
		          gmhook__sql(GMHOOK__SQL_FIND_BY_DETAIL_PHONE,
		                      gmhook__db_dialect(r->db)),
		          p, 1, &row, err);
	}
	if (rc > 0) {
		snprintf(r->accountno, sizeof(r->accountno), "%s",
		         row.cols[0] ? row.cols[0] : "");
		snprintf(r->contact_recid, sizeof(r->contact_recid), "%s",
		         row.cols[1] ? row.cols[1] : "");
		snprintf(r->contact_name, sizeof(r->contact_name), "%s",
		         row.cols[2] ? row.cols[2] : "");
	}
	gmhook__row_clear(&row);
	return rc;
}

/* Find the contact an action's "match" names (e-mail first, then phone:
 * PHONE1..3 of CONTACT1, then the PHONE of CONTSUPP rows),
 * under the match-key lock. 1 found, 0 not found, negative on error. */
static int find_contact(struct run *r, json_object *action, const char **key,
                        struct gmhook_error *err)
{
	json_object *match = gmhook__get(action, "/match");
	const char *email;
	const char *phone;
	int rc;

	rc = field(&email, r, match, "email", 75, false, err);
	if (rc == 0 && email[0] && !gmhook__email_valid(email)) {
		rc = field_error(r, "match", err,
		                 "match.email is not a valid e-mail address");
	}
	if (rc == 0) {
		rc = field(&phone, r, match, "phone", 32, false, err);
	}
	if (rc == 0 && !email[0] && !phone[0]) {
		rc = field_error(r, "match", err,
		                 "match needs an email or a phone");
	}
	if (rc < 0) {
		return rc;
	}
	*key = email[0] ? email : phone;
	rc = lock_match_key(r, *key, err);
	if (rc == 0 && email[0]) {
		rc = find_contact_by_email(r, email, err);
	}
	if (rc == 0 && phone[0]) {
		rc = find_contact_by_phone(r, phone, err);
	}
	return rc;
}

/*
 * CONTACT2 fields (USERDEF01..10 and the site's custom U... fields) named
 * by a mapping. The names are checked against GoldMine's field-name rule
 * before they go into the statement text; values are bound.
 */
static int update_contact2(struct run *r, json_object *c2,
                           struct gmhook_error *err)
{
	char fitted[SHADOW_SIZE];
	struct gmhook__param p[2];
	const char *text;
	char path[192];
	char sql[96];
	int rc;

	if (!c2) {
		return 0;
	}
	if (!json_object_is_type(c2, json_type_object)) {
		return field_error(r, "contact2", err, "must be an object");
	}
	json_object_object_foreach (c2, key, value) {
		snprintf(path, sizeof(path), "%s/contact2", r->path);
		gmhook__path_push(path, sizeof(path), key);
		if (!gmhook__contact2_column_ok(key) ||
		    !json_object_is_type(value, json_type_string)) {
			return gmhook__error_set(
			        err, GMHOOK_EMAP, COMMIT, path,
			        "not a CONTACT2 field name, or not a string value");
		}
		if (live_table(r, 2) && live_table(r, 2)->n &&
		    live_size(live_table(r, 2), key) < 0) {
			return gmhook__error_set(
			        err, GMHOOK_ECONFIG, COMMIT, path,
			        "CONTACT2 has no field %s in this database; add it in GoldMine or fix the mapping",
			        key);
		}
		rc = live_fit(r, live_table(r, 2), "CONTACT2", key,
		              json_object_get_string(value), fitted,
		              sizeof(fitted), &text, err);
		if (rc < 0) {
			return rc;
		}
		snprintf(sql, sizeof(sql),
		         gmhook__sql(GMHOOK__SQL_UPDATE_CONTACT2_COLUMN,
		                     gmhook__db_dialect(r->db)),
		         key);
		p[0] = p_text(text);
		p[1] = p_text(r->accountno);
		rc = exec(r, sql, p, 2, NULL, err);
		if (rc < 0) {
			return rc;
		}
	}
	return 0;
}

static int do_contact_upsert(struct run *r, json_object *action,
                             struct gmhook_error *err)
{
	json_object *c1 = gmhook__get(action, "/contact1");
	json_object *c1_new = gmhook__get(action, "/contact1_new");
	const char *source;
	const char *key;
	int rc;

	rc = field(&source, r, action, "source", 20, false, err);
	if (rc == 0 && c1 && !json_object_is_type(c1, json_type_object)) {
		rc = field_error(r, "contact1", err, "must be an object");
	}
	if (rc == 0 && c1_new &&
	    !json_object_is_type(c1_new, json_type_object)) {
		rc = field_error(r, "contact1_new", err, "must be an object");
	}
	if (rc == 0 && c1) {
		rc = check_contact1(r, c1, "contact1", err);
	}
	if (rc == 0 && c1_new) {
		rc = check_contact1(r, c1_new, "contact1_new", err);
	}
	if (rc == 0) {
		rc = find_contact(r, action, &key, err);
	}
	if (rc < 0) {
		return rc;
	}
	r->no_contact = false;
	r->have_contact = true;
	if (rc > 0) {
		rc = c1 ? update_contact(r, c1, err) : 0;
	} else {
		rc = insert_contact(r, c1, c1_new, source, err);
	}
	return rc < 0 ? rc
	              : update_contact2(r, gmhook__get(action, "/contact2"),
	                                err);
}

/* contact.find: like contact.upsert but never creates a contact. When no
 * contact matches, the event's later contact actions are skipped with a
 * warning (an unsubscribe for an unknown address changes nothing). */
static int do_contact_find(struct run *r, json_object *action,
                           struct gmhook_error *err)
{
	const char *key;
	int rc = find_contact(r, action, &key, err);

	if (rc < 0) {
		return rc;
	}
	if (rc == 0) {
		r->no_contact = true;
		r->have_contact = false;
		warn(r, "no GoldMine contact matches %s%s", r->path, "/match");
		return 0;
	}
	r->no_contact = false;
	r->have_contact = true;
	/* A site may flag the contact it found, e.g. a CONTACT2 opt-out
	 * field on an unsubscribe. */
	return update_contact2(r, gmhook__get(action, "/contact2"), err);
}

/* ==== email.add ==== */

static int email_exists(struct run *r, const char *u_ref, const char *u_rest,
                        struct gmhook_error *err)
{
	const char *sql = gmhook__sql(GMHOOK__SQL_EMAIL_EXISTS,
	                              gmhook__db_dialect(r->db));
	struct gmhook__row row = { 0 };
	struct gmhook__param p[3];
	int rc;

	p[0] = p_text(r->accountno);
	p[1] = p_text(u_ref);
	p[2] = p_text(u_rest);
	rc = exec(r, sql, p, 3, &row, err);
	gmhook__row_clear(&row);
	return rc;
}

/* Does the contact have a primary e-mail row (ZIP position 2 = '1')? */
static int has_primary(struct run *r, struct gmhook_error *err)
{
	const char *sql =
	        gmhook__sql(GMHOOK__SQL_HAS_PRIMARY, gmhook__db_dialect(r->db));
	struct gmhook__row row = { 0 };
	struct gmhook__param p[1];
	int rc;

	p[0] = p_text(r->accountno);
	rc = exec(r, sql, p, 1, &row, err);
	gmhook__row_clear(&row);
	return rc;
}

static int do_email_add(struct run *r, json_object *action,
                        struct gmhook_error *err)
{
	const char *sql = gmhook__sql(GMHOOK__SQL_INSERT_EMAIL,
	                              gmhook__db_dialect(r->db));
	char ref[EMAIL_PART], rest[EMAIL_PART], u_ref[EMAIL_PART],
	        u_rest[EMAIL_PART];
	struct gmhook__param p[12];
	const char *address;
	char recid[16];
	bool primary;
	int rc;

	rc = field(&address, r, action, "address", 75, true, err);
	if (rc == 0 && !gmhook__email_valid(address)) {
		rc = field_error(r, "address", err,
		                 "not a valid e-mail address");
	}
	if (rc < 0) {
		return rc;
	}
	split_email(address, ref, rest, u_ref, u_rest);
	rc = email_exists(r, u_ref, u_rest, err);
	if (rc != 0) {
		return rc < 0 ? rc : 0;
	}
	primary = json_object_get_boolean(gmhook__get(action, "/primary"));
	if (primary) {
		rc = has_primary(r, err);
		if (rc < 0) {
			return rc;
		}
		primary = rc == 0;
	}
	gmhook__recid(recid, r->now);
	p[0] = p_text(r->accountno);
	p[1] = p_text(ref);
	p[2] = p_text(rest);
	/* ZIP flags: HTML, primary, wrap lines (docs/goldmine.md). */
	p[3] = p_text(primary ? "011" : "001");
	p[4] = p_text(r->contact_recid);
	p[5] = p_text(r->ctx->merge_codes);
	p[6] = p_text(r->ctx->user);
	p[7] = p_date(r->date);
	p[8] = p_text(r->hhmm);
	p[9] = p_text(u_ref);
	p[10] = p_text(u_rest);
	p[11] = p_text(recid);
	rc = exec(r, sql, p, 12, NULL, err);
	if (rc >= 0) {
		record(r, "CONTSUPP", recid, "insert");
	}
	return rc < 0 ? rc : 0;
}

/* ==== history.add ==== */

static bool rectype_valid(const char *t)
{
	static const char *const types[] = {
		"A", "C",  "D",  "E",  "L",  "M",  "O",  "S",  "T",
		"U", "CC", "CI", "CM", "CO", "MG", "MI", "MO", NULL
	};
	size_t i;

	for (i = 0; types[i]; i++) {
		if (strcmp(types[i], t) == 0) {
			return true;
		}
	}
	return false;
}

struct activity {
	const char *rectype;
	const char *actvcode;
	const char *resultcode;
	const char *ondate;
	const char *ontime;
	const char *ref;
	const char *notes;
	const char *duration;
	const char *units;
};

static int read_activity(struct activity *a, struct run *r, json_object *action,
                         size_t ref_max, struct gmhook_error *err)
{
	int rc;

	rc = field(&a->rectype, r, action, "rectype", 2, true, err);
	if (rc == 0 && !rectype_valid(a->rectype)) {
		rc = field_error(r, "rectype", err,
		                 "'%s' is not a GoldMine activity type",
		                 a->rectype);
	}
	if (rc == 0) {
		rc = field(&a->actvcode, r, action, "actvcode", 3, false, err);
	}
	if (rc == 0) {
		rc = field(&a->resultcode, r, action, "resultcode", 3, false,
		           err);
	}
	if (rc == 0) {
		rc = field(&a->ondate, r, action, "ondate", 10, true, err);
	}
	if (rc == 0) {
		rc = field(&a->ontime, r, action, "ontime", 5, false, err);
	}
	if (rc == 0) {
		rc = field(&a->ref, r, action, "ref", ref_max, false, err);
	}
	if (rc == 0) {
		rc = field(&a->notes, r, action, "notes", 0, false, err);
	}
	if (rc == 0 && p_date(a->ondate).type == GMHOOK__P_NULL) {
		rc = field_error(r, "ondate", err, "must be YYYY-MM-DD");
	}
	return rc;
}

/* The free-text fields CONTHIST and CAL share, fitted to @p table. */
static int fit_activity(struct run *r, const char *table, struct activity *a,
                        struct gmhook_error *err)
{
	const struct fit_field fields[] = {
		{ "ACTVCODE", &a->actvcode },
		{ "RESULTCODE", &a->resultcode },
		{ "REF", &a->ref },
		{ "NOTES", &a->notes },
	};

	return fit_all(r, table, fields, sizeof(fields) / sizeof(fields[0]),
	               err);
}

static int do_history_add(struct run *r, json_object *action,
                          struct gmhook_error *err)
{
	const char *sql = gmhook__sql(GMHOOK__SQL_INSERT_HISTORY,
	                              gmhook__db_dialect(r->db));
	struct gmhook__param p[20];
	struct activity a;
	char rectype[4];
	char srectype[2];
	char recid[16];
	int rc;

	rc = read_activity(&a, r, action, 65, err);
	if (rc == 0) {
		rc = field(&a.duration, r, action, "duration", 8, false, err);
	}
	if (rc == 0) {
		rc = field(&a.units, r, action, "units", 8, false, err);
	}
	if (rc == 0) {
		rc = fit_activity(r, "CONTHIST", &a, err);
	}
	if (rc == 0) {
		rc = fit(r, "CONTHIST", "DURATION", &a.duration, err);
	}
	if (rc == 0) {
		rc = fit(r, "CONTHIST", "UNITS", &a.units, err);
	}
	if (rc < 0) {
		return rc;
	}
	/* Type padded to two characters, then the outcome (space: done). */
	snprintf(rectype, sizeof(rectype), "%-2s ", a.rectype);
	snprintf(srectype, sizeof(srectype), "%c", a.rectype[0]);
	gmhook__recid(recid, r->now);
	p[0] = p_text(r->ctx->user);
	p[1] = p_text(r->accountno);
	p[2] = p_text(srectype);
	p[3] = p_text(rectype);
	p[4] = p_date(a.ondate);
	p[5] = p_text(a.ontime);
	p[6] = p_text(a.actvcode);
	p[7] = p_text(a.resultcode);
	p[8] = p_text(a.notes[0] ? " 1" : " 0");
	p[9] = p_text(a.duration);
	p[10] = p_text(a.units);
	p[11] = p_text(a.ref);
	p[12] = p_text(a.notes);
	p[13] = p_text(r->ctx->user);
	p[14] = p_date(r->date);
	p[15] = p_text(r->hhmm);
	p[16] = p_text(r->ctx->user);
	p[17] = p_date(r->date);
	p[18] = p_text(r->hhmm);
	p[19] = p_text(recid);
	rc = exec(r, sql, p, 20, NULL, err);
	if (rc >= 0) {
		record(r, "CONTHIST", recid, "insert");
	}
	return rc < 0 ? rc : 0;
}

/* ==== calendar.schedule, calendar.cancel ==== */

static int insert_link(struct run *r, const char *link, const char *table,
                       const char *recid, struct gmhook_error *err)
{
	const char *sql =
	        gmhook__sql(GMHOOK__SQL_INSERT_LINK, gmhook__db_dialect(r->db));
	struct gmhook__param p[5];

	p[0] = p_text(link);
	p[1] = p_text(table);
	p[2] = p_text(recid);
	p[3] = p_text(r->accountno);
	p[4] = p_datetime(&r->now_tm);
	return exec(r, sql, p, 5, NULL, err);
}

static int was_canceled(struct run *r, const char *link,
                        struct gmhook_error *err)
{
	const char *sql = gmhook__sql(GMHOOK__SQL_WAS_CANCELED,
	                              gmhook__db_dialect(r->db));
	struct gmhook__row row = { 0 };
	struct gmhook__param p[1];
	int rc;

	p[0] = p_text(link);
	rc = exec(r, sql, p, 1, &row, err);
	gmhook__row_clear(&row);
	return rc;
}

static int do_calendar_schedule(struct run *r, json_object *action,
                                struct gmhook_error *err)
{
	const char *sql =
	        gmhook__sql(GMHOOK__SQL_INSERT_CAL, gmhook__db_dialect(r->db));
	const char *company = r->contact_name;
	struct gmhook__param p[20];
	const char *enddate;
	const char *link;
	struct activity a;
	char recid[16];
	int rc;

	rc = read_activity(&a, r, action, 65, err);
	if (rc == 0) {
		rc = fit_activity(r, "CAL", &a, err);
	}
	if (rc == 0) {
		rc = fit(r, "CAL", "COMPANY", &company, err);
	}
	if (rc == 0) {
		rc = field(&enddate, r, action, "enddate", 10, false, err);
	}
	if (rc == 0) {
		rc = field(&link, r, action, "link", LEDGER_ID_MAX, false, err);
	}
	if (rc == 0 && link[0]) {
		rc = was_canceled(r, link, err);
		if (rc > 0) {
			warn(r,
			     "%s was canceled before its booking arrived; no appointment scheduled",
			     link);
			return 0;
		}
	}
	if (rc < 0) {
		return rc;
	}
	gmhook__recid(recid, r->now);
	p[0] = p_text(r->ctx->user);
	p[1] = p_text(r->accountno);
	p[2] = p_date(a.ondate);
	p[3] = p_text(a.ontime);
	p[4] = p_date(enddate[0] ? enddate : a.ondate);
	p[5] = p_text(a.actvcode);
	p[6] = p_int(json_object_get_int(gmhook__get(action, "/duration")));
	p[7] = p_text(a.rectype);
	p[8] = p_text(a.notes[0] ? " 1" : " 0");
	p[9] = p_text(company);
	p[10] = p_text(a.ref);
	p[11] = p_text(a.notes);
	p[12] = p_text(r->ctx->user);
	p[13] = p_date(r->date);
	p[14] = p_text(r->hhmm);
	p[15] = p_text(r->ctx->user);
	p[16] = p_date(r->date);
	p[17] = p_text(r->hhmm);
	p[18] = p_text(r->hhmm);
	p[19] = p_text(recid);
	rc = exec(r, sql, p, 20, NULL, err);
	if (rc >= 0) {
		record(r, "CAL", recid, "insert");
		rc = link[0] ? insert_link(r, link, "CAL", recid, err) : 0;
	}
	return rc < 0 ? rc : 0;
}

static int do_calendar_cancel(struct run *r, json_object *action,
                              struct gmhook_error *err)
{
	const char *sql_find = gmhook__sql(GMHOOK__SQL_FIND_CAL_LINK,
	                                   gmhook__db_dialect(r->db));
	const char *sql_delete =
	        gmhook__sql(GMHOOK__SQL_DELETE_CAL, gmhook__db_dialect(r->db));
	const char *sql_unlink = gmhook__sql(GMHOOK__SQL_DELETE_CAL_LINK,
	                                     gmhook__db_dialect(r->db));
	struct gmhook__row row = { 0 };
	struct gmhook__param p[1];
	const char *link;
	char recid[16];
	int rc;

	rc = field(&link, r, action, "link", LEDGER_ID_MAX, true, err);
	if (rc < 0) {
		return rc;
	}
	p[0] = p_text(link);
	rc = exec(r, sql_find, p, 1, &row, err);
	gmhook__row_clear(&row);
	if (rc == 0) {
		/* Deliveries can arrive out of order: remember the cancel so
		 * a late invitee.created does not schedule it again. */
		warn(r, "no pending appointment to cancel for %s", link);
		rc = insert_link(r, link, "CANCELED", "", err);
		return rc < 0 ? rc : 0;
	}
	if (rc < 0) {
		return rc;
	}
	rc = exec(r, sql_find, p, 1, &row, err);
	snprintf(recid, sizeof(recid), "%s", row.cols[0] ? row.cols[0] : "");
	gmhook__row_clear(&row);
	p[0] = p_text(recid);
	rc = exec(r, sql_delete, p, 1, NULL, err);
	if (rc == 0) {
		warn(r, "the appointment for %s was already removed from CAL",
		     link);
	} else if (rc > 0) {
		record(r, "CAL", recid, "delete");
	}
	p[0] = p_text(link);
	if (rc >= 0) {
		rc = exec(r, sql_unlink, p, 1, NULL, err);
	}
	return rc < 0 ? rc : 0;
}

/* ==== note.add ==== */

/* NOTES rows are HTML (EXT 'html'); escape the text and keep its lines. */
static char *note_html(const char *text)
{
	struct gmhook__buf b = { 0 };
	const char *p;

	for (p = text; *p; p++) {
		switch (*p) {
		case '&':
			gmhook__buf_adds(&b, "&amp;");
			break;
		case '<':
			gmhook__buf_adds(&b, "&lt;");
			break;
		case '>':
			gmhook__buf_adds(&b, "&gt;");
			break;
		case '\r':
			break;
		case '\n':
			gmhook__buf_adds(&b, "<br>");
			break;
		default:
			gmhook__buf_addc(&b, *p);
		}
	}
	return gmhook__buf_steal(&b);
}

static int do_note_add(struct run *r, json_object *action,
                       struct gmhook_error *err)
{
	const char *sql =
	        gmhook__sql(GMHOOK__SQL_INSERT_NOTE, gmhook__db_dialect(r->db));
	struct gmhook__param p[8];
	const char *text;
	const char *note;
	char *html;
	char recid[16];
	int rc;

	rc = field(&text, r, action, "text", 0, true, err);
	if (rc < 0) {
		return rc;
	}
	html = note_html(text);
	if (!html) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, COMMIT, "",
		                         "out of memory");
	}
	note = html;
	rc = fit(r, "NOTES", "NOTE", &note, err);
	if (rc < 0) {
		free(html);
		return rc;
	}
	gmhook__recid(recid, r->now);
	p[0] = p_datetime(&r->now_tm);
	p[1] = p_text(r->ctx->user);
	p[2] = p_datetime(&r->now_tm);
	p[3] = p_text(r->ctx->user);
	p[4] = p_text(r->contact_recid);
	p[5] = p_text(r->accountno);
	p[6] = p_text(note);
	p[7] = p_text(recid);
	rc = exec(r, sql, p, 8, NULL, err);
	free(html);
	if (rc >= 0) {
		record(r, "NOTES", recid, "insert");
	}
	return rc < 0 ? rc : 0;
}

/* ==== email.optout, email.remove ==== */

static void record_count(struct run *r, const char *table, const char *op,
                         int count)
{
	json_object *rec = json_object_new_object();

	if (!rec) {
		return;
	}
	json_object_object_add(rec, "table", json_object_new_string(table));
	json_object_object_add(rec, "op", json_object_new_string(op));
	json_object_object_add(rec, "rows", json_object_new_int(count));
	json_object_array_add(r->records, rec);
}

/*
 * GoldMine has no opt-out flag: campaigns select e-mail rows by their
 * merge codes. The configured campaign merge code is removed from every
 * row holding the address (on any contact); with no code configured all
 * merge codes are cleared, which stops every mailing.
 */
static int do_email_optout(struct run *r, json_object *action,
                           struct gmhook_error *err)
{
	const char *sql =
	        gmhook__sql(GMHOOK__SQL_OPTOUT_CODE, gmhook__db_dialect(r->db));
	const char *sql_all =
	        gmhook__sql(GMHOOK__SQL_OPTOUT_ALL, gmhook__db_dialect(r->db));
	char ref[EMAIL_PART], rest[EMAIL_PART], u_ref[EMAIL_PART],
	        u_rest[EMAIL_PART];
	const char *code = r->ctx->merge_codes;
	struct gmhook__param p[6];
	const char *address;
	size_t n = 0;
	int rc;

	rc = field(&address, r, action, "address", 75, true, err);
	if (rc < 0) {
		return rc;
	}
	split_email(address, ref, rest, u_ref, u_rest);
	if (code[0]) {
		p[n++] = p_text(code);
	}
	p[n++] = p_text(r->ctx->user);
	p[n++] = p_date(r->date);
	p[n++] = p_text(r->hhmm);
	p[n++] = p_text(u_ref);
	p[n++] = p_text(u_rest);
	rc = exec(r, code[0] ? sql : sql_all, p, n, NULL, err);
	if (rc == 0) {
		warn(r, "%s: no GoldMine e-mail row holds this address",
		     r->path);
	} else if (rc > 0) {
		record_count(r, "CONTSUPP", "optout", rc);
	}
	return rc < 0 ? rc : 0;
}

/*
 * A hard bounce. By default the address's e-mail rows are deleted (the
 * history row the mapping adds keeps the address and the reason). With
 * the "flag" bounce policy the rows stay but are no longer primary (ZIP
 * '001') and have no merge codes, so no campaign selects them.
 */
static int do_email_remove(struct run *r, json_object *action,
                           struct gmhook_error *err)
{
	const char *sql_flag =
	        gmhook__sql(GMHOOK__SQL_BOUNCE_FLAG, gmhook__db_dialect(r->db));
	const char *sql_delete = gmhook__sql(GMHOOK__SQL_BOUNCE_DELETE,
	                                     gmhook__db_dialect(r->db));
	char ref[EMAIL_PART], rest[EMAIL_PART], u_ref[EMAIL_PART],
	        u_rest[EMAIL_PART];
	struct gmhook__param p[5];
	const char *address;
	int rc;

	rc = field(&address, r, action, "address", 75, true, err);
	if (rc < 0) {
		return rc;
	}
	split_email(address, ref, rest, u_ref, u_rest);
	if (r->ctx->bounce_delete) {
		p[0] = p_text(u_ref);
		p[1] = p_text(u_rest);
		rc = exec(r, sql_delete, p, 2, NULL, err);
	} else {
		p[0] = p_text(r->ctx->user);
		p[1] = p_date(r->date);
		p[2] = p_text(r->hhmm);
		p[3] = p_text(u_ref);
		p[4] = p_text(u_rest);
		rc = exec(r, sql_flag, p, 5, NULL, err);
	}
	if (rc == 0) {
		warn(r, "%s: no GoldMine e-mail row holds this address",
		     r->path);
	} else if (rc > 0) {
		record_count(r, "CONTSUPP",
		             r->ctx->bounce_delete ? "delete" : "flag-bounced",
		             rc);
	}
	return rc < 0 ? rc : 0;
}

/* ==== detail.add ==== */

static int do_detail_add(struct run *r, json_object *action,
                         struct gmhook_error *err)
{
	const char *sql_find =
	        gmhook__sql(GMHOOK__SQL_FIND_DETAIL, gmhook__db_dialect(r->db));
	const char *sql = gmhook__sql(GMHOOK__SQL_INSERT_DETAIL,
	                              gmhook__db_dialect(r->db));
	struct gmhook__row row = { 0 };
	struct gmhook__param p[10];
	const char *name, *ref, *notes;
	char u_name[SHADOW_SIZE], u_ref[SHADOW_SIZE];
	char recid[16];
	int rc;

	rc = field(&name, r, action, "name", 40, true, err);
	if (rc == 0) {
		rc = field(&ref, r, action, "reference", 35, true, err);
	}
	if (rc == 0) {
		rc = field(&notes, r, action, "notes", 0, false, err);
	}
	if (rc == 0) {
		/* Before the shadows, which must hold the stored text. */
		const struct fit_field fields[] = {
			{ "CONTACT", &name },
			{ "CONTSUPREF", &ref },
			{ "NOTES", &notes },
		};

		rc = fit_all(r, "CONTSUPP", fields,
		             sizeof(fields) / sizeof(fields[0]), err);
	}
	if (rc < 0) {
		return rc;
	}
	shadow(u_name, sizeof(u_name), name);
	shadow(u_ref, sizeof(u_ref), ref);
	p[0] = p_text(r->accountno);
	p[1] = p_text(u_name);
	p[2] = p_text(u_ref);
	rc = exec(r, sql_find, p, 3, &row, err);
	gmhook__row_clear(&row);
	if (rc != 0) {
		return rc < 0 ? rc : 0;
	}
	gmhook__recid(recid, r->now);
	p[0] = p_text(r->accountno);
	p[1] = p_text(name);
	p[2] = p_text(ref);
	p[3] = p_text(notes);
	p[4] = p_text(r->ctx->user);
	p[5] = p_date(r->date);
	p[6] = p_text(r->hhmm);
	p[7] = p_text(u_name);
	p[8] = p_text(u_ref);
	p[9] = p_text(recid);
	rc = exec(r, sql, p, 10, NULL, err);
	if (rc >= 0) {
		record(r, "CONTSUPP", recid, "insert");
	}
	return rc < 0 ? rc : 0;
}

/* ==== case.create ==== */

struct case_fields {
	const char *subject;
	const char *description;
	const char *priority;
	const char *source;
	const char *category;
	const char *type;
	const char *number;
	const char *link;
};

static int read_case(struct case_fields *c, struct run *r, json_object *a,
                     struct gmhook_error *err)
{
	int rc = field(&c->subject, r, a, "subject", 200, true, err);

	if (rc == 0) {
		rc = field(&c->description, r, a, "description", 0, false, err);
	}
	if (rc == 0) {
		rc = field(&c->priority, r, a, "priority", 40, false, err);
	}
	if (rc == 0) {
		rc = field(&c->source, r, a, "source", 40, false, err);
	}
	if (rc == 0) {
		rc = field(&c->category, r, a, "category", 40, false, err);
	}
	if (rc == 0) {
		rc = field(&c->type, r, a, "type", 40, false, err);
	}
	if (rc == 0) {
		rc = field(&c->number, r, a, "number", 40, false, err);
	}
	if (rc == 0) {
		rc = field(&c->link, r, a, "link", LEDGER_ID_MAX, false, err);
	}
	return rc;
}

/* The case's text fitted to this database's CASES columns. */
static int fit_case(struct case_fields *c, struct run *r,
                    struct gmhook_error *err)
{
	const struct fit_field fields[] = {
		{ "NUMBER", &c->number },
		{ "PRIORITY", &c->priority },
		{ "SOURCE", &c->source },
		{ "CATEGORY", &c->category },
		{ "FTYPE", &c->type },
		{ "SUBJECT", &c->subject },
		{ "DESCRIPTION", &c->description },
	};

	return fit_all(r, "CASES", fields, sizeof(fields) / sizeof(fields[0]),
	               err);
}

static int case_linked(struct run *r, const char *link,
                       struct gmhook_error *err)
{
	const char *sql =
	        gmhook__sql(GMHOOK__SQL_CASE_LINKED, gmhook__db_dialect(r->db));
	struct gmhook__row row = { 0 };
	struct gmhook__param p[1];
	int rc;

	if (!link[0]) {
		return 0;
	}
	p[0] = p_text(link);
	rc = exec(r, sql, p, 1, &row, err);
	gmhook__row_clear(&row);
	return rc;
}

/* A Service Center case (CASES), open (STATUS 0), owned by the contact's
 * owner or the configured one; the provider's ticket key is linked so a
 * second delivery for the same ticket opens no second case. */
static int do_case_create(struct run *r, json_object *action,
                          struct gmhook_error *err)
{
	const char *sql =
	        gmhook__sql(GMHOOK__SQL_INSERT_CASE, gmhook__db_dialect(r->db));
	struct gmhook__param p[14];
	struct case_fields c;
	char recid[16];
	int rc;

	rc = read_case(&c, r, action, err);
	if (rc == 0) {
		rc = fit_case(&c, r, err);
	}
	if (rc == 0) {
		rc = case_linked(r, c.link, err);
		if (rc > 0) {
			warn(r, "%s: a case for %s exists already", r->path,
			     c.link);
			return 0;
		}
	}
	if (rc < 0) {
		return rc;
	}
	gmhook__recid(recid, r->now);
	p[0] = p_text(r->accountno);
	p[1] = p_text(r->ctx->owner);
	p[2] = p_text(c.number);
	p[3] = p_text(c.priority);
	p[4] = p_text(c.source);
	p[5] = p_text(c.category);
	p[6] = p_text(c.type);
	p[7] = p_text(c.subject);
	p[8] = p_text(c.description);
	p[9] = p_text(r->ctx->user);
	p[10] = p_datetime(&r->now_tm);
	p[11] = p_text(r->ctx->user);
	p[12] = p_datetime(&r->now_tm);
	p[13] = p_text(recid);
	rc = exec(r, sql, p, 14, NULL, err);
	if (rc >= 0) {
		record(r, "CASES", recid, "insert");
		rc = c.link[0] ? insert_link(r, c.link, "CASES", recid, err)
		               : 0;
	}
	return rc < 0 ? rc : 0;
}

/* ==== Events ==== */

static const struct {
	const char *name;
	int (*apply)(struct run *r, json_object *action,
	             struct gmhook_error *err);
	bool needs_contact;
} actions[] = {
	{ "contact.upsert", do_contact_upsert, false },
	{ "contact.find", do_contact_find, false },
	{ "email.optout", do_email_optout, false },
	{ "email.remove", do_email_remove, false },
	{ "detail.add", do_detail_add, true },
	{ "case.create", do_case_create, true },
	{ "email.add", do_email_add, true },
	{ "history.add", do_history_add, true },
	{ "calendar.schedule", do_calendar_schedule, true },
	{ "calendar.cancel", do_calendar_cancel, false },
	{ "note.add", do_note_add, true },
};

static int apply_action(struct run *r, json_object *action,
                        struct gmhook_error *err)
{
	const char *name = gmhook__get_str(action, "/action");
	size_t i;
	int rc;

	for (i = 0; name && i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(actions[i].name, name) != 0) {
			continue;
		}
		if (actions[i].needs_contact && r->no_contact) {
			return 0;
		}
		if (actions[i].needs_contact && !r->have_contact) {
			return gmhook__error_set(
			        err, GMHOOK_EMAP, COMMIT, r->path,
			        "%s needs a contact.upsert before it", name);
		}
		rc = actions[i].apply(r, action, err);
		free_cuts(r);
		return rc;
	}
	return gmhook__error_set(err, GMHOOK_EMAP, COMMIT, r->path,
	                         "unknown action '%s'", name ? name : "(none)");
}

/* The ledger key of an event: its id, or the id's digest when long. */
static void ledger_id(char out[LEDGER_ID_MAX + 1], const char *id)
{
	char hex[65];

	if (strlen(id) <= LEDGER_ID_MAX) {
		snprintf(out, LEDGER_ID_MAX + 1, "%s", id);
		return;
	}
	gmhook__sha256_hex(id, strlen(id), hex);
	snprintf(out, LEDGER_ID_MAX + 1, "sha256:%s", hex);
}

/* The first result of an event already in the ledger, as "duplicate". */
static int ledger_lookup(json_object **out, struct run *r, const char *source,
                         const char *id, struct gmhook_error *err)
{
	const char *sql = gmhook__sql(GMHOOK__SQL_LEDGER_LOOKUP,
	                              gmhook__db_dialect(r->db));
	struct gmhook__row row = { 0 };
	struct gmhook__param p[2];
	json_object *first = NULL;
	int rc;

	*out = NULL;
	p[0] = p_text(source);
	p[1] = p_text(id);
	rc = gmhook__db_exec(r->db, sql, p, 2, &row, err);
	if (rc > 0) {
		first = row.cols[0] ? json_tokener_parse(row.cols[0]) : NULL;
		if (!first) {
			first = json_object_new_object();
		}
		json_object_object_add(first, "status",
		                       json_object_new_string("duplicate"));
		*out = first;
	}
	gmhook__row_clear(&row);
	return rc;
}

static int ledger_insert(struct run *r, const char *source, const char *id,
                         const char *type, const char *received,
                         json_object *entry, struct gmhook_error *err)
{
	const char *sql = gmhook__sql(GMHOOK__SQL_LEDGER_INSERT,
	                              gmhook__db_dialect(r->db));
	struct gmhook__param p[7];
	struct tm rtm = r->now_tm;
	int64_t t;

	if (received && gmhook__time_parse(received, &t)) {
		gmhook__time_local(t, &rtm);
	}
	p[0] = p_text(source);
	p[1] = p_text(id);
	p[2] = p_text(type);
	p[3] = p_datetime(&rtm);
	p[4] = p_datetime(&r->now_tm);
	p[5] = p_text(r->accountno);
	p[6] = p_text(json_object_to_json_string_ext(
	        entry,
	        JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	return exec(r, sql, p, 7, NULL, err);
}

static json_object *entry_new(struct run *r, json_object *ev)
{
	json_object *entry = json_object_new_object();
	json_object *v = NULL;

	if (!entry) {
		return NULL;
	}
	if (json_object_object_get_ex(ev, "type", &v)) {
		json_object_object_add(entry, "type", json_object_get(v));
	}
	if (json_object_object_get_ex(ev, "id", &v)) {
		json_object_object_add(entry, "id", json_object_get(v));
	}
	r->records = json_object_new_array();
	r->warnings = json_object_new_array();
	json_object_object_add(entry, "records", r->records);
	json_object_object_add(entry, "warnings", r->warnings);
	if (r->signature_note) {
		json_object_array_add(
		        r->warnings, json_object_new_string(r->signature_note));
	}
	if (json_object_object_get_ex(ev, "warnings", &v) &&
	    json_object_is_type(v, json_type_array)) {
		size_t i;

		for (i = 0; i < json_object_array_length(v); i++) {
			json_object_array_add(
			        r->warnings,
			        json_object_get(
			                json_object_array_get_idx(v, i)));
		}
	}
	if (r->dry_run) {
		r->sql = json_object_new_array();
		json_object_object_add(entry, "sql", r->sql);
	}
	return entry;
}

static int apply_event(struct run *r, json_object *ev, size_t index,
                       json_object *entry, struct gmhook_error *err)
{
	json_object *list = gmhook__get(ev, "/actions");
	size_t i;
	int rc = 0;

	if (!json_object_is_type(list, json_type_array)) {
		char path[64];

		snprintf(path, sizeof(path), "/events/%zu/actions", index);
		return gmhook__error_set(err, GMHOOK_EMAP, COMMIT, path,
		                         "must be an array");
	}
	for (i = 0; rc == 0 && i < json_object_array_length(list); i++) {
		snprintf(r->path, sizeof(r->path), "/events/%zu/actions/%zu",
		         index, i);
		rc = apply_action(r, json_object_array_get_idx(list, i), err);
	}
	if (rc == 0) {
		json_object_object_add(entry, "accountno",
		                       json_object_new_string(r->accountno));
	}
	return rc;
}

static void reset_event(struct run *r)
{
	r->accountno[0] = '\0';
	r->contact_recid[0] = '\0';
	r->contact_name[0] = '\0';
	r->have_contact = false;
	r->no_contact = false;
}

/* An event the mapping ignores (a test ping, a delivery receipt) touches
 * nothing, not even the ledger. */
static int ignored_entry(json_object **out, struct run *r, json_object *ev,
                         struct gmhook_error *err)
{
	json_object *entry = entry_new(r, ev);
	json_object *reason = NULL;

	if (!entry) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, COMMIT, "",
		                         "out of memory");
	}
	json_object_object_add(entry, "status",
	                       json_object_new_string("ignored"));
	if (json_object_object_get_ex(ev, "reason", &reason)) {
		json_object_object_add(entry, "reason",
		                       json_object_get(reason));
	}
	*out = entry;
	return 0;
}

/* An SNS subscription confirmation is a GET to SNS, not a write: no
 * transaction and no ledger row; SNS stops sending it once confirmed. */
static int confirm_entry(json_object **out, struct run *r, json_object *ev,
                         struct gmhook_error *err)
{
	json_object *entry = entry_new(r, ev);
	int rc;

	if (!entry) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, COMMIT, "",
		                         "out of memory");
	}
	rc = gmhook__sns_confirm(entry, r->ctx, ev, r->signature_verified,
	                         r->dry_run, err);
	if (rc < 0) {
		json_object_put(entry);
		return rc;
	}
	*out = entry;
	return 0;
}

/*
 * SQLite takes its write lock lazily: two processes that both read the
 * ledger and then both write would deadlock, and one would fail with
 * "database is locked" instead of waiting. A write that matches no row
 * takes the write lock first, so concurrent commits queue on the busy
 * timeout instead; it is the ODBC equivalent of BEGIN IMMEDIATE.
 */
static int begin_event(struct run *r, struct gmhook_error *err)
{
	const char *sql =
	        gmhook__sql(GMHOOK__SQL_WRITE_LOCK, gmhook__db_dialect(r->db));
	int rc;

	if (r->dry_run || !sql[0]) {
		return 0;
	}
	rc = gmhook__db_exec(r->db, sql, NULL, 0, NULL, err);
	return rc < 0 ? rc : 0;
}

/*
 * Roll the transaction back. When even that fails (SQLite's
 * RAISE(ROLLBACK) ended the transaction behind the driver's back), the
 * driver's idea of the transaction can no longer be trusted: later
 * statements could run in autocommit. The connection is dropped before
 * the next commit and opened again.
 */
static void rollback(struct run *r)
{
	if (gmhook__db_rollback(r->db, NULL) < 0) {
		r->ctx->db_lost = true;
	}
}

/* Run a savepoint statement; "" (none in this dialect) does nothing. */
static int savepoint(struct run *r, int id, struct gmhook_error *err)
{
	const char *sql = gmhook__sql(id, gmhook__db_dialect(r->db));
	int rc;

	if (!sql[0]) {
		return 0;
	}
	rc = gmhook__db_exec_direct(r->db, sql, err);
	return rc < 0 ? rc : 0;
}

/* The unit an event commits or rolls back: its own transaction, or in a
 * group its own savepoint in the group's transaction. */
static int event_start(struct run *r, struct gmhook_error *err)
{
	return r->grouped ? savepoint(r, GMHOOK__SQL_SAVEPOINT, err)
	                  : begin_event(r, err);
}

static int event_finish(struct run *r, struct gmhook_error *err)
{
	if (r->grouped) {
		return savepoint(r, GMHOOK__SQL_RELEASE_SAVEPOINT, err);
	}
	return r->dry_run ? gmhook__db_rollback(r->db, err)
	                  : gmhook__db_commit(r->db, err);
}

/*
 * Undo the event. In a group, a failed ROLLBACK TO means the database
 * dropped the whole transaction (a lost connection, SQLite's
 * RAISE(ROLLBACK)): the other events of the group are gone with it, so
 * the group is marked broken and none of it may be reported committed.
 */
static void event_abort(struct run *r)
{
	if (!r->grouped) {
		rollback(r);
		return;
	}
	if (savepoint(r, GMHOOK__SQL_ROLLBACK_TO_SAVEPOINT, NULL) < 0 ||
	    savepoint(r, GMHOOK__SQL_RELEASE_SAVEPOINT, NULL) < 0) {
		r->group_broken = true;
	}
}

/*
 * One event in one transaction (or savepoint): ledger check, actions,
 * ledger row, commit. Any failure rolls the whole event back.
 */
static int commit_event(json_object **out, struct run *r, const char *source,
                        const char *received, json_object *ev, size_t index,
                        struct gmhook_error *err)
{
	const char *id = gmhook__get_str(ev, "/id");
	const char *status = gmhook__get_str(ev, "/status");
	json_object *entry = NULL;
	char key[LEDGER_ID_MAX + 1];
	int rc;

	if (!id) {
		char path[64];

		snprintf(path, sizeof(path), "/events/%zu/id", index);
		return gmhook__error_set(err, GMHOOK_EMAP, COMMIT, path,
		                         "the event has no id");
	}
	ledger_id(key, id);
	reset_event(r);
	if (status && strcmp(status, "ignored") == 0) {
		return ignored_entry(out, r, ev, err);
	}
	if (status && strcmp(status, "confirm") == 0) {
		return confirm_entry(out, r, ev, err);
	}
	rc = event_start(r, err);
	if (rc < 0) {
		r->group_broken = r->grouped;
		return rc;
	}
	rc = ledger_lookup(out, r, source, key, err);
	if (rc != 0) {
		event_abort(r);
		return rc < 0 ? rc : 0;
	}
	entry = entry_new(r, ev);
	if (!entry) {
		event_abort(r);
		return gmhook__error_set(err, GMHOOK_ENOMEM, COMMIT, "",
		                         "out of memory");
	}
	rc = apply_event(r, ev, index, entry, err);
	json_object_object_add(
	        entry, "status",
	        json_object_new_string(r->dry_run ? "dry-run" : "committed"));
	if (rc >= 0) {
		rc = ledger_insert(r, source, key, gmhook__get_str(ev, "/type"),
		                   received, entry, err);
	}
	if (rc >= 0) {
		rc = event_finish(r, err);
	}
	if (rc < 0) {
		event_abort(r);
		json_object_put(entry);
		return rc;
	}
	*out = entry;
	return 0;
}

/* A unique-key violation on the ledger means another process committed
 * the same event first: answer with its result. */
static int commit_event_once(json_object **out, struct run *r,
                             const char *source, const char *received,
                             json_object *ev, size_t index,
                             struct gmhook_error *err)
{
	char key[LEDGER_ID_MAX + 1];
	int rc;

	rc = commit_event(out, r, source, received, ev, index, err);
	if (rc == GMHOOK_EDB && err && strncmp(err->sqlstate, "23", 2) == 0 &&
	    !r->group_broken) {
		ledger_id(key, gmhook__get_str(ev, "/id"));
		rc = ledger_lookup(out, r, source, key, err);
		if (!r->grouped) {
			rollback(r);
		}
		if (rc > 0) {
			return 0;
		}
		return rc < 0 ? rc
		              : gmhook__error_set(
		                        err, GMHOOK_EDB, COMMIT, "",
		                        "unique key violation outside the ledger");
	}
	return rc;
}

static void run_init(struct run *r, struct gmhook_ctx *ctx,
                     struct gmhook__db *db)
{
	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	r->db = db;
	r->dry_run = ctx->opts.dry_run != 0;
	r->now = gmhook__now(ctx);
	gmhook__time_local(r->now, &r->now_tm);
	strftime(r->date, sizeof(r->date), "%Y-%m-%d", &r->now_tm);
	strftime(r->hhmm, sizeof(r->hhmm), "%H:%M", &r->now_tm);
}

static const char *overall_status(json_object *events)
{
	const char *first = NULL;
	size_t i;

	for (i = 0; i < json_object_array_length(events); i++) {
		const char *s = gmhook__get_str(
		        json_object_array_get_idx(events, i), "/status");

		if (!first) {
			first = s;
		} else if (s && strcmp(s, first) != 0) {
			return "mixed";
		}
	}
	return first ? first : "ignored";
}

/*
 * The ledger must exist before anything is written. A query, not the
 * catalog: a catalog read on a locked SQLite file finds nothing, and a
 * locked or unreachable database must answer "try later" (75), never "not
 * set up" (78).
 */
static int check_ledger_table(struct gmhook__db *db, struct gmhook_error *err)
{
	static const char sql[] = "SELECT 1 FROM GMHOOK_LEDGER WHERE 1 = 0";
	struct gmhook__row row = { 0 };
	int rc = gmhook__db_exec(db, sql, NULL, 0, &row, err);

	gmhook__row_clear(&row);
	/* End the read's transaction: a read lock held into the event's
	 * transaction could deadlock with another writer. */
	(void) gmhook__db_rollback(db, NULL);
	if (rc == GMHOOK_EDB) {
		return gmhook__error_set(
		        err, GMHOOK_ECONFIG, COMMIT, "",
		        "the database has no GMHOOK_LEDGER table; run gmhook init-db first");
	}
	return rc < 0 ? rc : 0;
}

static int commit_all(struct run *r, const struct gmhook_plan *plan,
                      json_object *out_events, struct gmhook_error *err)
{
	json_object *events = gmhook__get(plan->doc, "/events");
	const char *source = gmhook__get_str(plan->doc, "/source");
	const char *received = gmhook__get_str(plan->doc, "/received");
	const char *note = gmhook__get_str(plan->doc, "/signature");
	json_object *entry;
	size_t i;
	int rc;

	r->signature_note =
	        note ? "signature not checked: no secret is configured for this source"
	             : NULL;
	r->signature_verified = plan->signature_verified;
	if (!source) {
		return gmhook__error_set(err, GMHOOK_EMAP, COMMIT, "/source",
		                         "the plan names no source");
	}
	for (i = 0; i < json_object_array_length(events); i++) {
		entry = NULL;
		rc = commit_event_once(&entry, r, source, received,
		                       json_object_array_get_idx(events, i), i,
		                       err);
		if (rc < 0) {
			return rc;
		}
		json_object_array_add(out_events, entry); /* steals entry */
	}
	return 0;
}

/* The context's connection, opened again when the last one was lost. */
static int open_db(struct gmhook__db **out, struct gmhook_ctx *ctx,
                   struct gmhook_error *err)
{
	if (ctx->db_lost) {
		gmhook__db_close(ctx->db);
		ctx->db = NULL;
		ctx->db_lost = false;
		if (ctx->live) {
			ctx->live->db = NULL; /* read again on the new one */
		}
	}
	return gmhook__ctx_db(out, ctx, err);
}

/* Commit every event of @p plan and build its result document. */
static int commit_plan(struct gmhook_result **out, struct run *r,
                       const struct gmhook_plan *plan, struct gmhook_error *err)
{
	struct gmhook_result *result = NULL;
	json_object *doc = NULL;
	json_object *events;
	int rc;

	doc = json_object_new_object();
	events = json_object_new_array();
	result = calloc(1, sizeof(*result));
	if (!doc || !events || !result) {
		json_object_put(events);
		rc = gmhook__error_set(err, GMHOOK_ENOMEM, COMMIT, "",
		                       "out of memory");
		goto out;
	}
	json_object_object_add(doc, "gmhook", json_object_new_string("result"));
	json_object_object_add(doc, "version", json_object_new_int(1));
	json_object_object_add(doc, "events", events); /* steals events */
	rc = commit_all(r, plan, events, err);
	if (rc < 0) {
		goto out;
	}
	json_object_object_add(doc, "status",
	                       json_object_new_string(overall_status(events)));
	json_object_object_add(
	        doc, "accountno",
	        json_object_get(gmhook__get(doc, "/events/0/accountno")));
	result->doc = doc;
	doc = NULL;
	*out = result;
	result = NULL;
out:
	json_object_put(doc);
	free(result);
	return rc;
}

GMHOOK_API int gmhook_commit(struct gmhook_result **out, struct gmhook_ctx *ctx,
                             const struct gmhook_plan *plan,
                             struct gmhook_error *err)
{
	struct gmhook__db *db;
	struct run r;
	int rc;

	if (!out || !ctx || !plan) {
		return gmhook__error_set(err, GMHOOK_EINVAL, COMMIT, "",
		                         "out, ctx and plan must not be NULL");
	}
	if (ctx->rest) {
		return gmhook__rest_commit(out, ctx, plan, err);
	}
	rc = open_db(&db, ctx, err);
	if (rc == 0) {
		rc = check_ledger_table(db, err);
	}
	if (rc == 0) {
		rc = live_load(ctx, db, err);
	}
	if (rc < 0) {
		return rc;
	}
	run_init(&r, ctx, db);
	rc = commit_plan(out, &r, plan, err);
	if (rc == GMHOOK_EUNAVAIL) {
		ctx->db_lost = true; /* connect again next time */
	}
	return rc;
}

/* ==== Batches: a group of plans in one transaction ==== */

static int batch_args(struct gmhook_result **results_out,
                      struct gmhook_error *errors_out, struct gmhook_ctx *ctx,
                      const struct gmhook_plan *const *plans, size_t n_plans,
                      struct gmhook_error *err)
{
	size_t i;

	if (!ctx || (n_plans && (!results_out || !errors_out || !plans))) {
		return gmhook__error_set(
		        err, GMHOOK_EINVAL, COMMIT, "",
		        "ctx, results_out, errors_out and plans must not be NULL");
	}
	for (i = 0; i < n_plans; i++) {
		if (!plans[i]) {
			return gmhook__error_set(err, GMHOOK_EINVAL, COMMIT, "",
			                         "plans[%zu] is NULL", i);
		}
	}
	for (i = 0; i < n_plans; i++) {
		struct gmhook_error clean = GMHOOK_ERROR_INIT;

		results_out[i] = NULL;
		errors_out[i] = clean;
	}
	return 0;
}

/* A dry run or the REST backend has no transaction to share: each plan
 * is committed on its own. */
static void batch_one_by_one(struct gmhook_result **results_out,
                             struct gmhook_error *errors_out,
                             struct gmhook_ctx *ctx,
                             const struct gmhook_plan *const *plans,
                             size_t n_plans)
{
	size_t i;

	for (i = 0; i < n_plans; i++) {
		(void) gmhook_commit(&results_out[i], ctx, plans[i],
		                     &errors_out[i]);
	}
}

/* Undo a group: nothing of it is reported committed. A lost connection
 * is closed so that the next call connects again. */
static int batch_fail(struct gmhook_result **results_out,
                      struct gmhook_error *errors_out, struct gmhook_ctx *ctx,
                      size_t n_plans, int rc)
{
	size_t i;

	/* After a failed group the driver's transaction state is not to be
	 * trusted (see rollback()): start the next group on a new
	 * connection. */
	(void) gmhook__db_rollback(ctx->db, NULL);
	ctx->db_lost = true;
	for (i = 0; i < n_plans; i++) {
		struct gmhook_error clean = GMHOOK_ERROR_INIT;

		gmhook_result_free(results_out[i]);
		results_out[i] = NULL;
		errors_out[i] = clean;
	}
	return rc;
}

/* Does this event failure lose the whole group? */
static bool breaks_group(const struct run *r, int rc)
{
	return r->group_broken || rc == GMHOOK_EUNAVAIL || rc == GMHOOK_ENOMEM;
}

GMHOOK_API int gmhook_commit_batch(struct gmhook_result **results_out,
                                   struct gmhook_error *errors_out,
                                   struct gmhook_ctx *ctx,
                                   const struct gmhook_plan *const *plans,
                                   size_t n_plans, struct gmhook_error *err)
{
	struct gmhook__db *db;
	struct run r;
	size_t i;
	int rc;

	rc = batch_args(results_out, errors_out, ctx, plans, n_plans, err);
	if (rc < 0 || n_plans == 0) {
		return rc;
	}
	if (ctx->rest || ctx->opts.dry_run) {
		batch_one_by_one(results_out, errors_out, ctx, plans, n_plans);
		return 0;
	}
	rc = open_db(&db, ctx, err);
	if (rc == 0) {
		rc = check_ledger_table(db, err);
	}
	if (rc == 0) {
		rc = live_load(ctx, db, err);
	}
	if (rc < 0) {
		return rc;
	}
	run_init(&r, ctx, db);
	r.grouped = true;
	rc = begin_event(&r, err);
	for (i = 0; rc == 0 && i < n_plans; i++) {
		rc = commit_plan(&results_out[i], &r, plans[i], &errors_out[i]);
		if (rc < 0 && breaks_group(&r, rc)) {
			if (err) {
				*err = errors_out[i];
			}
		} else if (r.group_broken) {
			rc = gmhook__error_set(
			        err, GMHOOK_EDB, COMMIT, "",
			        "the database ended the group's transaction");
		} else {
			rc = 0;
		}
	}
	if (rc == 0) {
		rc = gmhook__db_commit(db, err);
	}
	if (rc < 0) {
		return batch_fail(results_out, errors_out, ctx, n_plans, rc);
	}
	return 0;
}

struct check_arg {
	struct gmhook_ctx *ctx;
	struct gmhook_error *err;
};

static int check_contact2_field(const char *file, const char *pointer,
                                const char *column, void *arg)
{
	struct check_arg *c = arg;
	const struct gmhook__live_table *t = &c->ctx->live->contact2;

	if (t->n && live_size(t, column) < 0) {
		return gmhook__error_set(
		        c->err, GMHOOK_ECONFIG, GMHOOK_STAGE_NONE, pointer,
		        "%s: CONTACT2 has no field %s in this database", file,
		        column);
	}
	return 0;
}

GMHOOK_API int gmhook_check(struct gmhook_ctx *ctx, struct gmhook_error *err)
{
	struct check_arg arg = { ctx, err };
	struct gmhook__db *db;
	int rc;

	if (!ctx) {
		return gmhook__error_set(err, GMHOOK_EINVAL, GMHOOK_STAGE_NONE,
		                         "", "ctx is NULL");
	}
	if (ctx->rest) {
		return 0;
	}
	rc = open_db(&db, ctx, err);
	if (rc == 0) {
		rc = check_ledger_table(db, err);
	}
	if (rc == 0) {
		rc = live_load(ctx, db, err);
	}
	if (rc == 0) {
		rc = gmhook__mappings_contact2(ctx->mappings,
		                               check_contact2_field, &arg);
	}
	return rc;
}
