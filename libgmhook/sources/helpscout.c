/* SPDX-License-Identifier: MIT */
/*
 * Help Scout (Mailbox API 2.0 webhooks). The body is the resource itself,
 * a v2 Conversation for the convo.* events; the event name travels only
 * in the X-HelpScout-Event header and X-HelpScout-Signature is the base64
 * HMAC-SHA1 of the raw body. A convo.created becomes a case for the
 * conversation's customer; the other events are recorded as ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ticket.h"

static const char event_header[] = "X-HelpScout-Event";

static int detect(const struct gmhook__delivery *d)
{
	json_object *b = d->body;

	if (gmhook__header(d->req, event_header) ||
	    gmhook__header(d->req, "X-HelpScout-Signature")) {
		return 100;
	}
	if (d->format != GMHOOK__FORMAT_JSON) {
		return 0;
	}
	if (gmhook__get(b, "/mailboxId") && gmhook__get(b, "/_links") &&
	    (gmhook__get(b, "/primaryCustomer") ||
	     gmhook__get(b, "/createdBy"))) {
		return 70;
	}
	return 0;
}

/* The conversation's last change, for the de-duplication key. */
static const char *changed_at(json_object *data)
{
	const char *keys[] = { "/updatedAt", "/userUpdatedAt", "/createdAt" };
	const char *s;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		s = gmhook__get_str(data, keys[i]);
		if (s) {
			return s;
		}
	}
	return "";
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *event = gmhook__header(d->req, event_header);
	const char *created = gmhook__get_str(item->data, "/createdAt");
	char buf[32];
	char id[256];
	const char *convo;
	int64_t t = 0;

	(void) ctx, (void) err;
	if (!event || !event[0]) {
		event = "unknown";
	}
	convo = gmhook__ticket_text(item->data, "/id", buf, sizeof(buf));
	/* Help Scout sends no delivery id; its docs name the event, the
	 * resource id and its update time as the key. */
	snprintf(id, sizeof(id), "%s:%s:%s", event, convo ? convo : "",
	         changed_at(item->data));
	if (!created || !gmhook__time_parse(created, &t)) {
		t = 0;
	}
	gmhook__ticket_meta(item->meta, event, convo ? id : NULL, t);
	return 0;
}

/* The customer: primaryCustomer, the customer who created it, or the
 * v1-era "customer" object. Pointers relative to the data. */
static const char *customer_path(json_object *data)
{
	const char *type = gmhook__get_str(data, "/createdBy/type");

	if (gmhook__get_str(data, "/primaryCustomer/email")) {
		return "/primaryCustomer";
	}
	if (gmhook__get_str(data, "/createdBy/email") &&
	    (!type || strcmp(type, "customer") == 0)) {
		return "/createdBy";
	}
	if (gmhook__get_str(data, "/customer/email")) {
		return "/customer";
	}
	return NULL;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	const char *who = customer_path(item->data);
	char pointer[64];
	char buf[32];
	char path[256];

	(void) ctx;
	if (strcmp(gmhook__get_str(item->meta, "/type"), "convo.created") !=
	    0) {
		return 0;
	}
	if (!gmhook__ticket_text(item->data, "/id", buf, sizeof(buf))) {
		gmhook__path_join(path, sizeof(path), item->pointer, "/id");
		return gmhook__error_set(err, GMHOOK_EVALIDATE,
		                         GMHOOK_STAGE_VALIDATE, path,
		                         "a conversation id is required");
	}
	if (!who) {
		return 0;
	}
	snprintf(pointer, sizeof(pointer), "%s/email", who);
	return gmhook__validate_email(item, pointer, true, err);
}

static void customer_of(struct gmhook__person *p, json_object *data,
                        const char *who, char paths[2][64])
{
	json_object *c = gmhook__get(data, who);

	snprintf(paths[0], 64, "%s/first", who);
	snprintf(paths[1], 64, "%s/last", who);
	p->email = gmhook__get_str(c, "/email");
	p->first = gmhook__ticket_text(c, "/first", NULL, 0);
	p->last = gmhook__ticket_text(c, "/last", NULL, 0);
	if (!p->first && !p->last) {
		snprintf(paths[0], 64, "%s/firstName", who);
		snprintf(paths[1], 64, "%s/lastName", who);
		p->first = gmhook__ticket_text(c, "/firstName", NULL, 0);
		p->last = gmhook__ticket_text(c, "/lastName", NULL, 0);
	}
	p->name_path = paths[0];
	p->last_path = paths[1];
}

/* The record tickets.json maps (docs/sources.md, "Help desks"). */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	json_object *d = item->data;
	const char *who = customer_path(d);
	struct gmhook__ticket t = { 0 };
	char paths[2][64];
	char id[32];
	char number[32];

	(void) pb;
	if (who) {
		customer_of(&t.requester, d, who, paths);
	}
	t.id = gmhook__ticket_text(d, "/id", id, sizeof(id));
	t.id_path = "/id";
	t.number = gmhook__ticket_text(d, "/number", number, sizeof(number));
	t.number_path = "/number";
	t.subject = gmhook__ticket_text(d, "/subject", NULL, 0);
	t.subject_path = "/subject";
	/* The webhook carries no thread text; the preview is its start. */
	t.description = gmhook__ticket_text(d, "/preview", NULL, 0);
	t.description_path = "/preview";
	t.type = gmhook__ticket_text(d, "/type", NULL, 0);
	t.type_path = "/type";
	t.status = gmhook__ticket_text(d, "/status", NULL, 0);
	t.status_path = "/status";
	t.url = gmhook__get_str(d, "/_links/web/href");
	t.url_path = "/_links/web/href";
	(void) gmhook__time_parse(gmhook__get_str(item->meta, "/time"),
	                          &t.when);
	return gmhook__ticket_record(ctx, item, &t, err);
}

/* X-HelpScout-Signature: base64 HMAC-SHA1 of the raw body. No timestamp
 * is signed, so there is no replay window; the ledger de-duplicates. */
static int verify(struct gmhook_ctx *ctx, const struct gmhook_event *event,
                  const struct gmhook__source_config *cfg,
                  struct gmhook_error *err)
{
	static const char header[] = "X-HelpScout-Signature";
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
	for (i = 0; i < cfg->n_secrets; i++) {
		mac_len =
		        gmhook__hmac(GMHOOK__SHA1, cfg->secrets[i].key,
		                     cfg->secrets[i].len, parts, lens, 1, mac);
		if (gmhook__mac_equal_base64(mac, mac_len, sig, strlen(sig))) {
			return 0;
		}
	}
	return gmhook__signature_fail(err, header, "does not match the body");
}

const struct gmhook__source gmhook__source_helpscout = {
	.name = "helpscout",
	.signature = "X-HelpScout-Signature base64 HMAC-SHA1 of the body",
	.actions = "convo.created -> contact, CASES row, history TKT/NEW",
	.description = "Help Scout webhooks: convo.created becomes a case",
	.label = "Help Scout",
	.detect = detect,
	.extract = extract,
	.verify = verify,
	.validate = validate,
	.record = record,
	.mapping = "tickets.json",
};
