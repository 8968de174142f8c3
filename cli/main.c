/* SPDX-License-Identifier: MIT */
/*
 * gmhook: read a webhook delivery (or a stage document) from standard
 * input, run it through libgmhook's stages and print the JSON result. The
 * exit status follows sysexits.h so cron, CGI wrappers and scripts can act
 * on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_MAX_BODY (1024 * 1024)

static size_t body_limit(const struct cli_options *o)
{
	return o->max_body ? (size_t) o->max_body : DEFAULT_MAX_BODY;
}

/* Stage documents carry the body twice (raw and decoded) and a base64
 * copy; allow for that. */
static size_t document_limit(const struct cli_options *o)
{
	return body_limit(o) * 4 + 65536;
}

/* Read the body into *body (caller frees) and parse it; @p req keeps the
 * delivery for the spool. */
static int parse_input(struct gmhook_event **event, struct gmhook_request *req,
                       char **body, struct gmhook_ctx *ctx,
                       const struct cli_options *o, struct gmhook_error *err)
{
	size_t len = 0;
	int rc;

	/* Read one byte past the limit so an oversized body is reported as
	 * such, without ever holding more than limit + 1 bytes. */
	rc = cli_read_input(body, &len, o->input, body_limit(o));
	if (rc) {
		return rc;
	}
	req->body = *body;
	req->body_len = len;
	req->content_type = o->content_type;
	for (size_t i = 0; !req->content_type && i < o->n_headers; i++) {
		if (strcasecmp(o->headers[i].name, "Content-Type") == 0) {
			req->content_type = o->headers[i].value;
		}
	}
	req->headers = o->headers;
	req->n_headers = o->n_headers;
	req->source = o->source;
	req->received =
	        o->received ? (int64_t) o->received : (int64_t) time(NULL);
	return gmhook_parse(event, ctx, req, err);
}

static int read_document(char **doc, size_t *len, const struct cli_options *o)
{
	int rc = cli_read_input(doc, len, o->input, document_limit(o));

	if (rc == 0 && *len > document_limit(o)) {
		fprintf(stderr,
		        "gmhook: the input document is larger than %zu bytes\n",
		        document_limit(o));
		free(*doc);
		return 65;
	}
	return rc;
}

/* Run the stages from @p from (a command) up to @p to. */
static int run_stages(struct gmhook_ctx *ctx, const struct cli_options *o,
                      enum cli_command from, enum cli_command to,
                      struct gmhook_error *err)
{
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;
	struct gmhook_result *result = NULL;
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	char *body = NULL;
	char *doc = NULL;
	size_t len = 0;
	int pretty = !o->compact;
	int rc;

	if (from == CMD_RUN || from == CMD_PARSE) {
		rc = parse_input(&event, &req, &body, ctx, o, err);
	} else {
		rc = read_document(&doc, &len, o);
		if (rc) {
			return rc;
		}
		rc = from == CMD_COMMIT
		             ? gmhook_plan_from_json(&plan, ctx, doc, len, err)
		             : gmhook_event_from_json(&event, ctx, doc, len,
		                                      err);
		free(doc);
	}
	if (rc > 0) {
		free(body);
		return rc;
	}
	if (rc == 0 && event && to != CMD_PARSE) {
		rc = gmhook_validate(ctx, event, err);
	}
	if (rc == 0 && event && to != CMD_PARSE && to != CMD_VALIDATE) {
		rc = gmhook_map(&plan, ctx, event, err);
	}
	if (rc == 0 && plan && (to == CMD_RUN || to == CMD_COMMIT)) {
		rc = gmhook_commit(&result, ctx, plan, err);
	}
	if (rc < 0 && from == CMD_RUN && !o->dry_run && cli_spoolable(err)) {
		rc = cli_spool_delivery(ctx, o, &req, err);
	} else if (rc < 0) {
		rc = cli_report_error(err);
	} else if (result && o->dry_run) {
		printf("{\"plan\": ");
		rc = cli_print_json(gmhook_plan_to_json(plan, pretty));
		printf(", \"result\": ");
		rc = rc ? rc
		        : cli_print_json(gmhook_result_to_json(result, pretty));
		printf("}\n");
	} else if (result) {
		rc = cli_print_json(gmhook_result_to_json(result, pretty));
	} else if (plan) {
		rc = cli_print_json(gmhook_plan_to_json(plan, pretty));
	} else {
		rc = cli_print_json(gmhook_event_to_json(event, pretty));
	}
	gmhook_result_free(result);
	gmhook_plan_free(plan);
	gmhook_event_free(event);
	free(body);
	return rc;
}

static const char *config_path(const struct cli_options *o);

static int print_schema(const struct cli_options *o)
{
	char *sql = gmhook_init_db_sql(o->dialect ? o->dialect : "mssql",
	                               o->ledger_only);

	if (!sql) {
		fprintf(stderr,
		        "gmhook: --dialect must be mssql, postgresql or sqlite\n");
		return 64;
	}
	fputs(sql, stdout);
	gmhook_free(sql);
	return 0;
}

static int command(struct gmhook_ctx *ctx, const struct cli_options *o)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	const char *const *names;

	switch (o->command) {
	case CMD_SOURCES:
		for (names = gmhook_source_names(); *names; names++) {
			if (o->verbosity < 0) {
				printf("%s\n", *names);
				continue;
			}
			printf("%s\n  %s\n  signature: %s\n  writes: %s\n",
			       *names,
			       gmhook_source_info(*names, "description"),
			       gmhook_source_info(*names, "signature"),
			       gmhook_source_info(*names, "actions"));
			if (gmhook_source_info(*names, "mapping")) {
				printf("  mapping: %s (built in; installed "
				       "under share/gmhook/mappings)\n",
				       gmhook_source_info(*names, "mapping"));
			}
		}
		return 0;
	case CMD_INIT_DB:
		if (o->schema_only) {
			return print_schema(o);
		}
		if (gmhook_init_db(ctx, o->ledger_only, &err) < 0) {
			return cli_report_error(&err);
		}
		fprintf(stderr, "gmhook: %s tables are ready\n",
		        o->ledger_only ? "ledger" : "GoldMine and ledger");
		return 0;
	case CMD_CHECK:
		/* Creating the context checked the files; --database also
		 * checks them against the database. */
		if (o->check_db && gmhook_check(ctx, &err) < 0) {
			return cli_report_error(&err);
		}
		printf("configuration %s is valid\n",
		       config_path(o) ? config_path(o)
		                      : "(none: built-in defaults)");
		return 0;
	case CMD_RUN:
		if (o->batch) {
			return cli_batch(ctx, o);
		}
		return run_stages(ctx, o, CMD_RUN, CMD_RUN, &err);
	case CMD_DRAIN:
		return cli_drain(ctx, o);
	case CMD_SPOOL:
		return cli_spool_command(ctx, o);
	default:
		return run_stages(ctx, o, o->command, o->command, &err);
	}
}

/* --config, else ./gmhook.json, else /etc/gmhook/gmhook.json, else none. */
static const char *config_path(const struct cli_options *o)
{
	static const char *const defaults[] = { "gmhook.json",
		                                "/etc/gmhook/gmhook.json" };
	size_t i;

	if (o->config) {
		return o->config;
	}
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (access(defaults[i], F_OK) == 0) {
			return defaults[i];
		}
	}
	return NULL;
}

/* GoldMine stores the server's local times; the library converts with the
 * process's zone, so set it before the first event. */
void cli_set_timezone(const char *zone)
{
	if (zone && zone[0]) {
		setenv("TZ", zone, 1);
	}
	tzset();
}

int cli_log_level(const struct cli_options *o)
{
	if (o->verbosity < 0) {
		return GMHOOK_LOG_ERROR;
	}
	return o->verbosity >= 2 ? GMHOOK_LOG_DEBUG
	                         : (o->verbosity == 1 ? GMHOOK_LOG_INFO
	                                              : GMHOOK_LOG_WARN);
}

int main(int argc, char **argv)
{
	struct gmhook_options opts = GMHOOK_OPTIONS_INIT;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_ctx *ctx = NULL;
	struct cli_options o;
	int rc;

	rc = cli_parse_args(&o, argc, argv);
	if (rc || o.help || o.version) {
		if (o.help) {
			cli_print_help();
		} else if (o.version) {
			printf("gmhook %s\n", gmhook_version());
		}
		cli_options_free(&o);
		return rc;
	}
	opts.config = config_path(&o);
	opts.db = o.db;
	opts.user = o.user;
	opts.owner = o.owner;
	opts.max_body = o.max_body;
	opts.dry_run = o.dry_run;
	opts.explain = o.explain;
	opts.overflow = o.reject_overflow ? GMHOOK_OVERFLOW_REJECT
	                                  : GMHOOK_OVERFLOW_TRUNCATE;
	if (o.command == CMD_CGI || o.command == CMD_FASTCGI) {
		/* They answer configuration errors over HTTP themselves. */
		rc = o.command == CMD_CGI ? cli_cgi(&o, &opts)
		                          : cli_fastcgi(&o, &opts);
		cli_options_free(&o);
		return rc;
	}
	if (gmhook_ctx_new(&ctx, &opts, &err) < 0) {
		rc = cli_report_error(&err);
		cli_options_free(&o);
		return rc;
	}
	gmhook_ctx_set_log_fn(ctx, cli_log, cli_log_level(&o), NULL);
	cli_set_timezone(o.timezone ? o.timezone : gmhook_ctx_timezone(ctx));
	rc = command(ctx, &o);
	gmhook_ctx_free(ctx);
	cli_options_free(&o);
	return rc;
}
