/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for stage 3, map (map.c and the mappers of the Calendly and
 * web form sources): the actions of each plan in order with their exact
 * values, GoldMine local dates and times, column truncation and the
 * reject option, and the plan's JSON form. Payloads are our own, written
 * in the providers' shapes. The GoldMine server's zone is pinned to
 * America/New_York so that dates and times are checked across DST.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gmhook-private.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* ==== Payloads ==== */

#define CAL_URI \
	"https://api.calendly.com/scheduled_events/EV0001/invitees/INV0001"

/*
 * Calendly v2; holes: the event name, the invitee's name (raw JSON), the
 * "rescheduled" flag and the extra members of "payload" (with a trailing
 * comma).
 */
#define CAL_V2_TEMPLATE                                                     \
	"{\"created_at\":\"2026-03-02T14:05:09.000000Z\","                  \
	"\"created_by\":\"https://api.calendly.com/users/USER0000\","       \
	"\"event\":\"%s\",\"payload\":{%s"                                  \
	"\"email\":\"ann.oak@example.org\",\"name\":%s,"                    \
	"\"first_name\":null,\"last_name\":null,\"rescheduled\":%s,"        \
	"\"text_reminder_number\":\"+1 312 555 0199\","                     \
	"\"timezone\":\"America/Chicago\",\"questions_and_answers\":["      \
	"{\"question\":\"Topic?\",\"answer\":\"Pricing\",\"position\":0}]," \
	"\"scheduled_event\":{\"name\":\"Intro Call\","                     \
	"\"start_time\":\"2026-03-10T15:00:00.000000Z\","                   \
	"\"end_time\":\"2026-03-10T15:45:00.000000Z\","                     \
	"\"location\":{\"type\":\"google_conference\","                     \
	"\"join_url\":\"https://meet.example.com/abc\"}},"                  \
	"\"uri\":\"" CAL_URI "\"}}"

#define CANCELLATION                                                         \
	"\"cancellation\":{\"canceled_by\":\"Ann Oak\",\"reason\":\"Sick\"," \
	"\"canceler_type\":\"invitee\"},"

#define FORM_BODY                                                  \
	"first_name=Tove&last_name=Berg&email=tove%40example.net&" \
	"phone=%2B46+8+555+0100&company=Fjord+AB&"                 \
	"message=Call+me%0D%0Aafter+10&interests%5B%5D=support&"   \
	"interests%5B%5D=training&utm_source=ads&form_name=Contact+us"

/* 100 characters */
#define LONG_COMPANY                                                             \
	"Aaaaaaaaa1Bbbbbbbbb2Ccccccccc3Ddddddddd4Eeeeeeeee5Fffffffff6Ggggggggg7" \
	"Hhhhhhhhh8Iiiiiiiii9Jjjjjjjjj0"

/* ==== Helpers ==== */

static int setup_ctx(void **state)
{
	struct gmhook_ctx *ctx = NULL;

	assert_int_equal(setenv("TZ", "America/New_York", 1), 0);
	tzset();
	assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
	ctx->fixed_now = 1772460309; /* 2026-03-02T14:05:09Z */
	*state = ctx;
	return 0;
}

static int teardown_ctx(void **state)
{
	gmhook_ctx_free(*state);
	return 0;
}

static char *calendly(const char *event, const char *name,
                      const char *rescheduled, const char *extra)
{
	char *body = malloc(8192);

	assert_non_null(body);
	snprintf(body, 8192, CAL_V2_TEMPLATE, event, extra, name, rescheduled);
	return body;
}

/* Parse, validate and map; the plan must come out. */
static struct gmhook_plan *plan_of(struct gmhook_ctx *ctx, const char *body,
                                   const char *content_type, const char *source)
{
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;
	int rc;

	req.body = body;
	req.body_len = strlen(body);
	req.content_type = content_type;
	req.source = source;
	req.received = 1772460309;
	rc = gmhook_parse(&event, ctx, &req, &err);
	if (rc == 0) {
		rc = gmhook_validate(ctx, event, &err);
	}
	if (rc == 0) {
		rc = gmhook_map(&plan, ctx, event, &err);
	}
	gmhook_event_free(event);
	if (rc != 0) {
		fail_msg("%s: %s at \"%s\"", gmhook_code_name(rc), err.message,
		         err.path);
	}
	return plan;
}

/* Map a body that must fail in map; returns the error. */
static int map_error(struct gmhook_ctx *ctx, const char *body,
                     const char *source, struct gmhook_error *err)
{
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;
	int rc;

	req.body = body;
	req.body_len = strlen(body);
	req.source = source;
	assert_int_equal(gmhook_parse(&event, ctx, &req, err), 0);
	assert_int_equal(gmhook_validate(ctx, event, err), 0);
	rc = gmhook_map(&plan, ctx, event, err);
	assert_null(plan);
	gmhook_event_free(event);
	return rc;
}

static const char *str_at(json_object *root, const char *pointer)
{
	const char *s = gmhook__get_str(root, pointer);

	if (s == NULL) {
		fail_msg("no string at %s in %s", pointer,
		         json_object_to_json_string(root));
	}
	return s;
}

/* Assert that @p pointer in @p root is the string @p want. */
static void expect_str(json_object *root, const char *pointer, const char *want)
{
	const char *got = str_at(root, pointer);

	if (strcmp(got, want) != 0) {
		fail_msg("%s: \"%s\", want \"%s\"", pointer, got, want);
	}
}

static void expect_absent(json_object *root, const char *pointer)
{
	if (gmhook__get(root, pointer) != NULL) {
		fail_msg(
		        "%s is present: %s", pointer,
		        json_object_to_json_string(gmhook__get(root, pointer)));
	}
}

/* The names of an event's actions, comma-separated. */
static void action_names(char *buf, size_t size, json_object *plan_doc,
                         size_t event)
{
	char pointer[64];
	json_object *actions;
	size_t i;

	snprintf(pointer, sizeof(pointer), "/events/%zu/actions", event);
	actions = gmhook__get(plan_doc, pointer);
	assert_true(json_object_is_type(actions, json_type_array));
	buf[0] = '\0';
	for (i = 0; i < json_object_array_length(actions); i++) {
		const char *name = gmhook__get_str(
		        json_object_array_get_idx(actions, i), "/action");

		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
		         i ? "," : "", name ? name : "?");
	}
}

static size_t n_warnings(json_object *plan_doc, size_t event)
{
	char pointer[64];

	snprintf(pointer, sizeof(pointer), "/events/%zu/warnings", event);
	return json_object_array_length(gmhook__get(plan_doc, pointer));
}

/* ==== Calendly ==== */

static void map_calendly_created_plans_four_actions(void **state)
{
	char *body = calendly("invitee.created", "\"Ann Oak\"", "false", "");
	struct gmhook_plan *plan =
	        plan_of(*state, body, "application/json", NULL);
	json_object *doc = plan->doc;
	char names[256];

	expect_str(doc, "/gmhook", "plan");
	expect_str(doc, "/source", "calendly");
	expect_str(doc, "/events/0/status", "ok");
	expect_str(doc, "/events/0/type", "invitee.created");
	expect_str(doc, "/events/0/id", "invitee.created:" CAL_URI);
	action_names(names, sizeof(names), doc, 0);
	assert_string_equal(names, "contact.upsert,email.add,"
	                           "calendar.schedule,history.add");
	assert_int_equal(n_warnings(doc, 0), 0);

	/* contact.upsert: LASTNAME is the name's last word */
	expect_str(doc, "/events/0/actions/0/match/email",
	           "ann.oak@example.org");
	expect_str(doc, "/events/0/actions/0/contact1/CONTACT", "Ann Oak");
	expect_str(doc, "/events/0/actions/0/contact1/LASTNAME", "Oak");
	expect_str(doc, "/events/0/actions/0/contact1/PHONE1",
	           "+1 312 555 0199");
	expect_absent(doc, "/events/0/actions/0/contact1/COMPANY");
	expect_str(doc, "/events/0/actions/0/source", "Calendly");
	assert_int_equal(json_object_object_length(gmhook__get(
	                         doc, "/events/0/actions/0/contact1")),
	                 3);

	expect_str(doc, "/events/0/actions/1/address", "ann.oak@example.org");
	assert_true(json_object_get_boolean(
	        gmhook__get(doc, "/events/0/actions/1/primary")));

	/* 15:00Z on 2026-03-10 is 11:00 EDT (DST began on 03-08) */
	expect_str(doc, "/events/0/actions/2/rectype", "A");
	expect_str(doc, "/events/0/actions/2/ondate", "2026-03-10");
	expect_str(doc, "/events/0/actions/2/ontime", "11:00");
	expect_str(doc, "/events/0/actions/2/enddate", "2026-03-10");
	assert_int_equal(json_object_get_int(gmhook__get(
	                         doc, "/events/0/actions/2/duration")),
	                 45);
	expect_str(doc, "/events/0/actions/2/link", "calendly:" CAL_URI);
	expect_str(doc, "/events/0/actions/2/ref",
	           "Calendly: booked Intro Call");
	expect_str(doc, "/events/0/actions/2/notes",
	           "Event: Intro Call\r\n"
	           "Location: https://meet.example.com/abc\r\n"
	           "Invitee time zone: America/Chicago\r\n"
	           "Topic?: Pricing\r\n");

	/* history at created_at: 14:05Z on 2026-03-02 is 09:05 EST */
	expect_str(doc, "/events/0/actions/3/rectype", "O");
	expect_str(doc, "/events/0/actions/3/actvcode", "APT");
	expect_str(doc, "/events/0/actions/3/resultcode", "BKD");
	expect_str(doc, "/events/0/actions/3/ondate", "2026-03-02");
	expect_str(doc, "/events/0/actions/3/ontime", "09:05");
	expect_str(doc, "/events/0/actions/3/ref",
	           "Calendly: booked Intro Call");
	assert_non_null(strstr(str_at(doc, "/events/0/actions/3/notes"),
	                       "Topic?: Pricing\r\n"));
	gmhook_plan_free(plan);
	free(body);
}

static void map_calendly_cancel_uses_the_booking_link(void **state)
{
	char *created = calendly("invitee.created", "\"Ann Oak\"", "false", "");
	char *canceled = calendly("invitee.canceled", "\"Ann Oak\"", "false",
	                          CANCELLATION);
	struct gmhook_plan *a = plan_of(*state, created, NULL, NULL);
	struct gmhook_plan *b = plan_of(*state, canceled, NULL, NULL);
	char names[256];

	action_names(names, sizeof(names), b->doc, 0);
	assert_string_equal(names, "contact.upsert,email.add,"
	                           "calendar.cancel,history.add");
	expect_str(b->doc, "/events/0/actions/2/link",
	           str_at(a->doc, "/events/0/actions/2/link"));
	expect_str(b->doc, "/events/0/actions/3/resultcode", "CXL");
	expect_str(b->doc, "/events/0/actions/3/ref",
	           "Calendly: canceled Intro Call");
	assert_non_null(strstr(str_at(b->doc, "/events/0/actions/3/notes"),
	                       "Canceled by: Ann Oak\r\nReason: Sick\r\n"));
	/* the two events have different ids: both reach the ledger */
	assert_string_not_equal(str_at(a->doc, "/events/0/id"),
	                        str_at(b->doc, "/events/0/id"));
	gmhook_plan_free(a);
	gmhook_plan_free(b);
	free(created);
	free(canceled);
}

static void map_calendly_reschedule_is_marked(void **state)
{
	char *canceled =
	        calendly("invitee.canceled", "\"Ann Oak\"", "true", "");
	struct gmhook_plan *plan = plan_of(*state, canceled, NULL, NULL);

	expect_str(plan->doc, "/events/0/actions/3/resultcode", "RSC");
	expect_str(plan->doc, "/events/0/actions/3/ref",
	           "Calendly: rescheduled Intro Call");
	gmhook_plan_free(plan);
	free(canceled);
}

static void map_calendly_unknown_event_is_ignored(void **state)
{
	char *body =
	        calendly("invitee_no_show.created", "\"Ann Oak\"", "false", "");
	struct gmhook_plan *plan = plan_of(*state, body, NULL, "calendly");

	expect_str(plan->doc, "/events/0/status", "ignored");
	assert_non_null(strstr(str_at(plan->doc, "/events/0/reason"),
	                       "invitee.created"));
	assert_int_equal(json_object_array_length(
	                         gmhook__get(plan->doc, "/events/0/actions")),
	                 0);
	gmhook_plan_free(plan);
	free(body);
}

struct name_case {
	const char *name; /* raw JSON */
	const char *contact;
	const char *lastname; /* NULL: no LASTNAME */
};

static const struct name_case name_cases[] = {
	{ "\"Ann Oak\"", "Ann Oak", "Oak" },
	{ "\"Ann Maria van Oak\"", "Ann Maria van Oak", "Oak" },
	{ "\"Ann Oak  \"", "Ann Oak  ", "Oak" },
	{ "\"Cher\"", "Cher", NULL },
	{ "\"Jos\xc3\xa9 N\xc3\xba\xc3\xb1"
	  "ez\"",
	  "Jos\xc3\xa9 N\xc3\xba\xc3\xb1"
	  "ez",
	  "N\xc3\xba\xc3\xb1"
	  "ez" },
};

static void map_calendly_lastname_is_last_word_of_name(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		char *body = calendly("invitee.created", name_cases[i].name,
		                      "false", "");
		struct gmhook_plan *plan = plan_of(*state, body, NULL, NULL);

		expect_str(plan->doc, "/events/0/actions/0/contact1/CONTACT",
		           name_cases[i].contact);
		if (name_cases[i].lastname) {
			expect_str(plan->doc,
			           "/events/0/actions/0/contact1/LASTNAME",
			           name_cases[i].lastname);
		} else {
			expect_absent(plan->doc,
			              "/events/0/actions/0/contact1/LASTNAME");
		}
		gmhook_plan_free(plan);
		free(body);
	}
}

static void map_calendly_first_and_last_make_contact(void **state)
{
	static const char body[] =
	        "{\"event\":\"invitee.created\",\"created_at\":"
	        "\"2026-03-02T14:05:09Z\",\"payload\":{\"email\":"
	        "\"a@example.org\",\"name\":null,\"first_name\":\"Ann\","
	        "\"last_name\":\"Oak\",\"uri\":\"u1\"}}";
	struct gmhook_plan *plan = plan_of(*state, body, NULL, NULL);
	char names[256];

	expect_str(plan->doc, "/events/0/actions/0/contact1/CONTACT",
	           "Ann Oak");
	expect_str(plan->doc, "/events/0/actions/0/contact1/LASTNAME", "Oak");
	/* no scheduled_event: no appointment, and a warning says so */
	action_names(names, sizeof(names), plan->doc, 0);
	assert_string_equal(names, "contact.upsert,email.add,history.add");
	assert_int_equal(n_warnings(plan->doc, 0), 1);
	assert_non_null(strstr(str_at(plan->doc, "/events/0/warnings/0"),
	                       "/payload/scheduled_event/start_time"));
	gmhook_plan_free(plan);
}

/* ==== Web forms ==== */

static void map_webform_plans_contact_history_and_note(void **state)
{
	struct gmhook_plan *plan = plan_of(*state, FORM_BODY, NULL, NULL);
	json_object *doc = plan->doc;
	char names[256];

	expect_str(doc, "/source", "webform");
	action_names(names, sizeof(names), doc, 0);
	assert_string_equal(names,
	                    "contact.upsert,email.add,history.add,note.add");
	expect_str(doc, "/events/0/actions/0/match/email", "tove@example.net");
	expect_str(doc, "/events/0/actions/0/contact1/CONTACT", "Tove Berg");
	expect_str(doc, "/events/0/actions/0/contact1/LASTNAME", "Berg");
	expect_str(doc, "/events/0/actions/0/contact1/PHONE1",
	           "+46 8 555 0100");
	expect_str(doc, "/events/0/actions/0/contact1/COMPANY", "Fjord AB");
	expect_str(doc, "/events/0/actions/0/source", "Web form");
	expect_str(doc, "/events/0/actions/1/address", "tove@example.net");

	expect_str(doc, "/events/0/actions/2/rectype", "O");
	expect_str(doc, "/events/0/actions/2/actvcode", "WEB");
	expect_str(doc, "/events/0/actions/2/resultcode", "FRM");
	expect_str(doc, "/events/0/actions/2/ref", "Web form: Contact us");
	/* received 14:05:09Z = 09:05 EST */
	expect_str(doc, "/events/0/actions/2/ondate", "2026-03-02");
	expect_str(doc, "/events/0/actions/2/ontime", "09:05");
	/* every field, known or not, in the order received */
	expect_str(doc, "/events/0/actions/2/notes",
	           "first_name: Tove\r\n"
	           "last_name: Berg\r\n"
	           "email: tove@example.net\r\n"
	           "phone: +46 8 555 0100\r\n"
	           "company: Fjord AB\r\n"
	           "message: Call me\r\nafter 10\r\n"
	           "interests: support, training\r\n"
	           "utm_source: ads\r\n"
	           "form_name: Contact us\r\n");
	expect_str(doc, "/events/0/actions/3/text", "Call me\r\nafter 10");
	gmhook_plan_free(plan);
}

static void map_webform_json_nested_values_are_kept(void **state)
{
	static const char body[] =
	        "{\"Email\":\"kim@example.com\",\"Full Name\":\"Kim Lee\","
	        "\"answers\":{\"q1\":\"yes\",\"n\":2},\"tags\":[\"a\",1,true],"
	        "\"empty\":null,\"_charset_\":\"UTF-8\"}";
	struct gmhook_plan *plan = plan_of(*state, body, NULL, NULL);
	char names[256];

	action_names(names, sizeof(names), plan->doc, 0);
	/* no message field: no note */
	assert_string_equal(names, "contact.upsert,email.add,history.add");
	expect_str(plan->doc, "/events/0/actions/0/contact1/CONTACT",
	           "Kim Lee");
	expect_str(plan->doc, "/events/0/actions/2/ref", "Web form: submitted");
	expect_str(plan->doc, "/events/0/actions/2/notes",
	           "Email: kim@example.com\r\n"
	           "Full Name: Kim Lee\r\n"
	           "answers: {\"q1\":\"yes\",\"n\":2}\r\n"
	           "tags: a, 1, true\r\n");
	gmhook_plan_free(plan);
}

static void map_webform_array_maps_each_event(void **state)
{
	static const char body[] = "[{\"email\":\"a@example.com\"},"
	                           "{\"email\":\"b@example.com\"}]";
	struct gmhook_plan *plan = plan_of(*state, body, NULL, "webform");

	assert_int_equal(
	        json_object_array_length(gmhook__get(plan->doc, "/events")), 2);
	expect_str(plan->doc, "/events/1/pointer", "/1");
	expect_str(plan->doc, "/events/1/actions/0/match/email",
	           "b@example.com");
	gmhook_plan_free(plan);
}

/* ==== Column sizes ==== */

static void map_long_company_is_cut_with_warning(void **state)
{
	struct gmhook_plan *plan =
	        plan_of(*state, "email=a%40example.com&company=" LONG_COMPANY,
	                NULL, NULL);
	const char *warning;

	expect_str(plan->doc, "/events/0/actions/0/contact1/COMPANY",
	           "Aaaaaaaaa1Bbbbbbbbb2Ccccccccc3Ddddddddd4");
	assert_int_equal(n_warnings(plan->doc, 0), 1);
	warning = str_at(plan->doc, "/events/0/warnings/0");
	assert_non_null(strstr(warning, "/company"));
	assert_non_null(strstr(warning, "CONTACT1.COMPANY"));
	assert_non_null(strstr(warning, "100"));
	assert_non_null(strstr(warning, "40"));
	gmhook_plan_free(plan);
}

static void map_cut_keeps_whole_characters(void **state)
{
	char body[512] = "email=a%40example.com&company=";
	struct gmhook_plan *plan;
	const char *company;
	int i;

	for (i = 0; i < 41; i++) {
		strcat(body, "%C3%A9");
	}
	plan = plan_of(*state, body, NULL, NULL);
	company = str_at(plan->doc, "/events/0/actions/0/contact1/COMPANY");
	assert_int_equal(strlen(company), 80);
	assert_int_equal(gmhook__utf8_chars(company), 40);
	assert_int_equal(gmhook__utf8_invalid_at(company, strlen(company)), -1);
	gmhook_plan_free(plan);
}

struct reject_case {
	const char *what;
	const char *body;
	const char *source;
	const char *path;
	const char *column;
};

static const struct reject_case reject_cases[] = {
	{ "company", "email=a%40example.com&company=" LONG_COMPANY, NULL,
	  "/company", "CONTACT1.COMPANY" },
	{ "phone", "email=a%40example.com&phone=12345678901234567890123456",
	  NULL, "/phone", "CONTACT1.PHONE1" },
	{ "name in a JSON array",
	  "[{\"email\":\"a@example.com\"},{\"email\":\"b@example.com\","
	  "\"name\":\"" LONG_COMPANY "\"}]",
	  "webform", "/1/name", "CONTACT1.CONTACT" },
	{ "Calendly name",
	  "{\"event\":\"invitee.created\",\"payload\":{\"email\":"
	  "\"a@example.org\",\"name\":\"" LONG_COMPANY "\",\"uri\":\"u\"}}",
	  NULL, "/payload/name", "CONTACT1.CONTACT" },
};

static void map_overflow_reject_fails_with_path(void **state)
{
	struct gmhook_options opts = GMHOOK_OPTIONS_INIT;
	struct gmhook_ctx *ctx = NULL;
	size_t i;

	(void) state;
	opts.overflow = GMHOOK_OVERFLOW_REJECT;
	assert_int_equal(gmhook_ctx_new(&ctx, &opts, NULL), 0);
	for (i = 0; i < sizeof(reject_cases) / sizeof(reject_cases[0]); i++) {
		const struct reject_case *c = &reject_cases[i];
		struct gmhook_error err = GMHOOK_ERROR_INIT;
		int rc;

		rc = map_error(ctx, c->body, c->source, &err);
		if (rc != GMHOOK_EVALIDATE || err.code != GMHOOK_EVALIDATE) {
			fail_msg("%s: %s, want GMHOOK_EVALIDATE", c->what,
			         gmhook_code_name(rc));
		}
		if (err.stage != GMHOOK_STAGE_MAP ||
		    strcmp(err.path, c->path) != 0) {
			fail_msg("%s: stage %d path \"%s\", want \"%s\"",
			         c->what, err.stage, err.path, c->path);
		}
		if (strstr(err.message, c->column) == NULL) {
			fail_msg("%s: message \"%s\" lacks %s", c->what,
			         err.message, c->column);
		}
	}
	gmhook_ctx_free(ctx);
}

/*
 * When LASTNAME is derived from the last word of the full name (the
 * payload's last name is null), a cut or a rejection names the field the
 * value came from ("/payload/name"), not the absent "/payload/last_name".
 * Found by this test; fixed in map.c by aebb3ad.
 */
static void map_derived_lastname_names_the_name_field(void **state)
{
	static const char body[] =
	        "{\"event\":\"invitee.created\",\"payload\":{\"email\":"
	        "\"a@example.org\",\"name\":\"Ann Oakenshieldsworthington\","
	        "\"last_name\":null,\"uri\":\"u\"}}";
	struct gmhook_options opts = GMHOOK_OPTIONS_INIT;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_ctx *ctx = NULL;

	(void) state;
	opts.overflow = GMHOOK_OVERFLOW_REJECT;
	assert_int_equal(gmhook_ctx_new(&ctx, &opts, NULL), 0);
	assert_int_equal(map_error(ctx, body, NULL, &err), GMHOOK_EVALIDATE);
	assert_non_null(strstr(err.message, "CONTACT1.LASTNAME"));
	assert_string_equal(err.path, "/payload/name");
	gmhook_ctx_free(ctx);
}

/* ==== Plan JSON and arguments ==== */

static void map_plan_json_round_trips(void **state)
{
	char *body = calendly("invitee.created", "\"Ann Oak\"", "false", "");
	struct gmhook_plan *plan = plan_of(*state, body, NULL, NULL);
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_plan *back = NULL;
	char *json;
	char *json2;
	int pretty;

	for (pretty = 0; pretty <= 1; pretty++) {
		json = gmhook_plan_to_json(plan, pretty);
		assert_non_null(json);
		assert_int_equal(gmhook_plan_from_json(&back, *state, json,
		                                       strlen(json), &err),
		                 0);
		json2 = gmhook_plan_to_json(back, pretty);
		assert_string_equal(json, json2);
		gmhook_free(json);
		gmhook_free(json2);
		gmhook_plan_free(back);
		back = NULL;
	}
	gmhook_plan_free(plan);
	free(body);
}

struct plan_doc_case {
	const char *json;
	const char *path;
};

static const struct plan_doc_case plan_doc_cases[] = {
	{ "{\"gmhook\":\"event\",\"version\":1,\"events\":[]}", "/gmhook" },
	{ "{\"gmhook\":\"plan\",\"version\":2,\"events\":[]}", "/version" },
	{ "{\"gmhook\":\"plan\",\"version\":0,\"events\":[]}", "/version" },
	{ "{\"gmhook\":\"plan\",\"events\":[]}", "/version" },
	{ "{\"gmhook\":\"plan\",\"version\":1}", "/events" },
	{ "{\"gmhook\":\"plan\",\"version\":1,\"events\":[]", "" },
};

static void map_plan_from_json_rejects_bad_documents(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(plan_doc_cases) / sizeof(plan_doc_cases[0]);
	     i++) {
		struct gmhook_error err = GMHOOK_ERROR_INIT;
		struct gmhook_plan *plan = NULL;
		int rc;

		rc = gmhook_plan_from_json(
		        &plan, *state, plan_doc_cases[i].json,
		        strlen(plan_doc_cases[i].json), &err);
		if (rc != GMHOOK_EPARSE || err.code != GMHOOK_EPARSE ||
		    plan != NULL) {
			fail_msg("plan_doc_cases[%zu]: %s", i,
			         gmhook_code_name(rc));
		}
		if (strcmp(err.path, plan_doc_cases[i].path) != 0) {
			fail_msg(
			        "plan_doc_cases[%zu]: path \"%s\", want \"%s\"",
			        i, err.path, plan_doc_cases[i].path);
		}
	}
}

/*
 * The version of a stage document must be the integer 1: "1", 1.7 and
 * true used to pass through json_object_get_int(). Found by this test;
 * fixed in event.c (read_doc) by aebb3ad.
 */
static void map_plan_version_must_be_integer_one(void **state)
{
	static const char *const docs[] = {
		"{\"gmhook\":\"plan\",\"version\":\"1\",\"events\":[]}",
		"{\"gmhook\":\"plan\",\"version\":1.7,\"events\":[]}",
		"{\"gmhook\":\"plan\",\"version\":true,\"events\":[]}",
	};
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct gmhook_error err = GMHOOK_ERROR_INIT;
		struct gmhook_plan *plan = NULL;
		int rc;

		rc = gmhook_plan_from_json(&plan, *state, docs[i],
		                           strlen(docs[i]), &err);
		gmhook_plan_free(plan);
		if (rc != GMHOOK_EPARSE || strcmp(err.path, "/version") != 0) {
			fail_msg(
			        "%s: %s at \"%s\", want GMHOOK_EPARSE at /version",
			        docs[i], gmhook_code_name(rc), err.path);
		}
	}
}

static void map_bad_arguments_are_einval(void **state)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_plan *plan = NULL;

	assert_int_equal(gmhook_map(&plan, *state, NULL, &err), GMHOOK_EINVAL);
	assert_int_equal(err.stage, GMHOOK_STAGE_MAP);
	assert_string_equal(err.path, "");
	assert_int_equal(gmhook_map(NULL, NULL, NULL, NULL), GMHOOK_EINVAL);
	assert_null(plan);
}

static void map_set_when_uses_server_zone(void **state)
{
	json_object *obj = json_object_new_object();

	(void) state;
	assert_int_equal(setenv("TZ", "America/New_York", 1), 0);
	tzset();
	/* 2026-01-15T15:00:00Z is 10:00 EST */
	gmhook__plan_set_when(obj, "d", "t", 1768489200);
	expect_str(obj, "/d", "2026-01-15");
	expect_str(obj, "/t", "10:00");
	/* 2026-07-01T03:30:00Z is the evening before in New York */
	gmhook__plan_set_when(obj, "d", NULL, 1782876600);
	expect_str(obj, "/d", "2026-06-30");
	expect_str(obj, "/t", "10:00");
	json_object_put(obj);
}

#define CTX_TEST(name) \
	cmocka_unit_test_setup_teardown(name, setup_ctx, teardown_ctx)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CTX_TEST(map_calendly_created_plans_four_actions),
		CTX_TEST(map_calendly_cancel_uses_the_booking_link),
		CTX_TEST(map_calendly_reschedule_is_marked),
		CTX_TEST(map_calendly_unknown_event_is_ignored),
		CTX_TEST(map_calendly_lastname_is_last_word_of_name),
		CTX_TEST(map_calendly_first_and_last_make_contact),
		CTX_TEST(map_webform_plans_contact_history_and_note),
		CTX_TEST(map_webform_json_nested_values_are_kept),
		CTX_TEST(map_webform_array_maps_each_event),
		CTX_TEST(map_long_company_is_cut_with_warning),
		CTX_TEST(map_cut_keeps_whole_characters),
		CTX_TEST(map_overflow_reject_fails_with_path),
		CTX_TEST(map_derived_lastname_names_the_name_field),
		CTX_TEST(map_plan_json_round_trips),
		CTX_TEST(map_plan_from_json_rejects_bad_documents),
		CTX_TEST(map_plan_version_must_be_integer_one),
		CTX_TEST(map_bad_arguments_are_einval),
		CTX_TEST(map_set_when_uses_server_zone),
	};

	return cmocka_run_group_tests_name("map", tests, NULL, NULL);
}
