/* SPDX-License-Identifier: MIT */
/*
 * Freshdesk: an automation rule's "Trigger webhook" action, with the body
 * the admin wrote from placeholders, in the documented shape
 * {"freshdesk_webhook": {"triggered_event", "ticket_id", "ticket_subject",
 * "requester_email" ...}} as JSON or as urlencoded freshdesk_webhook[...]
 * fields. Values are text whatever the template's quotes; a placeholder
 * Freshdesk did not fill counts as missing. Freshdesk signs nothing, so
 * the url_token guard protects the endpoint. A new ticket becomes a case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ticket.h"

#define ROOT "/freshdesk_webhook"

static int detect(const struct gmhook__delivery *d)
{
	json_object *root = gmhook__get(d->body, ROOT);

	if (!json_object_is_type(root, json_type_object)) {
		return 0;
	}
	return gmhook__get(root, "/ticket_id") ? 90 : 60;
}

/*
 * {{triggered_event}} renders as "{ticket_action:created}" for rules on
 * ticket creation and as e.g. "{status:{from:Open,to:Closed}}" for
 * updates. No such member: the documented set-up fires on creation.
 */
static void event_type(char *out, size_t size, json_object *data)
{
	static const char action[] = "{ticket_action:";
	const char *e =
	        gmhook__ticket_text(data, ROOT "/triggered_event", NULL, 0);
	size_t n;

	if (!e) {
		snprintf(out, size, "ticket.created");
		return;
	}
	if (strncmp(e, action, sizeof(action) - 1) != 0) {
		snprintf(out, size, "ticket.changed");
		return;
	}
	e += sizeof(action) - 1;
	n = strcspn(e, "}");
	snprintf(out, size, "ticket.%.*s", (int) (n < 32 ? n : 32), e);
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	char buf[32];
	char type[64];
	char id[256];
	const char *ticket;
	const char *status;

	(void) ctx, (void) d, (void) err;
	event_type(type, sizeof(type), item->data);
	ticket = gmhook__ticket_text(item->data, ROOT "/ticket_id", buf,
	                             sizeof(buf));
	status =
	        gmhook__ticket_text(item->data, ROOT "/ticket_status", NULL, 0);
	/* Freshdesk sends no delivery id: the ticket, what happened and the
	 * status it reached identify one. */
	snprintf(id, sizeof(id), "%s:%s:%s", ticket ? ticket : "", type,
	         status ? status : "");
	gmhook__ticket_meta(item->meta, type, ticket ? id : NULL, 0);
	return 0;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	char buf[32];
	char path[256];

	(void) ctx;
	if (!gmhook__ticket_text(item->data, ROOT "/ticket_id", buf,
	                         sizeof(buf))) {
		gmhook__path_join(path, sizeof(path), item->pointer,
		                  ROOT "/ticket_id");
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, GMHOOK_STAGE_VALIDATE, path,
		        "a ticket id is required (\"ticket_id\": \"{{ticket.id}}\" in the webhook body)");
	}
	if (!gmhook__ticket_text(item->data, ROOT "/requester_email", NULL,
	                         0)) {
		return 0;
	}
	return gmhook__validate_email(item, ROOT "/requester_email", true, err);
}

/* The record tickets.json maps (docs/sources.md, "Help desks"); the
 * description is the ticket's HTML as text. */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	json_object *d = item->data;
	struct gmhook__ticket t = { 0 };
	const char *html;
	char *description = NULL;
	char id[32];
	int rc;

	(void) pb;
	html = gmhook__ticket_text(d, ROOT "/ticket_description", NULL, 0);
	description = html ? gmhook__ticket_html_text(html) : NULL;
	if (html && !description) {
		return gmhook__error_set(err, GMHOOK_ENOMEM, GMHOOK_STAGE_MAP,
		                         "", "out of memory");
	}
	t.requester.email =
	        gmhook__ticket_text(d, ROOT "/requester_email", NULL, 0);
	t.requester.name =
	        gmhook__ticket_text(d, ROOT "/requester_name", NULL, 0);
	t.requester.name_path = ROOT "/requester_name";
	t.id = gmhook__ticket_text(d, ROOT "/ticket_id", id, sizeof(id));
	t.id_path = ROOT "/ticket_id";
	t.number = t.id;
	t.number_path = ROOT "/ticket_id";
	t.subject = gmhook__ticket_text(d, ROOT "/ticket_subject", NULL, 0);
	t.subject_path = ROOT "/ticket_subject";
	t.description = description;
	t.priority = gmhook__ticket_text(d, ROOT "/ticket_priority", NULL, 0);
	t.priority_path = ROOT "/ticket_priority";
	t.type = gmhook__ticket_text(d, ROOT "/ticket_type", NULL, 0);
	t.type_path = ROOT "/ticket_type";
	t.status = gmhook__ticket_text(d, ROOT "/ticket_status", NULL, 0);
	t.status_path = ROOT "/ticket_status";
	t.url = gmhook__ticket_text(d, ROOT "/ticket_url", NULL, 0);
	t.url_path = ROOT "/ticket_url";
	rc = gmhook__ticket_record(ctx, item, &t, err);
	free(description);
	return rc;
}

const struct gmhook__source gmhook__source_freshdesk = {
	.name = "freshdesk",
	.signature = "none (url_token guard)",
	.actions = "new ticket -> contact, CASES row, history TKT/NEW",
	.description =
	        "Freshdesk automation webhooks: new tickets become cases",
	.label = "Freshdesk",
	.detect = detect,
	.extract = extract,
	.validate = validate,
	.record = record,
	.mapping = "tickets.json",
};
