/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for site mapping files (mapping.c, and the way map.c combines
 * rules with the built-in mappings). Golden cases under
 * tests/data/mapping/<case>/ hold a payload, a mapping (or a config.json
 * naming mappings), and the plan JSON with its explain list; each is run
 * through parse, validate and map as `gmhook parse -s generic | gmhook map
 * --explain` would. GMHOOK_UPDATE_GOLDEN=1 rewrites the plan.json of the
 * cases without a known bug. Broken mapping files are checked for their
 * code, JSON pointer and message. The server zone is America/New_York so
 * dates and times cross the 2026-03-08 daylight-saving change.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gmhook-private.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#ifndef TEST_DATA
#define TEST_DATA "tests/data"
#endif

#define RECEIVED 1772460309 /* 2026-03-02T14:05:09Z */

/* ==== Helpers ==== */

/* The whole file, NUL-terminated; NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (!f) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0) {
		size = ftell(f);
		rewind(f);
		buf = size >= 0 ? malloc((size_t) size + 1) : NULL;
		if (buf && fread(buf, 1, (size_t) size, f) == (size_t) size) {
			buf[size] = '\0';
			if (len_out) {
				*len_out = (size_t) size;
			}
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static void spew(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* A context for the case in the current directory: config.json when there
 * is one (it names its mapping files), else mapping.json loaded alone. */
static struct gmhook_ctx *case_ctx(void)
{
	struct gmhook_options opts = GMHOOK_OPTIONS_INIT;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_ctx *ctx = NULL;
	bool config = access("config.json", F_OK) == 0;
	int rc;

	opts.explain = 1;
	opts.config = config ? "config.json" : NULL;
	rc = gmhook_ctx_new(&ctx, &opts, &err);
	if (rc == 0 && !config) {
		rc = gmhook__mappings_load(ctx, "mapping.json", NULL, &err);
	}
	if (rc != 0) {
		gmhook_ctx_free(ctx);
		fail_msg("%s: %s at \"%s\"", gmhook_code_name(rc), err.message,
		         err.path);
	}
	ctx->fixed_now = RECEIVED;
	return ctx;
}

/* Parse, validate and map the case's payload; the plan's JSON, or NULL
 * with @p err set. */
static char *case_plan(struct gmhook_ctx *ctx, struct gmhook_error *err)
{
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;
	json_object *request = json_object_from_file("request.json");
	const char *source = gmhook__get_str(request, "/source");
	const char *type = gmhook__get_str(request, "/content_type");
	char *json = NULL;
	char *body;
	size_t len = 0;
	int rc;

	body = slurp("payload.json", &len);
	if (!body) {
		body = slurp("payload.form", &len);
	}
	assert_non_null(body);
	req.body = body;
	req.body_len = len;
	req.content_type = type ? type : "application/json";
	req.source = source ? source : "generic";
	req.received = RECEIVED;
	rc = gmhook_parse(&event, ctx, &req, err);
	if (rc == 0) {
		rc = gmhook_validate(ctx, event, err);
	}
	if (rc == 0) {
		rc = gmhook_map(&plan, ctx, event, err);
	}
	if (rc == 0) {
		json = gmhook_plan_to_json(plan, 1);
	}
	gmhook_plan_free(plan);
	gmhook_event_free(event);
	json_object_put(request);
	free(body);
	return json;
}

/* Run one golden case; true when the plan equals plan.json (or was
 * written, with GMHOOK_UPDATE_GOLDEN=1 and @p may_update). */
static bool run_golden(const char *name, bool may_update)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	const char *update = getenv("GMHOOK_UPDATE_GOLDEN");
	json_object *want = NULL;
	json_object *got = NULL;
	struct gmhook_ctx *ctx;
	char cwd[4096];
	char dir[4096];
	char *json;
	bool same = false;

	snprintf(dir, sizeof(dir), "%s/mapping/%s", TEST_DATA, name);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	ctx = case_ctx();
	json = case_plan(ctx, &err);
	if (!json) {
		print_message("# %s: %s: %s at \"%s\"\n", name,
		              gmhook_code_name(err.code), err.message,
		              err.path);
	} else if (update && strcmp(update, "1") == 0 && may_update) {
		spew("plan.json", json);
		print_message("# %s: plan.json written\n", name);
		same = true;
	} else {
		want = json_object_from_file("plan.json");
		got = json_tokener_parse(json);
		same = want && got && json_object_equal(want, got);
		if (!same) {
			print_message(
			        "# %s: plan differs from plan.json; got:\n%s\n",
			        name, json);
		}
	}
	json_object_put(want);
	json_object_put(got);
	gmhook_free(json);
	gmhook_ctx_free(ctx);
	assert_int_equal(chdir(cwd), 0);
	return same;
}

/* A mapping file with @p text in a fresh directory; its path in @p file. */
static void write_mapping(char *file, size_t size, const char *text)
{
	char dir[] = "/tmp/gmhook-mapping-XXXXXX";

	assert_non_null(mkdtemp(dir));
	snprintf(file, size, "%s/mapping.json", dir);
	spew(file, text);
}

static void remove_mapping(const char *file)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", file);
	*strrchr(dir, '/') = '\0';
	(void) unlink(file);
	(void) rmdir(dir);
}

/* A rule for generic around @p actions (JSON text of the array). */
#define RULE(actions) \
	"{\"rules\":[{\"source\":\"generic\",\"actions\":" actions "}]}"
#define ACTION(fields) "[{\"action\":\"contact.upsert\"," fields "}]"
#define MATCH(value)   ACTION("\"match\":{\"email\":" value "}")

struct bad_mapping {
	const char *text;
	const char *path;
	const char *message; /* a part of the message */
};

/* Load @p b; true when it fails with GMHOOK_ECONFIG, the path, and a
 * message naming the file and holding the expected part. */
static bool bad_mapping_fails(const struct bad_mapping *b)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_ctx *ctx = NULL;
	char file[4096];
	bool ok;
	int rc;

	assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
	write_mapping(file, sizeof(file), b->text);
	rc = gmhook__mappings_load(ctx, file, NULL, &err);
	ok = rc == GMHOOK_ECONFIG && err.code == GMHOOK_ECONFIG &&
	     strcmp(err.path, b->path) == 0 && strstr(err.message, file) &&
	     strstr(err.message, b->message);
	if (!ok) {
		print_message("# %s\n#   want ECONFIG at \"%s\" with \"%s\"\n"
		              "#   got %s at \"%s\": %s\n",
		              b->text, b->path, b->message,
		              rc ? gmhook_code_name(rc) : "success", err.path,
		              err.message);
	}
	remove_mapping(file);
	gmhook_ctx_free(ctx);
	return ok;
}

/* Map @p body (generic JSON) with the mapping @p text; the error. */
static int map_failure(const char *text, const char *body, int overflow,
                       struct gmhook_error *err)
{
	struct gmhook_options opts = GMHOOK_OPTIONS_INIT;
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;
	struct gmhook_ctx *ctx = NULL;
	char file[4096];
	int rc;

	opts.overflow = overflow;
	assert_int_equal(gmhook_ctx_new(&ctx, &opts, NULL), 0);
	write_mapping(file, sizeof(file), text);
	assert_int_equal(gmhook__mappings_load(ctx, file, NULL, NULL), 0);
	req.body = body;
	req.body_len = strlen(body);
	req.content_type = "application/json";
	req.source = "generic";
	req.received = RECEIVED;
	assert_int_equal(gmhook_parse(&event, ctx, &req, NULL), 0);
	assert_int_equal(gmhook_validate(ctx, event, NULL), 0);
	rc = gmhook_map(&plan, ctx, event, err);
	assert_null(plan);
	gmhook_event_free(event);
	gmhook_ctx_free(ctx);
	remove_mapping(file);
	return rc;
}

/* ==== Golden cases ==== */

static const char *const golden_cases[] = {
	"trim-lower-upper",
	"title-names",
	"e164-default-country",
	"digits-numbers",
	"date-time-dst",
	"date-input-format",
	"missing-null-empty",
	"join-replace-literal",
	"conditions-first-match-wins",
	"conditions-value-types",
	"mode-extend",
	"mode-replace",
	"mode-ignore",
	"files-in-order",
	"form-urlencoded",
	"title-unicode",
	"date-input-short",
	"missing-with-transforms",
	"e164-longer-than-input",
	"lookup",
	"meta-values",
};

static void mapping_golden_cases_match_plan_json(void **state)
{
	size_t failed = 0;
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(golden_cases) / sizeof(golden_cases[0]); i++) {
		failed += !run_golden(golden_cases[i], true);
	}
	assert_int_equal(failed, 0);
}

/*
 * Cases whose plan.json holds the correct plan, which mapping.c does not
 * produce yet. GMHOOK_UPDATE_GOLDEN never rewrites them. Each names the
 * defect; the test fails until mapping.c is fixed.
 */
static const struct {
	const char *name;
	const char *bug;
} known_bug_cases[] = {
	{ NULL, NULL },
};

static void mapping_golden_known_bug_cases_match_plan_json(void **state)
{
	size_t failed = 0;
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(known_bug_cases) / sizeof(known_bug_cases[0]) &&
	            known_bug_cases[i].name;
	     i++) {
		if (!run_golden(known_bug_cases[i].name, false)) {
			print_message("# known bug: %s\n",
			              known_bug_cases[i].bug);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* ==== Broken mapping files ==== */

static const struct bad_mapping bad_mappings[] = {
	{ "{\"rules\": [", "", "not a JSON object" },
	{ "[]", "", "not a JSON object" },
	{ "{\"rule\": []}", "/rule", "unknown key" },
	{ "{\"comment\": \"no rules\"}", "/rules",
	  "must be an array of rules" },
	{ "{\"rules\": {}}", "/rules", "must be an array of rules" },
	{ "{\"rules\": [7]}", "/rules/0", "a rule must be an object" },
	{ "{\"rules\": [{\"source\": \"generic\", \"mdoe\": \"extend\"}]}",
	  "/rules/0/mdoe", "unknown key 'mdoe'" },
	{ "{\"rules\": [{\"actions\": []}]}", "/rules/0/source",
	  "is required" },
	{ "{\"rules\": [{\"source\": \"calendy\", \"actions\": []}]}",
	  "/rules/0/source", "unknown source 'calendy'" },
	{ "{\"rules\": [{\"source\": 5, \"actions\": []}]}", "/rules/0/source",
	  "must be a string" },
	{ "{\"rules\": [{\"source\": \"generic\", \"mode\": \"merge\", \"actions\": []}]}",
	  "/rules/0/mode", "\"replace\", \"extend\" or \"ignore\"" },
	{ "{\"rules\": [{\"source\": \"generic\", \"when\": {}, \"actions\": []}]}",
	  "/rules/0/when", "must be an array" },
	{ "{\"rules\": [{\"source\": \"generic\", \"when\": [{\"pointer\": \"/a\"}], \"actions\": []}]}",
	  "/rules/0/when/0", "exactly one of equals, exists, one_of, matches" },
	{ "{\"rules\": [{\"source\": \"generic\", \"when\": [{\"equals\": \"x\"}], \"actions\": []}]}",
	  "/rules/0/when/0", "needs \"pointer\"" },
	{ "{\"rules\": [{\"source\": \"generic\", \"when\": [{\"pointer\": \"/a\", \"equals\": \"x\", \"exists\": true}], \"actions\": []}]}",
	  "/rules/0/when/0", "exactly one of" },
	{ "{\"rules\": [{\"source\": \"generic\", \"when\": [{\"pointer\": \"/a\", \"equal\": \"x\"}], \"actions\": []}]}",
	  "/rules/0/when/0", "exactly one of" },
	{ "{\"rules\": [{\"source\": \"generic\", \"when\": [{\"pointer\": \"/a\", \"one_of\": \"x\"}], \"actions\": []}]}",
	  "/rules/0/when/0", "one_of must be an array" },
	{ "{\"rules\": [{\"source\": \"generic\", \"when\": [{\"pointer\": \"/a\", \"matches\": \"(unclosed\"}], \"actions\": []}]}",
	  "/rules/0/when/0", "valid POSIX extended regular expression" },
	{ "{\"rules\": [{\"source\": \"generic\"}]}", "/rules/0/actions",
	  "must be an array of actions" },
	{ "{\"rules\": [{\"source\": \"generic\", \"actions\": {}}]}",
	  "/rules/0/actions", "must be an array of actions" },
	{ RULE("[{\"action\": \"contact.create\"}]"),
	  "/rules/0/actions/0/action", "needs \"action\": one of" },
	{ RULE("[{\"text\": \"no action\"}]"), "/rules/0/actions/0/action",
	  "needs \"action\"" },
	{ RULE(MATCH("{\"pointer\": \"payload/email\"}")),
	  "/rules/0/actions/0/match/email/pointer",
	  "must be a JSON pointer such as \"/payload/email\"" },
	{ RULE(MATCH("{\"pointer\": 3}")),
	  "/rules/0/actions/0/match/email/pointer", "must be a JSON pointer" },
	{ RULE(MATCH("{\"pointer\": \"/e\", \"transform\": [\"trim\"]}")),
	  "/rules/0/actions/0/match/email/transform",
	  "unknown key 'transform'" },
	{ RULE(MATCH("{\"pointr\": \"/e\"}")), "/rules/0/actions/0/match/email",
	  "a value is a string, number, boolean, or an object" },
	{ RULE(MATCH("[\"/e\"]")), "/rules/0/actions/0/match/email",
	  "a value is a string" },
	{ RULE(MATCH("{\"pointer\": \"/e\", \"transforms\": [\"slugify\"]}")),
	  "/rules/0/actions/0/match/email/transforms/0",
	  "unknown transform 'slugify'" },
	{ RULE(MATCH("{\"pointer\": \"/e\", \"transforms\": \"trim\"}")),
	  "/rules/0/actions/0/match/email/transforms",
	  "transforms must be an array" },
	{ RULE(MATCH(
	          "{\"pointer\": \"/e\", \"transforms\": [{\"truncate\": 3, \"default\": \"x\"}]}")),
	  "/rules/0/actions/0/match/email/transforms/0",
	  "a name or an object with one key" },
	{ RULE(MATCH("{\"pointer\": \"/e\", \"transforms\": [{\"pad\": 3}]}")),
	  "/rules/0/actions/0/match/email/transforms/0",
	  "unknown transform 'pad'" },
	{ RULE(MATCH("{\"pointer\": \"/e\", \"transforms\": [7]}")),
	  "/rules/0/actions/0/match/email/transforms/0",
	  "a name or an object with one key" },
	{ RULE(MATCH("{\"join\": {\"pointer\": \"/a\"}}")),
	  "/rules/0/actions/0/match/email/join", "must be an array of values" },
	{ RULE(MATCH("{\"join\": [{\"pointer\": \"a\"}]}")),
	  "/rules/0/actions/0/match/email/join/0/pointer",
	  "must be a JSON pointer" },
	{ RULE(ACTION(
	          "\"match\": {\"email\": \"a@b.c\"}, \"contact1\": {\"EMAIL\": \"x\"}")),
	  "/rules/0/actions/0/contact1/EMAIL",
	  "not a CONTACT1 column gmhook writes" },
	{ RULE(ACTION(
	          "\"match\": {\"email\": \"a@b.c\"}, \"contact1\": {\"company\": \"x\"}")),
	  "/rules/0/actions/0/contact1/company",
	  "not a CONTACT1 column gmhook writes" },
	{ RULE(ACTION(
	          "\"match\": {\"email\": \"a@b.c\"}, \"contact2\": {\"ucustom\": \"x\"}")),
	  "/rules/0/actions/0/contact2/ucustom", "not a CONTACT2 field name" },
	{ RULE(ACTION(
	          "\"match\": {\"email\": \"a@b.c\"}, \"contact2\": {\"CUSTOM\": \"x\"}")),
	  "/rules/0/actions/0/contact2/CUSTOM", "not a CONTACT2 field name" },
	{ RULE(ACTION(
	          "\"match\": {\"email\": \"a@b.c\"}, \"contact2\": {\"UFIELDNAME11\": \"x\"}")),
	  "/rules/0/actions/0/contact2/UFIELDNAME11",
	  "not a CONTACT2 field name" },
	{ RULE(ACTION(
	          "\"match\": {\"email\": \"a@b.c\"}, \"contact2\": {\"U~/X\": \"x\"}")),
	  "/rules/0/actions/0/contact2/U~0~1X", "not a CONTACT2 field name" },
	{ "{\"rules\":[{\"source\":\"generic\",\"each\":\"recipients\",\"actions\":[]}]}",
	  "/rules/0/each", "must be a record pointer" },
	{ "{\"rules\":[{\"source\":\"generic\",\"each\":[\"/a\"],\"actions\":[]}]}",
	  "/rules/0/each", "must be a record pointer" },
};

static void mapping_bad_file_reports_econfig_path_and_message(void **state)
{
	size_t failed = 0;
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(bad_mappings) / sizeof(bad_mappings[0]); i++) {
		failed += !bad_mapping_fails(&bad_mappings[i]);
	}
	assert_int_equal(failed, 0);
}

/*
 * Mistakes that would otherwise surface only when an event arrives (or
 * never): each is a configuration error at load.
 */
static const struct bad_mapping unchecked_mappings[] = {
	/* gmhook__get() treats "payload/email" as no pointer at all. */
	{ "{\"rules\": [{\"source\": \"generic\", \"when\": [{\"pointer\": \"payload/email\", \"exists\": true}], \"actions\": []}]}",
	  "/rules/0/when/0/pointer", "must be a JSON pointer" },
	/* commit.c then fails with "the action needs text". */
	{ RULE("[{\"action\": \"note.add\", \"txt\": \"hello\"}]"),
	  "/rules/0/actions/0/txt", "unknown key 'txt'" },
	/* commit.c then fails with "match needs an email or a phone". */
	{ RULE(ACTION("\"match\": {\"emial\": \"a@b.c\"}")),
	  "/rules/0/actions/0/match/emial", "match takes" },
	/* accepted, and every value is cut to nothing */
	{ RULE(MATCH(
	          "{\"pointer\": \"/e\", \"transforms\": [{\"truncate\": \"ten\"}]}")),
	  "/rules/0/actions/0/match/email/transforms/0/truncate",
	  "must be a whole number" },
	/* accepted, and the replace does nothing */
	{ RULE(MATCH(
	          "{\"pointer\": \"/e\", \"transforms\": [{\"replace\": {\"form\": \"-\", \"to\": \"+\"}}]}")),
	  "/rules/0/actions/0/match/email/transforms/0/replace",
	  "must be {\"from\": string, \"to\": string}" },
	/* mapping.c allows EXT2..EXT4; commit.c refuses them */
	{ RULE(ACTION(
	          "\"match\": {\"email\": \"a@b.c\"}, \"contact1\": {\"EXT2\": \"12\"}")),
	  "/rules/0/actions/0/contact1/EXT2",
	  "not a CONTACT1 column gmhook writes" },
};

static void mapping_unchecked_mistakes_report_econfig_at_load(void **state)
{
	size_t failed = 0;
	size_t i;

	(void) state;
	for (i = 0;
	     i < sizeof(unchecked_mappings) / sizeof(unchecked_mappings[0]);
	     i++) {
		failed += !bad_mapping_fails(&unchecked_mappings[i]);
	}
	assert_int_equal(failed, 0);
}

static void mapping_missing_file_reports_econfig_naming_file(void **state)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_ctx *ctx = NULL;

	(void) state;
	assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
	assert_int_equal(gmhook__mappings_load(ctx, "/nonexistent/site.json",
	                                       NULL, &err),
	                 GMHOOK_ECONFIG);
	assert_int_equal(err.code, GMHOOK_ECONFIG);
	assert_string_equal(err.path, "");
	assert_non_null(strstr(err.message, "/nonexistent/site.json"));
	assert_non_null(strstr(err.message, "cannot open the mapping file"));
	gmhook_ctx_free(ctx);
}

static void mapping_config_bad_phone_country_reports_econfig(void **state)
{
	static const char *const values[] = { "\"0044x\"", "\"\"", "44",
		                              "\"12345\"" };
	struct gmhook_options opts = GMHOOK_OPTIONS_INIT;
	char file[4096];
	char text[256];
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct gmhook_error err = GMHOOK_ERROR_INIT;
		struct gmhook_ctx *ctx = NULL;

		snprintf(text, sizeof(text),
		         "{\"defaults\": {\"phone_country\": %s}}", values[i]);
		write_mapping(file, sizeof(file), text);
		opts.config = file;
		assert_int_equal(gmhook_ctx_new(&ctx, &opts, &err),
		                 GMHOOK_ECONFIG);
		assert_null(ctx);
		assert_string_equal(err.path, "/defaults/phone_country");
		assert_non_null(strstr(err.message, file));
		assert_non_null(strstr(err.message, "must be a calling code"));
		remove_mapping(file);
	}
}

static void mapping_config_mappings_relative_to_config_dir(void **state)
{
	struct gmhook_options opts = GMHOOK_OPTIONS_INIT;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_ctx *ctx = NULL;

	(void) state;
	opts.config = TEST_DATA "/mapping/files-in-order/config.json";
	assert_int_equal(gmhook_ctx_new(&ctx, &opts, &err), 0);
	assert_int_equal(gmhook__mappings_count(ctx->mappings), 2);
	gmhook_ctx_free(ctx);
}

/* ==== Mapping an event ==== */

static void mapping_unmatched_generic_event_fails_with_emap(void **state)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	const char *text =
	        "{\"rules\": [{\"source\": \"generic\", \"when\": [{\"pointer\": \"/kind\", \"equals\": \"lead\"}], \"actions\": [{\"action\": \"note.add\", \"text\": \"x\"}]}]}";

	(void) state;
	assert_int_equal(map_failure(text, "{\"kind\": \"spam\"}", 0, &err),
	                 GMHOOK_EMAP);
	assert_int_equal(err.stage, GMHOOK_STAGE_MAP);
	assert_string_equal(err.path, "");
	assert_non_null(strstr(err.message, "no mapping rule matches"));
}

static void mapping_overflow_reject_names_pointer_and_column(void **state)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	const char *text = RULE(ACTION(
	        "\"match\": {\"email\": \"a@example.org\"}, \"contact1\": {\"STATE\": {\"pointer\": \"/region/name\", \"transforms\": [\"upper\"]}}"));

	(void) state;
	assert_int_equal(
	        map_failure(
	                text,
	                "{\"region\": {\"name\": \"Provence-Alpes-Cote d'Azur\"}}",
	                GMHOOK_OVERFLOW_REJECT, &err),
	        GMHOOK_EVALIDATE);
	assert_int_equal(err.stage, GMHOOK_STAGE_MAP);
	assert_string_equal(err.path, "/region/name");
	assert_non_null(strstr(err.message, "do not fit CONTACT1.STATE (20)"));
}

#define TEST(name) cmocka_unit_test(name)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(mapping_golden_cases_match_plan_json),
		TEST(mapping_golden_known_bug_cases_match_plan_json),
		TEST(mapping_bad_file_reports_econfig_path_and_message),
		TEST(mapping_unchecked_mistakes_report_econfig_at_load),
		TEST(mapping_missing_file_reports_econfig_naming_file),
		TEST(mapping_config_bad_phone_country_reports_econfig),
		TEST(mapping_config_mappings_relative_to_config_dir),
		TEST(mapping_unmatched_generic_event_fails_with_emap),
		TEST(mapping_overflow_reject_names_pointer_and_column),
	};

	/* GoldMine stores server-local times; pin the zone across DST. */
	if (setenv("TZ", "America/New_York", 1) != 0) {
		return 1;
	}
	tzset();
	return cmocka_run_group_tests_name("mapping", tests, NULL, NULL);
}
