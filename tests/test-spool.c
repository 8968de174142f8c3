/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the spool format (spool.c): a written delivery reads back
 * byte for byte, names sort in the order written, a write leaves no
 * temporary file, and every refusal carries its code and JSON pointer.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gmhook-private.h"

struct fixture {
	struct gmhook_ctx *ctx;
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(gmhook_ctx_new(&f->ctx, NULL, NULL), 0);
	snprintf(f->dir, sizeof(f->dir), "/tmp/gmhook-test-spool.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static void remove_tree(const char *dir)
{
	char path[512];
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d) {
		return;
	}
	for (;;) {
		e = readdir(d);
		if (!e) {
			break;
		}
		if (strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			remove_tree(path);
		} else {
			(void) unlink(path);
		}
	}
	(void) closedir(d);
	(void) rmdir(dir);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	remove_tree(f->dir);
	gmhook_ctx_free(f->ctx);
	free(f);
	return 0;
}

static size_t count_entries(const char *dir, bool hidden_only)
{
	struct dirent *e;
	size_t n = 0;
	DIR *d = opendir(dir);

	assert_non_null(d);
	for (;;) {
		e = readdir(d);
		if (!e) {
			break;
		}
		if (strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0) {
			continue;
		}
		if (!hidden_only || e->d_name[0] == '.' ||
		    strstr(e->d_name, ".tmp")) {
			n++;
		}
	}
	(void) closedir(d);
	return n;
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	out = fopen(path, "w");
	assert_non_null(out);
	fputs(text, out);
	assert_int_equal(fclose(out), 0);
}

static void spool_round_trip_is_byte_exact(void **state)
{
	struct fixture *f = *state;
	/* A NUL, bytes that are not UTF-8 (0xff, a lone 0xc3 before '('),
	 * a quote and a backslash. */
	static const unsigned char body[] = { 'a', 0,   'b',  0xff, 0xc3,
		                              '(', '"', '\\', '\n', 0 };
	static const struct gmhook_header headers[] = {
		{ "Content-Type", "application/octet-stream" },
		{ "X-Sig", "t=1,v1=\"ab\"\\" },
	};
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_spool_item *item = NULL;
	const struct gmhook_request *back;
	char *name = NULL;
	char path[512];

	req.body = body;
	req.body_len = sizeof(body);
	req.content_type = "application/octet-stream";
	req.headers = headers;
	req.n_headers = 2;
	req.source = "webform";
	req.received = 1700000000;
	assert_int_equal(gmhook_spool_write(&name, f->ctx, f->dir, &req, &err),
	                 0);
	assert_non_null(name);
	assert_true(gmhook__spool_is_entry(name));
	assert_null(strchr(name, '/'));

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_int_equal(gmhook_spool_read(&item, f->ctx, path, &err), 0);
	back = gmhook_spool_item_request(item);
	assert_int_equal(back->body_len, sizeof(body));
	assert_memory_equal(back->body, body, sizeof(body));
	assert_string_equal(back->content_type, req.content_type);
	assert_string_equal(back->source, "webform");
	assert_int_equal(back->received, 1700000000);
	assert_int_equal(back->n_headers, 2);
	assert_string_equal(back->headers[1].name, "X-Sig");
	assert_string_equal(back->headers[1].value, headers[1].value);
	gmhook_spool_item_free(item);
	gmhook_free(name);
}

static void spool_round_trip_keeps_absent_fields_absent(void **state)
{
	struct fixture *f = *state;
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_spool_item *item = NULL;
	const struct gmhook_request *back;
	char *name = NULL;
	char path[512];

	f->ctx->fixed_now = 1600000000;
	req.body = "";
	assert_int_equal(gmhook_spool_write(&name, f->ctx, f->dir, &req, NULL),
	                 0);
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_int_equal(gmhook_spool_read(&item, f->ctx, path, NULL), 0);
	back = gmhook_spool_item_request(item);
	assert_int_equal(back->body_len, 0);
	assert_non_null(back->body);
	assert_null(back->content_type);
	assert_null(back->source);
	assert_int_equal(back->n_headers, 0);
	/* received 0 means "now", from the context's clock */
	assert_int_equal(back->received, 1600000000);
	gmhook_spool_item_free(item);
	gmhook_free(name);
}

static void spool_names_sort_in_the_order_written(void **state)
{
	struct fixture *f = *state;
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	char *written[40];
	char **names = NULL;
	size_t i;

	req.body = "x";
	req.body_len = 1;
	for (i = 0; i < 40; i++) {
		assert_int_equal(gmhook_spool_write(&written[i], f->ctx, f->dir,
		                                    &req, NULL),
		                 0);
	}
	assert_int_equal(gmhook_spool_list(&names, f->ctx, f->dir, NULL), 0);
	for (i = 0; i < 40; i++) {
		assert_non_null(names[i]);
		assert_string_equal(names[i], written[i]);
		gmhook_free(written[i]);
	}
	assert_null(names[40]);
	gmhook_spool_list_free(names);
}

static void spool_write_leaves_no_temporary_file(void **state)
{
	struct fixture *f = *state;
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct stat st;
	char *name = NULL;
	char path[512];

	req.body = "email=a%40b.example";
	req.body_len = strlen(req.body);
	assert_int_equal(gmhook_spool_write(&name, f->ctx, f->dir, &req, NULL),
	                 0);
	assert_int_equal(count_entries(f->dir, true), 0);
	assert_int_equal(count_entries(f->dir, false), 1);
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	gmhook_free(name);
}

static void spool_list_skips_what_is_not_an_entry(void **state)
{
	struct fixture *f = *state;
	char **names = NULL;
	char sub[512];

	write_text(f->dir, ".lock", "");
	write_text(f->dir, ".00000000000000000001-1-00.json.tmp", "{");
	write_text(f->dir, "drop.log", "x\n");
	write_text(f->dir, "00000000000000000002-1-00.json", "{}");
	snprintf(sub, sizeof(sub), "%s/dead", f->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_text(sub, "00000000000000000001-1-00.json", "{}");
	assert_int_equal(gmhook_spool_list(&names, f->ctx, f->dir, NULL), 0);
	assert_string_equal(names[0], "00000000000000000002-1-00.json");
	assert_null(names[1]);
	gmhook_spool_list_free(names);
}

static void spool_write_errors_have_code_and_message(void **state)
{
	struct fixture *f = *state;
	static const struct gmhook_header bad_header[] = { { "X", NULL } };
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	char *name = (char *) "untouched";
	char missing[128];

	req.body = "x";
	req.body_len = 1;
	assert_int_equal(gmhook_spool_write(&name, f->ctx, NULL, &req, &err),
	                 GMHOOK_EINVAL);
	assert_string_equal(err.path, "");
	assert_non_null(strstr(err.message, "dir"));
	assert_int_equal(gmhook_spool_write(&name, f->ctx, f->dir, NULL, &err),
	                 GMHOOK_EINVAL);
	assert_non_null(strstr(err.message, "req"));

	snprintf(missing, sizeof(missing), "%s/absent", f->dir);
	assert_int_equal(gmhook_spool_write(&name, f->ctx, missing, &req, &err),
	                 GMHOOK_EIO);
	assert_string_equal(err.path, "");
	assert_non_null(strstr(err.message, missing));
	assert_non_null(strstr(err.message, "No such file"));

	req.headers = bad_header;
	req.n_headers = 1;
	assert_int_equal(gmhook_spool_write(&name, f->ctx, f->dir, &req, &err),
	                 GMHOOK_EINVAL);
	assert_string_equal(name, "untouched");
	assert_int_equal(count_entries(f->dir, false), 0);
}

struct read_case {
	const char *text;
	int code;
	const char *path;
};

/* "aGk=" is base64 of "hi"; its SHA-256 is below. */
#define HI_SHA \
	"8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4"
#define DOC(version, received, headers, len, sha, body)                     \
	"{\"gmhook\": \"spool\", \"version\": " version                     \
	", \"received\": " received ", \"source\": null, "                  \
	"\"content_type\": \"text/plain\", \"headers\": " headers           \
	", \"body_len\": " len ", \"sha256\": \"" sha "\", \"body\": " body \
	"}"

static const struct read_case read_cases[] = {
	{ DOC("1", "1700000000", "[]", "2", HI_SHA, "\"aGk=\""), 0, "" },
	{ "not json", GMHOOK_EPARSE, "" },
	{ "[1, 2]", GMHOOK_EPARSE, "" },
	{ "{\"gmhook\": \"event\"}", GMHOOK_EPARSE, "/gmhook" },
	{ DOC("2", "1700000000", "[]", "2", HI_SHA, "\"aGk=\""), GMHOOK_EPARSE,
	  "/version" },
	{ DOC("1", "\"soon\"", "[]", "2", HI_SHA, "\"aGk=\""), GMHOOK_EPARSE,
	  "/received" },
	{ DOC("1", "1700000000", "{}", "2", HI_SHA, "\"aGk=\""), GMHOOK_EPARSE,
	  "/headers" },
	{ DOC("1", "1700000000", "[[\"a\", \"b\"], [\"c\"]]", "2", HI_SHA,
	      "\"aGk=\""),
	  GMHOOK_EPARSE, "/headers/1" },
	{ DOC("1", "1700000000", "[]", "2", HI_SHA, "\"a*k=\""), GMHOOK_EPARSE,
	  "/body" },
	{ DOC("1", "1700000000", "[]", "2", HI_SHA, "7"), GMHOOK_EPARSE,
	  "/body" },
	{ DOC("1", "1700000000", "[]", "3", HI_SHA, "\"aGk=\""), GMHOOK_EPARSE,
	  "/body_len" },
	{ DOC("1", "1700000000", "[]", "2", "00", "\"aGk=\""), GMHOOK_EPARSE,
	  "/sha256" },
	/* a truncated file (a torn write) */
	{ "{\"gmhook\": \"spool\", \"version\": 1, \"rec", GMHOOK_EPARSE, "" },
};

static void spool_read_errors_have_code_and_path(void **state)
{
	struct fixture *f = *state;
	struct gmhook_spool_item *item;
	struct gmhook_error err;
	char path[512];
	size_t i;

	snprintf(path, sizeof(path), "%s/case.json", f->dir);
	for (i = 0; i < sizeof(read_cases) / sizeof(read_cases[0]); i++) {
		struct gmhook_error init = GMHOOK_ERROR_INIT;

		err = init;
		item = NULL;
		write_text(f->dir, "case.json", read_cases[i].text);
		assert_int_equal(gmhook_spool_read(&item, f->ctx, path, &err),
		                 read_cases[i].code);
		if (read_cases[i].code == 0) {
			assert_memory_equal(
			        gmhook_spool_item_request(item)->body, "hi", 2);
			gmhook_spool_item_free(item);
			continue;
		}
		assert_null(item);
		assert_string_equal(err.path, read_cases[i].path);
		assert_non_null(strstr(err.message, path));
	}
}

static void spool_read_of_missing_file_is_eio(void **state)
{
	struct fixture *f = *state;
	struct gmhook_spool_item *item = NULL;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	char path[512];

	snprintf(path, sizeof(path), "%s/nothing.json", f->dir);
	assert_int_equal(gmhook_spool_read(&item, f->ctx, path, &err),
	                 GMHOOK_EIO);
	assert_null(item);
	assert_string_equal(err.path, "");
	assert_non_null(strstr(err.message, path));
	assert_int_equal(gmhook_spool_read(&item, f->ctx, NULL, &err),
	                 GMHOOK_EINVAL);
	assert_int_equal(gmhook_spool_list(NULL, f->ctx, f->dir, &err),
	                 GMHOOK_EINVAL);
	assert_null(gmhook_spool_item_request(NULL));
	gmhook_spool_item_free(NULL);
	gmhook_spool_list_free(NULL);
}

static void spool_read_refuses_a_file_above_the_limit(void **state)
{
	struct fixture *f = *state;
	struct gmhook_options opts = GMHOOK_OPTIONS_INIT;
	struct gmhook_spool_item *item = NULL;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_ctx *small = NULL;
	char path[512];
	char *big = malloc(1200 * 1024);

	assert_non_null(big);
	memset(big, ' ', 1200 * 1024 - 1);
	big[1200 * 1024 - 1] = '\0';
	write_text(f->dir, "big.json", big);
	free(big);
	opts.max_body = 1000;
	assert_int_equal(gmhook_ctx_new(&small, &opts, NULL), 0);
	snprintf(path, sizeof(path), "%s/big.json", f->dir);
	assert_int_equal(gmhook_spool_read(&item, small, path, &err),
	                 GMHOOK_ETOOBIG);
	assert_null(item);
	gmhook_ctx_free(small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(spool_round_trip_is_byte_exact,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(
		        spool_round_trip_keeps_absent_fields_absent, setup,
		        teardown),
		cmocka_unit_test_setup_teardown(
		        spool_names_sort_in_the_order_written, setup, teardown),
		cmocka_unit_test_setup_teardown(
		        spool_write_leaves_no_temporary_file, setup, teardown),
		cmocka_unit_test_setup_teardown(
		        spool_list_skips_what_is_not_an_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(
		        spool_write_errors_have_code_and_message, setup,
		        teardown),
		cmocka_unit_test_setup_teardown(
		        spool_read_errors_have_code_and_path, setup, teardown),
		cmocka_unit_test_setup_teardown(
		        spool_read_of_missing_file_is_eio, setup, teardown),
		cmocka_unit_test_setup_teardown(
		        spool_read_refuses_a_file_above_the_limit, setup,
		        teardown),
	};

	return cmocka_run_group_tests_name("spool", tests, NULL, NULL);
}
