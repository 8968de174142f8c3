/* SPDX-License-Identifier: MIT */
/*
 * Mailgun webhooks: the current JSON shape ({"signature": {timestamp,
 * token, signature}, "event-data": {event, severity, recipient, id}}) and
 * the legacy urlencoded one (the same fields at the top level). The
 * signature sits inside the body: hex HMAC-SHA256 of timestamp + token
 * under the webhook signing key, so the body itself is not covered and the
 * timestamp window plus the ledger's event id stop replays. Permanent
 * failures remove the address's e-mail rows, unsubscribes and complaints
 * strip the campaign merge code; each leaves a history row.
 *
 * The module reads an event into a record; the built-in mapping file
 * mappings/campaigns.json turns it into GoldMine actions.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gmhook-private.h"

#define MAP GMHOOK_STAGE_MAP

enum outcome {
	OUTCOME_NONE = -1,
	OUTCOME_UNSUBSCRIBE,
	OUTCOME_BOUNCE,
	OUTCOME_COMPLAINT,
};

/* Where the fields live, relative to the event's data. */
struct shape {
	const char *event;
	const char *recipient;
	const char *id;
	const char *time;
	const char *timestamp;
	const char *token;
	const char *signature;
};

static const struct shape shape_json = {
	"/event-data/event",     "/event-data/recipient", "/event-data/id",
	"/event-data/timestamp", "/signature/timestamp",  "/signature/token",
	"/signature/signature",
};

static const struct shape shape_legacy = {
	"/event",     "/recipient", NULL,         "/timestamp",
	"/timestamp", "/token",     "/signature",
};

static const struct shape *shape_of(json_object *body)
{
	if (json_object_is_type(gmhook__get(body, "/event-data"),
	                        json_type_object)) {
		return &shape_json;
	}
	return &shape_legacy;
}

static bool str_is(const char *s, const char *value)
{
	return s && strcmp(s, value) == 0;
}

/*
 * A permanent "failed" (legacy: "bounced", or "dropped" with reason
 * "hardfail") is a hard bounce; legacy drop codes 606 and 607 mean a
 * previously unsubscribed or complaining address.
 */
static int outcome_of(json_object *data, const struct shape *s)
{
	const char *event = gmhook__get_str(data, s->event);
	const char *code = gmhook__get_str(data, "/code");

	if (str_is(event, "unsubscribed")) {
		return OUTCOME_UNSUBSCRIBE;
	}
	if (str_is(event, "complained")) {
		return OUTCOME_COMPLAINT;
	}
	if (s == &shape_json) {
		return str_is(event, "failed") &&
		                       str_is(gmhook__get_str(
		                                      data,
		                                      "/event-data/severity"),
		                              "permanent")
		               ? OUTCOME_BOUNCE
		               : OUTCOME_NONE;
	}
	if (str_is(event, "bounced")) {
		return OUTCOME_BOUNCE;
	}
	if (!str_is(event, "dropped") ||
	    !str_is(gmhook__get_str(data, "/reason"), "hardfail")) {
		return OUTCOME_NONE;
	}
	if (str_is(code, "606")) {
		return OUTCOME_UNSUBSCRIBE;
	}
	return str_is(code, "607") ? OUTCOME_COMPLAINT : OUTCOME_BOUNCE;
}

static int detect(const struct gmhook__delivery *d)
{
	const struct shape *s = shape_of(d->body);

	if (!json_object_is_type(d->body, json_type_object) ||
	    !gmhook__get_str(d->body, s->token) ||
	    !gmhook__get_str(d->body, s->signature) ||
	    !gmhook__get_str(d->body, s->event)) {
		return 0;
	}
	return s == &shape_json ? 95 : 85;
}

/* Unix seconds from a number or a numeric string ("1377213791.42"). */
static bool unix_time(json_object *v, int64_t *out)
{
	if (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);

		/* A payload's number may be anything; only plausible Unix
		 * times convert (NaN fails both comparisons). */
		if (!(d > -1e12 && d < 1e12)) {
			return false;
		}
		*out = (int64_t) d;
		return true;
	}
	if (json_object_is_type(v, json_type_string)) {
		return sscanf(json_object_get_string(v), "%" SCNd64, out) == 1;
	}
	return false;
}

/*
 * The id is event-data.id, Mailgun's de-duplication key. Legacy posts
 * have none: event, recipient and Message-Id identify the event (the
 * token changes with every attempt).
 */
static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const struct shape *s = shape_of(item->data);
	const char *type = gmhook__get_str(item->data, s->event);
	const char *msg = gmhook__get_str(item->data, "/Message-Id");
	const char *rcpt = gmhook__get_str(item->data, s->recipient);
	char id[512];
	char iso[32];
	int64_t t;

	(void) ctx;
	(void) d;
	(void) err;
	json_object_object_add(item->meta, "type",
	                       json_object_new_string(type ? type : "unknown"));
	if (s->id && gmhook__get_str(item->data, s->id)) {
		snprintf(id, sizeof(id), "%s",
		         gmhook__get_str(item->data, s->id));
	} else if (!s->id && type && rcpt && msg) {
		snprintf(id, sizeof(id), "%s:%s:%s", type, rcpt, msg);
	} else {
		id[0] = '\0';
	}
	if (id[0]) {
		json_object_object_add(item->meta, "id",
		                       json_object_new_string(id));
	}
	if (unix_time(gmhook__get(item->data, s->time), &t)) {
		gmhook__time_format_utc(t, iso, sizeof(iso));
		json_object_object_add(item->meta, "time",
		                       json_object_new_string(iso));
	}
	return 0;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	const struct shape *s = shape_of(item->data);

	(void) ctx;
	if (outcome_of(item->data, s) == OUTCOME_NONE) {
		return 0;
	}
	return gmhook__validate_email(item, s->recipient, true, err);
}

static void add_line(struct gmhook__buf *notes, json_object *data,
                     const char *label, const char *pointer)
{
	json_object *v = gmhook__get(data, pointer);

	if (v && !json_object_is_type(v, json_type_null) &&
	    !json_object_is_type(v, json_type_object) &&
	    !json_object_is_type(v, json_type_array)) {
		gmhook__buf_addf(notes, "%s: %s\r\n", label,
		                 json_object_get_string(v));
	}
}

static void event_notes(struct gmhook__buf *notes, json_object *data,
                        const struct shape *s)
{
	gmhook__buf_adds(notes, "Provider: Mailgun\r\n");
	gmhook__buf_addf(notes, "Address: %s\r\n",
	                 gmhook__get_str(data, s->recipient));
	add_line(notes, data, "Event", s->event);
	if (s == &shape_json) {
		add_line(notes, data, "Severity", "/event-data/severity");
		add_line(notes, data, "Reason", "/event-data/reason");
		add_line(notes, data, "Code",
		         "/event-data/delivery-status/code");
		add_line(notes, data, "Message",
		         "/event-data/delivery-status/message");
		add_line(notes, data, "Description",
		         "/event-data/delivery-status/description");
		add_line(notes, data, "Message-Id",
		         "/event-data/message/headers/message-id");
		return;
	}
	add_line(notes, data, "Reason", "/reason");
	add_line(notes, data, "Code", "/code");
	add_line(notes, data, "Error", "/error");
	add_line(notes, data, "Description", "/description");
	add_line(notes, data, "Message-Id", "/Message-Id");
}

/* The record campaigns.json maps: outcome, address, when and notes
 * (gmhook__record_suppress); other events leave it empty. */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	const struct shape *s = shape_of(item->data);
	int outcome = outcome_of(item->data, s);
	struct gmhook__buf notes = { 0 };
	int64_t when;
	int rc;

	(void) pb;
	if (outcome == OUTCOME_NONE) {
		return 0;
	}
	if (!unix_time(gmhook__get(item->data, s->time), &when)) {
		when = gmhook__now(ctx);
	}
	event_notes(&notes, item->data, s);
	if (notes.failed) {
		gmhook__buf_free(&notes);
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	rc = gmhook__record_suppress(item, outcome,
	                             gmhook__get_str(item->data, s->recipient),
	                             s->recipient, when, notes.data, err);
	gmhook__buf_free(&notes);
	return rc;
}

#define DEFAULT_TOLERANCE 300

/* Does hex @p sig match HMAC-SHA256(timestamp + token) under any key? */
static bool token_matches(const struct gmhook__source_config *cfg,
                          const char *timestamp, const char *token,
                          const char *sig)
{
	const void *parts[2] = { timestamp, token };
	size_t lens[2] = { strlen(timestamp), strlen(token) };
	unsigned char mac[64];
	size_t mac_len;
	size_t i;

	for (i = 0; i < cfg->n_secrets; i++) {
		mac_len =
		        gmhook__hmac(GMHOOK__SHA256, cfg->secrets[i].key,
		                     cfg->secrets[i].len, parts, lens, 2, mac);
		if (gmhook__mac_equal_hex(mac, mac_len, sig, strlen(sig))) {
			return true;
		}
	}
	return false;
}

/* The signature block is part of the decoded body, not a header. */
static int verify(struct gmhook_ctx *ctx, const struct gmhook_event *event,
                  const struct gmhook__source_config *cfg,
                  struct gmhook_error *err)
{
	static const char what[] = "Mailgun signature";
	json_object *body = gmhook__get(event->doc, "/body");
	const struct shape *s = shape_of(body);
	const char *timestamp = gmhook__get_str(body, s->timestamp);
	const char *token = gmhook__get_str(body, s->token);
	const char *sig = gmhook__get_str(body, s->signature);
	int64_t tolerance = cfg->tolerance ? cfg->tolerance : DEFAULT_TOLERANCE;
	int64_t ts;

	(void) ctx;
	if (!timestamp || !token || !sig) {
		return gmhook__signature_fail(
		        err, what,
		        "the body has no timestamp, token and signature");
	}
	if (sscanf(timestamp, "%" SCNd64, &ts) != 1) {
		return gmhook__signature_fail(err, what,
		                              "timestamp is not a number");
	}
	if (!token_matches(cfg, timestamp, token, sig)) {
		return gmhook__signature_fail(
		        err, what, "does not match the timestamp and token");
	}
	if (llabs((long long) (gmhook__event_received(event) - ts)) >
	    tolerance) {
		return gmhook__signature_fail(
		        err, what, "timestamp is outside the allowed window");
	}
	return 0;
}

const struct gmhook__source gmhook__source_mailgun = {
	.name = "mailgun",
	.signature =
	        "in-body signature: HMAC-SHA256 of timestamp+token, 300 s window",
	.actions =
	        "failed (permanent) -> history BNC + email.remove; unsubscribed, complained -> history + email.optout",
	.description =
	        "Mailgun webhooks, JSON and legacy forms (failed, unsubscribed, complained)",
	.label = "Mailgun",
	.detect = detect,
	.extract = extract,
	.verify = verify,
	.validate = validate,
	.record = record,
	.mapping = "campaigns.json",
};
