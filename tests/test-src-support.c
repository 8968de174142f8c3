/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the help-desk and SMS sources (group "support"): Zendesk,
 * Freshdesk, Help Scout, Jira, osTicket and Twilio. Our own payloads in
 * tests/data/<provider>/ go through parse, validate and map, and the plan
 * is checked; signatures are checked against vectors computed with openssl
 * and against the corpus vectors when /work/shared/corpus exists.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gmhook-private.h"
#include "sources/ticket.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#ifndef SUPPORT_DATA
#error "SUPPORT_DATA must name tests/data"
#endif

/* 2026-03-02T14:05:09Z */
#define RECEIVED 1772460309

static const char *corpus_dir(void)
{
	const char *dir = getenv("GMHOOK_CORPUS");

	return dir && dir[0] ? dir : "/work/shared/corpus";
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long size;

	if (!f) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0) {
		size = ftell(f);
		rewind(f);
		data = size >= 0 ? malloc((size_t) size + 1) : NULL;
		if (data && fread(data, 1, (size_t) size, f) != (size_t) size) {
			free(data);
			data = NULL;
		}
		if (data) {
			data[size] = '\0';
			*len = (size_t) size;
		}
	}
	fclose(f);
	return data;
}

static char *data_file(const char *name, size_t *len)
{
	char path[512];
	char *data;

	snprintf(path, sizeof(path), "%s/%s", SUPPORT_DATA, name);
	data = slurp(path, len);
	if (!data) {
		fail_msg("cannot read %s", path);
	}
	return data;
}

/* A source's settings as the configuration file would give them. */
static void add_source(struct gmhook_ctx *ctx, const char *name,
                       const char *const *secrets, const char *public_url,
                       const char *url_token)
{
	struct gmhook__source_config *sc = &ctx->sources[ctx->n_sources++];
	size_t i;

	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "%s", name);
	sc->enabled = true;
	for (i = 0; secrets && secrets[i]; i++) {
		sc->secrets[i].key =
		        (unsigned char *) gmhook__strdup(secrets[i]);
		sc->secrets[i].len = strlen(secrets[i]);
		sc->n_secrets = i + 1;
	}
	sc->public_url = public_url ? gmhook__strdup(public_url) : NULL;
	if (url_token) {
		sc->url_token.key = (unsigned char *) gmhook__strdup(url_token);
		sc->url_token.len = strlen(url_token);
		sc->require_signature = true;
	}
}

#define MAX_HEADERS 4

struct delivery {
	const char *body;
	size_t body_len;
	const char *content_type;
	const char *source;
	const char *headers[MAX_HEADERS][2];
	int64_t received;
};

static int parse(struct gmhook_event **out, struct gmhook_ctx *ctx,
                 const struct delivery *d, struct gmhook_error *err)
{
	struct gmhook_request req = GMHOOK_REQUEST_INIT;
	struct gmhook_header headers[MAX_HEADERS];
	size_t n = 0;
	size_t i;

	for (i = 0; i < MAX_HEADERS && d->headers[i][0]; i++) {
		headers[n].name = d->headers[i][0];
		headers[n].value = d->headers[i][1];
		n++;
	}
	req.body = d->body;
	req.body_len = d->body_len;
	req.content_type = d->content_type;
	req.source = d->source;
	req.headers = headers;
	req.n_headers = n;
	req.received = d->received ? d->received : RECEIVED;
	return gmhook_parse(out, ctx, &req, err);
}

/* ==== Payloads → plans ==== */

struct payload_case {
	const char *file;
	const char *content_type;
	const char *header[2];
	const char *source;
	const char *type;
	const char *id;
	const char *status;
	const char *actions;
	const char *checks[8][2]; /* pointer in the plan's event, value */
};

static const struct payload_case payload_cases[] = {
	{ "zendesk/ticket-created.json",
	  "application/json",
	  { NULL, NULL },
	  "zendesk",
	  "ticket.created",
	  "4711:ticket.created:New",
	  "ok",
	  "contact.upsert,email.add,case.create,history.add",
	  { { "/actions/0/match/email", "ann.oak@example.org" },
	    { "/actions/0/contact1/CONTACT", "Ann Oak" },
	    { "/actions/2/subject", "Printer on fire" },
	    { "/actions/2/priority", "Urgent" },
	    { "/actions/2/number", "4711" },
	    { "/actions/2/link", "zendesk:4711" },
	    { "/actions/2/source", "Zendesk" },
	    { "/actions/3/ref", "Zendesk ticket 4711: Printer on fire" } } },
	{ "zendesk/ticket-solved.json",
	  "application/json",
	  { NULL, NULL },
	  "zendesk",
	  "ticket.solved",
	  "4711:ticket.solved:Solved",
	  "ignored",
	  "",
	  { { NULL, NULL } } },
	{ "zendesk/event-ticket-created.json",
	  NULL,
	  { "X-Zendesk-Webhook-Id", "01HZ" },
	  "zendesk",
	  "ticket.created",
	  "cbe4028c-7239-495d-b020-f22348516046",
	  "ignored",
	  "",
	  { { NULL, NULL } } },
	{ "freshdesk/ticket-created.json",
	  "application/json",
	  { NULL, NULL },
	  "freshdesk",
	  "ticket.created",
	  "20:ticket.created:Open",
	  "ok",
	  "contact.upsert,email.add,case.create,history.add",
	  { { "/actions/0/match/email", "bo.ek@example.se" },
	    { "/actions/0/contact1/CONTACT", "Bo Ek" },
	    { "/actions/2/subject", "Invoice &amp; refund" },
	    { "/actions/2/description",
	      "Where is my refund?\r\n\r\nOrder #1001 <urgent>" },
	    { "/actions/2/priority", "Medium" },
	    { "/actions/2/type", "Question" },
	    { "/actions/2/link", "freshdesk:20" } } },
	{ "freshdesk/ticket-created.form",
	  NULL,
	  { NULL, NULL },
	  "freshdesk",
	  "ticket.created",
	  "21:ticket.created:Open",
	  "ok",
	  "contact.upsert,email.add,case.create,history.add",
	  { { "/actions/0/match/email", "cy.lund@example.org" },
	    { "/actions/2/description", "I cannot log in." },
	    { "/actions/2/number", "21" },
	    { "/actions/3/notes", "Status: Open\r\nPriority: Low\r\n" } } },
	{ "freshdesk/ticket-closed.json",
	  NULL,
	  { NULL, NULL },
	  "freshdesk",
	  "ticket.changed",
	  "20:ticket.changed:Closed",
	  "ignored",
	  "",
	  { { NULL, NULL } } },
	{ "helpscout/convo-created.json",
	  "application/json",
	  { "X-HelpScout-Event", "convo.created" },
	  "helpscout",
	  "convo.created",
	  "convo.created:9001:2026-03-02T14:05:09Z",
	  "ok",
	  "contact.upsert,email.add,case.create,history.add",
	  { { "/actions/0/match/email", "dee.ro@example.net" },
	    { "/actions/0/contact1/CONTACT", "Dee Ro" },
	    { "/actions/0/contact1/LASTNAME", "Ro" },
	    { "/actions/2/subject", "Cannot reset password" },
	    { "/actions/2/number", "3141" },
	    { "/actions/2/link", "helpscout:9001" },
	    { "/actions/3/ondate", "2026-03-02" } } },
	{ "helpscout/convo-assigned.json",
	  "application/json",
	  { "X-HelpScout-Event", "convo.assigned" },
	  "helpscout",
	  "convo.assigned",
	  "convo.assigned:9001:2026-03-02T15:00:00Z",
	  "ignored",
	  "",
	  { { NULL, NULL } } },
	{ "jira/issue-created.json",
	  NULL,
	  { NULL, NULL },
	  "jira",
	  "jira:issue_created",
	  "jira:issue_created:10007",
	  "ok",
	  "contact.upsert,email.add,case.create,history.add",
	  { { "/time", "2026-03-02T14:05:09Z" },
	    { "/actions/0/match/email", "eva.lind@example.com" },
	    { "/actions/2/subject", "VPN drops every hour" },
	    { "/actions/2/priority", "High" },
	    { "/actions/2/number", "HELP-7" },
	    { "/actions/2/category", "IT Service Desk" },
	    { "/actions/2/link", "jira:10007" },
	    { "/actions/3/notes",
	      "Status: Waiting for support\r\nPriority: High\r\n"
	      "Ticket: https://jira.example.com/browse/HELP-7\r\n" } } },
	{ "jira/issue-updated.json",
	  NULL,
	  { NULL, NULL },
	  "jira",
	  "jira:issue_updated",
	  "jira:issue_updated:10007",
	  "ignored",
	  "",
	  { { NULL, NULL } } },
	{ "jira/issue-created-cloud.json",
	  NULL,
	  { NULL, NULL },
	  "jira",
	  "jira:issue_created",
	  "jira:issue_created:10008",
	  "ignored",
	  "",
	  { { NULL, NULL } } },
	{ "osticket/ticket-created.json",
	  NULL,
	  { NULL, NULL },
	  "osticket",
	  "ticket.created",
	  "100234:ticket.created",
	  "ignored",
	  "",
	  { { NULL, NULL } } },
	{ "osticket/ticket-created-email.json",
	  NULL,
	  { NULL, NULL },
	  "osticket",
	  "ticket.created",
	  "100235:ticket.created",
	  "ok",
	  "contact.upsert,email.add,case.create,history.add",
	  { { "/actions/0/match/email", "fritz.o@example.de" },
	    { "/actions/2/subject", "Drucker druckt nicht" },
	    { "/actions/2/link", "osticket:100235" } } },
	{ "osticket/ticket-updated.json",
	  NULL,
	  { NULL, NULL },
	  "osticket",
	  "ticket.updated",
	  "100235:ticket.updated",
	  "ignored",
	  "",
	  { { NULL, NULL } } },
	{ "twilio/inbound-sms.form",
	  "application/x-www-form-urlencoded",
	  { NULL, NULL },
	  "twilio",
	  "sms.received",
	  "SMaaaa0000000000000000000000000001",
	  "ok",
	  "contact.upsert,history.add",
	  { { "/actions/0/match/phone", "+15555550123" },
	    { "/actions/0/contact1_new/PHONE1", "+15555550123" },
	    { "/actions/0/contact1_new/CONTACT", "+15555550123" },
	    { "/actions/1/rectype", "O" },
	    { "/actions/1/actvcode", "SMS" },
	    { "/actions/1/resultcode", "IN" },
	    { "/actions/1/ref", "SMS from +15555550123" },
	    { "/actions/1/notes",
	      "Please call me back \xe2\x98\x8e\r\n"
	      "Message: SMaaaa0000000000000000000000000001\r\n" } } },
	{ "twilio/inbound-mms.form",
	  NULL,
	  { NULL, NULL },
	  "twilio",
	  "mms.received",
	  "MMaaaa0000000000000000000000000002",
	  "ok",
	  "contact.upsert,history.add",
	  { { "/actions/0/match/phone", "+15555550124" },
	    { "/actions/1/notes",
	      "Media: https://api.twilio.com/2010-04-01/Accounts/"
	      "AC00000000000000000000000000000000/Messages/"
	      "MMaaaa0000000000000000000000000002/Media/ME01 (image/jpeg)\r\n"
	      "Media: https://api.twilio.com/2010-04-01/Accounts/"
	      "AC00000000000000000000000000000000/Messages/"
	      "MMaaaa0000000000000000000000000002/Media/ME02 "
	      "(application/pdf)\r\n"
	      "Message: MMaaaa0000000000000000000000000002\r\n" } } },
	{ "twilio/inbound-whatsapp.form",
	  NULL,
	  { "I-Twilio-Idempotency-Token", "c0ffee" },
	  "twilio",
	  "whatsapp.received",
	  "SMaaaa0000000000000000000000000003",
	  "ok",
	  "contact.upsert,history.add",
	  { { "/actions/0/match/phone", "+15555550125" },
	    { "/actions/1/ref", "WhatsApp from +15555550125" } } },
	{ "twilio/status-delivered.form",
	  NULL,
	  { NULL, NULL },
	  "twilio",
	  "message.delivered",
	  "SMaaaa0000000000000000000000000004:delivered",
	  "ignored",
	  "",
	  { { NULL, NULL } } },
	{ "twilio/status-failed-30003.form",
	  NULL,
	  { NULL, NULL },
	  "twilio",
	  "message.failed",
	  "SMaaaa0000000000000000000000000006:failed",
	  "ignored",
	  "",
	  { { NULL, NULL } } },
	{ "twilio/status-undelivered-21610.form",
	  NULL,
	  { NULL, NULL },
	  "twilio",
	  "message.undelivered",
	  "SMaaaa0000000000000000000000000005:undelivered",
	  "ok",
	  "contact.find,history.add",
	  { { "/actions/0/match/phone", "+15555550123" },
	    { "/actions/1/resultcode", "OPT" },
	    { "/actions/1/ref", "SMS opt-out: +15555550123" } } },
};

static void action_names(char *out, size_t size, json_object *actions)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < json_object_array_length(actions); i++) {
		const char *name = gmhook__get_str(
		        json_object_array_get_idx(actions, i), "/action");

		snprintf(out + strlen(out), size - strlen(out), "%s%s",
		         i ? "," : "", name ? name : "?");
	}
}

static void check_plan_event(const struct payload_case *c, json_object *ev)
{
	char names[512];
	size_t i;

	assert_string_equal(gmhook__get_str(ev, "/type"), c->type);
	assert_string_equal(gmhook__get_str(ev, "/id"), c->id);
	assert_string_equal(gmhook__get_str(ev, "/status"), c->status);
	action_names(names, sizeof(names), gmhook__get(ev, "/actions"));
	assert_string_equal(names, c->actions);
	assert_int_equal(json_object_array_length(gmhook__get(ev, "/warnings")),
	                 0);
	if (strcmp(c->status, "ignored") == 0) {
		assert_non_null(gmhook__get_str(ev, "/reason"));
	}
	for (i = 0; i < 8 && c->checks[i][0]; i++) {
		const char *got = gmhook__get_str(ev, c->checks[i][0]);

		if (!got || strcmp(got, c->checks[i][1]) != 0) {
			fail_msg("%s: %s is '%s', expected '%s'", c->file,
			         c->checks[i][0], got ? got : "(none)",
			         c->checks[i][1]);
		}
	}
}

static void run_payload_case(const struct payload_case *c)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_ctx *ctx = NULL;
	struct gmhook_event *event = NULL;
	struct gmhook_plan *plan = NULL;
	struct delivery d = { 0 };
	size_t len = 0;
	char *body = data_file(c->file, &len);

	d.body = body;
	d.body_len = len;
	d.content_type = c->content_type;
	d.headers[0][0] = c->header[0];
	d.headers[0][1] = c->header[1];
	assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
	if (parse(&event, ctx, &d, &err) != 0 ||
	    gmhook_validate(ctx, event, &err) != 0 ||
	    gmhook_map(&plan, ctx, event, &err) != 0) {
		fail_msg("%s: %s (%s)", c->file, err.message, err.path);
	}
	assert_string_equal(gmhook_event_source(event), c->source);
	assert_int_equal(
	        json_object_array_length(gmhook__get(plan->doc, "/events")), 1);
	check_plan_event(c, gmhook__get(plan->doc, "/events/0"));
	gmhook_plan_free(plan);
	gmhook_event_free(event);
	gmhook_ctx_free(ctx);
	free(body);
}

static void payloads_map_to_expected_plans(void **state)
{
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(payload_cases) / sizeof(payload_cases[0]); i++) {
		run_payload_case(&payload_cases[i]);
	}
}

/* ==== Validation errors name the field ==== */

struct invalid_case {
	const char *source;
	const char *body;
	const char *content_type;
	const char *path;
};

static const struct invalid_case invalid_cases[] = {
	{ "zendesk", "{\"ticket_title\":\"x\",\"requester_email\":\"a@b.se\"}",
	  "application/json", "/ticket_id" },
	{ "zendesk",
	  "{\"ticket_id\":\"1\",\"ticket_title\":\"x\","
	  "\"requester_email\":\"not-an-address\"}",
	  "application/json", "/requester_email" },
	{ "freshdesk",
	  "{\"freshdesk_webhook\":{\"ticket_id\":\"{{ticket.id}}\"}}",
	  "application/json", "/freshdesk_webhook/ticket_id" },
	{ "freshdesk",
	  "{\"freshdesk_webhook\":{\"ticket_id\":7,"
	  "\"requester_email\":\"bo at example.se\"}}",
	  "application/json", "/freshdesk_webhook/requester_email" },
	{ "jira",
	  "{\"webhookEvent\":\"jira:issue_created\",\"issue\":{\"fields\":{}}}",
	  "application/json", "/issue/id" },
	{ "jira",
	  "{\"webhookEvent\":\"jira:issue_created\",\"issue\":{\"id\":\"1\","
	  "\"fields\":{\"reporter\":{\"emailAddress\":\"x@\"}}}}",
	  "application/json", "/issue/fields/reporter/emailAddress" },
	{ "osticket", "{\"body\":{\"title\":\"t\",\"status\":\"created\"}}",
	  "application/json", "/body/number" },
	{ "twilio", "MessageSid=SM1&AccountSid=AC1&Body=hi",
	  "application/x-www-form-urlencoded", "/From" },
	{ "twilio", "From=%2B15555550100&AccountSid=AC1&Body=hi",
	  "application/x-www-form-urlencoded", "/MessageSid" },
};

static void validate_names_the_missing_or_bad_field(void **state)
{
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
		const struct invalid_case *c = &invalid_cases[i];
		struct gmhook_error err = GMHOOK_ERROR_INIT;
		struct gmhook_ctx *ctx = NULL;
		struct gmhook_event *event = NULL;
		struct delivery d = { 0 };

		d.body = c->body;
		d.body_len = strlen(c->body);
		d.content_type = c->content_type;
		d.source = c->source;
		assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
		assert_int_equal(parse(&event, ctx, &d, &err), 0);
		assert_int_equal(gmhook_validate(ctx, event, &err),
		                 GMHOOK_EVALIDATE);
		if (strcmp(err.path, c->path) != 0) {
			fail_msg("%s: path '%s', expected '%s' (%s)", c->body,
			         err.path, c->path, err.message);
		}
		gmhook_event_free(event);
		gmhook_ctx_free(ctx);
	}
}

/* ==== Signatures: our own vectors (computed with openssl) ==== */

enum mutation {
	KEEP = 0,
	TAMPER,   /* one letter of the body changed */
	REENCODE, /* the same JSON with other white space */
	REORDER,  /* form pairs in reverse order */
};

struct sig_case {
	const char *what;
	const char *source;
	const char *file;
	const char *content_type;
	const char *secrets[3];
	const char *public_url;
	const char *url_token;
	const char *headers[MAX_HEADERS][2];
	int64_t received;
	enum mutation mutation;
	int code;
};

#define ZD_SIG "Bk30dMiimooTePyZOEGDCNs5v4xWr1/yqnZrtuMokJc="
#define ZD_TS  "2026-03-02T14:05:09Z"
#define HS_SIG "b57/wcR3NSpEwOl7Zwd5GTQySCM="
#define JI_SIG \
	"sha256=11155a7a4a09dea11dfeb821d89b67e3d6d7dd9f0b6112d12ba80ace5c9e6730"
#define TW_SIG    "wLB2Rkj88JPif02piXKNI/6uerE="
#define TW_URL    "https://crm.example.com/gmhook/twilio?src=sms"
#define TW_URL443 "https://crm.example.com:443/gmhook/twilio?src=sms"

#define ZD_HEADERS(sig, ts)                                         \
	{                                                           \
		{ "X-Zendesk-Webhook-Signature", sig },             \
		{                                                   \
			"X-Zendesk-Webhook-Signature-Timestamp", ts \
		}                                                   \
	}

static const struct sig_case sig_cases[] = {
	{ "zendesk valid",
	  "zendesk",
	  "zendesk/ticket-created.json",
	  NULL,
	  { "zd-secret-ABC" },
	  NULL,
	  NULL,
	  ZD_HEADERS(ZD_SIG, ZD_TS),
	  0,
	  KEEP,
	  0 },
	{ "zendesk second secret of a rotation",
	  "zendesk",
	  "zendesk/ticket-created.json",
	  NULL,
	  { "new-one", "zd-secret-ABC" },
	  NULL,
	  NULL,
	  ZD_HEADERS(ZD_SIG, ZD_TS),
	  0,
	  KEEP,
	  0 },
	{ "zendesk within the window",
	  "zendesk",
	  "zendesk/ticket-created.json",
	  NULL,
	  { "zd-secret-ABC" },
	  NULL,
	  NULL,
	  ZD_HEADERS(ZD_SIG, ZD_TS),
	  RECEIVED + 300,
	  KEEP,
	  0 },
	{ "zendesk stale timestamp",
	  "zendesk",
	  "zendesk/ticket-created.json",
	  NULL,
	  { "zd-secret-ABC" },
	  NULL,
	  NULL,
	  ZD_HEADERS(ZD_SIG, ZD_TS),
	  RECEIVED + 301,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "zendesk tampered body",
	  "zendesk",
	  "zendesk/ticket-created.json",
	  NULL,
	  { "zd-secret-ABC" },
	  NULL,
	  NULL,
	  ZD_HEADERS(ZD_SIG, ZD_TS),
	  0,
	  TAMPER,
	  GMHOOK_ESIGNATURE },
	{ "zendesk re-encoded JSON",
	  "zendesk",
	  "zendesk/ticket-created.json",
	  NULL,
	  { "zd-secret-ABC" },
	  NULL,
	  NULL,
	  ZD_HEADERS(ZD_SIG, ZD_TS),
	  0,
	  REENCODE,
	  GMHOOK_ESIGNATURE },
	{ "zendesk wrong secret",
	  "zendesk",
	  "zendesk/ticket-created.json",
	  NULL,
	  { "zd-secret-ABD" },
	  NULL,
	  NULL,
	  ZD_HEADERS(ZD_SIG, ZD_TS),
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "zendesk other timestamp",
	  "zendesk",
	  "zendesk/ticket-created.json",
	  NULL,
	  { "zd-secret-ABC" },
	  NULL,
	  NULL,
	  ZD_HEADERS(ZD_SIG, "2026-03-02T14:05:10Z"),
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "zendesk missing signature",
	  "zendesk",
	  "zendesk/ticket-created.json",
	  NULL,
	  { "zd-secret-ABC" },
	  NULL,
	  NULL,
	  { { "X-Zendesk-Webhook-Signature-Timestamp", ZD_TS } },
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "zendesk missing timestamp",
	  "zendesk",
	  "zendesk/ticket-created.json",
	  NULL,
	  { "zd-secret-ABC" },
	  NULL,
	  NULL,
	  { { "X-Zendesk-Webhook-Signature", ZD_SIG } },
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "helpscout valid",
	  "helpscout",
	  "helpscout/convo-created.json",
	  NULL,
	  { "hs-secret-XYZ" },
	  NULL,
	  NULL,
	  { { "X-HelpScout-Signature", HS_SIG },
	    { "X-HelpScout-Event", "convo.created" } },
	  0,
	  KEEP,
	  0 },
	{ "helpscout tampered body",
	  "helpscout",
	  "helpscout/convo-created.json",
	  NULL,
	  { "hs-secret-XYZ" },
	  NULL,
	  NULL,
	  { { "X-HelpScout-Signature", HS_SIG } },
	  0,
	  TAMPER,
	  GMHOOK_ESIGNATURE },
	{ "helpscout re-encoded JSON",
	  "helpscout",
	  "helpscout/convo-created.json",
	  NULL,
	  { "hs-secret-XYZ" },
	  NULL,
	  NULL,
	  { { "X-HelpScout-Signature", HS_SIG } },
	  0,
	  REENCODE,
	  GMHOOK_ESIGNATURE },
	{ "helpscout wrong secret",
	  "helpscout",
	  "helpscout/convo-created.json",
	  NULL,
	  { "hs-secret-XYy" },
	  NULL,
	  NULL,
	  { { "X-HelpScout-Signature", HS_SIG } },
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "helpscout missing signature",
	  "helpscout",
	  "helpscout/convo-created.json",
	  NULL,
	  { "hs-secret-XYZ" },
	  NULL,
	  NULL,
	  { { "X-HelpScout-Event", "convo.created" } },
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "jira valid",
	  "jira",
	  "jira/issue-created.json",
	  NULL,
	  { "jira-secret" },
	  NULL,
	  NULL,
	  { { "X-Hub-Signature", JI_SIG } },
	  0,
	  KEEP,
	  0 },
	{ "jira unsigned without a secret",
	  "jira",
	  "jira/issue-created.json",
	  NULL,
	  { NULL },
	  NULL,
	  NULL,
	  { { NULL, NULL } },
	  0,
	  KEEP,
	  0 },
	{ "jira tampered body",
	  "jira",
	  "jira/issue-created.json",
	  NULL,
	  { "jira-secret" },
	  NULL,
	  NULL,
	  { { "X-Hub-Signature", JI_SIG } },
	  0,
	  TAMPER,
	  GMHOOK_ESIGNATURE },
	{ "jira re-encoded JSON",
	  "jira",
	  "jira/issue-created.json",
	  NULL,
	  { "jira-secret" },
	  NULL,
	  NULL,
	  { { "X-Hub-Signature", JI_SIG } },
	  0,
	  REENCODE,
	  GMHOOK_ESIGNATURE },
	{ "jira wrong secret",
	  "jira",
	  "jira/issue-created.json",
	  NULL,
	  { "jira-secreT" },
	  NULL,
	  NULL,
	  { { "X-Hub-Signature", JI_SIG } },
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "jira missing signature",
	  "jira",
	  "jira/issue-created.json",
	  NULL,
	  { "jira-secret" },
	  NULL,
	  NULL,
	  { { NULL, NULL } },
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "twilio valid (public_url)",
	  "twilio",
	  "twilio/inbound-sms.form",
	  NULL,
	  { "tw-token-123" },
	  TW_URL,
	  NULL,
	  { { "X-Twilio-Signature", TW_SIG } },
	  0,
	  KEEP,
	  0 },
	{ "twilio valid (X-Gmhook-Url)",
	  "twilio",
	  "twilio/inbound-sms.form",
	  NULL,
	  { "tw-token-123" },
	  NULL,
	  NULL,
	  { { "X-Twilio-Signature", TW_SIG }, { "X-Gmhook-Url", TW_URL } },
	  0,
	  KEEP,
	  0 },
	{ "twilio valid with :443 in the URL",
	  "twilio",
	  "twilio/inbound-sms.form",
	  NULL,
	  { "tw-token-123" },
	  TW_URL443,
	  NULL,
	  { { "X-Twilio-Signature", TW_SIG } },
	  0,
	  KEEP,
	  0 },
	{ "twilio parameters in another order",
	  "twilio",
	  "twilio/inbound-sms.form",
	  NULL,
	  { "tw-token-123" },
	  TW_URL,
	  NULL,
	  { { "X-Twilio-Signature", TW_SIG } },
	  0,
	  REORDER,
	  0 },
	{ "twilio tampered body",
	  "twilio",
	  "twilio/inbound-sms.form",
	  NULL,
	  { "tw-token-123" },
	  TW_URL,
	  NULL,
	  { { "X-Twilio-Signature", TW_SIG } },
	  0,
	  TAMPER,
	  GMHOOK_ESIGNATURE },
	{ "twilio other URL",
	  "twilio",
	  "twilio/inbound-sms.form",
	  NULL,
	  { "tw-token-123" },
	  "http://crm.example.com/gmhook/twilio?src=sms",
	  NULL,
	  { { "X-Twilio-Signature", TW_SIG } },
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "twilio wrong secret",
	  "twilio",
	  "twilio/inbound-sms.form",
	  NULL,
	  { "tw-token-124" },
	  TW_URL,
	  NULL,
	  { { "X-Twilio-Signature", TW_SIG } },
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "twilio missing signature",
	  "twilio",
	  "twilio/inbound-sms.form",
	  NULL,
	  { "tw-token-123" },
	  TW_URL,
	  NULL,
	  { { NULL, NULL } },
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "twilio without a known URL",
	  "twilio",
	  "twilio/inbound-sms.form",
	  NULL,
	  { "tw-token-123" },
	  NULL,
	  NULL,
	  { { "X-Twilio-Signature", TW_SIG } },
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "freshdesk URL token",
	  "freshdesk",
	  "freshdesk/ticket-created.json",
	  NULL,
	  { NULL },
	  NULL,
	  "fd-token-1",
	  { { "X-Gmhook-Url", "https://crm.example.com/h?token=fd-token-1" } },
	  0,
	  KEEP,
	  0 },
	{ "freshdesk wrong URL token",
	  "freshdesk",
	  "freshdesk/ticket-created.json",
	  NULL,
	  { NULL },
	  NULL,
	  "fd-token-1",
	  { { "X-Gmhook-Url", "https://crm.example.com/h?token=fd-token-2" } },
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "freshdesk missing URL token",
	  "freshdesk",
	  "freshdesk/ticket-created.json",
	  NULL,
	  { NULL },
	  NULL,
	  "fd-token-1",
	  { { NULL, NULL } },
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
	{ "osticket URL token as Basic password",
	  "osticket",
	  "osticket/ticket-created.json",
	  NULL,
	  { NULL },
	  NULL,
	  "os-token",
	  /* "gmhook:os-token" */
	  { { "Authorization", "Basic Z21ob29rOm9zLXRva2Vu" } },
	  0,
	  KEEP,
	  0 },
	{ "osticket missing URL token",
	  "osticket",
	  "osticket/ticket-created.json",
	  NULL,
	  { NULL },
	  NULL,
	  "os-token",
	  { { NULL, NULL } },
	  0,
	  KEEP,
	  GMHOOK_ESIGNATURE },
};

static char *reencode(const char *body)
{
	json_object *doc = json_tokener_parse(body);
	char *out;

	assert_non_null(doc);
	out = gmhook__strdup(
	        json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY));
	json_object_put(doc);
	return out;
}

/* The pairs of a form body in reverse order. */
static char *reorder(const char *body)
{
	size_t len = strlen(body);
	char *out = calloc(1, len + 2);
	char *copy = gmhook__strdup(body);
	char *pair;

	assert_non_null(out);
	assert_non_null(copy);
	while ((pair = strrchr(copy, '&')) != NULL) {
		strcat(out, pair + 1);
		strcat(out, "&");
		*pair = '\0';
	}
	strcat(out, copy);
	free(copy);
	return out;
}

static char *mutate(char *body, enum mutation m)
{
	char *out = body;
	char *a;

	if (m == REENCODE) {
		out = reencode(body);
		free(body);
	} else if (m == REORDER) {
		out = reorder(body);
		free(body);
	} else if (m == TAMPER) {
		a = strchr(body, 'a');
		assert_non_null(a);
		*a = 'b';
	}
	return out;
}

static void run_sig_case(const struct sig_case *c)
{
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_ctx *ctx = NULL;
	struct gmhook_event *event = NULL;
	struct delivery d = { 0 };
	size_t len = 0;
	char *body = mutate(data_file(c->file, &len), c->mutation);
	int rc;

	assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
	add_source(ctx, c->source, c->secrets, c->public_url, c->url_token);
	memcpy(d.headers, c->headers, sizeof(d.headers));
	d.body = body;
	d.body_len = strlen(body);
	d.content_type = c->content_type;
	d.source = c->source;
	d.received = c->received;
	assert_int_equal(parse(&event, ctx, &d, &err), 0);
	rc = gmhook_validate(ctx, event, &err);
	if (rc != c->code) {
		fail_msg("%s: validate gave %d (%s), expected %d", c->what, rc,
		         err.message, c->code);
	}
	if (rc == GMHOOK_ESIGNATURE) {
		assert_string_equal(err.path, "");
	}
	gmhook_event_free(event);
	gmhook_ctx_free(ctx);
	free(body);
}

static void signatures_verify_and_refuse(void **state)
{
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(sig_cases) / sizeof(sig_cases[0]); i++) {
		run_sig_case(&sig_cases[i]);
	}
}

/* ==== Signatures: the corpus vectors ==== */

/* The vector's signed body, read from the corpus or given inline; NULL
 * (with a diagnostic) when the corpus lacks the payload file. */
static char *vector_body(json_object *v, size_t *len)
{
	const char *file = gmhook__get_str(v, "/payload_file");
	const char *inline_body = gmhook__get_str(v, "/body_as_sent");
	const char *sha = gmhook__get_str(v, "/payload_sha256");
	char path[512];
	char hex[65];
	char *body;

	if (!inline_body) {
		inline_body = gmhook__get_str(v, "/body");
	}
	if (!file) {
		assert_non_null(inline_body);
		*len = strlen(inline_body);
		return gmhook__strdup(inline_body);
	}
	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), file);
	body = slurp(path, len);
	if (!body) {
		print_message(
		        "# corpus vector names %s, which the corpus does not hold; its signature cannot be checked\n",
		        file);
		return NULL;
	}
	gmhook__sha256_hex(body, *len, hex);
	if (sha) {
		assert_string_equal(hex, sha);
	}
	return body;
}

/* Fill @p d's headers for the vector's provider. */
static void vector_headers(struct delivery *d, json_object *v,
                           const char *provider, const char *signature)
{
	const char *url = gmhook__get_str(v, "/url");

	if (strcmp(provider, "zendesk") == 0) {
		d->headers[0][0] = "X-Zendesk-Webhook-Signature";
		d->headers[1][0] = "X-Zendesk-Webhook-Signature-Timestamp";
		d->headers[1][1] = gmhook__get_str(v, "/timestamp");
		assert_true(gmhook__time_parse(d->headers[1][1], &d->received));
	} else if (strcmp(provider, "helpscout") == 0) {
		d->headers[0][0] = "X-HelpScout-Signature";
		d->headers[1][0] = "X-HelpScout-Event";
		d->headers[1][1] = "convo.created";
	} else {
		d->headers[0][0] = "X-Twilio-Signature";
		d->headers[1][0] = "X-Gmhook-Url";
		d->headers[1][1] =
		        url ? url : gmhook__get_str(v, "/url_signed");
		d->content_type = gmhook__get_str(v, "/body")
		                          ? "application/json"
		                          : "application/x-www-form-urlencoded";
	}
	d->headers[0][1] = signature;
}

/* Validate with the vector's secret; the signature verdict. */
static int vector_verdict(json_object *v, const char *provider,
                          const char *body, size_t len, const char *signature)
{
	const char *secrets[2] = { gmhook__get_str(v, "/secret"), NULL };
	struct gmhook_error err = GMHOOK_ERROR_INIT;
	struct gmhook_ctx *ctx = NULL;
	struct gmhook_event *event = NULL;
	struct delivery d = { 0 };
	const char *verdict;
	int rc;

	assert_non_null(secrets[0]);
	d.body = body;
	d.body_len = len;
	d.source = provider;
	vector_headers(&d, v, provider, signature);
	assert_int_equal(gmhook_ctx_new(&ctx, NULL, NULL), 0);
	add_source(ctx, provider, secrets, NULL, NULL);
	assert_int_equal(parse(&event, ctx, &d, &err), 0);
	rc = gmhook_validate(ctx, event, &err);
	/* Some vectors sign SDK test bodies that are no messages at all:
	 * the fields may then fail, but only after the signature passed. */
	verdict = gmhook__get_str(event->doc, "/signature");
	if (rc != GMHOOK_ESIGNATURE) {
		assert_non_null(verdict);
		assert_string_equal(verdict, "verified");
		rc = 0;
	}
	gmhook_event_free(event);
	gmhook_ctx_free(ctx);
	return rc;
}

/* "<corpus>/<provider>/vectors/<file>" → provider. */
static void provider_of(char *out, size_t size, const char *path)
{
	const char *end = strstr(path, "/vectors/");
	const char *start = end;

	assert_non_null(end);
	while (start > path && start[-1] != '/') {
		start--;
	}
	snprintf(out, size, "%.*s", (int) (end - start), start);
}

static void corpus_vector_verifies(void **state)
{
	const char *path = *state;
	char provider[32];
	json_object *v = json_object_from_file(path);
	const char *expected;
	size_t len = 0;
	char *body;

	assert_non_null(v);
	provider_of(provider, sizeof(provider), path);
	expected = gmhook__get_str(v, "/expected_signature");
	assert_non_null(expected);
	body = vector_body(v, &len);
	if (body) {
		assert_int_equal(
		        vector_verdict(v, provider, body, len, expected), 0);
		/* A signature of the same length that differs must fail. */
		assert_int_equal(vector_verdict(v, provider, body, len,
		                                "AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
		                 GMHOOK_ESIGNATURE);
	}
	free(body);
	json_object_put(v);
}

/* ==== Helpers of ticket.c ==== */

static void ticket_html_text_keeps_words_and_images(void **state)
{
	char *s;

	(void) state;
	s = gmhook__ticket_html_text(
	        "<div>One &amp; two</div>\n<div><br></div>"
	        "<div>three<img class=\"x\" src=\"http://i/p.png\">"
	        "</div>\n<br>");
	assert_string_equal(s, "One & two\r\n\r\nthree[image: http://i/p.png]");
	free(s);
	s = gmhook__ticket_html_text("plain   text");
	assert_string_equal(s, "plain text");
	free(s);
}

static void ticket_text_skips_unfilled_placeholders(void **state)
{
	json_object *d = json_tokener_parse(
	        "{\"a\":\"{{ticket.id}}\",\"b\":\"\",\"c\":12,\"d\":\"x\"}");
	char buf[16];

	(void) state;
	assert_null(gmhook__ticket_text(d, "/a", buf, sizeof(buf)));
	assert_null(gmhook__ticket_text(d, "/b", buf, sizeof(buf)));
	assert_string_equal(gmhook__ticket_text(d, "/c", buf, sizeof(buf)),
	                    "12");
	assert_null(gmhook__ticket_text(d, "/c", NULL, 0));
	assert_string_equal(gmhook__ticket_text(d, "/d", NULL, 0), "x");
	json_object_put(d);
}

/* ==== The group: fixed tests plus one per corpus vector ==== */

#define MAX_VECTORS 32

static size_t add_vectors(struct CMUnitTest *tests, char **paths, size_t n)
{
	static const char *const providers[] = { "zendesk", "helpscout",
		                                 "twilio" };
	char dir[512];
	struct dirent *e;
	size_t i;
	DIR *d;

	for (i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s/vectors", corpus_dir(),
		         providers[i]);
		d = opendir(dir);
		while (d && (e = readdir(d)) != NULL && n < MAX_VECTORS) {
			size_t len = strlen(e->d_name);

			if (len < 6 ||
			    strcmp(e->d_name + len - 5, ".json") != 0) {
				continue;
			}
			paths[n] = malloc(strlen(dir) + len + 2);
			sprintf(paths[n], "%s/%s", dir, e->d_name);
			tests[n].name = paths[n];
			tests[n].test_func = corpus_vector_verifies;
			tests[n].setup_func = NULL;
			tests[n].teardown_func = NULL;
			tests[n].initial_state = paths[n];
			n++;
		}
		if (d) {
			closedir(d);
		}
	}
	return n;
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(payloads_map_to_expected_plans),
		cmocka_unit_test(validate_names_the_missing_or_bad_field),
		cmocka_unit_test(signatures_verify_and_refuse),
		cmocka_unit_test(ticket_html_text_keeps_words_and_images),
		cmocka_unit_test(ticket_text_skips_unfilled_placeholders),
	};
	struct CMUnitTest tests[sizeof(fixed) / sizeof(fixed[0]) + MAX_VECTORS];
	char *paths[MAX_VECTORS + sizeof(fixed) / sizeof(fixed[0])] = { 0 };
	size_t n = sizeof(fixed) / sizeof(fixed[0]);
	size_t i;
	int rc;

	setenv("TZ", "UTC", 1);
	tzset();
	memcpy(tests, fixed, sizeof(fixed));
	n = add_vectors(tests + n, paths + n, 0) + n;
	rc = _cmocka_run_group_tests("support", tests, n, NULL, NULL);
	for (i = 0; i < n; i++) {
		free(paths[i]);
	}
	return rc;
}
