/* SPDX-License-Identifier: MIT */
/*
 * Input and output of the gmhook tool: bounded reads of the payload or a
 * stage document, JSON on stdout, and errors printed once on stderr as
 * "gmhook: <stage>: <path>: <message> (<CODE>)" with a JSON copy on stdout
 * for scripts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_read_input(char **out, size_t *len, const char *path, size_t limit)
{
	FILE *f = path ? fopen(path, "rb") : stdin;
	size_t cap = 65536;
	size_t n = 0;
	char *buf;
	char *grown;
	size_t got;

	if (!f) {
		fprintf(stderr, "gmhook: cannot open %s: %s\n", path,
		        strerror(errno));
		return 66;
	}
	buf = malloc(cap + 1);
	while (buf) {
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n > limit || got == 0) {
			break;
		}
		if (n == cap) {
			cap = cap * 2 > limit + 1 ? limit + 1 : cap * 2;
			grown = realloc(buf, cap + 1);
			if (!grown) {
				free(buf);
				buf = NULL;
			}
			buf = grown;
		}
	}
	if (path) {
		fclose(f);
	}
	if (!buf) {
		fprintf(stderr, "gmhook: out of memory reading the input\n");
		return 75;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20) {
			fprintf(f, "\\u%04x", c);
		} else {
			fputc(c, f);
		}
	}
	fputc('"', f);
}

int cli_report_error(const struct gmhook_error *err)
{
	const char *stage = gmhook_stage_name(err->stage);

	fprintf(stderr, "gmhook: %s%s%s%s%s (%s)\n", stage,
	        stage[0] ? ": " : "", err->path, err->path[0] ? ": " : "",
	        err->message, gmhook_code_name(err->code));
	printf("{\"status\": \"error\", \"code\": ");
	json_string(stdout, gmhook_code_name(err->code));
	printf(", \"stage\": ");
	json_string(stdout, stage);
	printf(", \"path\": ");
	json_string(stdout, err->path);
	printf(", \"message\": ");
	json_string(stdout, err->message);
	printf("}\n");
	return gmhook_exit_status(err->code);
}

int cli_print_json(char *json)
{
	if (!json) {
		fprintf(stderr, "gmhook: out of memory\n");
		return 75;
	}
	fputs(json, stdout);
	fputc('\n', stdout);
	gmhook_free(json);
	return 0;
}

void cli_log(int level, const char *message, void *userdata)
{
	static const char *const names[] = { "", "error", "warning", "info",
		                             "debug" };

	(void) userdata;
	fprintf(stderr, "gmhook: %s: %s\n",
	        level >= 1 && level <= 4 ? names[level] : "log", message);
}
