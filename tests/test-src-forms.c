/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the form providers (Typeform, JotForm, Gravity Forms,
 * WPForms, Elementor, Google Forms): detection next to webform, event
 * type and id, the plan's actions and key values, ignored partial
 * responses, validation errors with their paths, the Typeform signature
 * (our own vectors computed with openssl, and every vector of the shared
 * corpus when it is present) and the url_token guard of unsigned ones.
 * Payloads are our own, in tests/data/<provider>/.
 */
#include <dirent.h>
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

#ifndef TEST_DATA
#define TEST_DATA "tests/data"
#endif

#define CORPUS     "/work/shared/corpus"
#define RECEIVED   1772460309 /* 2026-03-02T14:05:09Z */
#define OWN_SECRET "forms-own-secret"

/* ==== Helpers ==== */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f) {
		return NULL;
	}
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t) n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t) n;
	return buf;
}

static char *data_file(const char *name, size_t *len)
{
	char path[512];
	char *body;

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA, name);
	body = read_file(path, len);
	if (!body) {
		fail_msg("cannot read %s", path);
	}
	return body;
}

static int setup_ctx(void **state)
{
	struct gmhook_ctx *ctx = NULL;

	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
	assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
	ctx->fixed_now = RECEIVED;
	*state = ctx;
	return 0;
}

static int teardown_ctx(void **state)
{
	gmhook_ctx_free(*state);
	return 0;
}

/* Configure @p source with a secret (or a url_token when @p token). */
static void configure(struct gmhook_ctx *ctx, const char *source,
                      const char *const *secrets, size_t n, const char *token)
{
	struct gmhook__source_config *sc = &ctx->sources[ctx->n_sources++];
	size_t i;

	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "%s", source);
	sc->enabled = true;
	sc->require_signature = true;
	for (i = 0; i < n; i++) {
		char *key = gmhook__strdup(secrets[i]);

		sc->secrets[i].key = (unsigned char *) key;
		sc->secrets[i].len = strlen(secrets[i]);
	}
	sc->n_secrets = n;
	if (token) {
		sc->url_token.key = (unsigned char *) gmhook__strdup(token);
		sc->url_token.len = strlen(token);
	}
}

struct delivery {
	const char *body;
	size_t len;
	const char *content_type;
	const char *source;
	struct gmhook_header headers[2];
	size_t n_headers;
};

/* Parse and validate; returns the first failing code (0: both ran). */
static int run_validate(struct gmhook_ctx *ctx, const struct delivery *dv,
                        struct gmhook_event **event_out,
                        struct gmhook_error *err)
{
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_event *event = NULL;
	int rc;

	req.body = dv->body;
	req.body_len = dv->len;
	req.content_type = dv->content_type;
	req.source = dv->source;
	req.headers = dv->headers;
	req.n_headers = dv->n_headers;
	req.received = RECEIVED;
	rc = gmhook_parse(&event, ctx, &req, err);
	if (rc == 0) {
		rc = gmhook_validate(ctx, event, err);
	}
	*event_out = event;
	return rc;
}

static json_object *plan_of(struct gmhook_ctx *ctx, const struct delivery *dv)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;
	json_object *doc;
	int rc;

	rc = run_validate(ctx, dv, &event, &err);
	if (rc == 0) {
		rc = gmhook_map(&plan, ctx, event, &err);
	}
	if (rc != 0) {
		gmhook_event_free(event);
		fail_msg("%s: %s (%s)", err.path, err.message,
		         gmhook_code_name(rc));
	}
	doc = json_object_get(plan->doc);
	gmhook_event_free(event);
	gmhook_plan_free(plan);
	return doc;
}

/* The first action named @p name in event 0 of @p plan, or NULL. */
static json_object *action(json_object *plan, const char *name)
{
	json_object *actions = gmhook__get(plan, "/events/0/actions");
	size_t i;

	for (i = 0; i < json_object_array_length(actions); i++) {
		json_object *a = json_object_array_get_idx(actions, i);

		if (strcmp(gmhook__get_str(a, "/action"), name) == 0) {
			return a;
		}
	}
	return NULL;
}

static void assert_str_or_null(const char *got, const char *want,
                               const char *what)
{
	if (!want) {
		if (got) {
			fail_msg("%s: expected none, got '%s'", what, got);
		}
		return;
	}
	if (!got || strcmp(got, want) != 0) {
		fail_msg("%s: expected '%s', got '%s'", what, want,
		         got ? got : "(none)");
	}
}

/* ==== Payloads through parse, validate and map ==== */

struct payload_case {
	const char *file;
	const char *content_type; /* a file name under TEST_DATA, or NULL */
	const char *user_agent;
	const char *source;
	const char *want_source;
	const char *type;
	const char *id; /* NULL: the body digest */
	const char *status;
	const char *email;
	const char *phone_match; /* match.phone when no e-mail */
	const char *contact;
	const char *lastname;
	const char *phone;
	const char *company;
	const char *ref;
	const char *notes_has;
	const char *note;
};

static const struct payload_case payload_cases[] = {
	{ "typeform/form-response.json", NULL, NULL, NULL, "typeform",
	  "form_response", "01HTF0RMS0000000000000001", "ok",
	  "asa.lindqvist@example.se", NULL, "Åsa Lindqvist-Öberg",
	  "Lindqvist-Öberg", "+46855501234", "Nordvind AB",
	  "Typeform: Demo request", "Products: CRM, Sync, Mobile\r\n",
	  "Move 25 users off spreadsheets.\nKeep history." },
	{ "typeform/form-response-hidden-email.json", NULL, NULL, NULL,
	  "typeform", "form_response", "01HTF0RMS0000000000000003", "ok",
	  "known.customer@example.com", NULL, "Kim Known", "Known", NULL, NULL,
	  "Typeform: NPS survey", "How likely are you to recommend us?: 9",
	  NULL },
	{ "typeform/form-response-partial.json", NULL, NULL, NULL, "typeform",
	  "form_response_partial", "01HTF0RMS0000000000000002", "ignored", NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "jotform/submission.multipart.txt", "jotform/submission.content-type",
	  NULL, NULL, "jotform", "form.submitted", "6200000000000000001", "ok",
	  "rafal.w@example.pl", NULL, "Rafał Wiśniewski", "Wiśniewski",
	  "(555) 010-4477", "Kraków Tools Sp. z o.o.", "JotForm: Contact Sales",
	  "products: CRM, Sync: mobile",
	  "Need 12 licences:\r\nsales, support" },
	{ "jotform/callback-phone-only.multipart.txt",
	  "jotform/callback-phone-only.content-type", NULL, NULL, "jotform",
	  "form.submitted", "6200000000000000002", "ok", NULL, "(555) 010-0199",
	  "Ines Duarte", "Duarte", "(555) 010-0199", NULL,
	  "JotForm: Call me back", "phone: (555) 010-0199\r\n", NULL },
	{ "gravityforms/entry.json", NULL, NULL, NULL, "gravityforms",
	  "form.submitted", "5012", "ok", "giulia.bianchi@example.it", NULL,
	  "Giulia Bianchi", "Bianchi", "+39 02 5550 1234", NULL,
	  "Gravity Forms: form 3", "Field 12: Newsletter, Webinar", NULL },
	{ "elementor/advanced.form", NULL, NULL, NULL, "elementor",
	  "form.submitted", NULL, "ok", "j.mueller@example.de", NULL,
	  "Jürgen Müller", "Müller", "+49 30 5550 0000", NULL,
	  "Elementor: Demo DE", "Seiten-URL: https://www.example.de/demo/",
	  "Bitte um Rückruf." },
	{ "elementor/labels.form", NULL, "WordPress/6.5; https://example.at",
	  NULL, "elementor", "form.submitted", NULL, "ok",
	  "petra.schmidt@example.at", NULL, "Petra Schmidt", "Schmidt",
	  "+43 1 555 0000", "Alpen Datentechnik", "Elementor: Kontakt AT",
	  "E-Mail-Adresse: petra.schmidt@example.at", NULL },
	{ "elementor/labels.form", NULL, NULL, "elementor", "elementor",
	  "form.submitted", NULL, "ok", "petra.schmidt@example.at", NULL,
	  "Petra Schmidt", "Schmidt", "+43 1 555 0000", "Alpen Datentechnik",
	  "Elementor: Kontakt AT", NULL, NULL },
	{ "googleforms/response.json", NULL, NULL, NULL, "googleforms",
	  "form.submitted", NULL, "ok", "lucia.fernandez@example.es", NULL,
	  "Lucía Fernández", "Fernández", NULL, "Ibérica Logística",
	  "Google Forms: Solicitud de demo", "Which products?: CRM, Sync",
	  "Llamadme por la tarde." },
	{ "wpforms/native.form", NULL, NULL, NULL, "wpforms", "form.submitted",
	  NULL, "ok", "noah.okafor@example.ng", NULL, "Noah Okafor", "Okafor",
	  NULL, NULL, "WPForms: form 87", "2: I would like a callback.", NULL },
	{ "wpforms/webhook.json", NULL, NULL, "wpforms", "wpforms",
	  "form.submitted", NULL, "ok", "mia.hoffmann@example.com", NULL,
	  "Mia Hoffmann", "Hoffmann", "(555) 010-7788", NULL,
	  "WPForms: Quote request", "Phone: (555) 010-7788",
	  "Webhook test from WPForms" },
};

static void check_contact(json_object *plan, const struct payload_case *c)
{
	json_object *up = action(plan, "contact.upsert");
	json_object *email = action(plan, "email.add");

	assert_non_null(up);
	assert_str_or_null(gmhook__get_str(up, "/match/email"), c->email,
	                   "match.email");
	assert_str_or_null(gmhook__get_str(up, "/match/phone"), c->phone_match,
	                   "match.phone");
	assert_str_or_null(gmhook__get_str(up, "/contact1/CONTACT"), c->contact,
	                   "CONTACT");
	assert_str_or_null(gmhook__get_str(up, "/contact1/LASTNAME"),
	                   c->lastname, "LASTNAME");
	assert_str_or_null(gmhook__get_str(up, "/contact1/PHONE1"), c->phone,
	                   "PHONE1");
	assert_str_or_null(gmhook__get_str(up, "/contact1/COMPANY"), c->company,
	                   "COMPANY");
	assert_str_or_null(gmhook__get_str(email, "/address"), c->email,
	                   "email.add");
}

static void check_history(json_object *plan, const struct payload_case *c)
{
	json_object *h = action(plan, "history.add");
	json_object *note = action(plan, "note.add");
	const char *notes;

	assert_non_null(h);
	assert_string_equal(gmhook__get_str(h, "/rectype"), "O");
	assert_string_equal(gmhook__get_str(h, "/actvcode"), "WEB");
	assert_string_equal(gmhook__get_str(h, "/resultcode"), "FRM");
	assert_str_or_null(gmhook__get_str(h, "/ref"), c->ref, "REF");
	notes = gmhook__get_str(h, "/notes");
	if (c->notes_has && (!notes || !strstr(notes, c->notes_has))) {
		fail_msg("notes lack '%s': %s", c->notes_has,
		         notes ? notes : "(none)");
	}
	assert_str_or_null(gmhook__get_str(note, "/text"), c->note, "note");
}

static void run_payload_case(struct gmhook_ctx *ctx,
                             const struct payload_case *c)
{
	struct delivery dv = { 0 };
	size_t ct_len = 0;
	char *body = data_file(c->file, &dv.len);
	char *ct = c->content_type ? data_file(c->content_type, &ct_len) : NULL;
	const char *id;
	json_object *plan;

	dv.body = body;
	dv.content_type = ct;
	dv.source = c->source;
	if (c->user_agent) {
		dv.headers[0].name = "User-Agent";
		dv.headers[0].value = c->user_agent;
		dv.n_headers = 1;
	}
	plan = plan_of(ctx, &dv);
	assert_string_equal(gmhook__get_str(plan, "/source"), c->want_source);
	assert_string_equal(gmhook__get_str(plan, "/events/0/type"), c->type);
	id = gmhook__get_str(plan, "/events/0/id");
	if (c->id) {
		assert_string_equal(id, c->id);
	} else {
		assert_int_equal(strncmp(id, "sha256:", 7), 0);
	}
	assert_string_equal(gmhook__get_str(plan, "/events/0/status"),
	                    c->status);
	if (strcmp(c->status, "ignored") == 0) {
		assert_int_equal(json_object_array_length(gmhook__get(
		                         plan, "/events/0/actions")),
		                 0);
	} else {
		check_contact(plan, c);
		check_history(plan, c);
		assert_int_equal(json_object_array_length(gmhook__get(
		                         plan, "/events/0/warnings")),
		                 0);
	}
	json_object_put(plan);
	free(ct);
	free(body);
}

static void forms_payloads_map_to_expected_plans(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(payload_cases) / sizeof(payload_cases[0]); i++) {
		print_message("# %s\n", payload_cases[i].file);
		run_payload_case(*state, &payload_cases[i]);
	}
}

/* ==== Detection next to webform ==== */

struct detect_case {
	const char *body;
	const char *content_type;
	const char *user_agent;
	const char *want;
};

static const struct detect_case detect_cases[] = {
	/* Plain forms stay with webform. */
	{ "name=Ann&email=ann%40example.com&form_id=7&form_name=Contact",
	  "application/x-www-form-urlencoded", NULL, "webform" },
	{ "{\"email\":\"ann@example.com\",\"form_id\":\"7\",\"id\":\"3\"}",
	  "application/json", NULL, "webform" },
	{ "{\"email\":\"ann@example.com\",\"fields\":\"a,b\"}",
	  "application/json", NULL, "webform" },
	{ "email=ann%40example.com&fields%5Bcolour%5D=red",
	  "application/x-www-form-urlencoded", NULL, "webform" },
	{ "{\"email\":\"ann@example.com\",\"answers\":[\"x\"]}",
	  "application/json", NULL, "webform" },
	{ "email=ann%40example.com&rawRequestNote=x",
	  "application/x-www-form-urlencoded", NULL, "webform" },
	{ "name=Ann&email=ann%40example.com&form_id=7&form_name=Contact",
	  "application/x-www-form-urlencoded", "curl/8.5.0", "webform" },
	/* Each provider's own shape. */
	{ "name=Ann&email=ann%40example.com&form_id=7&form_name=Contact",
	  "application/x-www-form-urlencoded", "WordPress/6.5; https://x",
	  "elementor" },
	{ "{\"form_response\":{\"answers\":[]},\"event_type\":\"form_response\"}",
	  "application/json", NULL, "typeform" },
	{ "{\"namedValues\":{\"Email\":[\"ann@example.com\"]}}",
	  "application/json", NULL, "googleforms" },
	{ "{\"id\":\"9\",\"form_id\":\"2\",\"1\":\"ann@example.com\"}",
	  "application/json", NULL, "gravityforms" },
	{ "fields%5Bemail%5D%5Bvalue%5D=ann%40example.com",
	  "application/x-www-form-urlencoded", NULL, "elementor" },
	{ "wpforms%5Bid%5D=1&wpforms%5Bfields%5D%5B1%5D=ann%40example.com",
	  "application/x-www-form-urlencoded", NULL, "wpforms" },
	{ "formID=1&submissionID=2&rawRequest=%7B%7D",
	  "application/x-www-form-urlencoded", NULL, "jotform" },
};

static void forms_detection_leaves_plain_forms_to_webform(void **state)
{
	struct gmhook_ctx *ctx = *state;
	size_t i;

	for (i = 0; i < sizeof(detect_cases) / sizeof(detect_cases[0]); i++) {
		const struct detect_case *c = &detect_cases[i];
		struct gmhook_request req = GMHOOK_REQUEST_INIT;
		struct gmhook_header ua = { "User-Agent", c->user_agent };
		struct gmhook_error err = GMHOOK_ERROR_INIT;
		struct gmhook_event *event = NULL;

		req.body = c->body;
		req.body_len = strlen(c->body);
		req.content_type = c->content_type;
		req.headers = &ua;
		req.n_headers = c->user_agent ? 1 : 0;
		req.received = RECEIVED;
		if (gmhook_parse(&event, ctx, &req, &err) != 0) {
			fail_msg("%s: %s", c->body, err.message);
		}
		if (strcmp(gmhook_event_source(event), c->want) != 0) {
			fail_msg("%s: detected %s, expected %s", c->body,
			         gmhook_event_source(event), c->want);
		}
		gmhook_event_free(event);
	}
}

/* ==== Validation errors ==== */

struct invalid_case {
	const char *body;
	const char *content_type;
	const char *source;
	int code;
	const char *path;
	const char *message;
};

#define JF_CT "application/x-www-form-urlencoded"

static const struct invalid_case invalid_cases[] = {
	{ "{\"event_id\":\"e\",\"event_type\":\"form_response\",\"form_response\":{\"answers\":[{\"type\":\"number\",\"number\":3,\"field\":{\"id\":\"a\"}}]}}",
	  "application/json", NULL, GMHOOK_EVALIDATE, "/form_response/answers",
	  "no e-mail address or phone number" },
	{ "{\"event_id\":\"e\",\"event_type\":\"form_response\",\"form_response\":{\"answers\":[{\"type\":\"number\",\"number\":3},{\"type\":\"email\",\"email\":\"bad.example.com\",\"field\":{\"id\":\"a\"}}]}}",
	  "application/json", NULL, GMHOOK_EVALIDATE,
	  "/form_response/answers/1/email", "not a valid e-mail address" },
	{ "{\"event_id\":\"e\",\"event_type\":\"form_response\",\"form_response\":{\"answers\":{}}}",
	  "application/json", NULL, GMHOOK_EVALIDATE, "/form_response/answers",
	  "answers array" },
	{ "{\"event_id\":\"e\",\"form_response\":{\"submitted_at\":\"yesterday\",\"answers\":[{\"type\":\"email\",\"email\":\"a@example.com\"}]}}",
	  "application/json", NULL, GMHOOK_EVALIDATE,
	  "/form_response/submitted_at", "ISO 8601" },
	{ "formID=1&submissionID=2&rawRequest=%7B%22q1_email%22%3A", JF_CT,
	  NULL, GMHOOK_EPARSE, "/rawRequest", "not a JSON object" },
	{ "formID=1&submissionID=2&rawRequest=%5B1%5D", JF_CT, NULL,
	  GMHOOK_EPARSE, "/rawRequest", "not a JSON object" },
	{ "formID=1&submissionID=2&rawRequest=%7B%22q1_name%22%3A%22Ann%22%7D",
	  JF_CT, NULL, GMHOOK_EVALIDATE, "/rawRequest",
	  "no e-mail address or phone number in this JotForm submission" },
	{ "formID=1&submissionID=2&rawRequest=%7B%22q1_email%22%3A%22ann%40%40example.com%22%7D",
	  JF_CT, NULL, GMHOOK_EVALIDATE, "/rawRequest",
	  "not a valid e-mail address" },
	{ "formID=1&rawRequest=%7B%7D", JF_CT, "jotform", GMHOOK_EVALIDATE,
	  "/rawRequest", "no e-mail address" },
	{ "formID=1", JF_CT, "jotform", GMHOOK_EVALIDATE, "/rawRequest",
	  "rawRequest part is missing" },
	{ "{\"id\":\"9\",\"form_id\":\"2\",\"1\":\"Ann\",\"2\":\"no mail\"}",
	  "application/json", NULL, GMHOOK_EVALIDATE, "",
	  "Gravity Forms submission" },
	{ "{\"namedValues\":{\"Email\":[\"ann(at)example.com\"]}}",
	  "application/json", NULL, GMHOOK_EVALIDATE, "/namedValues/Email",
	  "not a valid e-mail address" },
	{ "{\"namedValues\":{\"Name\":[\"Ann\"]}}", "application/json", NULL,
	  GMHOOK_EVALIDATE, "/namedValues", "Google Forms submission" },
	{ "fields%5Bname%5D%5Bvalue%5D=Ann&fields%5Bname%5D%5Btype%5D=text",
	  JF_CT, NULL, GMHOOK_EVALIDATE, "/fields", "Elementor submission" },
	{ "fields%5Bm%5D%5Bvalue%5D=x%40&fields%5Bm%5D%5Btype%5D=email", JF_CT,
	  NULL, GMHOOK_EVALIDATE, "/fields/m/value",
	  "not a valid e-mail address" },
	{ "wpforms%5Bid%5D=1&wpforms%5Bfields%5D%5B1%5D=Ann", JF_CT, NULL,
	  GMHOOK_EVALIDATE, "/wpforms/fields", "WPForms submission" },
};

static void forms_invalid_submissions_report_code_and_path(void **state)
{
	struct gmhook_ctx *ctx = *state;
	size_t i;

	for (i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
		const struct invalid_case *c = &invalid_cases[i];
		struct delivery dv = { 0 };
		struct gmhook_error err = GMHOOK_ERROR_INIT;
		struct gmhook_event *event = NULL;
		int rc;

		dv.body = c->body;
		dv.len = strlen(c->body);
		dv.content_type = c->content_type;
		dv.source = c->source;
		rc = run_validate(ctx, &dv, &event, &err);
		gmhook_event_free(event);
		if (rc != c->code || strcmp(err.path, c->path) != 0 ||
		    !strstr(err.message, c->message)) {
			fail_msg(
			        "case %zu: got %s '%s' '%s', expected %s '%s' '%s'",
			        i, gmhook_code_name(rc), err.path, err.message,
			        gmhook_code_name(c->code), c->path, c->message);
		}
	}
}

static void jotform_raw_request_is_held_to_the_depth_limit(void **state)
{
	struct gmhook_ctx *ctx = *state;
	struct gmhook__buf b = { 0 };
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_event *event = NULL;
	struct delivery dv = { 0 };
	unsigned i;
	int rc;

	gmhook__buf_adds(&b, "formID=1&submissionID=2&rawRequest=");
	for (i = 0; i < ctx->opts.max_depth + 2; i++) {
		gmhook__buf_adds(&b, "%5B");
	}
	for (i = 0; i < ctx->opts.max_depth + 2; i++) {
		gmhook__buf_adds(&b, "%5D");
	}
	assert_false(b.failed);
	dv.body = b.data;
	dv.len = b.len;
	dv.content_type = JF_CT;
	rc = run_validate(ctx, &dv, &event, &err);
	gmhook_event_free(event);
	gmhook__buf_free(&b);
	assert_int_equal(rc, GMHOOK_ETOOBIG);
	assert_string_equal(err.path, "/rawRequest");
}

/* ==== Signatures ==== */

/* Our own vector: openssl dgst -sha256 -hmac forms-own-secret -binary |
 * base64 over SIGNED_BODY, and over the same with rotated-new-secret. */
#define SIGNED_BODY                                                          \
	"{\"event_id\":\"evt-sig-0001\",\"event_type\":\"form_response\","   \
	"\"form_response\":{\"form_id\":\"S1\",\"submitted_at\":"            \
	"\"2026-03-02T14:01:12Z\",\"definition\":{\"title\":\"Signed\"},"    \
	"\"answers\":[{\"type\":\"email\",\"email\":\"signed@example.com\"," \
	"\"field\":{\"id\":\"e1\",\"type\":\"email\"}}]}}"
#define SIGNED_MAC  "sha256=YmdPXzCaoP1jroxI4Cco60UeLj50WxmlfoFLT6j5hI4="
#define ROTATED_MAC "sha256=b5uYKYc8jaIQL+ZXigw/qDJz9fNRqsNTWDLJTsdw19s="

/* The same JSON with different white space. */
#define REENCODED_BODY                                                         \
	"{ \"event_id\": \"evt-sig-0001\", \"event_type\": \"form_response\"," \
	" \"form_response\": {\"form_id\": \"S1\", \"submitted_at\":"          \
	" \"2026-03-02T14:01:12Z\", \"definition\": {\"title\": \"Signed\"},"  \
	" \"answers\": [{\"type\": \"email\", \"email\":"                      \
	" \"signed@example.com\", \"field\": {\"id\": \"e1\", \"type\":"       \
	" \"email\"}}]}}"

#define TAMPERED_BODY                                                        \
	"{\"event_id\":\"evt-sig-0001\",\"event_type\":\"form_response\","   \
	"\"form_response\":{\"form_id\":\"S1\",\"submitted_at\":"            \
	"\"2026-03-02T14:01:12Z\",\"definition\":{\"title\":\"Signed\"},"    \
	"\"answers\":[{\"type\":\"email\",\"email\":\"forged@example.com\"," \
	"\"field\":{\"id\":\"e1\",\"type\":\"email\"}}]}}"

struct signature_case {
	const char *what;
	const char *body;
	const char *header; /* Typeform-Signature, or NULL for none */
	const char *secrets[2];
	int code;
};

static const struct signature_case signature_cases[] = {
	{ "own vector", SIGNED_BODY, SIGNED_MAC, { OWN_SECRET, NULL }, 0 },
	{ "rotation: the second secret matches",
	  SIGNED_BODY,
	  ROTATED_MAC,
	  { OWN_SECRET, "rotated-new-secret" },
	  0 },
	{ "tampered body",
	  TAMPERED_BODY,
	  SIGNED_MAC,
	  { OWN_SECRET, NULL },
	  GMHOOK_ESIGNATURE },
	{ "wrong secret",
	  SIGNED_BODY,
	  SIGNED_MAC,
	  { "not-the-secret", NULL },
	  GMHOOK_ESIGNATURE },
	{ "missing header",
	  SIGNED_BODY,
	  NULL,
	  { OWN_SECRET, NULL },
	  GMHOOK_ESIGNATURE },
	{ "re-encoded white space",
	  REENCODED_BODY,
	  SIGNED_MAC,
	  { OWN_SECRET, NULL },
	  GMHOOK_ESIGNATURE },
	{ "no sha256= prefix",
	  SIGNED_BODY,
	  "YmdPXzCaoP1jroxI4Cco60UeLj50WxmlfoFLT6j5hI4=",
	  { OWN_SECRET, NULL },
	  GMHOOK_ESIGNATURE },
	{ "hex instead of base64",
	  SIGNED_BODY,
	  "sha256=62674f5f309aa0fd638e8c4e0b8728eb451e2e3e745b19a5fa0523af8fa1bc84e",
	  { OWN_SECRET, NULL },
	  GMHOOK_ESIGNATURE },
	{ "empty MAC",
	  SIGNED_BODY,
	  "sha256=",
	  { OWN_SECRET, NULL },
	  GMHOOK_ESIGNATURE },
};

static int check_typeform_signature(const char *body, size_t len,
                                    const char *header,
                                    const char *const *secrets, size_t n,
                                    struct gmhook_error *err)
{
	struct gmhook_ctx *ctx = NULL;
	struct gmhook_event *event = NULL;
	struct delivery dv = { 0 };
	int rc;

	dv.body = body;
	dv.len = len;
	dv.content_type = "application/json";

	assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
	ctx->fixed_now = RECEIVED;
	configure(ctx, "typeform", secrets, n, NULL);
	if (header) {
		dv.headers[0].name = "Typeform-Signature";
		dv.headers[0].value = header;
		dv.n_headers = 1;
	}
	rc = run_validate(ctx, &dv, &event, err);
	if (rc == 0) {
		assert_string_equal(gmhook__get_str(event->doc, "/signature"),
		                    "verified");
	}
	gmhook_event_free(event);
	gmhook_ctx_free(ctx);
	return rc;
}

static void typeform_signatures_verify_or_are_refused(void **state)
{
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(signature_cases) / sizeof(signature_cases[0]);
	     i++) {
		const struct signature_case *c = &signature_cases[i];
		struct gmhook_error err = GMHOOK_ERROR_INIT;
		int rc = check_typeform_signature(c->body, strlen(c->body),
		                                  c->header, c->secrets,
		                                  c->secrets[1] ? 2 : 1, &err);

		if (rc != c->code) {
			fail_msg("%s: got %s (%s)", c->what,
			         gmhook_code_name(rc), err.message);
		}
		if (rc == GMHOOK_ESIGNATURE &&
		    !strstr(err.message, "Typeform-Signature")) {
			fail_msg("%s: message '%s' names no header", c->what,
			         err.message);
		}
	}
}

/* One corpus vector: the payload's bytes must verify under its secret. */
static void check_corpus_vector(const char *path)
{
	json_object *v = json_object_from_file(path);
	const char *secret = gmhook__get_str(v, "/secret");
	const char *file = gmhook__get_str(v, "/payload_file");
	const char *sha = gmhook__get_str(v, "/payload_sha256");
	const char *sig = gmhook__get_str(v, "/expected_signature");
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	char payload_path[512];
	char hex[65];
	size_t len = 0;
	char *grown;
	char *body;
	int rc;

	assert_non_null(v);
	assert_non_null(secret);
	assert_non_null(file);
	assert_non_null(sig);
	snprintf(payload_path, sizeof(payload_path), "%s/%s", CORPUS, file);
	body = read_file(payload_path, &len);
	assert_non_null(body);
	gmhook__sha256_hex(body, len, hex);
	if (sha) {
		assert_string_equal(hex, sha);
	}
	rc = check_typeform_signature(body, len, sig, &secret, 1, &err);
	if (rc != 0) {
		fail_msg("%s: %s", path, err.message);
	}
	/* One trailing space (still the same JSON) must fail. */
	grown = realloc(body, len + 2);
	assert_non_null(grown);
	body = grown;
	memcpy(body + len, " ", 2);
	rc = check_typeform_signature(body, len + 1, sig, &secret, 1, &err);
	assert_int_equal(rc, GMHOOK_ESIGNATURE);
	free(body);
	json_object_put(v);
}

static void typeform_corpus_vectors_verify(void **state)
{
	DIR *dir = opendir(CORPUS "/typeform/vectors");
	struct dirent *e;
	char path[512];
	size_t n = 0;

	(void) state;
	if (!dir) {
		print_message("# no corpus vectors at %s\n", CORPUS);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/typeform/vectors/%s", CORPUS,
		         e->d_name);
		print_message("# vector %s\n", e->d_name);
		check_corpus_vector(path);
		n++;
	}
	closedir(dir);
	assert_true(n > 0);
}

/* ==== url_token guard of the unsigned providers ==== */

struct token_case {
	const char *header;
	const char *value;
	int code;
};

static const struct token_case token_cases[] = {
	{ "X-Gmhook-Url", "https://crm.example.com/hook?token=jf-url-token-1",
	  0 },
	{ "Authorization", "Basic dXNlcjpqZi11cmwtdG9rZW4tMQ==", 0 },
	{ "X-Gmhook-Url", "https://crm.example.com/hook?token=guess",
	  GMHOOK_ESIGNATURE },
	{ "X-Gmhook-Url", "https://crm.example.com/hook", GMHOOK_ESIGNATURE },
	{ NULL, NULL, GMHOOK_ESIGNATURE },
};

static void unsigned_providers_take_the_url_token_guard(void **state)
{
	size_t i;
	size_t len = 0;
	size_t ct_len = 0;
	char *body = data_file("jotform/submission.multipart.txt", &len);
	char *ct = data_file("jotform/submission.content-type", &ct_len);

	(void) state;
	for (i = 0; i < sizeof(token_cases) / sizeof(token_cases[0]); i++) {
		const struct token_case *c = &token_cases[i];
		struct gmhook_ctx *ctx = NULL;
		struct gmhook_event *event = NULL;
		struct gmhook_error err = GMHOOK_ERROR_INIT;
		struct delivery dv = { 0 };
		int rc;

		dv.body = body;
		dv.len = len;
		dv.content_type = ct;

		assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
		configure(ctx, "jotform", NULL, 0, "jf-url-token-1");
		if (c->header) {
			dv.headers[0].name = c->header;
			dv.headers[0].value = c->value;
			dv.n_headers = 1;
		}
		rc = run_validate(ctx, &dv, &event, &err);
		gmhook_event_free(event);
		gmhook_ctx_free(ctx);
		if (rc != c->code) {
			fail_msg("case %zu: got %s (%s)", i,
			         gmhook_code_name(rc), err.message);
		}
	}
	free(ct);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		        forms_payloads_map_to_expected_plans, setup_ctx,
		        teardown_ctx),
		cmocka_unit_test_setup_teardown(
		        forms_detection_leaves_plain_forms_to_webform,
		        setup_ctx, teardown_ctx),
		cmocka_unit_test_setup_teardown(
		        forms_invalid_submissions_report_code_and_path,
		        setup_ctx, teardown_ctx),
		cmocka_unit_test_setup_teardown(
		        jotform_raw_request_is_held_to_the_depth_limit,
		        setup_ctx, teardown_ctx),
		cmocka_unit_test(typeform_signatures_verify_or_are_refused),
		cmocka_unit_test(typeform_corpus_vectors_verify),
		cmocka_unit_test(unsigned_providers_take_the_url_token_guard),
	};

	return cmocka_run_group_tests_name("forms", tests, NULL, NULL);
}
