/* SPDX-License-Identifier: MIT */
/*
 * The context: the caller's options with their defaults filled in, the log
 * handler, and the database connection, opened on first use and kept for
 * the context's life so prepared statements are reused across events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmhook-private.h"

#define DEFAULT_DB         "gmhook.db"
#define DEFAULT_USER       "WEBHOOK"
#define DEFAULT_MAX_BODY   (1024 * 1024)
#define DEFAULT_MAX_DEPTH  32
#define DEFAULT_MAX_FIELDS 2000
#define DEFAULT_MAX_EVENTS 1000
#define DEFAULT_TIMEOUT    15

GMHOOK_API const char *gmhook_version(void)
{
	return GMHOOK_VERSION_STRING;
}

GMHOOK_API int gmhook_version_number(void)
{
	return GMHOOK_VERSION_NUMBER;
}

GMHOOK_API void gmhook_free(void *ptr)
{
	free(ptr);
}

/* Take @p value when given, else keep what the configuration set, else
 * the default; check the length. */
static int set_option(char **dst, const char *value, const char *fallback,
                      size_t max, const char *name, struct gmhook_error *err)
{
	char *copy = NULL;

	if (value || !*dst) {
		copy = gmhook__strdup(value ? value : fallback);
		if (!copy) {
			return gmhook__error_set(err, GMHOOK_ENOMEM,
			                         GMHOOK_STAGE_NONE, "",
			                         "out of memory");
		}
		free(*dst);
		*dst = copy;
	}
	if (max && gmhook__utf8_chars(*dst) > max) {
		return gmhook__error_set(
		        err, GMHOOK_EINVAL, GMHOOK_STAGE_NONE, "",
		        "option %s is longer than %zu characters", name, max);
	}
	return 0;
}

static int copy_strings(struct gmhook_ctx *ctx, const struct gmhook_options *o,
                        struct gmhook_error *err)
{
	int rc;

	rc = set_option(&ctx->db_string, o->db, DEFAULT_DB, 0, "db", err);
	if (rc == 0) {
		rc = set_option(&ctx->user, o->user, DEFAULT_USER, 8, "user",
		                err);
	}
	if (rc == 0) {
		rc = set_option(&ctx->owner, o->owner, "", 8, "owner", err);
	}
	if (rc == 0 && (o->source_label || ctx->source_label)) {
		rc = set_option(&ctx->source_label, o->source_label, "", 20,
		                "source_label", err);
	}
	if (rc == 0) {
		rc = set_option(&ctx->merge_codes, o->merge_codes, "", 20,
		                "merge_codes", err);
	}
	if (rc == 0) {
		gmhook__str_upper(ctx->user);
		gmhook__str_upper(ctx->owner);
	}
	return rc;
}

/* Numbers the caller set (non-zero) win over the configuration file. */
static void merge_numbers(struct gmhook_options *dst,
                          const struct gmhook_options *src)
{
	if (src->max_body) {
		dst->max_body = src->max_body;
	}
	if (src->max_depth) {
		dst->max_depth = src->max_depth;
	}
	if (src->max_fields) {
		dst->max_fields = src->max_fields;
	}
	if (src->max_events) {
		dst->max_events = src->max_events;
	}
	if (src->login_timeout) {
		dst->login_timeout = src->login_timeout;
	}
	if (src->overflow) {
		dst->overflow = src->overflow;
	}
	dst->dry_run = src->dry_run;
	dst->explain = src->explain;
}

static void apply_defaults(struct gmhook_options *o)
{
	if (!o->max_body) {
		o->max_body = DEFAULT_MAX_BODY;
	}
	if (!o->max_depth) {
		o->max_depth = DEFAULT_MAX_DEPTH;
	}
	if (!o->max_fields) {
		o->max_fields = DEFAULT_MAX_FIELDS;
	}
	if (!o->max_events) {
		o->max_events = DEFAULT_MAX_EVENTS;
	}
	if (!o->login_timeout) {
		o->login_timeout = DEFAULT_TIMEOUT;
	}
}

GMHOOK_API int gmhook_ctx_new(struct gmhook_ctx **out,
                              const struct gmhook_options *opts,
                              struct gmhook_error *err)
{
	struct gmhook_options defaults = GMHOOK_OPTIONS_INIT;
	struct gmhook_ctx *ctx = NULL;
	int rc;

	if (!out) {
		return gmhook__error_set(err, GMHOOK_EINVAL, GMHOOK_STAGE_NONE,
		                         "", "out is NULL");
	}
	if (!opts) {
		opts = &defaults;
	}
	if (opts->version != GMHOOK_OPTIONS_VERSION) {
		return gmhook__error_set(err, GMHOOK_EINVAL, GMHOOK_STAGE_NONE,
		                         "", "options version %u is not %u",
		                         opts->version, GMHOOK_OPTIONS_VERSION);
	}
	if (opts->overflow != GMHOOK_OVERFLOW_TRUNCATE &&
	    opts->overflow != GMHOOK_OVERFLOW_REJECT) {
		return gmhook__error_set(
		        err, GMHOOK_EINVAL, GMHOOK_STAGE_NONE, "",
		        "option overflow must be truncate (0) or reject (1)");
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_NONE,
		                         "", "out of memory");
	}
	ctx->opts.version = GMHOOK_OPTIONS_VERSION;
	ctx->bounce_delete = true; /* hard bounces remove the address */
	ctx->use_cases = true;
	ctx->sms_new_contacts = true;
	snprintf(ctx->phone_country, sizeof(ctx->phone_country), "1");
	rc = opts->config
	             ? gmhook__config_load(ctx, &ctx->opts, opts->config, err)
	             : 0;
	if (rc == 0) {
		merge_numbers(&ctx->opts, opts);
		rc = copy_strings(ctx, opts, err);
	}
	if (rc < 0) {
		goto out;
	}
	apply_defaults(&ctx->opts);
	ctx->opts.db = ctx->db_string;
	ctx->opts.user = ctx->user;
	ctx->opts.owner = ctx->owner;
	ctx->opts.source_label = ctx->source_label;
	ctx->opts.merge_codes = ctx->merge_codes;
	ctx->opts.config = NULL;
	*out = ctx;
	ctx = NULL;
out:
	gmhook_ctx_free(ctx);
	return rc;
}

GMHOOK_API void gmhook_ctx_free(struct gmhook_ctx *ctx)
{
	if (!ctx) {
		return;
	}
	gmhook__db_close(ctx->db);
	gmhook__config_free(ctx);
	gmhook__mappings_free(ctx->mappings);
	gmhook__mappings_free(ctx->builtin);
	free(ctx->builtin_dir);
	if (ctx->tok) {
		json_tokener_free(ctx->tok); /* not NULL-safe in json-c */
	}
	free(ctx->live);
	free(ctx->db_string);
	free(ctx->user);
	free(ctx->owner);
	free(ctx->source_label);
	free(ctx->merge_codes);
	free(ctx);
}

int64_t gmhook__now(const struct gmhook_ctx *ctx)
{
	if (ctx && ctx->map_now) {
		return ctx->map_now;
	}
	if (ctx && ctx->fixed_now) {
		return ctx->fixed_now;
	}
	return (int64_t) time(NULL);
}

int gmhook__ctx_db(struct gmhook__db **out, struct gmhook_ctx *ctx,
                   struct gmhook_error *err)
{
	char *connection;
	int rc;

	if (ctx->db) {
		*out = ctx->db;
		return 0;
	}
	connection = gmhook__db_connection_string(ctx->db_string);
	if (!connection) {
		return gmhook__error_set(err, GMHOOK_ENOMEM,
		                         GMHOOK_STAGE_COMMIT, "",
		                         "out of memory");
	}
	rc = gmhook__db_open(&ctx->db, ctx, connection, err);
	free(connection);
	if (rc < 0) {
		return rc;
	}
	*out = ctx->db;
	return 0;
}
