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
	CMD_DRAIN,
	CMD_SPOOL,
	CMD_CGI,
	CMD_FASTCGI,
	CMD_CHECK,
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
	const char *spool;        /* --spool DIR */
	const char *spool_action; /* spool list|show|retry|drop */
	const char *spool_id;
	bool wait;                /* drain: wait for the lock */
	bool batch;               /* run: one delivery per input line */
	unsigned long batch_size; /* run --batch: lines per transaction */
	const char *listen; /* fastcgi: unix path or HOST:PORT; NULL: fd 0 */
	bool trust_proxy;   /* cgi, fastcgi: believe X-Forwarded-Proto/Host of
	                     * any peer, whatever http.trust_proxy says */
	long long received; /* Unix seconds; 0: now */
	struct gmhook_header headers[CLI_MAX_HEADERS];
	char *header_storage[CLI_MAX_HEADERS];
	size_t n_headers;
	unsigned long long max_body;
	bool dry_run;
	bool explain;
	bool ledger_only;
	bool schema_only;
	bool check_db;
	const char *dialect;
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

/* spool.c: --spool, else the configuration's spool.dir, else
 * $GMHOOK_SPOOL; NULL when none. */
const char *cli_spool_dir(struct gmhook_ctx *ctx, const struct cli_options *o);

/* Is this commit failure worth spooling (may pass later)? */
bool cli_spoolable(const struct gmhook_error *err);

/* Report @p cause, spool @p req and say so; always returns 75. */
int cli_spool_delivery(struct gmhook_ctx *ctx, const struct cli_options *o,
                       const struct gmhook_request *req,
                       const struct gmhook_error *cause);

/* batch.c: `run --batch`, one delivery per input line, committed in
 * groups; returns an exit status. */
int cli_batch(struct gmhook_ctx *ctx, const struct cli_options *o);

/* The drain and spool commands; return an exit status. */
int cli_drain(struct gmhook_ctx *ctx, const struct cli_options *o);
int cli_spool_command(struct gmhook_ctx *ctx, const struct cli_options *o);

/* The log level -v/-q ask for, and TZ from --tz or the configuration. */
int cli_log_level(const struct cli_options *o);
void cli_set_timezone(const char *zone);

/* `gmhook cgi` (cgi.c) and `gmhook fastcgi` (fastcgi.c): serve HTTP
 * deliveries; @p opts are the options built from the command line. */
int cli_cgi(const struct cli_options *o, const struct gmhook_options *opts);
int cli_fastcgi(const struct cli_options *o, const struct gmhook_options *opts);

#endif
