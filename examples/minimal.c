/* SPDX-License-Identifier: MIT */
/*
 * The smallest complete libgmhook program: read a webhook body from a
 * file, run the four stages (parse, validate, map, commit) and print the
 * result. Build it against an installed libgmhook with pkg-config:
 *
 *   cc -o minimal minimal.c $(pkg-config --cflags --libs gmhook)
 *   ./minimal payload.json gmhook.db
 */
#include <stdio.h>
#include <stdlib.h>

#include <gmhook/gmhook.h>

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (!f) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t) size + 1);
	}
	if (buf) {
		*len = fread(buf, 1, (size_t) size, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

static int run(struct gmhook_ctx *ctx, const char *body, size_t len,
               struct gmhook_error *err)
{
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;
	struct gmhook_result *result = NULL;
	int rc;

	req.body = body;
	req.body_len = len;
	rc = gmhook_parse(&event, ctx, &req, err);
	if (rc == 0) {
		rc = gmhook_validate(ctx, event, err);
	}
	if (rc == 0) {
		rc = gmhook_map(&plan, ctx, event, err);
	}
	if (rc == 0) {
		rc = gmhook_commit(&result, ctx, plan, err);
	}
	if (rc == 0) {
		printf("%s %s\n", gmhook_result_status(result),
		       gmhook_result_accountno(result));
	}
	gmhook_result_free(result);
	gmhook_plan_free(plan);
	gmhook_event_free(event);
	return rc;
}

int main(int argc, char **argv)
{
	struct gmhook_options opts = GMHOOK_OPTIONS_INIT;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_ctx *ctx = NULL;
	size_t len = 0;
	char *body;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: minimal PAYLOAD DATABASE\n");
		return 64;
	}
	if (gmhook_version_number() != GMHOOK_VERSION_NUMBER) {
		fprintf(stderr,
		        "minimal: header and library versions differ\n");
		return 70;
	}
	body = read_file(argv[1], &len);
	if (!body) {
		fprintf(stderr, "minimal: cannot read %s\n", argv[1]);
		return 66;
	}
	opts.db = argv[2];
	rc = gmhook_ctx_new(&ctx, &opts, &err);
	if (rc == 0) {
		rc = gmhook_init_db(ctx, 0, &err);
	}
	if (rc == 0) {
		rc = run(ctx, body, len, &err);
	}
	if (rc < 0) {
		fprintf(stderr, "minimal: %s: %s%s%s\n",
		        gmhook_stage_name(err.stage), err.path,
		        err.path[0] ? ": " : "", err.message);
	}
	gmhook_ctx_free(ctx);
	free(body);
	return rc < 0 ? gmhook_exit_status(rc) : 0;
}
