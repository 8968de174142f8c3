/* SPDX-License-Identifier: MIT */
/*
 * The built-in mapping files. Each source that builds a record (its values
 * read from the payload, whatever shape the provider sent) has a mapping
 * file of rules that turn the record into GoldMine actions: the same
 * format, the same checks and the same engine as a site's own files. The
 * files are compiled into the library, so a library and its mappings
 * always match; they are also installed under share/gmhook/mappings for
 * reading and copying. A configuration's "builtin_mappings" directory
 * replaces the compiled-in copies: every file is then read from there,
 * and checked when the configuration is loaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmhook-private.h"

/* Read @p dir/@p name into a buffer the caller frees; NULL when absent. */
static char *read_file(const char *dir, const char *name, size_t *len,
                       struct gmhook_error *err, int *rc)
{
	char path[4096];
	char *buf = NULL;
	FILE *f;

	*rc = 0;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int) sizeof(path)) {
		*rc = gmhook__error_set(err, GMHOOK_ECONFIG, GMHOOK_STAGE_NONE,
		                        "/builtin_mappings",
		                        "the directory name is too long");
		return NULL;
	}
	f = fopen(path, "rb");
	if (!f) {
		*rc = gmhook__error_set(err, GMHOOK_ECONFIG, GMHOOK_STAGE_NONE,
		                        "/builtin_mappings",
		                        "%s: cannot open the built-in mapping "
		                        "file",
		                        path);
		return NULL;
	}
	buf = malloc(4 * 1024 * 1024 + 1);
	*len = buf ? fread(buf, 1, 4 * 1024 * 1024 + 1, f) : 0;
	fclose(f);
	if (!buf || *len > 4 * 1024 * 1024) {
		free(buf);
		*rc = gmhook__error_set(
		        err, GMHOOK_ECONFIG, GMHOOK_STAGE_NONE,
		        "/builtin_mappings",
		        "%s: larger than 4 MiB or out of memory", path);
		return NULL;
	}
	return buf;
}

/* Load built-in file @p f into ctx->builtin (once). */
static int load_file(struct gmhook_ctx *ctx, size_t index,
                     struct gmhook_error *err)
{
	const struct gmhook__builtin_file *f = &gmhook__builtin_files[index];
	char name[4096 + 64];
	size_t len = 0;
	char *text;
	int rc = 0;

	if (ctx->builtin_loaded & (1ULL << index)) {
		return 0;
	}
	if (!ctx->builtin_dir) {
		snprintf(name, sizeof(name), "builtin:%s", f->name);
		rc = gmhook__mappings_load_text(&ctx->builtin, name, f->text,
		                                f->len, err);
	} else {
		text = read_file(ctx->builtin_dir, f->name, &len, err, &rc);
		if (!text) {
			return rc;
		}
		snprintf(name, sizeof(name), "%s/%s", ctx->builtin_dir,
		         f->name);
		rc = gmhook__mappings_load_text(&ctx->builtin, name, text, len,
		                                err);
		free(text);
	}
	if (rc == 0) {
		ctx->builtin_loaded |= 1ULL << index;
	}
	return rc;
}

const struct gmhook__mappings *gmhook__builtin(struct gmhook_ctx *ctx,
                                               const char *file,
                                               struct gmhook_error *err)
{
	size_t i;
	int rc = 0;

	/* A process that maps one event parses only its source's file. */
	for (i = 0; rc == 0 && gmhook__builtin_files[i].name; i++) {
		if (!file || strcmp(file, gmhook__builtin_files[i].name) == 0) {
			rc = load_file(ctx, i, err);
		}
	}
	if (rc < 0) {
		gmhook__mappings_free(ctx->builtin);
		ctx->builtin = NULL;
		ctx->builtin_loaded = 0;
		return NULL;
	}
	if (!ctx->builtin) {
		gmhook__error_set(err, GMHOOK_ECONFIG, GMHOOK_STAGE_NONE, "",
		                  "no built-in mapping file named %s",
		                  file ? file : "(none)");
	}
	return ctx->builtin;
}
