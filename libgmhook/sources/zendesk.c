/* SPDX-License-Identifier: MIT */
/*
 * Zendesk webhooks. A webhook fired by a trigger sends the JSON body the
 * admin wrote; we read the flat template documented in docs/sources.md
 * ("ticket_id", "ticket_title", "requester_email" ...). A webhook
 * subscribed to events sends the "zen:event-type:..." envelope, which is
 * recognised and de-duplicated but names no requester e-mail, so it is
 * ignored. Signatures are base64 HMAC-SHA256 of timestamp + body.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ticket.h"

#define EVENT_PREFIX "zen:event-type:"

/* Zendesk documents no window; the usual five minutes. */
#define DEFAULT_TOLERANCE 300

static bool is_envelope(json_object *data)
{
	const char *type = gmhook__get_str(data, "/type");

	return type && strncmp(type, EVENT_PREFIX, strlen(EVENT_PREFIX)) == 0;
}

static bool has_zendesk_url(json_object *data)
{
	const char *url = gmhook__get_str(data, "/ticket_url");
	const char *link = gmhook__get_str(data, "/link");

	return (url && strstr(url, ".zendesk.com")) ||
	       (link && strstr(link, ".zendesk.com"));
}

static int detect(const struct gmhook__delivery *d)
{
	if (gmhook__header(d->req, "X-Zendesk-Webhook-Signature") ||
	    gmhook__header(d->req, "X-Zendesk-Webhook-Id")) {
		return 100;
	}
	if (d->format != GMHOOK__FORMAT_JSON) {
		return 0;
	}
	if (is_envelope(d->body)) {
		return 90;
	}
	if (!gmhook__get(d->body, "/ticket_id") ||
	    !gmhook__get(d->body, "/ticket_title")) {
		return 0;
	}
	return has_zendesk_url(d->body) ? 80 : 50;
}

/* The trigger template's event: its "event" member, else a creation
 * (the documented set-up fires on "Ticket is Created"). */
static const char *template_event(json_object *data, char *buf, size_t size)
{
	const char *event = gmhook__ticket_text(data, "/event", buf, size);

	return event ? event : "ticket.created";
}

static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	char buf[32];
	char sbuf[8];
	char ebuf[32];
	char id[256];
	const char *ticket;
	const char *status;
	const char *when;
	int64_t t = 0;

	(void) ctx, (void) d, (void) err;
	if (is_envelope(item->data)) {
		when = gmhook__get_str(item->data, "/time");
		if (!when || !gmhook__time_parse(when, &t)) {
			t = 0;
		}
		gmhook__ticket_meta(item->meta,
		                    gmhook__get_str(item->data, "/type") +
		                            strlen(EVENT_PREFIX),
		                    gmhook__get_str(item->data, "/id"), t);
		return 0;
	}
	/* X-Zendesk-Webhook-Invocation-Id changes with every attempt, so the
	 * ticket, the event and its status identify a delivery. */
	ticket =
	        gmhook__ticket_text(item->data, "/ticket_id", buf, sizeof(buf));
	status = gmhook__ticket_text(item->data, "/ticket_status", sbuf,
	                             sizeof(sbuf));
	snprintf(id, sizeof(id), "%s:%s:%s", ticket ? ticket : "",
	         template_event(item->data, ebuf, sizeof(ebuf)),
	         status ? status : "");
	when = gmhook__get_str(item->data, "/created_at");
	if (!when || !gmhook__time_parse(when, &t)) {
		t = 0;
	}
	gmhook__ticket_meta(item->meta,
	                    template_event(item->data, ebuf, sizeof(ebuf)),
	                    ticket ? id : NULL, t);
	return 0;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	char buf[32];
	char path[256];

	(void) ctx;
	if (is_envelope(item->data)) {
		return 0;
	}
	if (!gmhook__ticket_text(item->data, "/ticket_id", buf, sizeof(buf))) {
		gmhook__path_join(path, sizeof(path), item->pointer,
		                  "/ticket_id");
		return gmhook__error_set(
		        err, GMHOOK_EVALIDATE, GMHOOK_STAGE_VALIDATE, path,
		        "a ticket id is required (\"ticket_id\": \"{{ticket.id}}\" in the webhook body)");
	}
	if (!gmhook__ticket_text(item->data, "/requester_email", NULL, 0)) {
		return 0;
	}
	return gmhook__validate_email(item, "/requester_email", true, err);
}

/*
 * The record tickets.json maps (docs/sources.md, "Help desks"). The event
 * envelope is ignored here: it names the requester by id only.
 */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	json_object *d = item->data;
	struct gmhook__ticket t = { 0 };
	char id[32];
	int rc;

	(void) pb;
	if (is_envelope(d)) {
		rc = gmhook__record_ignore(
		        item,
		        "Zendesk event webhooks name the requester by id only, not by e-mail; use a trigger webhook with the body in docs/sources.md");
		return rc ? gmhook__error_set(err, GMHOOK_ENOMEM,
		                              GMHOOK_STAGE_MAP, "",
		                              "out of memory")
		          : 0;
	}
	t.requester.email = gmhook__ticket_text(d, "/requester_email", NULL, 0);
	t.requester.name =
	        gmhook__ticket_text(d, "/requester_full_name", NULL, 0);
	t.requester.name_path = "/requester_full_name";
	t.id = gmhook__ticket_text(d, "/ticket_id", id, sizeof(id));
	t.id_path = "/ticket_id";
	t.number = t.id;
	t.number_path = "/ticket_id";
	t.subject = gmhook__get_str(d, "/ticket_title");
	t.subject_path = "/ticket_title";
	t.description = gmhook__get_str(d, "/ticket_description");
	t.description_path = "/ticket_description";
	t.priority = gmhook__ticket_text(d, "/ticket_priority", NULL, 0);
	t.priority_path = "/ticket_priority";
	t.type = gmhook__ticket_text(d, "/ticket_type", NULL, 0);
	t.type_path = "/ticket_type";
	t.status = gmhook__ticket_text(d, "/ticket_status", NULL, 0);
	t.status_path = "/ticket_status";
	t.url = gmhook__get_str(d, "/link");
	t.url_path = "/link";
	if (!t.url) {
		t.url = gmhook__get_str(d, "/ticket_url");
		t.url_path = "/ticket_url";
	}
	(void) gmhook__time_parse(gmhook__get_str(item->meta, "/time"),
	                          &t.when);
	return gmhook__ticket_record(ctx, item, &t, err);
}

/* Is @p sig the base64 HMAC-SHA256 of timestamp + body under a secret? */
static bool signature_matches(const struct gmhook__source_config *cfg,
                              const struct gmhook_event *event, const char *ts,
                              const char *sig)
{
	const void *parts[2] = { ts, event->raw };
	size_t lens[2] = { strlen(ts), event->raw_len };
	unsigned char mac[64];
	size_t mac_len;
	size_t i;

	for (i = 0; i < cfg->n_secrets; i++) {
		/* The signing secret is used as text, not base64-decoded. */
		mac_len =
		        gmhook__hmac(GMHOOK__SHA256, cfg->secrets[i].key,
		                     cfg->secrets[i].len, parts, lens, 2, mac);
		if (gmhook__mac_equal_base64(mac, mac_len, sig, strlen(sig))) {
			return true;
		}
	}
	return false;
}

static int verify(struct gmhook_ctx *ctx, const struct gmhook_event *event,
                  const struct gmhook__source_config *cfg,
                  struct gmhook_error *err)
{
	static const char header[] = "X-Zendesk-Webhook-Signature";
	static const char ts_header[] = "X-Zendesk-Webhook-Signature-Timestamp";
	const char *sig = gmhook__event_header(event, header);
	const char *ts = gmhook__event_header(event, ts_header);
	int64_t tolerance = cfg->tolerance ? cfg->tolerance : DEFAULT_TOLERANCE;
	int64_t t;

	(void) ctx;
	if (!sig) {
		return gmhook__signature_fail(err, header, "missing");
	}
	if (!ts) {
		return gmhook__signature_fail(err, ts_header, "missing");
	}
	if (!gmhook__time_parse(ts, &t)) {
		return gmhook__signature_fail(err, ts_header,
		                              "not an ISO 8601 time");
	}
	if (!signature_matches(cfg, event, ts, sig)) {
		return gmhook__signature_fail(err, header,
		                              "does not match the body");
	}
	if (llabs((long long) (gmhook__event_received(event) - t)) >
	    tolerance) {
		return gmhook__signature_fail(err, ts_header,
		                              "outside the allowed window");
	}
	return 0;
}

const struct gmhook__source gmhook__source_zendesk = {
	.name = "zendesk",
	.signature =
	        "X-Zendesk-Webhook-Signature base64 HMAC-SHA256 of timestamp+body, 300 s window",
	.actions = "new ticket -> contact, CASES row, history TKT/NEW",
	.description = "Zendesk trigger webhooks: new tickets become cases",
	.label = "Zendesk",
	.detect = detect,
	.extract = extract,
	.verify = verify,
	.validate = validate,
	.record = record,
	.mapping = "tickets.json",
};
