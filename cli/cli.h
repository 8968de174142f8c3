/* SPDX-License-Identifier: MIT */
/*
 * The gmhook command-line tool: option parsing (args.c), reading input
 * and printing results and errors (report.c), and the commands (main.c).
 * The tool sees only the library's public header.
 */
#ifndef GMHOOK_CLI_H
#define GMHOOK_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <gmhook/gmhook.h>

#define CLI_MAX_HEADERS 64

enum cli_command {
	CMD_RUN,
	CMD_PARSE,
	CMD_VALIDATE,
	CMD_MAP,
	CMD_COMMIT,
	CMD_INIT_DB,
	CMD_SOURCES,
};

struct cli_options {
	enum cli_command command;
	const char *db;
	const char *source;
	const char *content_type;
	const char *user;
	const char *owner;
	const char *timezone;
	const char *input; /* file to read instead of stdin */
	const char *config;
	long long received; /* Unix seconds; 0: now */
	struct gmhook_header headers[CLI_MAX_HEADERS];
	char *header_storage[CLI_MAX_HEADERS];
	size_t n_headers;
	unsigned long long max_body;
	bool dry_run;
	bool ledger_only;
	bool compact;
	bool reject_overflow;
	int verbosity; /* 0 normal, -1 quiet, 1.. verbose */
	bool help;
	bool version;
};

/* Parse argv; returns 0, or 64 after printing one line on a usage error. */
int cli_parse_args(struct cli_options *o, int argc, char **argv);
void cli_options_free(struct cli_options *o);
void cli_print_help(void);

/* Read a whole file (NULL: stdin) up to @p limit bytes. Returns 0, or an
 * exit status after printing the problem. *out is NUL-terminated. */
int cli_read_input(char **out, size_t *len, const char *path, size_t limit);

/* Print an error once, to stderr and as a JSON result on stdout, and
 * return its exit status. */
int cli_report_error(const struct gmhook_error *err);

/* Print a library-allocated JSON string and free it. */
int cli_print_json(char *json);

void cli_log(int level, const char *message, void *userdata);

#endif
