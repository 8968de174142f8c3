/* SPDX-License-Identifier: MIT */
/*
 * docs/errors.md has one row per error code, and each row's value and exit
 * status agree with the library's table (gmhook_code_name and
 * gmhook_exit_status), so the documentation cannot drift from the code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmhook/gmhook.h>

#define LAST_CODE GMHOOK_EMEDIATYPE

int main(int argc, char **argv)
{
	static char doc[65536];
	char row[160];
	size_t n;
	FILE *f;
	int failed = 0;
	int code;

	if (argc != 2 || !(f = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: test-errors-doc docs/errors.md\n");
		return 2;
	}
	n = fread(doc, 1, sizeof(doc) - 1, f);
	doc[n] = '\0';
	fclose(f);
	for (code = -1; code >= LAST_CODE; code--) {
		snprintf(row, sizeof(row), "| %s | %d | %d |",
		         gmhook_code_name(code), code,
		         gmhook_exit_status(code));
		if (!strstr(doc, row)) {
			printf("missing or wrong row: %s\n", row);
			failed = 1;
		}
	}
	if (strcmp(gmhook_code_name(LAST_CODE - 1), "GMHOOK_EUNKNOWN") != 0) {
		printf("a code after %s exists; add it here and to the docs\n",
		       gmhook_code_name(LAST_CODE));
		failed = 1;
	}
	return failed;
}
