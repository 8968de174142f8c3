/* SPDX-License-Identifier: MIT */
/*
 * Golden test of every SQL statement gmhook runs and every table it
 * creates, in each dialect: the text is compared with
 * tests/data/sql/<dialect>.sql, so a change to any statement, and above
 * all to the T-SQL that cannot run here, is a reviewed change of a golden
 * file. GMHOOK_UPDATE_GOLDEN=1 rewrites the files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmhook-private.h"

static const struct {
	const char *name;
	int dialect;
} dialects[] = {
	{ "sqlite", GMHOOK__DIALECT_SQLITE },
	{ "postgresql", GMHOOK__DIALECT_POSTGRESQL },
	{ "mssql", GMHOOK__DIALECT_MSSQL },
};

static void add_ddl(struct gmhook__buf *b, int dialect, bool ledger_only)
{
	const char *const *ddl = gmhook__schema_statements(ledger_only);
	char *sql;

	for (; *ddl; ddl++) {
		sql = gmhook__schema_sql(*ddl, dialect);
		gmhook__buf_addf(b, "%s;\n\n", sql ? sql : "(out of memory)");
		free(sql);
	}
}

static char *render(int dialect)
{
	struct gmhook__buf b = { 0 };
	int id;

	for (id = 0; id < GMHOOK__SQL_COUNT; id++) {
		const char *sql = gmhook__sql(id, dialect);

		gmhook__buf_addf(&b, "-- %s\n%s;\n\n", gmhook__sql_name(id),
		                 sql[0] ? sql : "-- (none in this dialect)");
	}
	gmhook__buf_adds(&b, "-- init-db: GoldMine tables\n");
	add_ddl(&b, dialect, false);
	gmhook__buf_adds(&b, "-- init-db: gmhook's tables\n");
	add_ddl(&b, dialect, true);
	return gmhook__buf_steal(&b);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct gmhook__buf b = { 0 };
	char chunk[4096];
	size_t n;

	if (!f) {
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		gmhook__buf_add(&b, chunk, n);
	}
	fclose(f);
	return gmhook__buf_steal(&b);
}

int main(int argc, char **argv)
{
	const char *update = getenv("GMHOOK_UPDATE_GOLDEN");
	char path[4096];
	int failed = 0;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: test-sql GOLDEN_DIR\n");
		return 2;
	}
	printf("1..%zu\n", sizeof(dialects) / sizeof(dialects[0]));
	for (i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++) {
		char *text = render(dialects[i].dialect);
		char *golden;

		snprintf(path, sizeof(path), "%s/%s.sql", argv[1],
		         dialects[i].name);
		if (update && update[0] == '1') {
			FILE *f = fopen(path, "wb");

			if (f) {
				fputs(text, f);
				fclose(f);
			}
		}
		golden = read_all(path);
		if (golden && strcmp(golden, text) == 0) {
			printf("ok %zu - %s statements match %s\n", i + 1,
			       dialects[i].name, path);
		} else {
			printf("not ok %zu - %s statements differ from %s (GMHOOK_UPDATE_GOLDEN=1 rewrites it after review)\n",
			       i + 1, dialects[i].name, path);
			failed = 1;
		}
		free(golden);
		free(text);
	}
	return failed;
}
