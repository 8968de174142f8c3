/* SPDX-License-Identifier: MIT */
/*
 * Jira and Jira Service Management webhooks: {"webhookEvent":
 * "jira:issue_created", "timestamp": <epoch ms>, "user", "issue":
 * {"id", "key", "fields": {summary, description, priority, issuetype,
 * reporter, project ...}}}. JSM requests arrive through the same issue
 * events. A new issue becomes a case for its reporter; other events are
 * ignored. Jira signs only when the admin set a secret (X-Hub-Signature:
 * sha256=<hex HMAC-SHA256 of the body>).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ticket.h"

#define MAP GMHOOK_STAGE_MAP

/* The event name: webhookEvent, else issue_event_type_name. */
static const char *event_name(json_object *data)
{
	const char *e = gmhook__get_str(data, "/webhookEvent");

	return e ? e : gmhook__get_str(data, "/issue_event_type_name");
}

static bool is_issue_created(const char *e)
{
	return e && (strcmp(e, "jira:issue_created") == 0 ||
	             strcmp(e, "issue_created") == 0);
}

static int detect(const struct gmhook__delivery *d)
{
	const char *e;

	if (gmhook__header(d->req, "X-Atlassian-Webhook-Identifier")) {
		return 100;
	}
	if (d->format != GMHOOK__FORMAT_JSON ||
	    !json_object_is_type(gmhook__get(d->body, "/issue"),
	                         json_type_object)) {
		return 0;
	}
	e = event_name(d->body);
	if (e &&
	    (strncmp(e, "jira:", 5) == 0 || strncmp(e, "issue_", 6) == 0)) {
		return 90;
	}
	return 0;
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *e = event_name(item->data);
	json_object *ts = gmhook__get(item->data, "/timestamp");
	char buf[32];
	char id[256];
	const char *issue;

	(void) ctx, (void) d, (void) err;
	issue = gmhook__ticket_text(item->data, "/issue/id", buf, sizeof(buf));
	/* An issue is created once: the issue id and the event name are a
	 * key that survives retries whatever their headers. */
	snprintf(id, sizeof(id), "%s:%s", e ? e : "", issue ? issue : "");
	gmhook__ticket_meta(item->meta, e ? e : "unknown",
	                    e && issue ? id : NULL,
	                    json_object_is_type(ts, json_type_int)
	                            ? json_object_get_int64(ts) / 1000
	                            : 0);
	return 0;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	char buf[32];
	char path[256];

	(void) ctx;
	if (!is_issue_created(event_name(item->data))) {
		return 0;
	}
	if (!gmhook__ticket_text(item->data, "/issue/id", buf, sizeof(buf))) {
		gmhook__path_join(path, sizeof(path), item->pointer,
		                  "/issue/id");
		return gmhook__error_set(err, GMHOOK_EVALIDATE,
		                         GMHOOK_STAGE_VALIDATE, path,
		                         "an issue id is required");
	}
	return gmhook__validate_email(
	        item, "/issue/fields/reporter/emailAddress", false, err);
}

/* The text nodes of an Atlassian Document Format value (Cloud's REST v3
 * shape), one line per paragraph. */
static void adf_text(struct gmhook__buf *out, json_object *node, int depth)
{
	json_object *content = gmhook__get(node, "/content");
	const char *text = gmhook__get_str(node, "/text");
	const char *type = gmhook__get_str(node, "/type");
	size_t i;

	if (depth > 32) {
		return;
	}
	if (text) {
		gmhook__buf_adds(out, text);
	}
	for (i = 0; json_object_is_type(content, json_type_array) &&
	            i < json_object_array_length(content);
	     i++) {
		adf_text(out, json_object_array_get_idx(content, i), depth + 1);
	}
	if (type && strcmp(type, "paragraph") == 0) {
		gmhook__buf_adds(out, "\r\n");
	}
}

/* The description as text (caller frees), NULL when there is none. */
static char *description_of(json_object *fields, bool *oom)
{
	json_object *v = gmhook__get(fields, "/description");
	struct gmhook__buf out = { 0 };

	*oom = false;
	if (json_object_is_type(v, json_type_string)) {
		gmhook__buf_adds(&out, json_object_get_string(v));
	} else if (json_object_is_type(v, json_type_object)) {
		adf_text(&out, v, 0);
	}
	*oom = out.failed;
	return out.failed ? NULL : gmhook__buf_steal(&out);
}

/* The issue's page: "<base>/browse/<key>" from its REST "self" URL. */
static const char *browse_url(char *buf, size_t size, json_object *data)
{
	const char *self = gmhook__get_str(data, "/issue/self");
	const char *key = gmhook__get_str(data, "/issue/key");
	const char *rest = self ? strstr(self, "/rest/api/") : NULL;

	if (!rest || !key) {
		return self;
	}
	snprintf(buf, size, "%.*s/browse/%s", (int) (rest - self), self, key);
	return buf;
}

static void reporter_of(struct gmhook__person *p, json_object *data)
{
	p->email = gmhook__ticket_text(
	        data, "/issue/fields/reporter/emailAddress", NULL, 0);
	p->name = gmhook__ticket_text(
	        data, "/issue/fields/reporter/displayName", NULL, 0);
	p->name_path = "/issue/fields/reporter/displayName";
}

/* The record tickets.json maps (docs/sources.md, "Help desks"). */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	json_object *d = item->data;
	json_object *fields = gmhook__get(d, "/issue/fields");
	json_object *desc = gmhook__get(fields, "/description");
	struct gmhook__ticket t = { 0 };
	char *description;
	char id[32];
	char url[512];
	bool oom;
	int rc;

	(void) pb;
	description = description_of(fields, &oom);
	if (oom) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	reporter_of(&t.requester, d);
	t.id = gmhook__ticket_text(d, "/issue/id", id, sizeof(id));
	t.id_path = "/issue/id";
	t.number = gmhook__ticket_text(d, "/issue/key", NULL, 0);
	t.number_path = "/issue/key";
	t.subject = gmhook__ticket_text(fields, "/summary", NULL, 0);
	t.subject_path = "/issue/fields/summary";
	t.description = description;
	if (json_object_is_type(desc, json_type_string)) {
		t.description_path = "/issue/fields/description";
	}
	t.priority = gmhook__ticket_text(fields, "/priority/name", NULL, 0);
	t.priority_path = "/issue/fields/priority/name";
	t.type = gmhook__ticket_text(fields, "/issuetype/name", NULL, 0);
	t.type_path = "/issue/fields/issuetype/name";
	t.category = gmhook__ticket_text(fields, "/project/name", NULL, 0);
	t.category_path = "/issue/fields/project/name";
	t.status = gmhook__ticket_text(fields, "/status/name", NULL, 0);
	t.status_path = "/issue/fields/status/name";
	t.url = browse_url(url, sizeof(url), d);
	(void) gmhook__time_parse(gmhook__get_str(item->meta, "/time"),
	                          &t.when);
	rc = gmhook__ticket_record(ctx, item, &t, err);
	free(description);
	return rc;
}

/* X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>, sent only
 * when the webhook has a secret. Nothing signed carries a time. */
static int verify(struct gmhook_ctx *ctx, const struct gmhook_event *event,
                  const struct gmhook__source_config *cfg,
                  struct gmhook_error *err)
{
	static const char header[] = "X-Hub-Signature";
	const char *sig = gmhook__event_header(event, header);
	const void *parts[1] = { event->raw };
	size_t lens[1] = { event->raw_len };
	unsigned char mac[64];
	size_t mac_len;
	size_t i;

	(void) ctx;
	if (!sig) {
		return gmhook__signature_fail(err, header, "missing");
	}
	if (strncmp(sig, "sha256=", 7) != 0) {
		return gmhook__signature_fail(err, header,
		                              "not a sha256= signature");
	}
	for (i = 0; i < cfg->n_secrets; i++) {
		mac_len =
		        gmhook__hmac(GMHOOK__SHA256, cfg->secrets[i].key,
		                     cfg->secrets[i].len, parts, lens, 1, mac);
		if (gmhook__mac_equal_hex(mac, mac_len, sig + 7,
		                          strlen(sig + 7))) {
			return 0;
		}
	}
	return gmhook__signature_fail(err, header, "does not match the body");
}

const struct gmhook__source gmhook__source_jira = {
	.name = "jira",
	.signature =
	        "X-Hub-Signature sha256= HMAC of the body (when a secret is set)",
	.actions = "issue created -> contact, CASES row, history TKT/NEW",
	.description =
	        "Jira / Jira Service Management: new issues become cases",
	.label = "Jira",
	.detect = detect,
	.extract = extract,
	.verify = verify,
	.validate = validate,
	.record = record,
	.mapping = "tickets.json",
};
