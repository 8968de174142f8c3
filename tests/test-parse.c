/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for stage 1, parse (parse.c and the readers of event.c): body
 * formats, content-type guessing and charsets, source detection, the
 * type/id/time each source extracts, the limits, and the event's JSON
 * form. Payloads are written here in the providers' shapes (Calendly API
 * v2 and v1 webhooks, HTML forms); none is copied from the corpus.
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

/* ==== Payloads ==== */

#define CAL_V2_CREATED                                                   \
	"{\"created_at\":\"2026-03-02T14:05:09.123456Z\","               \
	"\"created_by\":\"https://api.calendly.com/users/USER0000\","    \
	"\"event\":\"invitee.created\",\"payload\":{"                    \
	"\"email\":\"ann.oak@example.org\",\"name\":\"Ann Oak\","        \
	"\"first_name\":null,\"last_name\":null,\"rescheduled\":false,"  \
	"\"text_reminder_number\":\"+1 312 555 0199\","                  \
	"\"timezone\":\"America/Chicago\",\"questions_and_answers\":[]," \
	"\"scheduled_event\":{\"name\":\"Intro Call\","                  \
	"\"start_time\":\"2026-03-10T15:00:00.000000Z\","                \
	"\"end_time\":\"2026-03-10T15:45:00.000000Z\","                  \
	"\"uri\":\"https://api.calendly.com/scheduled_events/EV0001\"}," \
	"\"uri\":\"https://api.calendly.com/scheduled_events/EV0001/"    \
	"invitees/INV0001\"}}"

#define CAL_V2_ID                                                    \
	"invitee.created:https://api.calendly.com/scheduled_events/" \
	"EV0001/invitees/INV0001"

#define CAL_V1_CANCELED                                                      \
	"{\"event\":\"invitee.canceled\","                                   \
	"\"time\":\"2019-08-07T18:46:35+02:00\",\"payload\":{"               \
	"\"event_type\":{\"uuid\":\"ET0001\",\"kind\":\"One-on-One\","       \
	"\"slug\":\"demo\",\"name\":\"Demo\",\"duration\":30},"              \
	"\"event\":{\"uuid\":\"EV0002\","                                    \
	"\"start_time\":\"2019-08-08 10:00:00 +02:00\","                     \
	"\"end_time\":\"2019-08-08 10:30:00 +02:00\","                       \
	"\"location\":\"Phone\"},"                                           \
	"\"invitee\":{\"uuid\":\"INV-0002\",\"first_name\":null,"            \
	"\"last_name\":null,\"name\":\"Bo Ek\",\"email\":\"bo@example.se\"," \
	"\"timezone\":\"Europe/Stockholm\",\"canceled\":true,"               \
	"\"cancel_reason\":\"Ill\"},\"questions_and_answers\":[]}}"

#define FORM_BODY                                                  \
	"first_name=Tove&last_name=Berg&email=tove%40example.net&" \
	"company=Fjord+AB&message=Call+me"

/* sha256sum of FORM_BODY */
#define FORM_SHA256 \
	"sha256:"   \
	"b393681efc94c8e597bc750b53af0209efe1bc82daa3ade7ce21e80377c0b091"

#define MULTIPART_BODY                                             \
	"--XyZ\r\n"                                                \
	"Content-Disposition: form-data; name=\"email\"\r\n\r\n"   \
	"lee@example.com\r\n"                                      \
	"--XyZ\r\n"                                                \
	"Content-Disposition: form-data; name=\"message\"\r\n\r\n" \
	"Hello there\r\n"                                          \
	"--XyZ--\r\n"

/* ==== Helpers ==== */

struct request_spec {
	const char *body;
	size_t len; /* 0: strlen(body) */
	const char *content_type;
	const char *source;
	const struct gmhook_header *headers;
	size_t n_headers;
};

/*
 * Parse a copy of exactly the body's bytes, with no NUL after them, so
 * that sanitizers and valgrind see any read past body_len.
 */
static int parse_spec(struct gmhook_event **out, struct gmhook_ctx *ctx,
                      const struct request_spec *s, struct gmhook_error *err)
{
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	size_t len = s->len ? s->len : strlen(s->body);
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, s->body, len);
	req.body = copy;
	req.body_len = len;
	req.content_type = s->content_type;
	req.source = s->source;
	req.headers = s->headers;
	req.n_headers = s->n_headers;
	req.received = 1772460309; /* 2026-03-02T14:05:09Z */
	rc = gmhook_parse(out, ctx, &req, err);
	free(copy);
	return rc;
}

static struct gmhook_event *parse_ok(struct gmhook_ctx *ctx, const char *body,
                                     const char *content_type,
                                     const char *source)
{
	struct request_spec s = { body, 0, content_type, source, NULL, 0 };
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;
	int rc;

	rc = parse_spec(&event, ctx, &s, &err);
	if (rc != 0) {
		fail_msg("parse: %s (%s) at \"%s\"", err.message,
		         gmhook_code_name(rc), err.path);
	}
	assert_non_null(event);
	return event;
}

static const char *doc_str(const struct gmhook_event *event,
                           const char *pointer)
{
	const char *s = gmhook__get_str(event->doc, pointer);

	if (s == NULL) {
		fail_msg("no string at %s", pointer);
	}
	return s;
}

/* The body bytes as the event's JSON form carries them ("raw", base64). */
static unsigned char *json_form_raw(const struct gmhook_event *event,
                                    size_t *raw_len)
{
	char *json = gmhook_event_to_json(event, 0);
	json_object *doc = json ? json_tokener_parse(json) : NULL;
	const char *text = gmhook__get_str(doc, "/raw");
	unsigned char *raw = NULL;

	if (!text || !gmhook__base64_decode(text, &raw, raw_len)) {
		fail_msg("no base64 \"raw\" in the event's JSON form");
	}
	json_object_put(doc);
	gmhook_free(json);
	return raw;
}

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

/* ==== Formats ==== */

struct format_case {
	const char *what;
	const char *body;
	const char *content_type; /* NULL: guess */
	const char *source;
	const char *expect_format;
	const char *expect_media;
	const char *expect_source;
	const char *pointer; /* a string in the decoded body */
	const char *value;
};

static const struct format_case format_cases[] = {
	{ "JSON object", "{\"email\":\"a@example.com\",\"n\":1}",
	  "application/json", NULL, "json", "application/json", "webform",
	  "/body/email", "a@example.com" },
	{ "media type case and parameters", "{\"email\":\"a@example.com\"}",
	  "Application/JSON; charset=UTF-8", NULL, "json", "application/json",
	  "webform", "/body/email", "a@example.com" },
	{ "+json suffix", "{\"email\":\"a@example.com\"}",
	  "application/vnd.example+json", NULL, "json",
	  "application/vnd.example+json", "webform", "/body/email",
	  "a@example.com" },
	{ "urlencoded", FORM_BODY, "application/x-www-form-urlencoded", NULL,
	  "form", "application/x-www-form-urlencoded", "webform",
	  "/body/company", "Fjord AB" },
	{ "multipart", MULTIPART_BODY, "multipart/form-data; boundary=XyZ",
	  NULL, "multipart", "multipart/form-data", "webform", "/body/message",
	  "Hello there" },
	{ "quoted boundary", MULTIPART_BODY,
	  "multipart/form-data; charset=utf-8; boundary=\"XyZ\"", NULL,
	  "multipart", "multipart/form-data", "webform", "/body/email",
	  "lee@example.com" },
	{ "guessed JSON", " \r\n{\"email\":\"a@example.com\"}\n", NULL, NULL,
	  "json", "application/json", "webform", "/body/email",
	  "a@example.com" },
	{ "guessed form", "email=b%40example.com&x=1", NULL, NULL, "form",
	  "application/x-www-form-urlencoded", "webform", "/body/email",
	  "b@example.com" },
	{ "Calendly v2 by shape", CAL_V2_CREATED, "application/json", NULL,
	  "json", "application/json", "calendly", "/body/payload/name",
	  "Ann Oak" },
	{ "Calendly v1 by shape", CAL_V1_CANCELED, NULL, NULL, "json",
	  "application/json", "calendly", "/body/payload/invitee/name",
	  "Bo Ek" },
	{ "source named", "{\"email\":\"a@example.com\"}", "application/json",
	  "webform", "json", "application/json", "webform", "/body/email",
	  "a@example.com" },
	{ "source named in another case", CAL_V2_CREATED, "application/json",
	  "Calendly", "json", "application/json", "calendly", "/body/event",
	  "invitee.created" },
	{ "source overrides detection", CAL_V2_CREATED, "application/json",
	  "webform", "json", "application/json", "webform", "/body/event",
	  "invitee.created" },
};

static void parse_formats_decode_and_detect_source(void **state)
{
	struct gmhook_ctx *ctx = *state;
	size_t i;

	for (i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
		const struct format_case *c = &format_cases[i];
		struct gmhook_event *event;

		event = parse_ok(ctx, c->body, c->content_type, c->source);
		if (strcmp(doc_str(event, "/format"), c->expect_format) != 0 ||
		    strcmp(doc_str(event, "/content_type"), c->expect_media) !=
		            0 ||
		    strcmp(gmhook_event_source(event), c->expect_source) != 0 ||
		    strcmp(doc_str(event, c->pointer), c->value) != 0) {
			fail_msg(
			        "%s: format %s, media %s, source %s, %s=\"%s\"",
			        c->what, doc_str(event, "/format"),
			        doc_str(event, "/content_type"),
			        gmhook_event_source(event), c->pointer,
			        doc_str(event, c->pointer));
		}
		assert_int_equal(gmhook_event_count(event), 1);
		assert_string_equal(doc_str(event, "/events/0/pointer"), "");
		assert_string_equal(doc_str(event, "/received"),
		                    "2026-03-02T14:05:09Z");
		gmhook_event_free(event);
	}
}

static void parse_calendly_header_wins_over_shape(void **state)
{
	static const struct gmhook_header headers[] = {
		{ "User-Agent", "Calendly" },
		{ "calendly-webhook-signature", "t=1772460309,v1=00ff" },
	};
	struct request_spec s = { "{\"email\":\"a@example.com\"}",
		                  0,
		                  "application/json",
		                  NULL,
		                  headers,
		                  2 };
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;

	assert_int_equal(parse_spec(&event, *state, &s, &err), 0);
	assert_string_equal(gmhook_event_source(event), "calendly");
	/* the headers are kept in order, names as sent */
	assert_string_equal(doc_str(event, "/headers/1/0"),
	                    "calendly-webhook-signature");
	assert_string_equal(doc_str(event, "/headers/1/1"),
	                    "t=1772460309,v1=00ff");
	/* no Calendly event name: type "unknown" and a digest id */
	assert_string_equal(doc_str(event, "/events/0/type"), "unknown");
	assert_memory_equal(doc_str(event, "/events/0/id"), "sha256:", 7);
	gmhook_event_free(event);
}

static void parse_json_array_gives_one_event_each(void **state)
{
	struct gmhook_ctx *ctx = *state;
	struct gmhook_event *event;
	char pointer[32];
	char id[128];
	size_t i;

	event = parse_ok(ctx,
	                 "[{\"email\":\"a@example.com\"},"
	                 "{\"email\":\"b@example.com\"},"
	                 "{\"email\":\"c@example.com\"}]",
	                 "application/json", "webform");
	assert_int_equal(gmhook_event_count(event), 3);
	for (i = 0; i < 3; i++) {
		snprintf(pointer, sizeof(pointer), "/events/%zu/pointer", i);
		snprintf(id, sizeof(id), "/%zu", i);
		assert_string_equal(doc_str(event, pointer), id);
		snprintf(pointer, sizeof(pointer), "/events/%zu/id", i);
		/* the digest id of an element ends with its pointer */
		snprintf(id, sizeof(id), "%s", doc_str(event, pointer));
		assert_int_equal(strlen(id), 7 + 64 + 2);
		assert_int_equal(id[strlen(id) - 1], (char) ('0' + i));
	}
	gmhook_event_free(event);
}

static void parse_charset_latin1_is_converted(void **state)
{
	struct gmhook_ctx *ctx = *state;
	struct gmhook_event *event;
	unsigned char *raw = NULL;
	size_t raw_len = 0;

	event = parse_ok(
	        ctx,
	        "name=Jos\xe9+N\xfa\xf1"
	        "ez&email=j%40example.com",
	        "application/x-www-form-urlencoded; charset=ISO-8859-1", NULL);
	assert_string_equal(doc_str(event, "/body/name"),
	                    "Jos\xc3\xa9 N\xc3\xba\xc3\xb1"
	                    "ez");
	/* the raw bytes are the bytes received, not the converted ones */
	raw = json_form_raw(event, &raw_len);
	assert_int_equal(raw_len, event->raw_len);
	assert_memory_equal(raw,
	                    "name=Jos\xe9+N\xfa\xf1"
	                    "ez&",
	                    16);
	free(raw);
	gmhook_event_free(event);

	event = parse_ok(ctx,
	                 "{\"name\":\"Ren\xe9\",\"email\":\"r@example.com\"}",
	                 "application/json; charset=\"iso-8859-1\"", NULL);
	assert_string_equal(doc_str(event, "/body/name"), "Ren\xc3\xa9");
	gmhook_event_free(event);
}

/* ==== Event type, id and time ==== */

struct extract_case {
	const char *what;
	const char *body;
	const char *type;
	const char *id;
	const char *time;
	const char *shape;
};

static const struct extract_case extract_cases[] = {
	{ "Calendly v2", CAL_V2_CREATED, "invitee.created", CAL_V2_ID,
	  "2026-03-02T14:05:09Z", "v2" },
	{ "Calendly v1, offset time", CAL_V1_CANCELED, "invitee.canceled",
	  "invitee.canceled:INV-0002", "2019-08-07T16:46:35Z", "v1" },
	{ "Calendly other event",
	  "{\"event\":\"routing_form_submission.created\",\"created_at\":"
	  "\"2026-01-05T08:00:00-05:00\",\"payload\":{\"uri\":\"x\"}}",
	  "routing_form_submission.created",
	  "routing_form_submission.created:x", "2026-01-05T13:00:00Z", "v2" },
};

static void parse_calendly_extracts_type_id_and_time(void **state)
{
	struct gmhook_ctx *ctx = *state;
	size_t i;

	for (i = 0; i < sizeof(extract_cases) / sizeof(extract_cases[0]); i++) {
		const struct extract_case *c = &extract_cases[i];
		struct gmhook_event *event;

		event = parse_ok(ctx, c->body, "application/json", "calendly");
		if (strcmp(doc_str(event, "/events/0/type"), c->type) != 0 ||
		    strcmp(doc_str(event, "/events/0/id"), c->id) != 0 ||
		    strcmp(doc_str(event, "/events/0/time"), c->time) != 0 ||
		    strcmp(doc_str(event, "/events/0/shape"), c->shape) != 0) {
			fail_msg("%s: type %s id %s time %s shape %s", c->what,
			         doc_str(event, "/events/0/type"),
			         doc_str(event, "/events/0/id"),
			         doc_str(event, "/events/0/time"),
			         doc_str(event, "/events/0/shape"));
		}
		gmhook_event_free(event);
	}
}

static void parse_webform_id_is_body_digest(void **state)
{
	struct gmhook_ctx *ctx = *state;
	struct gmhook_event *a;
	struct gmhook_event *b;
	struct gmhook_event *c;

	a = parse_ok(ctx, FORM_BODY, "application/x-www-form-urlencoded", NULL);
	b = parse_ok(ctx, FORM_BODY, NULL, NULL);
	c = parse_ok(ctx, FORM_BODY "&x=", NULL, NULL);
	assert_string_equal(doc_str(a, "/events/0/id"), FORM_SHA256);
	assert_string_equal(doc_str(b, "/events/0/id"), FORM_SHA256);
	assert_string_not_equal(doc_str(c, "/events/0/id"), FORM_SHA256);
	assert_string_equal(doc_str(a, "/events/0/type"), "form.submitted");
	/* a form's time is when it was received */
	assert_string_equal(doc_str(a, "/events/0/time"),
	                    "2026-03-02T14:05:09Z");
	gmhook_event_free(a);
	gmhook_event_free(b);
	gmhook_event_free(c);
}

/* ==== Errors ==== */

struct error_case {
	const char *what;
	const char *body;
	const char *content_type;
	const char *source;
	uint64_t max_body;
	uint32_t max_fields;
	uint32_t max_events;
	int code;
	const char *path;
	const char *message; /* part of the message */
};

static const struct error_case error_cases[] = {
	{ "empty body", "", "application/json", NULL, 0, 0, 0, GMHOOK_EPARSE,
	  "", "empty" },
	{ "whitespace only", " \r\n\t ", "application/json", NULL, 0, 0, 0,
	  GMHOOK_EPARSE, "", "empty" },
	{ "truncated JSON", "{\"event\":\"invitee.created\",\"payload\":{",
	  "application/json", NULL, 0, 0, 0, GMHOOK_EPARSE, "", "ends early" },
	{ "trailing garbage", "{\"email\":\"a@example.com\"} x",
	  "application/json", NULL, 0, 0, 0, GMHOOK_EPARSE, "", "byte 26" },
	{ "second JSON value", "{\"a\":1}{\"b\":2}", "application/json",
	  "webform", 0, 0, 0, GMHOOK_EPARSE, "", "byte 7" },
	{ "invalid UTF-8 in a string",
	  "{\"email\":\"a@example.com\",\"name\":\"\xc3\x28\"}",
	  "application/json", NULL, 0, 0, 0, GMHOOK_EPARSE, "",
	  "invalid JSON" },
	{ "trailing comma", "{\"email\":\"a@example.com\",}",
	  "application/json", NULL, 0, 0, 0, GMHOOK_EPARSE, "",
	  "invalid JSON" },
	{ "too many JSON fields",
	  "{\"email\":\"a@example.com\",\"b\":[1,2],\"c\":{\"d\":3,\"e\":4}}",
	  "application/json", NULL, 0, 4, 0, GMHOOK_ETOOBIG, "",
	  "more than 4 fields" },
	{ "too many form fields", "email=a%40example.com&b=1&c=2&d=3&e=4", NULL,
	  NULL, 0, 4, 0, GMHOOK_ETOOBIG, "", "more than 4 fields" },
	{ "too many events", "[{\"a\":1},{\"a\":2},{\"a\":3}]",
	  "application/json", "webform", 0, 0, 2, GMHOOK_ETOOBIG, "",
	  "the limit is 2" },
	{ "body over max_body", "{\"email\":\"a@example.com\"}",
	  "application/json", NULL, 24, 0, 0, GMHOOK_ETOOBIG, "",
	  "the limit is 24" },
	{ "unsupported content type", "hello", "text/plain", NULL, 0, 0, 0,
	  GMHOOK_EMEDIATYPE, "", "'text/plain'" },
	{ "XML", "<a>1</a>", "application/xml", NULL, 0, 0, 0,
	  GMHOOK_EMEDIATYPE, "", "'application/xml'" },
	{ "nothing to guess from", "hello", NULL, NULL, 0, 0, 0,
	  GMHOOK_EMEDIATYPE, "", "no content type" },
	{ "unknown charset", "a=1",
	  "application/x-www-form-urlencoded; "
	  "charset=x-no-such-charset",
	  NULL, 0, 0, 0, GMHOOK_EMEDIATYPE, "", "charset" },
	{ "multipart without boundary", MULTIPART_BODY, "multipart/form-data",
	  NULL, 0, 0, 0, GMHOOK_EPARSE, "", "boundary" },
	{ "array of non-objects", "[{\"email\":\"a@example.com\"},5]",
	  "application/json", "webform", 0, 0, 0, GMHOOK_EPARSE, "/1",
	  "must be a JSON object" },
	{ "array of strings", "[\"a\"]", "application/json", "calendly", 0, 0,
	  0, GMHOOK_EPARSE, "/0", "must be a JSON object" },
	{ "empty array", "[]", "application/json", "webform", 0, 0, 0,
	  GMHOOK_EPARSE, "", "no events" },
	{ "scalar JSON", "\"text\"", "application/json", "webform", 0, 0, 0,
	  GMHOOK_EPARSE, "", "must be a JSON object" },
	{ "unknown source name", "{\"email\":\"a@example.com\"}",
	  "application/json", "nosuchservice", 0, 0, 0, GMHOOK_ESOURCE, "",
	  "unknown source 'nosuchservice'" },
	{ "undetectable JSON", "{\"id\":\"evt_1\",\"type\":\"charge\"}",
	  "application/json", NULL, 0, 0, 0, GMHOOK_ESOURCE, "", "--source" },
};

static void parse_rejects_bad_deliveries_with_code_and_path(void **state)
{
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		const struct error_case *c = &error_cases[i];
		struct gmhook_options opts = GMHOOK_OPTIONS_INIT;
		struct request_spec s = { c->body,   0,    c->content_type,
			                  c->source, NULL, 0 };
		struct gmhook_error err = GMHOOK_ERROR_INIT;
		struct gmhook_event *event = NULL;
		struct gmhook_ctx *ctx = NULL;
		int rc;

		opts.max_body = c->max_body;
		opts.max_fields = c->max_fields;
		opts.max_events = c->max_events;
		assert_int_equal(gmhook_ctx_new(&ctx, &opts, NULL), 0);
		rc = parse_spec(&event, ctx, &s, &err);
		gmhook_ctx_free(ctx);
		if (rc != c->code || err.code != c->code) {
			fail_msg("%s: %s, want %s (%s)", c->what,
			         gmhook_code_name(rc),
			         gmhook_code_name(c->code), err.message);
		}
		if (event != NULL || err.stage != GMHOOK_STAGE_PARSE) {
			fail_msg("%s: event %p, stage %d", c->what,
			         (void *) event, err.stage);
		}
		if (strcmp(err.path, c->path) != 0) {
			fail_msg("%s: path \"%s\", want \"%s\"", c->what,
			         err.path, c->path);
		}
		if (strstr(err.message, c->message) == NULL) {
			fail_msg("%s: message \"%s\" lacks \"%s\"", c->what,
			         err.message, c->message);
		}
	}
}

static char *nested_arrays(size_t depth)
{
	char *body = malloc(2 * depth + 1);
	size_t i;

	assert_non_null(body);
	for (i = 0; i < depth; i++) {
		body[i] = '[';
		body[2 * depth - 1 - i] = ']';
	}
	body[2 * depth] = '\0';
	return body;
}

static void parse_deep_nesting_is_etoobig(void **state)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;
	char *body = nested_arrays(10000);
	struct request_spec s = { body,      0,    "application/json",
		                  "webform", NULL, 0 };

	assert_int_equal(parse_spec(&event, *state, &s, &err), GMHOOK_ETOOBIG);
	assert_null(event);
	assert_int_equal(err.code, GMHOOK_ETOOBIG);
	assert_int_equal(err.stage, GMHOOK_STAGE_PARSE);
	assert_string_equal(err.path, "");
	assert_non_null(strstr(err.message, "deeper than 32"));
	free(body);

	/* 32 levels are allowed: the limit is not off by one. */
	body = nested_arrays(32);
	s.body = body;
	err = (struct gmhook_error) GMHOOK_ERROR_INIT;
	assert_int_equal(parse_spec(&event, *state, &s, &err), GMHOOK_EPARSE);
	assert_string_equal(err.path, "/0");
	free(body);
}

static void parse_bad_arguments_are_einval(void **state)
{
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;

	req.body = "{}";
	req.body_len = 2;
	assert_int_equal(gmhook_parse(NULL, *state, &req, &err), GMHOOK_EINVAL);
	assert_string_equal(err.path, "");
	assert_int_equal(gmhook_parse(&event, NULL, &req, &err), GMHOOK_EINVAL);
	assert_int_equal(gmhook_parse(&event, *state, NULL, NULL),
	                 GMHOOK_EINVAL);
	req.version = 2;
	assert_int_equal(gmhook_parse(&event, *state, &req, &err),
	                 GMHOOK_EINVAL);
	assert_non_null(strstr(err.message, "version"));
	req.version = GMHOOK_REQUEST_VERSION;
	req.body = NULL;
	assert_int_equal(gmhook_parse(&event, *state, &req, &err),
	                 GMHOOK_EINVAL);
	assert_null(event);
}

/*
 * The body is counted bytes, not a C string. parse.c used to scan it with
 * strspn(), reading on past body_len until a NUL, so (a) a JSON body
 * followed in memory by more white space was refused as "unexpected data
 * after the JSON value", and (b) three spaces followed by more spaces
 * were not seen as an empty body (GMHOOK_EMEDIATYPE instead of
 * GMHOOK_EPARSE). Found by this test; fixed by 3f4cf3c.
 */
static void parse_body_is_read_only_within_body_len(void **state)
{
	static const char json_buf[] = "{\"email\":\"a@example.com\"}  \n\n";
	static const char blank_buf[] = "      ";
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;
	int rc;

	/* The body is the JSON and two spaces; the newlines are not in it. */
	req.body = json_buf;
	req.body_len = strlen(json_buf) - 2;
	req.content_type = "application/json";
	rc = gmhook_parse(&event, *state, &req, &err);
	if (rc != 0) {
		fail_msg("JSON + 2 spaces: %s: %s", gmhook_code_name(rc),
		         err.message);
	}
	gmhook_event_free(event);
	event = NULL;

	req.body = blank_buf;
	req.body_len = 3;
	rc = gmhook_parse(&event, *state, &req, &err);
	assert_null(event);
	if (rc != GMHOOK_EPARSE || strcmp(err.path, "") != 0) {
		fail_msg("3 spaces: %s (%s), want GMHOOK_EPARSE",
		         gmhook_code_name(rc), err.message);
	}
}

/* ==== The event's JSON form ==== */

static void parse_event_json_round_trips(void **state)
{
	static const char body[] =
	        "[ {\"email\" : \"a@example.com\", \"price\": 1.50,\n"
	        "   \"note\": \"tab\\tquote\\\" slash/ \\u00e9 \\ud83d\\ude00\","
	        " \"n\": null, \"t\": true, \"big\": 12345678901234} ,\r\n"
	        "  {\"email\":\"b@example.com\",\"list\":[1,[2,{}]]} ]\n";
	static const struct gmhook_header headers[] = {
		{ "X-Request-Id", "abc" },
	};
	struct request_spec s = { body,      0,       "application/json",
		                  "webform", headers, 1 };
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;
	struct gmhook_event *back = NULL;
	unsigned char *raw = NULL;
	size_t raw_len = 0;
	char *json;
	char *json2;
	int pretty;

	assert_int_equal(parse_spec(&event, *state, &s, &err), 0);
	/* the raw bytes are kept exactly, whitespace included */
	assert_int_equal(event->raw_len, strlen(body));
	assert_memory_equal(event->raw, body, strlen(body));
	raw = json_form_raw(event, &raw_len);
	assert_int_equal(raw_len, strlen(body));
	assert_memory_equal(raw, body, raw_len);
	free(raw);
	for (pretty = 0; pretty <= 1; pretty++) {
		json = gmhook_event_to_json(event, pretty);
		assert_non_null(json);
		if (gmhook_event_from_json(&back, *state, json, strlen(json),
		                           &err) != 0) {
			fail_msg("from_json: %s at %s", err.message, err.path);
		}
		json2 = gmhook_event_to_json(back, pretty);
		assert_string_equal(json, json2);
		assert_int_equal(back->raw_len, strlen(body));
		assert_memory_equal(back->raw, body, strlen(body));
		assert_int_equal(gmhook_event_count(back), 2);
		assert_string_equal(gmhook_event_source(back), "webform");
		gmhook_free(json);
		gmhook_free(json2);
		gmhook_event_free(back);
		back = NULL;
	}
	gmhook_event_free(event);
}

struct from_json_case {
	const char *what;
	const char *json;
	int code;
	const char *path;
};

/* "raw" is base64 of "{}" */
static const struct from_json_case from_json_cases[] = {
	{ "not JSON", "{\"gmhook\":", GMHOOK_EPARSE, "" },
	{ "trailing data",
	  "{\"gmhook\":\"event\",\"version\":1,\"events\":[]} []",
	  GMHOOK_EPARSE, "" },
	{ "an array", "[]", GMHOOK_EPARSE, "/gmhook" },
	{ "wrong kind", "{\"gmhook\":\"plan\",\"version\":1,\"events\":[]}",
	  GMHOOK_EPARSE, "/gmhook" },
	{ "kind not a string", "{\"gmhook\":1,\"version\":1,\"events\":[]}",
	  GMHOOK_EPARSE, "/gmhook" },
	{ "no kind", "{\"version\":1,\"events\":[]}", GMHOOK_EPARSE,
	  "/gmhook" },
	{ "bad version", "{\"gmhook\":\"event\",\"version\":2,\"events\":[]}",
	  GMHOOK_EPARSE, "/version" },
	{ "no version", "{\"gmhook\":\"event\",\"events\":[]}", GMHOOK_EPARSE,
	  "/version" },
	{ "missing events", "{\"gmhook\":\"event\",\"version\":1}",
	  GMHOOK_EPARSE, "/events" },
	{ "events not an array",
	  "{\"gmhook\":\"event\",\"version\":1,\"events\":{}}", GMHOOK_EPARSE,
	  "/events" },
	{ "no source",
	  "{\"gmhook\":\"event\",\"version\":1,\"events\":[],\"raw\":\"e30=\"}",
	  GMHOOK_EPARSE, "/source" },
	{ "event without id",
	  "{\"gmhook\":\"event\",\"version\":1,\"source\":\"webform\","
	  "\"raw\":\"e30=\",\"body\":{},\"events\":[{\"type\":\"x\","
	  "\"pointer\":\"\"}]}",
	  GMHOOK_EPARSE, "/events/0" },
	{ "pointer outside the body",
	  "{\"gmhook\":\"event\",\"version\":1,\"source\":\"webform\","
	  "\"raw\":\"e30=\",\"body\":{},\"events\":[{\"type\":\"x\","
	  "\"id\":\"y\",\"pointer\":\"\"},{\"type\":\"x\",\"id\":\"z\","
	  "\"pointer\":\"/3\"}]}",
	  GMHOOK_EPARSE, "/events/1" },
	{ "bad base64",
	  "{\"gmhook\":\"event\",\"version\":1,\"source\":\"webform\","
	  "\"raw\":\"e30!\",\"body\":{},\"events\":[]}",
	  GMHOOK_EPARSE, "/raw" },
	{ "base64 with a bad length",
	  "{\"gmhook\":\"event\",\"version\":1,\"source\":\"webform\","
	  "\"raw\":\"e30\",\"body\":{},\"events\":[]}",
	  GMHOOK_EPARSE, "/raw" },
	{ "no raw",
	  "{\"gmhook\":\"event\",\"version\":1,\"source\":\"webform\","
	  "\"body\":{},\"events\":[]}",
	  GMHOOK_EPARSE, "/raw" },
};

static void parse_event_from_json_rejects_bad_documents(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(from_json_cases) / sizeof(from_json_cases[0]);
	     i++) {
		const struct from_json_case *c = &from_json_cases[i];
		struct gmhook_error err = GMHOOK_ERROR_INIT;
		struct gmhook_event *event = NULL;
		int rc;

		rc = gmhook_event_from_json(&event, *state, c->json,
		                            strlen(c->json), &err);
		if (rc != c->code || err.code != c->code || event != NULL) {
			fail_msg("%s: %s, want %s (%s)", c->what,
			         gmhook_code_name(rc),
			         gmhook_code_name(c->code), err.message);
		}
		if (strcmp(err.path, c->path) != 0) {
			fail_msg("%s: path \"%s\", want \"%s\" (%s)", c->what,
			         err.path, c->path, err.message);
		}
	}
}

static void parse_event_from_json_reads_counted_bytes(void **state)
{
	static const char doc[] =
	        "{\"gmhook\":\"event\",\"version\":1,\"source\":\"webform\","
	        "\"raw\":\"e30=\",\"body\":{},\"events\":[]}GARBAGE";
	struct gmhook_event *event = NULL;

	assert_int_equal(gmhook_event_from_json(&event, *state, doc,
	                                        strlen(doc) - 7, NULL),
	                 0);
	assert_int_equal(event->raw_len, 2);
	assert_memory_equal(event->raw, "{}", 2);
	gmhook_event_free(event);
}

static void parse_validated_mark_is_not_trusted(void **state)
{
	struct gmhook_ctx *ctx = *state;
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event;
	struct gmhook_event *back = NULL;
	struct gmhook_plan *plan = NULL;
	char *json;

	event = parse_ok(ctx, FORM_BODY, NULL, NULL);
	assert_int_equal(gmhook_validate(ctx, event, &err), 0);
	json = gmhook_event_to_json(event, 0);
	assert_non_null(strstr(json, "\"validated\":true"));
	assert_int_equal(
	        gmhook_event_from_json(&back, ctx, json, strlen(json), &err),
	        0);
	assert_false(back->validated);
	assert_int_equal(gmhook_map(&plan, ctx, back, &err), GMHOOK_EINVAL);
	assert_null(plan);
	assert_int_equal(err.code, GMHOOK_EINVAL);
	assert_int_equal(err.stage, GMHOOK_STAGE_MAP);
	assert_string_equal(err.path, "");
	assert_non_null(strstr(err.message, "validated"));
	/* after validation it maps */
	assert_int_equal(gmhook_validate(ctx, back, &err), 0);
	assert_int_equal(gmhook_map(&plan, ctx, back, &err), 0);
	gmhook_plan_free(plan);
	gmhook_free(json);
	gmhook_event_free(back);
	gmhook_event_free(event);
}

#define CTX_TEST(name) \
	cmocka_unit_test_setup_teardown(name, setup_ctx, teardown_ctx)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CTX_TEST(parse_formats_decode_and_detect_source),
		CTX_TEST(parse_calendly_header_wins_over_shape),
		CTX_TEST(parse_json_array_gives_one_event_each),
		CTX_TEST(parse_charset_latin1_is_converted),
		CTX_TEST(parse_calendly_extracts_type_id_and_time),
		CTX_TEST(parse_webform_id_is_body_digest),
		CTX_TEST(parse_rejects_bad_deliveries_with_code_and_path),
		CTX_TEST(parse_deep_nesting_is_etoobig),
		CTX_TEST(parse_bad_arguments_are_einval),
		CTX_TEST(parse_body_is_read_only_within_body_len),
		CTX_TEST(parse_event_json_round_trips),
		CTX_TEST(parse_event_from_json_rejects_bad_documents),
		CTX_TEST(parse_event_from_json_reads_counted_bytes),
		CTX_TEST(parse_validated_mark_is_not_trusted),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
