/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the two file loaders: a site mapping file
 * (gmhook__mappings_load, followed by gmhook_map() of a fixed web form
 * event so the loaded rules are applied) and the configuration file
 * (gmhook_ctx_new() with opts.config). The input's first byte is 'M' for a
 * mapping file, anything else a configuration; the rest is written to a
 * temporary file. Built by tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gmhook-private.h"

#define NOW 1772460309

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char file[64];

static const char form_body[] =
        "name=Ada+Lovelace&email=ada%40example.com&phone=%2B44+20+7946+0000"
        "&company=Analytical+Engines&message=Hello&utm_source=fuzz"
        "&tags[]=a&tags[]=b&address[city]=London";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void) argc;
	(void) argv;
	setenv("TZ", "UTC", 1);
	tzset();
	snprintf(file, sizeof(file), "/tmp/gmhook-fuzz-config.XXXXXX");
	fd = mkstemp(file);
	if (fd < 0) {
		abort();
	}
	close(fd);
	return 0;
}

static bool write_file(const uint8_t *data, size_t size)
{
	FILE *f = fopen(file, "wb");
	bool ok;

	if (!f) {
		return false;
	}
	ok = fwrite(data, 1, size, f) == size;
	return fclose(f) == 0 && ok;
}

static void apply_mappings(struct gmhook_ctx *ctx)
{
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;

	req.body = form_body;
	req.body_len = sizeof(form_body) - 1;
	req.received = NOW;
	if (gmhook_parse(&event, ctx, &req, NULL) == 0 &&
	    gmhook_validate(ctx, event, NULL) == 0 &&
	    gmhook_map(&plan, ctx, event, NULL) == 0) {
		gmhook_plan_free(plan);
	}
	gmhook_event_free(event);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gmhook_options opts = GMHOOK_OPTIONS_INIT;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_ctx *ctx = NULL;
	bool mapping = size > 0 && data[0] == 'M';

	if (size > 0) {
		data++;
		size--;
	}
	if (!write_file(data, size)) {
		return 0;
	}
	opts.dry_run = 1;
	opts.explain = 1;
	if (mapping) {
		if (gmhook_ctx_new(&ctx, &opts, NULL) != 0) {
			abort();
		}
		ctx->fixed_now = NOW;
		if (gmhook__mappings_load(ctx, file, NULL, &err) == 0) {
			apply_mappings(ctx);
		}
	} else {
		opts.config = file;
		if (gmhook_ctx_new(&ctx, &opts, NULL) == 0) {
			ctx->fixed_now = NOW;
			apply_mappings(ctx);
		}
	}
	gmhook_ctx_free(ctx);
	return 0;
}
