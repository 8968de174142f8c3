/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for stage 2, validate (validate.c and the validators of the
 * Calendly and web form sources), and for the helpers it relies on:
 * e-mail syntax, RFC 3339 times and UTF-8 checks (util.c). Payloads are
 * written here in the providers' shapes; none is copied from the corpus.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmhook-private.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/*
 * Calendly v2 with three holes: the "email" member (whole, so it can be
 * left out), the start time and the created_at value (raw JSON).
 */
#define CAL_V2_TEMPLATE                                                  \
	"{\"created_at\":%s,\"event\":\"invitee.created\",\"payload\":{" \
	"%s\"name\":\"Ann Oak\",\"first_name\":null,\"last_name\":null," \
	"\"uri\":\"https://api.calendly.com/scheduled_events/EV1/"       \
	"invitees/INV1\",\"scheduled_event\":{\"name\":\"Intro Call\","  \
	"\"start_time\":%s,\"end_time\":\"2026-03-10T15:45:00.000000Z\"}}}"

/* Calendly v1 with holes for the invitee's "email" member and the
 * event's start time. */
#define CAL_V1_TEMPLATE                                                          \
	"{\"event\":\"invitee.created\",\"time\":\"2019-08-07T18:46:35+02:00\"," \
	"\"payload\":{\"event_type\":{\"name\":\"Demo\"},\"event\":{"            \
	"\"uuid\":\"EV2\",\"start_time\":%s,"                                    \
	"\"end_time\":\"2019-08-08T10:30:00+02:00\"},\"invitee\":{"              \
	"\"uuid\":\"INV-2\",%s\"name\":\"Bo Ek\"}}}"

#define NOW      "\"2026-03-02T14:05:09.123456Z\""
#define START    "\"2026-03-10T15:00:00.000000Z\""
#define EMAIL    "\"email\":\"ann.oak@example.org\","
#define V1_START "\"2019-08-08T10:00:00+02:00\""
#define V1_EMAIL "\"email\":\"bo@example.se\","

/* 64 + 1 + 10 = 75 characters: the longest address GoldMine holds. */
#define LOCAL64 \
	"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl"
#define EMAIL75 LOCAL64 "@example.se"
#define EMAIL76 LOCAL64 "@example.com"

static int setup_ctx(void **state)
{
	struct gmhook_ctx *ctx = NULL;

	assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
	*state = ctx;
	return 0;
}

static int teardown_ctx(void **state)
{
	gmhook_ctx_free(*state);
	return 0;
}

/* Parse a body that must parse, with the source named. */
static struct gmhook_event *parse_ok(struct gmhook_ctx *ctx, const char *body,
                                     const char *content_type,
                                     const char *source)
{
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;
	int rc;

	req.body = body;
	req.body_len = strlen(body);
	req.content_type = content_type;
	req.source = source;
	req.received = 1772460309;
	rc = gmhook_parse(&event, ctx, &req, &err);
	if (rc != 0) {
		fail_msg("parse of %s: %s", body, err.message);
	}
	return event;
}

/* ==== Table: deliveries and what validate says ==== */

struct validate_case {
	const char *what;
	const char *body;
	const char *content_type;
	const char *source;
	int code;
	const char *path;
	const char *message; /* part of the message; NULL on success */
};

static char *v2(const char *created_at, const char *email_member,
                const char *start)
{
	char *body = malloc(4096);

	assert_non_null(body);
	snprintf(body, 4096, CAL_V2_TEMPLATE, created_at, email_member, start);
	return body;
}

static char *v1(const char *email_member, const char *start)
{
	char *body = malloc(4096);

	assert_non_null(body);
	snprintf(body, 4096, CAL_V1_TEMPLATE, start, email_member);
	return body;
}

static void run_case(struct gmhook_ctx *ctx, const struct validate_case *c)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event;
	int rc;

	event = parse_ok(ctx, c->body, c->content_type, c->source);
	rc = gmhook_validate(ctx, event, &err);
	if (rc != c->code) {
		fail_msg("%s: %s, want %s (%s at \"%s\")", c->what,
		         gmhook_code_name(rc), gmhook_code_name(c->code),
		         err.message, err.path);
	}
	if (rc == 0) {
		if (!event->validated) {
			fail_msg("%s: not marked validated", c->what);
		}
		gmhook_event_free(event);
		return;
	}
	if (event->validated || err.code != c->code ||
	    err.stage != GMHOOK_STAGE_VALIDATE) {
		fail_msg("%s: validated %d, err.code %d, stage %d", c->what,
		         event->validated, err.code, err.stage);
	}
	if (strcmp(err.path, c->path) != 0) {
		fail_msg("%s: path \"%s\", want \"%s\" (%s)", c->what, err.path,
		         c->path, err.message);
	}
	if (strstr(err.message, c->message) == NULL) {
		fail_msg("%s: message \"%s\" lacks \"%s\"", c->what,
		         err.message, c->message);
	}
	gmhook_event_free(event);
}

struct calendly_case {
	const char *what;
	bool shape_v1;
	const char *email_member;
	const char *start;
	const char *created_at; /* v2 only */
	int code;
	const char *path;
	const char *message;
};

static const struct calendly_case calendly_cases[] = {
	{ "v2 valid", false, EMAIL, START, NOW, 0, "", NULL },
	{ "v2 start time null", false, EMAIL, "null", NOW, 0, "", NULL },
	{ "v2 offset start time", false, EMAIL, "\"2026-03-10T10:00:00-05:00\"",
	  NOW, 0, "", NULL },
	{ "v2 75 characters", false, "\"email\":\"" EMAIL75 "\",", START, NOW,
	  0, "", NULL },
	{ "v2 missing e-mail", false, "", START, NOW, GMHOOK_EVALIDATE,
	  "/payload/email", "required" },
	{ "v2 e-mail null", false, "\"email\":null,", START, NOW,
	  GMHOOK_EVALIDATE, "/payload/email", "required" },
	{ "v2 e-mail empty", false, "\"email\":\"\",", START, NOW,
	  GMHOOK_EVALIDATE, "/payload/email", "required" },
	{ "v2 e-mail a number", false, "\"email\":42,", START, NOW,
	  GMHOOK_EVALIDATE, "/payload/email", "must be a string" },
	{ "v2 e-mail an array", false, "\"email\":[\"a@example.org\"],", START,
	  NOW, GMHOOK_EVALIDATE, "/payload/email", "must be a string" },
	{ "v2 no @", false, "\"email\":\"ann.example.org\",", START, NOW,
	  GMHOOK_EVALIDATE, "/payload/email", "not a valid e-mail" },
	{ "v2 two @", false, "\"email\":\"ann@oak@example.org\",", START, NOW,
	  GMHOOK_EVALIDATE, "/payload/email", "not a valid e-mail" },
	{ "v2 no dot in domain", false, "\"email\":\"ann@localhost\",", START,
	  NOW, GMHOOK_EVALIDATE, "/payload/email", "not a valid e-mail" },
	{ "v2 space", false, "\"email\":\"ann oak@example.org\",", START, NOW,
	  GMHOOK_EVALIDATE, "/payload/email", "not a valid e-mail" },
	{ "v2 trailing dot", false, "\"email\":\"ann@example.org.\",", START,
	  NOW, GMHOOK_EVALIDATE, "/payload/email", "not a valid e-mail" },
	{ "v2 76 characters", false, "\"email\":\"" EMAIL76 "\",", START, NOW,
	  GMHOOK_EVALIDATE, "/payload/email", "at most 75" },
	{ "v2 start time without time", false, EMAIL, "\"2026-03-10\"", NOW,
	  GMHOOK_EVALIDATE, "/payload/scheduled_event/start_time", "ISO 8601" },
	{ "v2 start time US format", false, EMAIL, "\"03/10/2026 15:00\"", NOW,
	  GMHOOK_EVALIDATE, "/payload/scheduled_event/start_time", "ISO 8601" },
	{ "v2 start time a number", false, EMAIL, "1773154800", NOW,
	  GMHOOK_EVALIDATE, "/payload/scheduled_event/start_time", "ISO 8601" },
	{ "v2 impossible date", false, EMAIL, "\"2026-02-30T10:00:00Z\"", NOW,
	  GMHOOK_EVALIDATE, "/payload/scheduled_event/start_time", "ISO 8601" },
	{ "v2 bad created_at", false, EMAIL, START, "\"yesterday\"",
	  GMHOOK_EVALIDATE, "/created_at", "ISO 8601" },
	{ "v1 valid", true, V1_EMAIL, V1_START, NULL, 0, "", NULL },
	{ "v1 space before the zone", true, V1_EMAIL,
	  "\"2019-08-08 10:00:00+02:00\"", NULL, 0, "", NULL },
	{ "v1 missing e-mail", true, "", V1_START, NULL, GMHOOK_EVALIDATE,
	  "/payload/invitee/email", "required" },
	{ "v1 e-mail a boolean", true, "\"email\":true,", V1_START, NULL,
	  GMHOOK_EVALIDATE, "/payload/invitee/email", "must be a string" },
	{ "v1 bad e-mail", true, "\"email\":\"bo@example\",", V1_START, NULL,
	  GMHOOK_EVALIDATE, "/payload/invitee/email", "not a valid e-mail" },
	{ "v1 impossible date", true, V1_EMAIL, "\"2019-02-29T10:00:00+02:00\"",
	  NULL, GMHOOK_EVALIDATE, "/payload/event/start_time", "ISO 8601" },
};

static void validate_calendly_reports_code_and_path(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(calendly_cases) / sizeof(calendly_cases[0]);
	     i++) {
		const struct calendly_case *k = &calendly_cases[i];
		struct validate_case c = {
			k->what, NULL,    "application/json", "calendly",
			k->code, k->path, k->message
		};
		char *body = k->shape_v1 ? v1(k->email_member, k->start)
		                         : v2(k->created_at, k->email_member,
		                              k->start);

		c.body = body;
		run_case(*state, &c);
		free(body);
	}
}

static void validate_calendly_array_prefixes_event_pointer(void **state)
{
	char *good = v2(NOW, EMAIL, START);
	char *bad = v2(NOW, "\"email\":\"nobody\",", START);
	char body[8192];
	struct validate_case c = { "second event bad",  body,
		                   "application/json",  "calendly",
		                   GMHOOK_EVALIDATE,    "/1/payload/email",
		                   "not a valid e-mail" };

	snprintf(body, sizeof(body), "[%s,%s]", good, bad);
	run_case(*state, &c);
	free(good);
	free(bad);
}

static void validate_calendly_other_events_need_no_email(void **state)
{
	struct validate_case c = {
		"routing form",
		"{\"event\":\"routing_form_submission.created\","
		"\"created_at\":\"2026-03-02T14:05:09Z\",\"payload\":{}}",
		"application/json",
		"calendly",
		0,
		"",
		NULL
	};

	run_case(*state, &c);
}

static const struct validate_case form_cases[] = {
	{ "plain email key", "email=a%40example.com",
	  "application/x-www-form-urlencoded", NULL, 0, "", NULL },
	{ "E-mail", "E-mail=a%40example.com&name=A",
	  "application/x-www-form-urlencoded", NULL, 0, "", NULL },
	{ "your-email", "your-name=A&your-email=a%40example.com",
	  "application/x-www-form-urlencoded", NULL, 0, "", NULL },
	{ "EmailAddress", "{\"EmailAddress\":\"a@example.com\"}",
	  "application/json", NULL, 0, "", NULL },
	{ "Email Address", "Email+Address=a%40example.com",
	  "application/x-www-form-urlencoded", NULL, 0, "", NULL },
	{ "no e-mail field", "name=Ann&phone=555-0100",
	  "application/x-www-form-urlencoded", NULL, GMHOOK_EVALIDATE, "",
	  "no e-mail field" },
	{ "empty e-mail field", "email=&name=Ann",
	  "application/x-www-form-urlencoded", NULL, GMHOOK_EVALIDATE, "",
	  "no e-mail field" },
	{ "bad e-mail", "name=Ann&email=ann%40example",
	  "application/x-www-form-urlencoded", NULL, GMHOOK_EVALIDATE, "/email",
	  "not a valid e-mail" },
	{ "bad e-mail under E-mail", "E-mail=ann",
	  "application/x-www-form-urlencoded", NULL, GMHOOK_EVALIDATE,
	  "/E-mail", "not a valid e-mail" },
	{ "bad e-mail under your-email", "your-email=a+b%40example.com",
	  "application/x-www-form-urlencoded", NULL, GMHOOK_EVALIDATE,
	  "/your-email", "not a valid e-mail" },
	{ "key with a slash is escaped", "contact%2Femail=x%40y",
	  "application/x-www-form-urlencoded", NULL, GMHOOK_EVALIDATE,
	  "/contact~1email", "not a valid e-mail" },
	{ "too long in a form", "email=" LOCAL64 "%40example.com",
	  "application/x-www-form-urlencoded", NULL, GMHOOK_EVALIDATE, "/email",
	  "at most 75" },
	{ "multipart",
	  "--b\r\nContent-Disposition: form-data; "
	  "name=\"Email\"\r\n\r\nnot-an-address\r\n--b--\r\n",
	  "multipart/form-data; boundary=b", NULL, GMHOOK_EVALIDATE, "/Email",
	  "not a valid e-mail" },
	{ "JSON array, second without e-mail",
	  "[{\"email\":\"a@example.com\"},{\"name\":\"B\"}]",
	  "application/json", "webform", GMHOOK_EVALIDATE, "/1",
	  "no e-mail field" },
	{ "JSON array, second bad",
	  "[{\"email\":\"a@example.com\"},{\"Your Email\":\"b@\"}]",
	  "application/json", "webform", GMHOOK_EVALIDATE, "/1/Your Email",
	  "not a valid e-mail" },
};

static void validate_webform_finds_email_under_aliases(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(form_cases) / sizeof(form_cases[0]); i++) {
		run_case(*state, &form_cases[i]);
	}
}

static void validate_bad_arguments_and_sources(void **state)
{
	static const char doc[] =
	        "{\"gmhook\":\"event\",\"version\":1,\"source\":\"nosuchservice\","
	        "\"raw\":\"e30=\",\"body\":{},\"events\":[]}";
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;

	assert_int_equal(gmhook_validate(NULL, NULL, &err), GMHOOK_EINVAL);
	assert_int_equal(err.stage, GMHOOK_STAGE_VALIDATE);
	assert_string_equal(err.path, "");
	assert_int_equal(
	        gmhook_event_from_json(&event, *state, doc, strlen(doc), &err),
	        0);
	assert_int_equal(gmhook_validate(*state, event, &err), GMHOOK_ESOURCE);
	assert_int_equal(err.code, GMHOOK_ESOURCE);
	assert_string_equal(err.path, "/source");
	assert_false(event->validated);
	gmhook_event_free(event);
}

/* ==== util.c: e-mail syntax ==== */

struct email_case {
	const char *s;
	bool valid;
};

static const struct email_case email_cases[] = {
	{ "a@b.co", true },
	{ "first.last+tag@sub.example.com", true },
	{ "o'neil@example.ie", true },
	{ "J\xc3\xb6rg@b\xc3\xbc"
	  "cher.example",
	  true },
	{ LOCAL64 "@example.com", true },
	{ "a" LOCAL64 "@example.com", false }, /* 65-character local part */
	{ "", false },
	{ "@", false },
	{ "a@", false },
	{ "@b.co", false },
	{ "a@@b.co", false },
	{ "a@b@c.co", false },
	{ "a b@c.co", false },
	{ "a@b .co", false },
	{ "a@b.co ", false },
	{ "a\t@b.co", false },
	{ "a@b.co\n", false },
	{ "a@b.co\x7f", false },
	{ "a@b.co.", false },
	{ "a@.b.co", false },
	{ "a@b..co", false },
	{ ".a@b.co", false },
	{ "a.@b.co", false },
	{ "a@bco", false },
	{ "a<b@c.co", false },
	{ "Ann <a@b.co>", false },
	{ "a,b@c.co", false },
	{ "a;b@c.co", false },
	{ "\"a\"@b.co", false },
	{ "a\\b@c.co", false },
	{ "a(b)@c.co", false },
	{ "a@b.co, c@d.co", false },
};

static void validate_email_valid_accepts_plausible_addresses(void **state)
{
	char long_domain[300];
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(email_cases) / sizeof(email_cases[0]); i++) {
		if (gmhook__email_valid(email_cases[i].s) !=
		    email_cases[i].valid) {
			fail_msg("email_cases[%zu] \"%s\": want %s", i,
			         email_cases[i].s,
			         email_cases[i].valid ? "valid" : "invalid");
		}
	}
	/* RFC 5321: 254 characters in all */
	memset(long_domain, 'd', sizeof(long_domain));
	memcpy(long_domain, "a@", 2);
	memcpy(long_domain + 250, ".com", 5); /* 254 characters */
	assert_true(gmhook__email_valid(long_domain));
	long_domain[250] = 'd';
	memcpy(long_domain + 251, ".com", 5); /* 255 characters */
	assert_false(gmhook__email_valid(long_domain));
}

/* ==== util.c: times ==== */

struct time_case {
	const char *s;
	bool ok;
	int64_t t;
};

/* 2026-03-10T15:00:00Z */
#define T0 INT64_C(1773154800)

static const struct time_case time_cases[] = {
	{ "2026-03-10T15:00:00Z", true, T0 },
	{ "2026-03-10T15:00:00.000000Z", true, T0 },
	{ "2026-03-10T15:00:00,5Z", true, T0 },
	{ "2026-03-10T15:00:00.123456789+00:00", true, T0 },
	{ "2026-03-10T20:30:00+05:30", true, T0 },
	{ "2026-03-10T20:30:00+0530", true, T0 },
	{ "2026-03-10T11:00:00-04:00", true, T0 },
	{ "2026-03-09T23:00:00-16:00", true, T0 },
	{ "2026-03-10T15:00:00", true, T0 },
	{ "2026-03-10 15:00:00", true, T0 },
	{ "2026-03-10 15:00:00Z", true, T0 },
	{ "2026-03-10t15:00:00z", true, T0 },
	{ "2026-03-10T15:00Z", true, T0 },
	{ "2026-03-10T15:00", true, T0 },
	{ "2024-02-29T00:00:00Z", true, INT64_C(1709164800) },
	{ "2000-02-29T12:00:00Z", true, INT64_C(951825600) },
	{ "2016-12-31T23:59:60Z", true, INT64_C(1483228800) },
	{ "1969-12-31T23:59:59Z", true, INT64_C(-1) },
	{ "2023-02-29T00:00:00Z", false, 0 },
	{ "1900-02-29T00:00:00Z", false, 0 },
	{ "2026-02-30T10:00:00Z", false, 0 },
	{ "2026-04-31T10:00:00Z", false, 0 },
	{ "2026-13-01T00:00:00Z", false, 0 },
	{ "2026-00-10T00:00:00Z", false, 0 },
	{ "2026-03-00T00:00:00Z", false, 0 },
	{ "2026-03-10T24:00:00Z", false, 0 },
	{ "2026-03-10T15:60:00Z", false, 0 },
	{ "2026-03-10T15:00:61Z", false, 0 },
	{ "2026-03-10", false, 0 },
	{ "2026-3-10T15:00:00Z", false, 0 },
	{ "2026-03-10T15:00:00.Z", false, 0 },
	{ "2026-03-10T15:00:00 Z", false, 0 },
	{ "2026-03-10T15:00:00ZZ", false, 0 },
	{ "2026-03-10T15:00:00+24:00", false, 0 },
	{ "2026-03-10T15:00:00+05:60", false, 0 },
	{ "2026-03-10T15:00:00+05", false, 0 },
	{ "2026-03-10T15:00:00+05:30x", false, 0 },
	{ "2026-03-10X15:00:00Z", false, 0 },
	{ "2026-03-10T15", false, 0 },
	{ "20260310T150000Z", false, 0 },
	{ "", false, 0 },
};

static void validate_time_parse_handles_zones_and_dates(void **state)
{
	int64_t t;
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		const struct time_case *c = &time_cases[i];
		bool ok;

		t = 12345;
		ok = gmhook__time_parse(c->s, &t);
		if (ok != c->ok) {
			fail_msg("time_cases[%zu] \"%s\": %s", i, c->s,
			         ok ? "accepted" : "rejected");
		}
		if (ok && t != c->t) {
			fail_msg("time_cases[%zu] \"%s\": %lld, want %lld", i,
			         c->s, (long long) t, (long long) c->t);
		}
		if (!ok && t != 12345) {
			fail_msg("time_cases[%zu]: output written on failure",
			         i);
		}
	}
	assert_false(gmhook__time_parse(NULL, &t));
}

static void validate_time_format_utc_round_trips(void **state)
{
	char buf[32];
	int64_t t;

	(void) state;
	gmhook__time_format_utc(T0, buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-10T15:00:00Z");
	assert_true(gmhook__time_parse(buf, &t));
	assert_int_equal(t, T0);
}

/* ==== util.c: UTF-8 ==== */

struct utf8_case {
	const char *s;
	size_t len; /* 0: strlen */
	long invalid_at;
};

static const struct utf8_case utf8_cases[] = {
	{ "plain ASCII", 0, -1 },
	{ "caf\xc3\xa9", 0, -1 },
	{ "\xe2\x82\xac 5", 0, -1 },          /* U+20AC */
	{ "\xf0\x9f\x98\x80", 0, -1 },        /* U+1F600 */
	{ "\xf4\x8f\xbf\xbf", 0, -1 },        /* U+10FFFF */
	{ "\xed\x9f\xbf", 0, -1 },            /* U+D7FF */
	{ "\xee\x80\x80", 0, -1 },            /* U+E000 */
	{ "a\0b", 3, -1 },                    /* NUL is a character */
	{ "\xc0\xaf", 0, 0 },                 /* overlong '/' */
	{ "\xc1\xbf", 0, 0 },                 /* overlong */
	{ "ab\xe0\x80\xaf", 0, 2 },           /* overlong, 3 bytes */
	{ "\xe0\x9f\xbf", 0, 0 },             /* overlong U+07FF */
	{ "\xf0\x80\x80\xaf", 0, 0 },         /* overlong, 4 bytes */
	{ "\xf0\x8f\xbf\xbf", 0, 0 },         /* overlong U+FFFF */
	{ "\xed\xa0\x80", 0, 0 },             /* surrogate U+D800 */
	{ "x\xed\xbf\xbf", 0, 1 },            /* surrogate U+DFFF */
	{ "\xed\xa0\xbd\xed\xb8\x80", 0, 0 }, /* CESU-8 pair */
	{ "\xf4\x90\x80\x80", 0, 0 },         /* U+110000 */
	{ "\xf5\x80\x80\x80", 0, 0 },
	{ "\xff", 0, 0 },
	{ "\x80", 0, 0 },         /* lone continuation */
	{ "\xc3\x28", 0, 0 },     /* bad continuation */
	{ "ok\xc3", 0, 2 },       /* truncated, 2 bytes */
	{ "\xe2\x82", 0, 0 },     /* truncated, 3 bytes */
	{ "\xf0\x9f\x98", 0, 0 }, /* truncated, 4 bytes */
	{ "\xc3\xa9", 1, 0 },     /* cut by the length */
	{ "\xc3\xa9\xc3\xa9", 3, 2 },
};

static void validate_utf8_invalid_at_finds_first_bad_byte(void **state)
{
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		const struct utf8_case *c = &utf8_cases[i];
		size_t len = c->len ? c->len : strlen(c->s);
		char *copy = malloc(len ? len : 1);
		long at;

		/* an exact-size copy: no NUL to stop a runaway read */
		assert_non_null(copy);
		memcpy(copy, c->s, len);
		at = gmhook__utf8_invalid_at(copy, len);
		free(copy);
		if (at != c->invalid_at) {
			fail_msg("utf8_cases[%zu]: %ld, want %ld", i, at,
			         c->invalid_at);
		}
	}
	assert_int_equal(gmhook__utf8_invalid_at("", 0), -1);
}

struct prefix_case {
	const char *s;
	size_t max_chars;
	size_t bytes;
};

static const struct prefix_case prefix_cases[] = {
	{ "hello", 3, 3 },
	{ "hello", 5, 5 },
	{ "hello", 9, 5 },
	{ "hello", 0, 0 },
	{ "", 3, 0 },
	{ "h\xc3\xa9llo", 2, 3 },
	{ "\xc3\xa9\xc3\xa9\xc3\xa9", 2, 4 },
	{ "\xe2\x82\xac\xe2\x82\xac", 1, 3 },
	{ "\xf0\x9f\x98\x80x", 1, 4 },
	{ "\xf0\x9f\x98\x80x", 2, 5 },
	/* invalid bytes count as one character each */
	{ "\xff\xff"
	  "a",
	  2, 2 },
	{ "a\xc3", 5, 2 },
	{ "\xc3(x", 1, 1 },
};

static void validate_utf8_prefix_cuts_on_character_boundary(void **state)
{
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(prefix_cases) / sizeof(prefix_cases[0]); i++) {
		const struct prefix_case *c = &prefix_cases[i];
		size_t got = gmhook__utf8_prefix(c->s, c->max_chars);

		if (got != c->bytes) {
			fail_msg("prefix_cases[%zu]: %zu bytes, want %zu", i,
			         got, c->bytes);
		}
	}
	assert_int_equal(gmhook__utf8_chars("h\xc3\xa9llo \xf0\x9f\x98\x80"),
	                 7);
	assert_int_equal(gmhook__utf8_chars(""), 0);
}

#define CTX_TEST(name) \
	cmocka_unit_test_setup_teardown(name, setup_ctx, teardown_ctx)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CTX_TEST(validate_calendly_reports_code_and_path),
		CTX_TEST(validate_calendly_array_prefixes_event_pointer),
		CTX_TEST(validate_calendly_other_events_need_no_email),
		CTX_TEST(validate_webform_finds_email_under_aliases),
		CTX_TEST(validate_bad_arguments_and_sources),
		cmocka_unit_test(
		        validate_email_valid_accepts_plausible_addresses),
		cmocka_unit_test(validate_time_parse_handles_zones_and_dates),
		cmocka_unit_test(validate_time_format_utc_round_trips),
		cmocka_unit_test(validate_utf8_invalid_at_finds_first_bad_byte),
		cmocka_unit_test(
		        validate_utf8_prefix_cuts_on_character_boundary),
	};

	return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
