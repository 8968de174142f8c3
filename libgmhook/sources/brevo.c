/* SPDX-License-Identifier: MIT */
/*
 * Brevo (formerly Sendinblue) webhooks: one JSON event per delivery, or
 * an array of them when batching is on. hard_bounce removes the address's
 * e-mail rows, unsubscribed and spam strip the campaign merge code; each
 * leaves a history row, and every other event is ignored. Brevo signs
 * nothing, so deliveries are guarded by the source's url_token (a ?token=
 * in the URL or the Basic credentials set on the webhook).
 *
 * The module reads an event into a record; the built-in mapping file
 * mappings/campaigns.json turns it into GoldMine actions.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gmhook-private.h"

#define MAP GMHOOK_STAGE_MAP

enum outcome {
	OUTCOME_NONE = -1,
	OUTCOME_UNSUBSCRIBE,
	OUTCOME_BOUNCE,
	OUTCOME_COMPLAINT,
};

static bool str_is(const char *s, const char *value)
{
	return s && strcmp(s, value) == 0;
}

/* Transactional events say "unsubscribed", marketing ones
 * "unsubscribe"; both mean the same here. */
static int outcome_of(json_object *data)
{
	const char *event = gmhook__get_str(data, "/event");

	if (str_is(event, "hard_bounce")) {
		return OUTCOME_BOUNCE;
	}
	if (str_is(event, "unsubscribed") || str_is(event, "unsubscribe")) {
		return OUTCOME_UNSUBSCRIBE;
	}
	if (str_is(event, "spam")) {
		return OUTCOME_COMPLAINT;
	}
	return OUTCOME_NONE;
}

static bool looks_like_event(json_object *v)
{
	return json_object_is_type(v, json_type_object) &&
	       gmhook__get_str(v, "/event") && gmhook__get_str(v, "/email") &&
	       !gmhook__get(v, "/sg_event_id") &&
	       (gmhook__get(v, "/ts_epoch") || gmhook__get(v, "/ts_event") ||
	        gmhook__get_str(v, "/message-id"));
}

static int detect(const struct gmhook__delivery *d)
{
	json_object *first = d->body;

	if (d->format != GMHOOK__FORMAT_JSON) {
		return 0;
	}
	if (json_object_is_type(d->body, json_type_array)) {
		first = json_object_array_get_idx(d->body, 0);
	}
	return looks_like_event(first) ? 85 : 0;
}

/* When it happened: ts_epoch is milliseconds; ts_event and ts are
 * seconds. */
static bool event_time(json_object *data, int64_t *out)
{
	json_object *ms = gmhook__get(data, "/ts_epoch");
	json_object *s = gmhook__get(data, "/ts_event");

	if (json_object_is_type(ms, json_type_int)) {
		*out = json_object_get_int64(ms) / 1000;
		return true;
	}
	if (!json_object_is_type(s, json_type_int)) {
		s = gmhook__get(data, "/ts");
	}
	if (json_object_is_type(s, json_type_int)) {
		*out = json_object_get_int64(s);
		return true;
	}
	return false;
}

/*
 * Brevo sends no event id ("id" is the account's); its documented
 * de-duplication key is message-id + event + ts_epoch.
 */
static int extract(struct gmhook_ctx *ctx, const struct gmhook__delivery *d,
                   struct gmhook__item *item, struct gmhook_error *err)
{
	const char *type = gmhook__get_str(item->data, "/event");
	const char *msg = gmhook__get_str(item->data, "/message-id");
	const char *email = gmhook__get_str(item->data, "/email");
	char id[512];
	char iso[32];
	int64_t t;
	bool have_time = event_time(item->data, &t);

	(void) ctx;
	(void) d;
	(void) err;
	json_object_object_add(item->meta, "type",
	                       json_object_new_string(type ? type : "unknown"));
	if (type && have_time && (msg || email)) {
		snprintf(id, sizeof(id), "%s:%s:%" PRId64, msg ? msg : email,
		         type, t);
		json_object_object_add(item->meta, "id",
		                       json_object_new_string(id));
	}
	if (have_time) {
		gmhook__time_format_utc(t, iso, sizeof(iso));
		json_object_object_add(item->meta, "time",
		                       json_object_new_string(iso));
	}
	return 0;
}

static int validate(struct gmhook_ctx *ctx, struct gmhook__item *item,
                    struct gmhook_error *err)
{
	(void) ctx;
	if (outcome_of(item->data) == OUTCOME_NONE) {
		return 0;
	}
	return gmhook__validate_email(item, "/email", true, err);
}

static void add_line(struct gmhook__buf *notes, json_object *data,
                     const char *label, const char *pointer)
{
	json_object *v = gmhook__get(data, pointer);
	const char *s;

	if (!v || json_object_is_type(v, json_type_null) ||
	    json_object_is_type(v, json_type_object) ||
	    json_object_is_type(v, json_type_array)) {
		return;
	}
	/* Brevo's bounce reasons arrive with a leading space. */
	s = json_object_get_string(v);
	while (*s == ' ') {
		s++;
	}
	if (*s) {
		gmhook__buf_addf(notes, "%s: %s\r\n", label, s);
	}
}

static void event_notes(struct gmhook__buf *notes, json_object *data)
{
	gmhook__buf_adds(notes, "Provider: Brevo\r\n");
	gmhook__buf_addf(notes, "Address: %s\r\n",
	                 gmhook__get_str(data, "/email"));
	add_line(notes, data, "Event", "/event");
	add_line(notes, data, "Reason", "/reason");
	add_line(notes, data, "Subject", "/subject");
	add_line(notes, data, "Campaign", "/camp_id");
	add_line(notes, data, "Message-Id", "/message-id");
}

/* The record campaigns.json maps: outcome, address, when and notes
 * (gmhook__record_suppress); other events leave it empty. */
static int record(struct gmhook_ctx *ctx, struct gmhook__item *item,
                  struct gmhook__plan_builder *pb, struct gmhook_error *err)
{
	int outcome = outcome_of(item->data);
	struct gmhook__buf notes = { 0 };
	int64_t when;
	int rc;

	(void) pb;
	if (outcome == OUTCOME_NONE) {
		return 0;
	}
	if (!event_time(item->data, &when)) {
		when = gmhook__now(ctx);
	}
	event_notes(&notes, item->data);
	if (notes.failed) {
		gmhook__buf_free(&notes);
		return gmhook__error_set(err, GMHOOK_ENOMEM, MAP, "",
		                         "out of memory");
	}
	rc = gmhook__record_suppress(item, outcome,
	                             gmhook__get_str(item->data, "/email"),
	                             "/email", when, notes.data, err);
	gmhook__buf_free(&notes);
	return rc;
}

const struct gmhook__source gmhook__source_brevo = {
	.name = "brevo",
	.signature = "none (url_token guard)",
	.actions =
	        "hard_bounce -> history BNC + email.remove; unsubscribed, spam -> history + email.optout",
	.description =
	        "Brevo (Sendinblue) webhooks (hard_bounce, unsubscribed, spam)",
	.label = "Brevo",
	.detect = detect,
	.extract = extract,
	.verify = NULL,
	.validate = validate,
	.record = record,
	.mapping = "campaigns.json",
};
