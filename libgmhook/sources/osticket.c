/* SPDX-License-Identifier: MIT */
/*
 * osTicket has no webhooks of its own; the community plugin
 * (luispimenta/osticket-webhook) posts {"body": {"title", "number",
 * "status": "created"|"updated", "staff", "url"}} with no signature, no
 * ids and no requester. Without an e-mail address no contact can be found
 * and a case cannot exist without one, so such tickets are recorded as
 * ignored with the reason; a site that adds "email" (and "name") to the
 * plugin's body gets a case. Unsigned: the url_token guard protects it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ticket.h"

static int detect(const struct gmhook__delivery *d)
{
	json_object *b = gmhook__get(d->body, "/body");

	if (d->format != GMHOOK__FORMAT_JSON ||
	    !json_object_is_type(b, json_type_object)) {
		return 0;
	}
	if (gmhook__get(b, "/number") && gmhook__get(b, "/title") &&
	    gmhook__get(b, "/status")) {
		return 70;
	}
	return 0;
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *status =
	        gmhook__ticket_text(item->data, "/body/status", NULL, 0);
	char buf[32];
	char type[64];
	char id[256];
	const char *number;

	(void) ctx, (void) d, (void) err;
	number = gmhook__ticket_text(item->data, "/body/number", buf,
	                             sizeof(buf));
	snprintf(type, sizeof(type), "ticket.%.32s",
	         status ? status : "unknown");
	/* The plugin sends no id; the ticket number and what happened to it
	 * are the key. */
	snprintf(id, sizeof(id), "%s:%s", number ? number : "", type);
	gmhook__ticket_meta(item->meta, type, number ? id : NULL, 0);
	return 0;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	char buf[32];
	char path[256];

	(void) ctx;
	if (!gmhook__ticket_text(item->data, "/body/number", buf,
	                         sizeof(buf))) {
		gmhook__path_join(path, sizeof(path), item->pointer,
		                  "/body/number");
		return gmhook__error_set(err, GMHOOK_EVALIDATE,
		                         GMHOOK_STAGE_VALIDATE, path,
		                         "a ticket number is required");
	}
	return gmhook__validate_email(item, "/body/email", false, err);
}

/* The record tickets.json maps (docs/sources.md, "Help desks"). */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	json_object *b = gmhook__get(item->data, "/body");
	struct gmhook__ticket t = { 0 };
	char number[32];

	(void) pb;
	t.requester.email = gmhook__ticket_text(b, "/email", NULL, 0);
	t.requester.name = gmhook__ticket_text(b, "/name", NULL, 0);
	t.requester.name_path = "/body/name";
	t.id = gmhook__ticket_text(b, "/number", number, sizeof(number));
	t.id_path = "/body/number";
	t.number = t.id;
	t.number_path = "/body/number";
	t.subject = gmhook__ticket_text(b, "/title", NULL, 0);
	t.subject_path = "/body/title";
	t.status = gmhook__ticket_text(b, "/status", NULL, 0);
	t.status_path = "/body/status";
	t.url = gmhook__ticket_text(b, "/url", NULL, 0);
	t.url_path = "/body/url";
	return gmhook__ticket_record(ctx, item, &t, err);
}

const struct gmhook__source gmhook__source_osticket = {
	.name = "osticket",
	.signature = "none (url_token guard)",
	.actions =
	        "new ticket with an e-mail -> contact, CASES row, history TKT/NEW",
	.description =
	        "osTicket webhook plugin: tickets with an e-mail become cases",
	.label = "osTicket",
	.detect = detect,
	.extract = extract,
	.validate = validate,
	.record = record,
	.mapping = "tickets.json",
};
